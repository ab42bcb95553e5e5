//! Secrets and parameters: what containers' `secrets[].valueFrom`,
//! `logConfiguration.secretOptions[].valueFrom` and `repositoryCredentials.credentialsParameter`
//! name exists. Their values are never read.
//!
//! ECS takes a Secrets Manager secret as its ARN, optionally followed by
//! `:json-key:version-stage:version-id` (each may be empty), and an SSM parameter as its ARN or,
//! in the task's region, its name
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html>,
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html>).
//! A parameter's ARN is `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` where a hierarchical name
//! `/a/b` appears without its first slash (`parameter/a/b`).
//!
//! - A secret: Secrets Manager DescribeSecret with the ARN without the suffix (a partial ARN,
//!   without the six random characters, is taken too), which answers metadata only and
//!   `ResourceNotFoundException` when there is none; a secret scheduled for deletion has a
//!   `DeletedDate` (ECS cannot read it); a version stage or id of the suffix must be one of its
//!   `VersionIdsToStages`
//!   (<https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html>).
//! - A parameter: SSM DescribeParameters with a `Name` `Equals` filter, which answers metadata
//!   only (GetParameter would answer the value). Results are "best effort": a page may hold
//!   fewer matches than exist, none at all, with a `NextToken` to go on
//!   (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html>),
//!   so the pages are read until the name is found or no token comes back.

use ecs_model::JsonPath;
use serde_json::{Value, json};

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients, Operation};

/// The most pages of DescribeParameters read for one name.
const MAX_PAGES: usize = 50;

/// What a `valueFrom` names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretRef {
    /// A Secrets Manager secret.
    Secret {
        /// The secret's ARN without the suffix (or its name).
        id: String,
        /// The region of its ARN.
        region: Option<String>,
        /// The JSON key of the suffix, if any.
        json_key: Option<String>,
        /// The version stage of the suffix, if any.
        version_stage: Option<String>,
        /// The version id of the suffix, if any.
        version_id: Option<String>,
    },
    /// An SSM parameter.
    Parameter {
        /// The parameter's full name (`/shop/db-password`).
        name: String,
        /// The region of its ARN (none for a name: the task's region).
        region: Option<String>,
    },
    /// An ARN of another service.
    Other(String),
}

/// Reads a `valueFrom` (`secret` false: an ARN or a parameter name) or a
/// `credentialsParameter` (`secret` true: a secret's ARN or name).
pub fn parse_value_from(value_from: &str, secret: bool) -> SecretRef {
    let none_if_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    if !value_from.starts_with("arn:") {
        return if secret {
            SecretRef::Secret {
                id: value_from.to_owned(),
                region: None,
                json_key: None,
                version_stage: None,
                version_id: None,
            }
        } else {
            SecretRef::Parameter {
                name: value_from.to_owned(),
                region: None,
            }
        };
    }
    let parts: Vec<&str> = value_from.split(':').collect();
    let service = parts.get(2).copied().unwrap_or_default();
    let region = none_if_empty(parts.get(3).copied());
    match service {
        "secretsmanager" if parts.len() >= 7 && parts[5] == "secret" => SecretRef::Secret {
            id: parts[..7].join(":"),
            region,
            json_key: none_if_empty(parts.get(7).copied()),
            version_stage: none_if_empty(parts.get(8).copied()),
            version_id: none_if_empty(parts.get(9).copied()),
        },
        "ssm" if parts.len() >= 6 => match parts[5..].join(":").strip_prefix("parameter/") {
            Some(name) if name.contains('/') => SecretRef::Parameter {
                name: format!("/{name}"),
                region,
            },
            Some(name) => SecretRef::Parameter {
                name: name.to_owned(),
                region,
            },
            None => SecretRef::Other(value_from.to_owned()),
        },
        _ => SecretRef::Other(value_from.to_owned()),
    }
}

