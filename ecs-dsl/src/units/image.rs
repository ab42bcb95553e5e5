//! Container image references: `[registry/]repository[:tag][@digest]`.

use std::fmt;
use std::str::FromStr;

/// What is wrong with an image reference.
///
/// ```
/// use ecs_dsl::units::{ImageRef, ImageRefError};
///
/// assert_eq!("nginx:".parse::<ImageRef>(), Err(ImageRefError::Tag(String::new())));
/// assert_eq!("".parse::<ImageRef>(), Err(ImageRefError::Empty));
/// let error = "Nginx".parse::<ImageRef>().unwrap_err();
/// assert!(error.to_string().starts_with("repository component `Nginx` is not lowercase"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageRefError {
    /// The reference is empty.
    #[error("the image reference is empty")]
    Empty,
    /// The reference is longer than the 255 characters a repository name may have.
    #[error("the repository name has {0} characters; at most 255 are allowed")]
    TooLong(usize),
    /// The registry host (the part before the first `/`) is malformed.
    #[error("registry `{0}` is not a host name or address with an optional port")]
    Registry(String),
    /// A repository path component is empty or has characters other than lowercase letters,
    /// digits and single `.`, `_`, `__` or `-` separators between them.
    #[error(
        "repository component `{0}` is not lowercase letters and digits joined by `.`, `_`, `__` or `-`"
    )]
    Repository(String),
    /// The tag is empty, longer than 128 characters, or has characters other than letters,
    /// digits, `_`, `.` and `-` (and does not start with `.` or `-`).
    #[error(
        "tag `{0}` is not 1 to 128 letters, digits, `_`, `.` or `-` (not starting with `.` or `-`)"
    )]
    Tag(String),
    /// The digest is not `algorithm:hex`, or a `sha256`/`sha512` digest has the wrong length.
    #[error("digest `{0}` is not `algorithm:hex` (sha256: 64 lowercase hex digits)")]
    Digest(String),
}

/// A container image reference, parsed into registry, repository, tag and digest.
///
/// Reads what `docker pull` reads: `nginx`, `nginx:1.27`, `public.ecr.aws/nginx/nginx:latest`,
/// `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:...`, `localhost:5000/app:tag`. The
/// first path component is the registry when it has a `.` or a `:`, or is `localhost`. Nothing
/// is filled in: `nginx` has no registry and no tag, and displays as `nginx` again.
///
/// Converts into `String` for a container's `image`.
///
/// ```
/// use ecs_dsl::units::ImageRef;
///
/// let image: ImageRef = "public.ecr.aws/nginx/nginx:1.27".parse()?;
/// assert_eq!(image.registry(), Some("public.ecr.aws"));
/// assert_eq!(image.repository(), "nginx/nginx");
/// assert_eq!(image.tag(), Some("1.27"));
/// assert_eq!(image.digest(), None);
/// assert_eq!(String::from(image), "public.ecr.aws/nginx/nginx:1.27");
///
/// // A tag computed at run time, say from the git SHA:
/// let app = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app".parse::<ImageRef>()?.with_tag("3f2c1ab")?;
/// assert_eq!(app.to_string(), "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:3f2c1ab");
/// # Ok::<(), ecs_dsl::units::ImageRefError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: Option<String>,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// The longest repository name (registry included) Docker accepts.
const MAX_NAME: usize = 255;
/// The longest tag.
const MAX_TAG: usize = 128;

impl ImageRef {
    /// The registry host, with its port: `public.ecr.aws`, `localhost:5000`; `None` for Docker
    /// Hub's short names.
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// assert_eq!("localhost:5000/app".parse::<ImageRef>()?.registry(), Some("localhost:5000"));
    /// assert_eq!("library/nginx".parse::<ImageRef>()?.registry(), None);
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    /// The repository path inside the registry: `nginx`, `nginx/nginx`, `app`.
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// let image: ImageRef = "ghcr.io/org/team/app:v1".parse()?;
    /// assert_eq!(image.repository(), "org/team/app");
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag: `1.27`, `latest`; `None` when the reference has none (nothing is filled in).
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// assert_eq!("nginx:1.27".parse::<ImageRef>()?.tag(), Some("1.27"));
    /// assert_eq!("nginx".parse::<ImageRef>()?.tag(), None);
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest: `sha256:` and 64 hex digits.
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// let digest = format!("sha256:{}", "0f".repeat(32));
    /// let image: ImageRef = format!("app:1.0@{digest}").parse()?;
    /// assert_eq!(image.digest(), Some(digest.as_str()));
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// This reference with its tag set (or replaced) to `tag`, once checked.
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// let image = "nginx:1.26".parse::<ImageRef>()?.with_tag("1.27")?;
    /// assert_eq!(image.to_string(), "nginx:1.27");
    /// assert!("nginx".parse::<ImageRef>()?.with_tag("no spaces").is_err());
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn with_tag(mut self, tag: impl Into<String>) -> Result<Self, ImageRefError> {
        let tag = tag.into();
        check_tag(&tag)?;
        self.tag = Some(tag);
        Ok(self)
    }

