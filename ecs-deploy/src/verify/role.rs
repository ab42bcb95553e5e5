//! Roles: a task definition's `executionRoleArn` (the agent pulls images, reads secrets and
//! writes logs with it) and `taskRoleArn` (the containers' credentials) exist, and their trust
//! policy lets ECS tasks assume them.
//!
//! IAM GetRole takes the role's name, the last segment of its ARN
//! (`arn:aws:iam::ACCOUNT:role/PATH/NAME`: the path is not part of the name), answers
//! `NoSuchEntity` when there is none, and answers the trust policy `AssumeRolePolicyDocument`
//! URL-encoded (RFC 3986) (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html>).
//! ECS tasks assume the role as the service principal `ecs-tasks.amazonaws.com`
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html>): the
//! policy must have an `Allow` statement whose `Principal` is `"*"` or has that service in its
//! `Service` (a string or a list) and whose `Action` (a string or a list) matches
//! `sts:AssumeRole`, and no `Deny` statement doing the same
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
//! Conditions are not evaluated: a condition may still refuse ECS.

use ecs_model::JsonPath;
use serde_json::{Value, json};

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients, Operation};

/// The service principal ECS tasks assume roles as.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";

/// The name of a role given as an ARN (`arn:aws:iam::123456789012:role/path/name` is `name`)
/// or as a name; `None` for an ARN that is not an IAM role's.
pub fn role_name(arn_or_name: &str) -> Option<&str> {
    if !arn_or_name.starts_with("arn:") {
        return (!arn_or_name.is_empty() && !arn_or_name.contains('/')).then_some(arn_or_name);
    }
    let mut parts = arn_or_name.splitn(6, ':');
    let (_arn, _partition, service) = (parts.next(), parts.next(), parts.next());
    let resource = parts.nth(2)?;
    if service != Some("iam") {
        return None;
    }
    let path_and_name = resource.strip_prefix("role/")?;
    path_and_name.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The account of an ARN (its fifth field), when it has one.
fn account_of(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?
        .split(':')
        .nth(3)
        .filter(|account| !account.is_empty())
}

/// What a trust policy says of ECS tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// An `Allow` statement lets `ecs-tasks.amazonaws.com` assume the role.
    Trusted,
    /// No statement allows it: the services the policy does trust, for the message.
    NotTrusted(Vec<String>),
    /// A `Deny` statement refuses it.
    Denied,
    /// The document is not a policy: why.
    Unreadable(String),
}

/// Reads a trust policy as GetRole answers it (URL-encoded; plain JSON is read too) and says
/// whether ECS tasks may assume the role.
pub fn ecs_tasks_trust(document: &str) -> Trust {
    let decoded;
    let json_text = if document.trim_start().starts_with('{') {
        document
    } else {
        match percent_decode(document) {
            Some(text) => {
                decoded = text;
                &decoded
            }
            None => return Trust::Unreadable("the document is not URL-encoded UTF-8".to_owned()),
        }
    };
    let policy: Value = match serde_json::from_str(json_text) {
        Ok(policy) => policy,
        Err(e) => return Trust::Unreadable(format!("the document is not JSON: {e}")),
    };
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Trust::Unreadable("the policy has no Statement".to_owned()),
    };
    let mut allowed = false;
    let mut services = Vec::new();
    for statement in statements {
        let effect = text(statement, "Effect").unwrap_or_default();
        let principal = statement.get("Principal");
        services.extend(strings(principal.and_then(|p| p.get("Service"))).map(str::to_owned));
        let names_ecs = match principal {
            Some(Value::String(any)) => any == "*",
            Some(p) => strings(p.get("Service")).any(|s| s == ECS_TASKS),
            None => false,
        };
        if !names_ecs || !strings(statement.get("Action")).any(assumes) {
            continue;
        }
        match effect {
            "Deny" => return Trust::Denied,
            "Allow" => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Trust::Trusted
    } else {
        services.sort();
        services.dedup();
        Trust::NotTrusted(services)
    }
}

/// Whether an action pattern matches `sts:AssumeRole` (actions are case-insensitive).
fn assumes(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    matches!(
        action.as_str(),
        "*" | "sts:*" | "sts:assumerole" | "sts:assume*"
    )
}

/// A policy element that is a string or a list of strings, as strings.
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let list: Vec<&str> = match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
}

/// `text` with its `%XX` escapes decoded; `None` when an escape is broken or the bytes are not
/// UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The roles of the stack's task definitions.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    for (definition, at) in each(doc, "taskDefinitions", &JsonPath::root()) {
        for (key, kind) in [
            ("executionRoleArn", CheckKind::ExecutionRole),
            ("taskRoleArn", CheckKind::TaskRole),
        ] {
            if let Some(role) = text(definition, key) {
                targets.add(kind, role, at.clone().key(key));
            }
        }
    }
}

