//! Plain `environment` values that look like secrets: the `secret-in-environment` lint.
//!
//! A task definition's environment is readable by anyone who may describe it, and it ends up
//! in plans, logs and version control; AWS advises passing secrets through `secrets` instead.
//! A value is reported when its variable's **name** says it holds a secret, or when the
//! **value** itself has the shape of a credential.
//!
//! - Names are split into words (at `_`, `-`, `.` and camelCase boundaries) and only the last
//!   word counts (or the last two: `API_KEY`), so `DB_PASSWORD`, `GithubToken`,
//!   `CLIENT_SECRET`, `STRIPE_API_KEY` and `AWS_SECRET_ACCESS_KEY` are secrets while
//!   `TOKEN_URL`, `PASSWORD_FILE`, `SECRET_ARN`, `API_KEY_PATH`, `MAX_TOKENS` and
//!   `AWS_ACCESS_KEY_ID` (an identifier, not the secret) are not. A trailing number or encoding
//!   word (`API_KEY_2`, `JWT_SECRET_BASE64`, `SECRET_KEY_BASE`) keeps the name a secret's.
//!   `PWD` is the shell's working directory, and `KEY` alone is a cache or object key: neither
//!   counts. This is deliberately narrower than the deploy crate's redaction of plans, which
//!   hides any value whose name merely contains such a word: hiding too much costs little,
//!   warning too much teaches people to ignore the warning.
//! - Values: an AWS access key ID (`AKIA`/`ASIA` and 16 upper-case letters or digits), a PEM
//!   private key, a GitHub token (`ghp_`, `github_pat_`...), a Slack token (`xoxb-`...), a URL
//!   with a password (`postgres://user:pw@db`).
//! - Never a secret: an empty value, a `${NAME}` placeholder (with `${NAME:-default}`, the
//!   default is what is checked), an ARN (the application looks the secret up itself), `true`
//!   or `false` (a flag such as `REQUIRE_PASSWORD`).
//!
//! The diagnostic is always at `environment[j].value`, even when the name is what gave it away:
//! the value is what has to move. Its message names the variable and what the value looks like,
//! never the value.

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::{ContainerDefinition, KeyValuePair};
use crate::validate::Rule;

use super::warning;

const SENSITIVE_DATA: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html";

/// Plain secrets in the environment.
pub(crate) const SECRET_IN_ENVIRONMENT: Rule = warning(
    "secret-in-environment",
    "A plain environment variable does not hold a secret (a name such as PASSWORD, TOKEN or \
     API_KEY, or a value shaped like an access key, private key or token); secrets come from \
     `secrets`, an SSM parameter or a Secrets Manager secret.",
    SENSITIVE_DATA,
);

/// Single words that end a secret's name.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
];

/// Words that, before a final `KEY`, make a secret's name (`API_KEY`, `SIGNING_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "PRIVATE",
    "ACCESS",
    "SECRET",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
];

/// Words after the secret word that still name the secret itself, in some encoding.
const ENCODING_WORDS: &[&str] = &["BASE", "BASE64", "B64", "HEX", "PEM", "RAW", "VALUE"];

pub(super) fn check(container: &ContainerDefinition, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    for (j, variable) in container.environment.iter().flatten().enumerate() {
        let Some(what) = looks_secret(variable) else {
            continue;
        };
        let variable_name = match variable.name.as_deref() {
            Some(name) if !name.is_empty() => format!("environment variable `{name}`"),
            _ => "an unnamed environment variable".to_owned(),
        };
        let message = match what {
            Looks::Name => {
                format!("{variable_name} holds a plain value but is named like a secret")
            }
            Looks::Value(shape) => format!("the value of {variable_name} looks like {shape}"),
        };
        out.push(
            SECRET_IN_ENVIRONMENT
                .at(at.clone().key("environment").index(j).key("value"), message)
                .with_hint(
                    "move it to `secrets` with a valueFrom of an SSM parameter or a Secrets \
                     Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), and rotate \
                     it if this file was ever shared",
                ),
        );
    }
}