    /// This reference pinned to `digest` (`sha256:...`), once checked.
    ///
    /// ```
    /// use ecs_dsl::units::ImageRef;
    ///
    /// let digest = format!("sha256:{}", "ab".repeat(32));
    /// let image = "nginx:1.27".parse::<ImageRef>()?.with_digest(&digest)?;
    /// assert_eq!(image.to_string(), format!("nginx:1.27@{digest}"));
    /// # Ok::<(), ecs_dsl::units::ImageRefError>(())
    /// ```
    pub fn with_digest(mut self, digest: impl Into<String>) -> Result<Self, ImageRefError> {
        let digest = digest.into();
        check_digest(&digest)?;
        self.digest = Some(digest);
        Ok(self)
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(text: &str) -> Result<Self, ImageRefError> {
        if text.is_empty() {
            return Err(ImageRefError::Empty);
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => {
                check_digest(digest)?;
                (name, Some(digest.to_owned()))
            }
            None => (text, None),
        };
        let (registry, path) = match name.split_once('/') {
            Some((first, rest)) if is_registry(first) => {
                check_registry(first)?;
                (Some(first.to_owned()), rest)
            }
            _ => (None, name),
        };
        // With the registry split off, a `:` can only start the tag.
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) => {
                check_tag(tag)?;
                (repository, Some(tag.to_owned()))
            }
            None => (path, None),
        };
        for component in repository.split('/') {
            check_component(component)?;
        }
        let length = name.len() - tag.as_ref().map_or(0, |t| t.len() + 1);
        if length > MAX_NAME {
            return Err(ImageRefError::TooLong(length));
        }
        Ok(Self {
            registry,
            repository: repository.to_owned(),
            tag,
            digest,
        })
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl From<ImageRef> for String {
    fn from(image: ImageRef) -> Self {
        image.to_string()
    }
}

impl From<&ImageRef> for String {
    fn from(image: &ImageRef) -> Self {
        image.to_string()
    }
}

/// Whether the first path component names a registry rather than a repository namespace.
fn is_registry(first: &str) -> bool {
    first.contains(['.', ':']) || first == "localhost" || first.starts_with('[')
}

/// `host[:port]`: a DNS name or IPv4 address, or an IPv6 address in brackets.
fn check_registry(registry: &str) -> Result<(), ImageRefError> {
    let bad = || ImageRefError::Registry(registry.to_owned());
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let (address, after) = rest.split_once(']').ok_or_else(bad)?;
        if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(bad());
        }
        match after {
            "" => (None, None),
            _ => (None, Some(after.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !host.split('.').all(label_ok) {
            return Err(bad());
        }
    }
    if let Some(port) = port
        && !(port.bytes().all(|b| b.is_ascii_digit()) && matches!(port.parse::<u16>(), Ok(1..)))
    {
        return Err(bad());
    }
    Ok(())
}

/// One repository path component: runs of `[a-z0-9]` joined by `.`, `_`, `__` or `-`s.
fn check_component(component: &str) -> Result<(), ImageRefError> {
    let bad = || ImageRefError::Repository(component.to_owned());
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut rest = component;
    loop {
        // A run of letters and digits: never empty, so no leading, trailing or doubled separator.
        let run = rest.find(|c: char| !alnum(c)).unwrap_or(rest.len());
        if run == 0 {
            return Err(bad());
        }
        rest = &rest[run..];
        if rest.is_empty() {
            return Ok(());
        }
        let end = rest.find(alnum).unwrap_or(rest.len());
        let separator = &rest[..end];
        if !(matches!(separator, "." | "_" | "__") || separator.chars().all(|c| c == '-')) {
            return Err(bad());
        }
        rest = &rest[end..];
    }
}

fn check_tag(tag: &str) -> Result<(), ImageRefError> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ok = (1..=MAX_TAG).contains(&tag.len())
        && tag.starts_with(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ImageRefError::Tag(tag.to_owned()))
    }
}