/// The secrets and parameters the stack's containers name.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    for (definition, at) in each(doc, "taskDefinitions", &JsonPath::root()) {
        for (container, at) in each(definition, "containerDefinitions", &at) {
            let mut lists: Vec<(&Value, JsonPath, &'static str)> =
                vec![(container, at.clone(), "secrets")];
            if let Some(log) = container.get("logConfiguration") {
                lists.push((log, at.clone().key("logConfiguration"), "secretOptions"));
            }
            for (holder, holder_at, key) in lists {
                for (secret, secret_at) in each(holder, key, &holder_at) {
                    if let Some(value_from) = text(secret, "valueFrom") {
                        add(targets, value_from, false, secret_at.key("valueFrom"));
                    }
                }
            }
            if let Some(credentials) = container
                .get("repositoryCredentials")
                .and_then(|c| text(c, "credentialsParameter"))
            {
                let path = at
                    .clone()
                    .key("repositoryCredentials")
                    .key("credentialsParameter");
                add(targets, credentials, true, path);
            }
        }
    }
}

fn add(targets: &mut Targets, value_from: &str, secret: bool, path: JsonPath) {
    let kind = match parse_value_from(value_from, secret) {
        SecretRef::Parameter { .. } => CheckKind::Parameter,
        SecretRef::Secret { .. } | SecretRef::Other(_) => CheckKind::Secret,
    };
    targets
        .add(kind, value_from, path)
        .with("secret", if secret { "true" } else { "false" });
}

/// Whether `region` (of an ARN) is another than the client's.
fn elsewhere(region: Option<&String>, client: Option<String>) -> Option<String> {
    match (region, client) {
        (Some(region), Some(client)) if *region != client => Some(format!(
            "in region {region}, and verify reads region {client}"
        )),
        _ => None,
    }
}

