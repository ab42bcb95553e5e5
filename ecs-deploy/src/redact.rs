//! Secret values, redacted from what a plan shows.
//!
//! A plan holds the stack's values in full, since [`apply`](crate::apply) sends them. What is
//! shown of it (printed, logged, written as JSON) comes from [`Plan::redacted`]: a copy in
//! which [`SENSITIVE`] replaces the `value` of every container environment variable whose name
//! contains `PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`, `KEY`, `CREDENTIAL` or `PRIVATE` (in any
//! case), or whose value is a URL with a password in it (`postgres://user:pass@host/db`), in
//! the members that change and in the calls' inputs (the rollback calls' too). When a changed
//! value's variable cannot be named, it is treated as secret too. A change to a secret still
//! shows, as `(sensitive) -> (sensitive)`.
//!
//! Values in `secrets[..].valueFrom` are kept: they are ARNs of Secrets Manager secrets or SSM
//! parameters, not the secrets themselves, and that is where secrets belong.
//!
//! ```
//! use ecs_deploy::plan::{Actual, Options, plan};
//! let stack = ecs_model::load::from_value::<ecs_model::Stack>(&serde_json::json!({
//!     "taskDefinitions": [{"family": "web", "containerDefinitions": [{
//!         "name": "web", "image": "nginx", "memory": 64,
//!         "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]
//!     }]}]
//! })).value.unwrap();
//! let plan = plan(&stack, &Actual::default(), &Options::new("demo"));
//! let shown = serde_json::to_string(&plan.redacted()).unwrap();
//! assert!(!shown.contains("hunter2") && shown.contains("(sensitive)"));
//! ```

use ecs_model::{JsonPath, PathSegment};
use serde_json::Value;

use crate::diff::FieldDiff;
use crate::plan::{Change, Plan, Step};

/// What a secret value is replaced with.
pub const SENSITIVE: &str = "(sensitive)";

/// Parts of environment variable names that say the value is a secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "PRIVATE",
];

impl Plan {
    /// The plan with every secret value replaced by [`SENSITIVE`], as the [module](self)
    /// describes: in the members that change and in the calls' inputs (the rollback's too).
    /// Its `Debug` and `Serialize` already show this; apply the plan itself.
    #[must_use]
    pub fn redacted(&self) -> Plan {
        let mut plan = self.clone();
        plan.changes = self.changes.iter().map(Change::redacted).collect();
        plan
    }
}

impl Change {
    /// The change with every secret value replaced by [`SENSITIVE`] (see [`Plan::redacted`]).
    #[must_use]
    pub fn redacted(&self) -> Change {
        let mut change = self.clone();
        let desired = desired_task_definition(&change);
        let fields = change.fields.clone();
        for field in &mut change.fields {
            let path = field.path.clone();
            for value in [&mut field.before, &mut field.after].into_iter().flatten() {
                redact_at(&path, value, desired.as_ref(), &fields);
            }
        }
        // A scrubbed value is a string where a string was, so the request still types; should
        // it not, the step is left out of the copy shown rather than shown unredacted.
        change.steps = change.steps.iter().filter_map(redacted_step).collect();
        change.rollback = change.rollback.as_ref().and_then(redacted_step);
        change
    }
}

/// The step with every secret value of its input redacted, re-typed; `None` (fail closed)
/// when the redacted input no longer reads as the operation's request.
fn redacted_step(step: &Step) -> Option<Step> {
    let mut input = step.input();
    scrub(&mut input);
    retyped(step.operation(), &input)
}

fn retyped(operation: crate::aws::Operation, scrubbed: &Value) -> Option<Step> {
    Step::from_json(operation, scrubbed).ok()
}

/// A change as it is shown: its redacted copy, member by member.
#[derive(serde::Serialize)]
struct Shown<'c> {
    address: &'c crate::plan::Address,
    action: crate::plan::Action,
    fields: &'c [FieldDiff],
    kept: &'c [crate::plan::Kept],
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'c crate::plan::Reason>,
    steps: &'c [Step],
    #[serde(skip_serializing_if = "Option::is_none")]
    rollback: Option<&'c Step>,
}

impl serde::Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let change = self.redacted();
        Shown {
            address: &change.address,
            action: change.action,
            fields: &change.fields,
            kept: &change.kept,
            reason: change.reason.as_ref(),
            steps: &change.steps,
            rollback: change.rollback.as_ref(),
        }
        .serialize(serializer)
    }
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let change = self.redacted();
        f.debug_struct("Change")
            .field("address", &change.address)
            .field("action", &change.action)
            .field("fields", &change.fields)
            .field("kept", &change.kept)
            .field("reason", &change.reason)
            .field("steps", &change.steps)
            .field("rollback", &change.rollback)
            .finish()
    }
}

