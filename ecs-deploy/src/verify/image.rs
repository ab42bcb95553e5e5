//! Images: a container image in a private Amazon ECR registry is in its repository.
//!
//! An ECR image reference is `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY` followed by
//! `:TAG` or `@sha256:DIGEST` (a tag and a digest both: the digest is what is pulled; neither:
//! the tag `latest`), and the FIPS (`dkr.ecr-fips`) and China (`amazonaws.com.cn`) forms
//! (<https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html>,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html>,
//! `image`). The check is ECR DescribeImages of the repository in the account's registry
//! (`registryId`) with the one image id: `RepositoryNotFoundException` or
//! `ImageNotFoundException` fail it
//! (<https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html>).
//! Images of other registries (Docker Hub, ECR Public, GHCR...) and of ECR in another region
//! than the client's are skipped, saying why.

use ecs_model::JsonPath;
use serde_json::{Value, json};

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients, Operation};

/// A reference to an image in a private ECR registry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EcrImage {
    /// The registry's account id (`registryId`).
    pub account: String,
    /// The registry's region.
    pub region: String,
    /// The repository's name (`shop/web`).
    pub repository: String,
    /// What names the image in the repository.
    pub id: ImageId,
}

/// How a reference names an image of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageId {
    /// A tag (`latest` when the reference has neither tag nor digest).
    Tag(String),
    /// A digest, `sha256:...`.
    Digest(String),
}

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageSource {
    /// A private ECR registry.
    Ecr(EcrImage),
    /// Another registry: its host (`docker.io` for a reference without one).
    Other(String),
}

/// Reads an image reference.
pub fn parse_image(reference: &str) -> ImageSource {
    let (host, rest) = match reference.split_once('/') {
        // A first component with a dot or a colon, or `localhost`, is a registry host (the
        // Docker reference grammar); otherwise the image is on Docker Hub.
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => return ImageSource::Other("docker.io".to_owned()),
    };
    let Some((account, region)) = ecr_host(host) else {
        return ImageSource::Other(host.to_owned());
    };
    let (name, id) = match rest.split_once('@') {
        Some((name, digest)) => {
            let name = name.split_once(':').map_or(name, |(name, _tag)| name);
            (name, ImageId::Digest(digest.to_owned()))
        }
        None => match rest.rsplit_once(':') {
            Some((name, tag)) => (name, ImageId::Tag(tag.to_owned())),
            None => (rest, ImageId::Tag("latest".to_owned())),
        },
    };
    ImageSource::Ecr(EcrImage {
        account: account.to_owned(),
        region: region.to_owned(),
        repository: name.to_owned(),
        id,
    })
}

/// `(account, region)` of a private ECR registry host
/// (`ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`).
fn ecr_host(host: &str) -> Option<(&str, &str)> {
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (account, rest) = rest.split_once('.')?;
    let region = rest
        .strip_prefix("dkr.ecr.")
        .or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (account_ok && !region.is_empty() && !region.contains('.')).then_some((account, region))
}

/// The images of the stack's containers.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    for (definition, at) in each(doc, "taskDefinitions", &JsonPath::root()) {
        for (container, at) in each(definition, "containerDefinitions", &at) {
            if let Some(image) = text(container, "image") {
                targets.add(CheckKind::Image, image, at.key("image"));
            }
        }
    }
}

/// Looks the image up in ECR.
pub(crate) async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let image = match parse_image(&target.subject) {
        ImageSource::Ecr(image) => image,
        ImageSource::Other(host) => {
            return Ok((
                Outcome::Skipped(format!("not in ECR (registry {host}): not checked")),
                None,
            ));
        }
    };
    if let Some(region) = super::region(clients, crate::aws::Api::Ecr)
        && region != image.region
    {
        return Ok((
            Outcome::Skipped(format!(
                "in ECR of region {}, and verify reads region {region}",
                image.region
            )),
            None,
        ));
    }
    let id = match &image.id {
        ImageId::Tag(tag) => json!({ "imageTag": tag }),
        ImageId::Digest(digest) => json!({ "imageDigest": digest }),
    };
    let input = json!({
        "registryId": image.account,
        "repositoryName": image.repository,
        "imageIds": [id],
    });
    let wanted = match &image.id {
        ImageId::Tag(tag) => format!("tag {tag}"),
        ImageId::Digest(digest) => format!("digest {digest}"),
    };
    match clients.call(Operation::DescribeImages, &input).await {
        Ok(answer) => Ok(found(&answer, &target.subject, &image, &wanted)),
        Err(e) if e.code() == Some("RepositoryNotFoundException") => Ok((
            Outcome::Failed(format!(
                "no repository {} in the registry of account {}",
                image.repository, image.account
            )),
            Some(format!(
                "create it (aws ecr create-repository --repository-name {}) and push the image, \
                 or correct the image reference",
                image.repository
            )),
        )),
        Err(e) if e.code() == Some("ImageNotFoundException") => {
            Ok(missing(&target.subject, &image, &wanted))
        }
        Err(e) => Err(e),
    }
}