/// Reads the role and its trust policy.
pub(crate) async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let Some(name) = role_name(&target.subject) else {
        return Ok((
            Outcome::Failed("not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)".to_owned()),
            Some("name the role by its ARN, as IAM shows it".to_owned()),
        ));
    };
    let answer = match clients
        .call(Operation::GetRole, &json!({ "RoleName": name }))
        .await
    {
        Ok(answer) => answer,
        Err(e) if e.is_not_found() => {
            return Ok((
                Outcome::Failed(format!("no role {name} in the account")),
                Some(format!(
                    "create the role {name} with a trust policy for {ECS_TASKS}, or correct the \
                     ARN (IAM is eventually consistent: a role made seconds ago may not be seen \
                     yet, verify again)"
                )),
            ));
        }
        Err(e) => return Err(e),
    };
    let role = answer.get("Role").unwrap_or(&Value::Null);
    let arn = text(role, "Arn").unwrap_or(name);
    if let (Some(wanted), Some(found)) = (account_of(&target.subject), account_of(arn))
        && wanted != found
    {
        // GetRole reads the caller's account: a role of that name there is another role.
        return Ok((
            Outcome::Skipped(format!(
                "in account {wanted}, and verify reads account {found}: a role of another \
                 account cannot be read"
            )),
            None,
        ));
    }
    if target.subject.starts_with("arn:") && arn != target.subject {
        return Ok((
            Outcome::Failed(format!("the role {name} is {arn}, not {}", target.subject)),
            Some(format!("write its ARN as IAM shows it: {arn}")),
        ));
    }
    let Some(document) = text(role, "AssumeRolePolicyDocument") else {
        return Ok((
            Outcome::Failed("it has no trust policy".to_owned()),
            Some(format!("give it a trust policy for {ECS_TASKS}")),
        ));
    };
    let hint = || {
        Some(format!(
            "add to its trust policy: {{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \
             \"{ECS_TASKS}\"}}, \"Action\": \"sts:AssumeRole\"}}"
        ))
    };
    Ok(match ecs_tasks_trust(document) {
        Trust::Trusted => (Outcome::Ok(format!("trusts {ECS_TASKS}")), None),
        Trust::NotTrusted(services) if services.is_empty() => (
            Outcome::Failed(format!("does not trust {ECS_TASKS}")),
            hint(),
        ),
        Trust::NotTrusted(services) => (
            Outcome::Failed(format!(
                "does not trust {ECS_TASKS} (it trusts {})",
                services.join(", ")
            )),
            hint(),
        ),
        Trust::Denied => (
            Outcome::Failed(format!("its trust policy denies {ECS_TASKS}")),
            Some("remove the Deny statement naming ecs-tasks.amazonaws.com".to_owned()),
        ),
        Trust::Unreadable(why) => (
            Outcome::Failed(format!("its trust policy cannot be read: {why}")),
            None,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(policy: &Value) -> String {
        let text = policy.to_string();
        let mut out = String::new();
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    #[test]
    fn the_name_is_the_last_segment_of_the_arn() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
            Some("ecsTaskExecutionRole")
        );
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service-role/shop/web-task"),
            Some("web-task")
        );
        assert_eq!(role_name("arn:aws-cn:iam::123456789012:role/x"), Some("x"));
        assert_eq!(role_name("web-task"), Some("web-task"));
        assert_eq!(role_name("arn:aws:iam::123456789012:user/bob"), None);
        assert_eq!(role_name("arn:aws:s3:::bucket"), None);
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/x"),
            Some("123456789012")
        );
        assert_eq!(account_of("x"), None);
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
    }

    #[test]
    fn a_service_string_or_list_trusts_ecs_tasks() {
        let one = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        assert_eq!(ecs_tasks_trust(&encoded(&one)), Trust::Trusted);
        assert_eq!(
            ecs_tasks_trust(&one.to_string()),
            Trust::Trusted,
            "plain JSON too"
        );
        let list = json!({"Statement": {"Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]},
            "Action": ["sts:TagSession", "STS:AssumeRole"]}});
        assert_eq!(ecs_tasks_trust(&encoded(&list)), Trust::Trusted);
        let anyone =
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*"}]});
        assert_eq!(ecs_tasks_trust(&encoded(&anyone)), Trust::Trusted);
    }

    #[test]
    fn other_principals_actions_and_denials_do_not_trust() {
        let ec2 = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        assert_eq!(
            ecs_tasks_trust(&encoded(&ec2)),
            Trust::NotTrusted(vec!["ec2.amazonaws.com".to_owned()])
        );
        let tag_only = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:TagSession"}]});
        assert!(matches!(
            ecs_tasks_trust(&encoded(&tag_only)),
            Trust::NotTrusted(_)
        ));
        let denied = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Action": "*"}]});
        assert_eq!(ecs_tasks_trust(&encoded(&denied)), Trust::Denied);
        let account = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]});
        assert_eq!(
            ecs_tasks_trust(&encoded(&account)),
            Trust::NotTrusted(vec![])
        );
    }

    #[test]
    fn a_broken_document_is_unreadable() {
        assert!(matches!(ecs_tasks_trust("%7B%ZZ"), Trust::Unreadable(_)));
        assert!(matches!(ecs_tasks_trust("%7Bnot"), Trust::Unreadable(_)));
        assert!(matches!(ecs_tasks_trust("%7B%7D"), Trust::Unreadable(_)));
    }
}