/// Whether an environment variable's name says it holds a secret: it contains `PASSWORD`,
/// `PASSWD`, `SECRET`, `TOKEN`, `KEY`, `CREDENTIAL` or `PRIVATE`, in any case.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// The task definition a change registers, normalized as the planner compares it: the
/// document its field paths point into (containers sorted by name, their environment too), so
/// that the variable at `containerDefinitions[0].environment[2]` can be named.
fn desired_task_definition(change: &Change) -> Option<Value> {
    let mut request = change.steps.iter().find_map(|s| match s {
        Step::RegisterTaskDefinition(request) => Some(request.clone()),
        _ => None,
    })?;
    ecs_model::normalize::task_definition(&mut request);
    serde_json::to_value(&request).ok()
}

/// Redacts `value`, found at `path` of a resource, using what the path says about it.
fn redact_at(path: &JsonPath, value: &mut Value, desired: Option<&Value>, fields: &[FieldDiff]) {
    let segments = path.segments();
    let is_key = |from_end: usize, key: &str| {
        segments.len() >= from_end
            && matches!(&segments[segments.len() - from_end], PathSegment::Key(k) if k == key)
    };
    let is_index = |from_end: usize| {
        segments.len() >= from_end
            && matches!(segments[segments.len() - from_end], PathSegment::Index(_))
    };
    if is_key(1, "environment") {
        scrub_variables(value);
    } else if is_index(1) && is_key(2, "environment") {
        scrub_variable(value);
    } else if is_key(1, "value") && is_index(2) && is_key(3, "environment") {
        // A variable's value on its own: its name is beside it, in the desired document, or in
        // the change of the name itself.
        let name_path =
            JsonPath::from_segments(segments[..segments.len() - 1].to_vec()).key("name");
        let mut names: Vec<&str> = desired
            .and_then(|d| name_path.lookup(d))
            .and_then(Value::as_str)
            .into_iter()
            .collect();
        for field in fields.iter().filter(|f| f.path == name_path) {
            names.extend(
                field
                    .before
                    .iter()
                    .chain(&field.after)
                    .filter_map(Value::as_str),
            );
        }
        if names.is_empty() || names.iter().any(|n| is_secret_name(n)) || secret_value(value) {
            *value = Value::String(SENSITIVE.to_owned());
        }
    } else {
        scrub(value);
    }
}