fn check_digest(digest: &str) -> Result<(), ImageRefError> {
    let bad = || ImageRefError::Digest(digest.to_owned());
    let (algorithm, hex) = digest.split_once(':').ok_or_else(bad)?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '_', '-']).all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    let expected_length = match algorithm {
        "sha256" => Some(64),
        "sha512" => Some(128),
        _ => None,
    };
    let hex_ok = match expected_length {
        Some(length) => {
            hex.len() == length
                && hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        }
        None => {
            !hex.is_empty()
                && hex
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-'))
        }
    };
    if algorithm_ok && hex_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let image: ImageRef = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(image.to_string(), text, "display round-trips");
        (
            image.registry().map(str::to_owned),
            image.repository().to_owned(),
            image.tag().map(str::to_owned),
            image.digest().map(str::to_owned),
        )
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn reads_the_forms_docker_reads() {
        let sha = format!("sha256:{}", "0123456789abcdef".repeat(4));
        assert_eq!(parts("nginx"), (None, "nginx".into(), None, None));
        assert_eq!(
            parts("nginx:1.27"),
            (None, "nginx".into(), some("1.27"), None)
        );
        assert_eq!(
            parts("public.ecr.aws/nginx/nginx:latest"),
            (
                some("public.ecr.aws"),
                "nginx/nginx".into(),
                some("latest"),
                None
            )
        );
        assert_eq!(
            parts(&format!(
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@{sha}"
            )),
            (
                some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
                "app".into(),
                None,
                Some(sha.clone())
            )
        );
        assert_eq!(
            parts("localhost:5000/app:tag"),
            (some("localhost:5000"), "app".into(), some("tag"), None)
        );
        assert_eq!(
            parts("localhost/app"),
            (some("localhost"), "app".into(), None, None)
        );
        assert_eq!(
            parts(&format!("ghcr.io/org/team/app:v1.2.3-rc.1@{sha}")),
            (
                some("ghcr.io"),
                "org/team/app".into(),
                some("v1.2.3-rc.1"),
                Some(sha.clone())
            )
        );
        // A first component without `.` or `:` is a Docker Hub namespace, not a registry.
        assert_eq!(
            parts("library/nginx"),
            (None, "library/nginx".into(), None, None)
        );
        assert_eq!(
            parts("[::1]:5000/app"),
            (some("[::1]:5000"), "app".into(), None, None)
        );
        assert_eq!(
            parts("my_org/my__app-x--y.z"),
            (None, "my_org/my__app-x--y.z".into(), None, None)
        );
        assert_eq!(parts("app:_tag"), (None, "app".into(), some("_tag"), None));
    }

    #[test]
    fn rejects_malformed_references() {
        use ImageRefError::*;
        let sha = "ab".repeat(32);
        let cases: &[(&str, ImageRefError)] = &[
            ("", Empty),
            ("Nginx", Repository("Nginx".into())),
            ("nginx:", Tag(String::new())),
            ("nginx:-x", Tag("-x".into())),
            ("nginx:a b", Tag("a b".into())),
            ("nginx::1", Repository("nginx:".into())),
            ("/nginx", Repository(String::new())),
            ("nginx/", Repository(String::new())),
            ("a//b", Repository(String::new())),
            ("-app", Repository("-app".into())),
            ("app.", Repository("app.".into())),
            ("a..b", Repository("a..b".into())),
            ("a___b", Repository("a___b".into())),
            ("a.-b", Repository("a.-b".into())),
            ("nginx@sha256", Digest("sha256".into())),
            ("nginx@sha256:abc", Digest("sha256:abc".into())),
            ("nginx@md5:", Digest("md5:".into())),
            ("localhost:0/app", Registry("localhost:0".into())),
            ("localhost:99999/app", Registry("localhost:99999".into())),
            ("localhost:/app", Registry("localhost:".into())),
            ("bad_host.io/app", Registry("bad_host.io".into())),
            ("-x.io/app", Registry("-x.io".into())),
            ("[zz]/app", Registry("[zz]".into())),
            ("[::1/app", Registry("[::1".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<ImageRef>().as_ref(), Err(expected), "{text}");
        }
        let upper = format!("nginx@sha256:{}", sha.to_uppercase());
        assert!(matches!(upper.parse::<ImageRef>(), Err(Digest(_))));
        assert!(format!("nginx@sha256:{sha}").parse::<ImageRef>().is_ok());
        let long_tag = format!("nginx:{}", "t".repeat(129));
        assert!(matches!(long_tag.parse::<ImageRef>(), Err(Tag(_))));
        let long_name = "a".repeat(256);
        assert_eq!(long_name.parse::<ImageRef>(), Err(TooLong(256)));
        // The tag does not count towards the name's length.
        assert!(
            format!("{}:{}", "a".repeat(255), "t".repeat(128))
                .parse::<ImageRef>()
                .is_ok()
        );
    }

    #[test]
    fn errors_say_what_is_wrong_once() {
        let error = "Nginx".parse::<ImageRef>().expect_err("uppercase");
        assert_eq!(
            error.to_string(),
            "repository component `Nginx` is not lowercase letters and digits joined by `.`, `_`, `__` or `-`"
        );
    }
}