/// Describes the secret.
pub(crate) async fn check_secret(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let secret = target.extra("secret") == Some("true");
    let (id, region, stage, version) = match parse_value_from(&target.subject, secret) {
        SecretRef::Secret {
            id,
            region,
            version_stage,
            version_id,
            ..
        } => (id, region, version_stage, version_id),
        _ => {
            return Ok((
                Outcome::Failed(
                    "not a Secrets Manager secret nor an SSM parameter ARN".to_owned(),
                ),
                Some("name a secret (arn:aws:secretsmanager:...) or a parameter (its name, or arn:aws:ssm:...)".to_owned()),
            ));
        }
    };
    if let Some(why) = elsewhere(
        region.as_ref(),
        super::region(clients, crate::aws::Api::SecretsManager),
    ) {
        return Ok((Outcome::Skipped(why), None));
    }
    let answer = match clients
        .call(Operation::DescribeSecret, &json!({ "SecretId": id }))
        .await
    {
        Ok(answer) => answer,
        Err(e) if e.is_not_found() => {
            return Ok((
                Outcome::Failed(format!("no secret {id}")),
                Some(
                    "create it (aws secretsmanager create-secret), or correct the ARN: \
                     Secrets Manager ARNs end with six random characters after the name"
                        .to_owned(),
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    Ok(described(
        &answer,
        &id,
        stage.as_deref(),
        version.as_deref(),
    ))
}

/// The outcome of a DescribeSecret answer.
fn described(answer: &Value, id: &str, stage: Option<&str>, version: Option<&str>) -> Found {
    let arn = text(answer, "ARN").unwrap_or(id);
    if answer.get("DeletedDate").is_some_and(|d| !d.is_null()) {
        return (
            Outcome::Failed(format!("{arn} is scheduled for deletion")),
            Some("restore it (aws secretsmanager restore-secret)".to_owned()),
        );
    }
    let versions = answer.get("VersionIdsToStages").and_then(Value::as_object);
    if let Some(version) = version
        && !versions.is_some_and(|v| v.contains_key(version))
    {
        return (
            Outcome::Failed(format!("{arn} has no version {version}")),
            Some("name a version the secret has, or leave the version id empty".to_owned()),
        );
    }
    if let Some(stage) = stage {
        let staged = versions.is_some_and(|v| {
            v.values()
                .filter_map(Value::as_array)
                .flatten()
                .any(|s| s.as_str() == Some(stage))
        });
        if !staged {
            return (
                Outcome::Failed(format!("{arn} has no version staged {stage}")),
                Some("name a stage the secret has (AWSCURRENT...), or leave it empty".to_owned()),
            );
        }
    }
    let found = if arn == id {
        "exists".to_owned()
    } else {
        format!("exists: {arn}")
    };
    (Outcome::Ok(found), None)
}

/// Looks the parameter up by name.
pub(crate) async fn check_parameter(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let SecretRef::Parameter { name, region } = parse_value_from(&target.subject, false) else {
        return Ok((Outcome::Failed("not an SSM parameter".to_owned()), None));
    };
    if let Some(why) = elsewhere(
        region.as_ref(),
        super::region(clients, crate::aws::Api::Ssm),
    ) {
        return Ok((Outcome::Skipped(why), None));
    }
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut input = json!({
            "ParameterFilters": [{"Key": "Name", "Option": "Equals", "Values": [name]}],
        });
        if let Some(token) = &token {
            input["NextToken"] = json!(token);
        }
        let answer = clients.call(Operation::DescribeParameters, &input).await?;
        let found = answer
            .get("Parameters")
            .and_then(Value::as_array)
            .and_then(|list| list.iter().find(|p| text(p, "Name") == Some(name.as_str())));
        if let Some(parameter) = found {
            let kind = text(parameter, "Type").unwrap_or("parameter");
            return Ok((Outcome::Ok(format!("exists ({kind})")), None));
        }
        match text(&answer, "NextToken") {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    Ok((
        Outcome::Failed(format!("no parameter {name}")),
        Some(format!(
            "create it (aws ssm put-parameter --name {name} --type SecureString ...), or \
             correct the name (a hierarchical name starts with /)"
        )),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf";

    #[test]
    fn a_secret_arn_loses_its_suffix() {
        assert_eq!(
            parse_value_from(SECRET, false),
            SecretRef::Secret {
                id: SECRET.to_owned(),
                region: Some("us-east-1".to_owned()),
                json_key: None,
                version_stage: None,
                version_id: None,
            }
        );
        assert_eq!(
            parse_value_from(&format!("{SECRET}:password:AWSPREVIOUS:"), false),
            SecretRef::Secret {
                id: SECRET.to_owned(),
                region: Some("us-east-1".to_owned()),
                json_key: Some("password".to_owned()),
                version_stage: Some("AWSPREVIOUS".to_owned()),
                version_id: None,
            }
        );
        let SecretRef::Secret {
            version_id,
            json_key,
            ..
        } = parse_value_from(&format!("{SECRET}:::0f1e2d"), false)
        else {
            panic!("a secret");
        };
        assert_eq!((json_key, version_id), (None, Some("0f1e2d".to_owned())));
        assert!(matches!(
            parse_value_from("docker-hub-credentials", true),
            SecretRef::Secret { region: None, .. }
        ));
    }

    #[test]
    fn parameter_arns_and_names() {
        let param = |name: &str, region: Option<&str>| SecretRef::Parameter {
            name: name.to_owned(),
            region: region.map(str::to_owned),
        };
        assert_eq!(
            parse_value_from(
                "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/db/password",
                false
            ),
            param("/shop/db/password", Some("eu-west-1"))
        );
        assert_eq!(
            parse_value_from(
                "arn:aws:ssm:eu-west-1:123456789012:parameter/api-key",
                false
            ),
            param("api-key", Some("eu-west-1"))
        );
        assert_eq!(
            parse_value_from("/shop/api-key", false),
            param("/shop/api-key", None)
        );
        assert_eq!(parse_value_from("api-key", false), param("api-key", None));
        assert!(matches!(
            parse_value_from("arn:aws:kms:us-east-1:123456789012:key/k", false),
            SecretRef::Other(_)
        ));
    }

    #[test]
    fn versions_stages_and_deletion_are_read_from_the_description() {
        let answer = json!({"ARN": SECRET, "VersionIdsToStages": {
            "v1": ["AWSPREVIOUS"], "v2": ["AWSCURRENT"]}});
        assert_eq!(
            described(&answer, SECRET, None, None).0,
            Outcome::Ok("exists".to_owned())
        );
        assert!(
            !described(&answer, SECRET, Some("AWSPREVIOUS"), Some("v1"))
                .0
                .is_failed()
        );
        assert!(
            described(&answer, SECRET, Some("AWSPENDING"), None)
                .0
                .is_failed()
        );
        assert!(described(&answer, SECRET, None, Some("v3")).0.is_failed());
        let deleted = json!({"ARN": SECRET, "DeletedDate": 1.7e9});
        assert!(described(&deleted, SECRET, None, None).0.is_failed());
    }
}