/// Redacts the environment variables anywhere in `value`.
pub(crate) fn scrub(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key == "environment" {
                    scrub_variables(member);
                } else {
                    scrub(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// Redacts a list of `{"name", "value"}` variables.
fn scrub_variables(list: &mut Value) {
    if let Value::Array(items) = list {
        items.iter_mut().for_each(scrub_variable);
    }
}

fn scrub_variable(variable: &mut Value) {
    let Some(object) = variable.as_object_mut() else {
        return;
    };
    let secret = object
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(is_secret_name)
        || object.get("value").is_some_and(secret_value);
    if let (true, Some(value)) = (secret, object.get_mut("value")) {
        *value = Value::String(SENSITIVE.to_owned());
    }
}

/// Whether the environment variable `name` = `value` is one a plan shows as (sensitive): its
/// name says it holds a secret ([`is_secret_name`]) or its value is a URL with a password. The
/// one decision, used by the plan's redaction and by `import`.
pub fn is_secret_variable(name: &str, value: &str) -> bool {
    is_secret_name(name) || secret_value(&Value::String(value.to_owned()))
}

/// Whether a value is a URL with a password: `scheme://user:password@host`.
fn secret_value(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let Some((_, rest)) = text.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(user_info, _)| user_info.contains(':'))
}

#[cfg(test)]
mod tests {
    use ecs_model::Stack;
    use ecs_model::load::from_value;
    use ecs_model::types::{CreateServiceRequest, RegisterTaskDefinitionRequest, Tag};
    use serde_json::json;

    use super::*;
    use crate::plan::{self as planner, Actual, Existing, Options, STACK_TAG};

    fn ours() -> Option<Vec<Tag>> {
        Some(vec![
            from_value(&json!({"key": STACK_TAG, "value": "demo"}))
                .value
                .expect("a tag"),
        ])
    }

    fn task_definition(environment: Value) -> Value {
        json!({
            "family": "webserver",
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27", "memory": 512,
                "environment": environment
            }]
        })
    }

    fn desired(environment: Value) -> Stack {
        from_value::<Stack>(&json!({
            "taskDefinitions": [task_definition(environment)],
            "services": [{"serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
                "desiredCount": 2}]
        }))
        .value
        .expect("a stack")
    }

    fn actual(environment: Value) -> Actual {
        let mut td: RegisterTaskDefinitionRequest = from_value(&task_definition(environment))
            .value
            .expect("a task definition");
        td.tags = ours();
        let mut existing = Existing::new("arn:aws:ecs:us-east-1:1:task-definition/webserver:3", td);
        existing.revision = Some(3);
        let mut service: CreateServiceRequest = from_value(&json!({
            "serviceName": "web", "cluster": "demo",
            "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/webserver:3",
            "desiredCount": 2
        }))
        .value
        .expect("a service");
        service.tags = ours();
        let mut actual = Actual::default();
        actual.task_definitions.insert("webserver".into(), existing);
        actual.services.insert(
            ("demo".into(), "web".into()),
            Existing::new("arn:aws:ecs:us-east-1:1:service/demo/web", service),
        );
        actual
    }

    fn environment(password: &str, url: &str) -> Value {
        json!([
            {"name": "DB_PASSWORD", "value": password},
            {"name": "DATABASE_URL", "value": url},
            {"name": "MODE", "value": "production"}
        ])
    }

    #[test]
    fn changed_and_created_secrets_are_redacted_and_the_plan_keeps_them() {
        let secrets = ["hunter2", "hunter3", "s3cr3t-a", "s3cr3t-b"];
        let plan = planner::plan(
            &desired(environment("hunter3", "postgres://app:s3cr3t-b@db/app")),
            &actual(environment("hunter2", "postgres://app:s3cr3t-a@db/app")),
            &Options::new("demo"),
        );
        let shown = plan.redacted();
        let json = serde_json::to_string(&shown).expect("json");
        let debug = format!("{shown:?}");
        for secret in secrets {
            assert!(!json.contains(secret), "{secret} in {json}");
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(json.contains(SENSITIVE), "{json}");
        assert!(json.contains("production"), "other values stay: {json}");
        // The plan's own Debug and JSON are redacted too...
        let json = serde_json::to_string(&plan).expect("json");
        let debug = format!("{plan:?}");
        for secret in secrets {
            assert!(!json.contains(secret), "{secret} in {json}");
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        // ...while its steps hold what apply sends.
        let sent: Vec<String> = plan
            .changes
            .iter()
            .flat_map(|c| &c.steps)
            .map(|s| s.input().to_string())
            .collect();
        assert!(sent.iter().any(|s| s.contains("hunter3")), "{sent:?}");

        let created = planner::plan(
            &desired(environment("hunter2", "x")),
            &Actual::default(),
            &Options::new("demo"),
        );
        let json = serde_json::to_string(&created.redacted()).expect("json");
        assert!(!json.contains("hunter2"), "{json}");
        assert!(
            json.contains("\"x\""),
            "a value that is no secret stays: {json}"
        );
    }

    #[test]
    fn a_changed_value_is_kept_when_its_name_is_not_secret() {
        let plan = planner::plan(
            &desired(json!([{"name": "MODE", "value": "production"}])),
            &actual(json!([{"name": "MODE", "value": "staging"}])),
            &Options::new("demo"),
        );
        let json = serde_json::to_string(&plan.redacted()).expect("json");
        assert!(
            json.contains("staging") && json.contains("production"),
            "{json}"
        );
        assert!(!json.contains(SENSITIVE), "{json}");
    }

    #[test]
    fn deletions_are_redacted_too() {
        let actual = actual(json!([{"name": "API_TOKEN", "value": "tok-do-not-print"}]));
        let plan = planner::destroy(&Stack::default(), &actual, &Options::new("demo"));
        let shown = plan.redacted();
        assert!(
            !format!("{shown:?}").contains("tok-do-not-print"),
            "{shown:?}"
        );
        assert!(
            !serde_json::to_string(&shown)
                .expect("json")
                .contains("tok-do-not-print")
        );
    }

    #[test]
    fn a_step_that_no_longer_types_once_redacted_is_not_shown() {
        use crate::aws::Operation;
        assert!(retyped(Operation::RegisterTaskDefinition, &json!({"family": 5})).is_none());
        let step = Step::delete_service("demo", "web");
        assert_eq!(redacted_step(&step), Some(step));
    }

    #[test]
    fn names_and_urls_that_look_secret() {
        for name in [
            "DB_PASSWORD",
            "api_key",
            "GithubToken",
            "CLIENT_SECRET",
            "AWS_CREDENTIALS",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["MODE", "PORT", "LOG_LEVEL"] {
            assert!(!is_secret_name(name), "{name}");
        }
        assert!(secret_value(&json!("redis://:pw@cache:6379")));
        assert!(secret_value(&json!("https://user:pw@example.com/x")));
        assert!(!secret_value(&json!("https://example.com/a@b")));
        assert!(!secret_value(&json!("https://user@example.com")));
        assert!(!secret_value(&json!(5)));
    }
}
