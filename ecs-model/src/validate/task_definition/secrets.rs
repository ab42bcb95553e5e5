//! A container's `secrets` and `environment`: where a secret comes from (`valueFrom`), and
//! names set twice. [`check_value_from`] serves the log configuration's `secretOptions` too.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::{ContainerDefinition, Secret};
use crate::validate::Rule;

use super::{API_CONTAINER, error, warning};

const API_SECRET: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html";

/// `valueFrom` form.
pub(crate) const SECRET_VALUE_FROM: Rule = error(
    "secret-value-from",
    "A secret's valueFrom is a Secrets Manager or SSM Parameter Store ARN, or the name of an \
     SSM parameter in the task's Region.",
    API_SECRET,
);

/// Non-empty secret names.
pub(crate) const SECRET_NAME: Rule = error(
    "secret-name",
    "A secret has a non-empty name: the environment variable or log option it sets.",
    API_SECRET,
);

/// Unique secret names.
pub(crate) const DUPLICATE_SECRET_NAME: Rule = warning(
    "duplicate-secret-name",
    "A container sets each secret once, and not also as a plain environment variable.",
    API_SECRET,
);

/// Unique environment names.
pub(crate) const DUPLICATE_ENVIRONMENT_NAME: Rule = warning(
    "duplicate-environment-name",
    "A container sets each environment variable once; only one of the values would apply.",
    API_CONTAINER,
);

pub(super) fn check(container: &ContainerDefinition, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let mut environment = HashSet::new();
    for (k, variable) in container.environment.iter().flatten().enumerate() {
        if let Some(name) = variable.name.as_deref()
            && !environment.insert(name)
        {
            out.push(
                DUPLICATE_ENVIRONMENT_NAME
                    .at(
                        at.clone().key("environment").index(k).key("name"),
                        format!("environment variable `{name}` is set more than once"),
                    )
                    .with_hint("keep one entry per variable"),
            );
        }
    }
    let mut secrets = HashSet::new();
    for (k, secret) in container.secrets.iter().flatten().enumerate() {
        let path = at.clone().key("secrets").index(k);
        check_value_from(secret, &path, out);
        let Some(name) = secret.name.as_deref() else {
            continue;
        };
        let message = if name.is_empty() {
            out.push(
                SECRET_NAME
                    .at(path.key("name"), "the secret's name is empty")
                    .with_hint("name the environment variable the secret sets"),
            );
            continue;
        } else if !secrets.insert(name) {
            format!("secret `{name}` is set more than once")
        } else if environment.contains(name) {
            format!("`{name}` is both a secret and a plain environment variable")
        } else {
            continue;
        };
        out.push(
            DUPLICATE_SECRET_NAME
                .at(path.key("name"), message)
                .with_hint("keep one source for each variable"),
        );
    }
}

/// Whether `value` is a Secrets Manager or SSM Parameter Store ARN, or an SSM parameter name.
fn valid_value_from(value: &str) -> bool {
    if let Some(rest) = value.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = parts.as_slice() else {
            return false;
        };
        let resource_ok = match *service {
            "secretsmanager" => resource.len() > "secret:".len() && resource.starts_with("secret:"),
            "ssm" => resource.len() > "parameter/".len() && resource.starts_with("parameter/"),
            _ => false,
        };
        return partition.starts_with("aws")
            && !region.is_empty()
            && !account.is_empty()
            && resource_ok;
    }
    // An SSM parameter name: letters, digits and `_ . - /`; a hierarchy starts with `/`.
    !value.is_empty()
        && value.len() <= 2048
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b))
        && (!value.contains('/') || value.starts_with('/'))
}

pub(super) fn check_value_from(secret: &Secret, path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(value) = secret.value_from.as_deref() else {
        return;
    };
    if !valid_value_from(value) {
        out.push(
            SECRET_VALUE_FROM
                .at(
                    path.clone().key("valueFrom"),
                    format!(
                        "valueFrom `{value}` is neither a Secrets Manager or SSM parameter ARN \
                         nor an SSM parameter name"
                    ),
                )
                .with_hint(
                    "use arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, \
                     arn:aws:ssm:REGION:ACCOUNT:parameter/NAME, or a parameter name like /app/db",
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_from_forms() {
        assert!(valid_value_from(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        ));
        assert!(valid_value_from(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"
        ));
        assert!(valid_value_from(
            "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/app/db"
        ));
        assert!(valid_value_from("/app/db_password"));
        assert!(valid_value_from("db.password"));
        assert!(!valid_value_from("arn:aws:s3:::bucket/key"));
        assert!(!valid_value_from(
            "arn:aws:ssm:us-east-1:123456789012:app/db"
        ));
        assert!(!valid_value_from("app/db"));
        assert!(!valid_value_from("my secret"));
        assert!(!valid_value_from(""));
    }
}