/// What gave a variable away.
#[derive(Debug, PartialEq, Eq)]
enum Looks {
    /// Its name.
    Name,
    /// Its value, which looks like this (with an article: "an AWS access key ID").
    Value(&'static str),
}

fn looks_secret(variable: &KeyValuePair) -> Option<Looks> {
    let value = checked_value(variable.value.as_deref()?)?;
    if let Some(shape) = secret_shape(value) {
        return Some(Looks::Value(shape));
    }
    let name = variable.name.as_deref()?;
    secret_name(name).then_some(Looks::Name)
}

/// The part of `value` that would reach the container as written: `None` when there is none
/// (empty, a placeholder without default) or when it cannot be a secret (an ARN, a flag).
fn checked_value(value: &str) -> Option<&str> {
    let value = match value
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
    {
        Some(inner) if !inner.contains(['$', '{', '}']) => inner.split_once(":-")?.1,
        _ => value,
    };
    let trimmed = value.trim();
    let never = trimmed.is_empty()
        || trimmed.starts_with("arn:")
        || trimmed.eq_ignore_ascii_case("true")
        || trimmed.eq_ignore_ascii_case("false");
    (!never).then_some(trimmed)
}

/// Whether a variable's name says it holds a secret (see the [module](self) docs).
fn secret_name(name: &str) -> bool {
    let mut words = words(name);
    while words.last().is_some_and(|w| {
        w.bytes().all(|b| b.is_ascii_digit()) || ENCODING_WORDS.contains(&w.as_str())
    }) {
        words.pop();
    }
    match words.as_slice() {
        [.., last] if SECRET_WORDS.contains(&last.as_str()) => true,
        [.., qualifier, last] => last == "KEY" && KEY_QUALIFIERS.contains(&qualifier.as_str()),
        _ => false,
    }
}

/// The upper-cased words of a name: split at non-alphanumerics and at camelCase boundaries
/// (`dbPassword`, `APIKey` and `api_key` all give two words).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let previous = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && previous.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || (p.is_ascii_uppercase() && next.is_some_and(char::is_ascii_lowercase))
                });
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_uppercase());
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// What a value looks like, when it has the shape of a credential.
fn secret_shape(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    if url_with_password(value) {
        return Some("a URL with a password");
    }
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .find_map(token_shape)
}

/// The shape of one token of a value (a run of letters, digits, `_` and `-`).
fn token_shape(token: &str) -> Option<&'static str> {
    let upper_alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    if let Some(rest) = token
        .strip_prefix("AKIA")
        .or_else(|| token.strip_prefix("ASIA"))
        && rest.len() == 16
        && upper_alnum(rest)
    {
        return Some("an AWS access key ID");
    }
    let github = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .find_map(|prefix| token.strip_prefix(prefix))
        .is_some_and(|rest| rest.len() >= 36 && alnum(rest));
    let github_pat = token
        .strip_prefix("github_pat_")
        .is_some_and(|rest| rest.len() >= 22);
    if github || github_pat {
        return Some("a GitHub token");
    }
    let slack = ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"]
        .iter()
        .find_map(|prefix| token.strip_prefix(prefix))
        .is_some_and(|rest| rest.len() >= 10 && rest.bytes().any(|b| b.is_ascii_digit()));
    slack.then_some("a Slack token")
}