/// The outcome of a DescribeImages answer: the image's digest, or missing when no detail came.
fn found(answer: &Value, reference: &str, image: &EcrImage, wanted: &str) -> Found {
    let detail = answer
        .get("imageDetails")
        .and_then(Value::as_array)
        .and_then(|details| details.first());
    match detail {
        Some(detail) => {
            let digest = text(detail, "imageDigest").unwrap_or("(no digest)");
            (Outcome::Ok(format!("found ({digest})")), None)
        }
        None => missing(reference, image, wanted),
    }
}

/// The outcome of an image not in its repository.
fn missing(reference: &str, image: &EcrImage, wanted: &str) -> Found {
    let hint = match &image.id {
        ImageId::Tag(_) => format!(
            "push it (docker push {reference}), or name a tag the repository has (aws ecr \
             list-images --repository-name {})",
            image.repository
        ),
        ImageId::Digest(_) => format!(
            "name a digest the repository has (aws ecr list-images --repository-name {})",
            image.repository
        ),
    };
    (
        Outcome::Failed(format!(
            "no image with {wanted} in repository {}",
            image.repository
        )),
        Some(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecr(reference: &str) -> EcrImage {
        match parse_image(reference) {
            ImageSource::Ecr(image) => image,
            other => panic!("{reference}: {other:?}"),
        }
    }

    #[test]
    fn ecr_references_name_account_region_repository_and_image() {
        let image = ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2");
        assert_eq!(image.account, "123456789012");
        assert_eq!(image.region, "eu-west-1");
        assert_eq!(image.repository, "shop/web");
        assert_eq!(image.id, ImageId::Tag("1.4.2".to_owned()));
        let digest = format!("sha256:{}", "a".repeat(64));
        let image = ecr(&format!(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:old@{digest}"
        ));
        assert_eq!(image.repository, "web");
        assert_eq!(
            image.id,
            ImageId::Digest(digest),
            "the digest is what is pulled"
        );
        assert_eq!(
            ecr("123456789012.dkr.ecr.us-east-1.amazonaws.com/web").id,
            ImageId::Tag("latest".to_owned())
        );
        assert_eq!(
            ecr("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web:1").region,
            "us-gov-west-1"
        );
        assert_eq!(
            ecr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1").region,
            "cn-north-1"
        );
    }

    #[test]
    fn other_registries_are_named() {
        for (reference, host) in [
            ("nginx:1.27", "docker.io"),
            ("library/nginx", "docker.io"),
            ("public.ecr.aws/nginx/nginx:1.27", "public.ecr.aws"),
            ("ghcr.io/acme/api:2", "ghcr.io"),
            ("localhost:5000/web:1", "localhost:5000"),
            // Not an account id: not a private ECR registry.
            (
                "acme.dkr.ecr.us-east-1.amazonaws.com/web:1",
                "acme.dkr.ecr.us-east-1.amazonaws.com",
            ),
        ] {
            assert_eq!(
                parse_image(reference),
                ImageSource::Other(host.to_owned()),
                "{reference}"
            );
        }
    }

    #[test]
    fn a_description_without_the_image_is_missing() {
        let reference = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1";
        let image = ecr(reference);
        let (outcome, hint) = found(&json!({"imageDetails": []}), reference, &image, "tag 1");
        assert!(outcome.is_failed());
        assert!(hint.is_some_and(|h| h.contains(&format!("docker push {reference}"))));
        let answer = json!({"imageDetails": [{"imageDigest": "sha256:ab"}]});
        let (outcome, _) = found(&answer, reference, &image, "tag 1");
        assert_eq!(outcome, Outcome::Ok("found (sha256:ab)".to_owned()));
    }
}