/// Whether a value is a URL with a password that is not a `$` placeholder:
/// `scheme://user:password@host`.
fn url_with_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((user_info, _)) = authority.rsplit_once('@') else {
        return false;
    };
    user_info
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variable(name: &str, value: &str) -> KeyValuePair {
        KeyValuePair {
            name: Some(name.to_owned()),
            value: Some(value.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn names_of_secrets() {
        for name in [
            "DB_PASSWORD",
            "PASSWORD",
            "MYSQL_ROOT_PASSWD",
            "CLIENT_SECRET",
            "GITHUB_TOKEN",
            "GithubToken",
            "dbPassword",
            "api_key",
            "APIKEY",
            "APIKey",
            "STRIPE_API_KEY",
            "stripe-api-key",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY",
            "JWT_PRIVATE_KEY",
            "SIGNING_KEY",
            "GOOGLE_CREDENTIALS",
            "SECRET_KEY_BASE",
            "JWT_SECRET_BASE64",
            "API_KEY_2",
            "app.secret",
        ] {
            assert!(secret_name(name), "{name} should look like a secret");
        }
    }

    #[test]
    fn names_that_only_mention_a_secret() {
        for name in [
            "TOKEN_URL",
            "OAUTH_TOKEN_ENDPOINT",
            "PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "SECRET_ARN",
            "DB_SECRET_NAME",
            "API_KEY_PATH",
            "AWS_ACCESS_KEY_ID",
            "MAX_TOKENS",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "PWD",
            "CACHE_KEY",
            "S3_KEY",
            "KEY",
            "SECRETARY",
            "PASSWORDLESS_LOGIN",
            "MODE",
            "",
        ] {
            assert!(!secret_name(name), "{name} should not look like a secret");
        }
    }

    #[test]
    fn values_shaped_like_credentials() {
        for (value, shape) in [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"),
            ("ASIAY34FZKBOKMUTVV7A", "an AWS access key ID"),
            ("key=AKIAIOSFODNN7EXAMPLE;region=x", "an AWS access key ID"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
                "a PEM private key",
            ),
            ("-----BEGIN PRIVATE KEY-----", "a PEM private key"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "a GitHub token"),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghij",
                "a GitHub token",
            ),
            ("xoxb-1234567890-abcdefghij", "a Slack token"),
            (
                "postgres://app:hunter2@db:5432/shop",
                "a URL with a password",
            ),
            ("redis://:pw@cache:6379", "a URL with a password"),
        ] {
            assert_eq!(secret_shape(value), Some(shape), "{value}");
        }
    }

    #[test]
    fn values_that_are_not_credentials() {
        for value in [
            "AKIA",
            "AKIAIOSFODNN7EXAMPL",
            "AKIAIOSFODNN7EXAMPLE1",
            "akiaiosfodnn7example",
            "XAKIAIOSFODNN7EXAMPLE",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----",
            "ghp_short",
            "xoxb-",
            "http://api.shop.internal:8080",
            "https://user@example.com/x",
            "https://example.com/a@b",
            "postgres://app:${DB_PASSWORD}@db/shop",
            "production",
        ] {
            assert_eq!(secret_shape(value), None, "{value}");
        }
    }

    #[test]
    fn placeholders_references_and_flags_are_not_secrets() {
        for value in [
            "",
            "  ",
            "${DB_PASSWORD}",
            "${DB_PASSWORD:-}",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            "true",
            "FALSE",
        ] {
            assert_eq!(
                looks_secret(&variable("DB_PASSWORD", value)),
                None,
                "{value:?}"
            );
        }
        // A placeholder's default is what the container gets when the variable is unset.
        assert_eq!(
            looks_secret(&variable("DB_PASSWORD", "${DB_PASSWORD:-hunter2}")),
            Some(Looks::Name)
        );
        assert_eq!(
            looks_secret(&variable("KEY_ID", "${KEY_ID:-AKIAIOSFODNN7EXAMPLE}")),
            Some(Looks::Value("an AWS access key ID"))
        );
        // Absent value: nothing to leak.
        let absent = KeyValuePair {
            name: Some("DB_PASSWORD".to_owned()),
            ..Default::default()
        };
        assert_eq!(looks_secret(&absent), None);
    }

    #[test]
    fn the_message_names_the_variable_and_never_shows_the_value() {
        let container = ContainerDefinition {
            environment: Some(vec![
                variable("MODE", "production"),
                variable("DB_PASSWORD", "hunter2"),
                variable("KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ]),
            ..Default::default()
        };
        let mut out = Vec::new();
        check(&container, &JsonPath::root(), &mut out);
        let shown: Vec<(String, String)> = out
            .iter()
            .map(|d| (d.path.to_string(), d.message.clone()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "environment[1].value".to_owned(),
                    "environment variable `DB_PASSWORD` holds a plain value but is named like a \
                     secret"
                        .to_owned()
                ),
                (
                    "environment[2].value".to_owned(),
                    "the value of environment variable `KEY_ID` looks like an AWS access key ID"
                        .to_owned()
                ),
            ]
        );
        for diagnostic in &out {
            let text = format!("{diagnostic} {:?}", diagnostic.hint);
            assert!(
                !text.contains("hunter2") && !text.contains("AKIAIOSFODNN7EXAMPLE"),
                "{text}"
            );
        }
    }
}
