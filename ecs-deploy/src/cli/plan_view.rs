//! The plan for people, in the manner of `terraform plan`.
//!
//! ```text
//! Plan for stack "demo" (tag ecs-rs:stack=demo):
//!
//! + cluster demo: create
//!   + clusterName: "demo"
//!   + tags: [{"key":"ecs-rs:stack","value":"demo"}]
//!
//! ~ task definition webserver: revision 3 differs; a new revision is registered
//!   ~ containerDefinitions[0].image: "nginx:1.26" -> "nginx:1.27"
//!
//! = service demo/web (no change)
//!   = desiredCount: 5 (left to autoscaling)
//!
//! Plan: 1 to create, 1 to register, 0 to update, 0 to replace.
//! ```
//!
//! One block per resource, in apply order: a symbol (`+` create, `~` register, update or update
//! and deploy, `-/+` replace, `=` no change, on one line, `!` not managed, with the reason),
//! then a line per member that changes. A creation shows its top-level members, each value as
//! compact JSON cut after [`CREATION_VALUE_WIDTH`] characters; a change shows every member that
//! differs in full, `before -> after`. Members kept at their actual value because someone else
//! owns them (`--leave`) come last, marked `=`.
//!
//! # Secret values
//!
//! Nothing is printed, as text or JSON, but the library's [`Plan::redacted`] copy of the plan:
//! the values of environment variables named like secrets, or holding a URL with a password,
//! print as `(sensitive)` (see [`ecs_deploy::redact`]).

use std::io::{self, Write};

use ecs_deploy::diff::FieldDiff;
use ecs_deploy::plan::{Change, Kept, Reason, STACK_TAG};
use ecs_deploy::redact::SENSITIVE;
use ecs_deploy::{Action, Address, Plan};
use serde_json::Value;

use super::report::Style;

/// How many characters of a created member's value are shown.
pub(super) const CREATION_VALUE_WIDTH: usize = 100;

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const CYAN: &str = "36";
const BOLD: &str = "1";

/// The symbol of an action, colored.
pub(super) fn symbol(action: Action, style: Style) -> String {
    match action {
        Action::Create => style.paint(GREEN, "+"),
        Action::Register | Action::Update | Action::UpdateAndDeploy => style.paint(YELLOW, "~"),
        Action::Replace => format!("{}/{}", style.paint(RED, "-"), style.paint(GREEN, "+")),
        Action::Delete => style.paint(RED, "-"),
        Action::Blocked => style.paint(RED, "!"),
        Action::NotManaged => style.paint(CYAN, "!"),
        _ => "=".to_owned(),
    }
}

/// The plan's reason in words, with the flag that does what it speaks of.
fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::CapacityProviderMemberFixed { .. } => format!("{reason} (--prune)"),
        Reason::ForcedDeployment => format!("{reason} (--force-new-deployment)"),
        Reason::Untagged => format!("{reason} (--adopt takes it over)"),
        Reason::Adopted { .. } => format!("{reason} (--adopt)"),
        Reason::RolledBack {
            kept: Some(kept), ..
        } if **kept == Reason::KeptAsAsked => format!("{reason} (--no-deregister)"),
        _ => reason.to_string(),
    }
}

/// What happens to the resource, in words, after its address.
fn heading(change: &Change) -> String {
    let reason = change.reason.as_ref().map(reason_text);
    let reason = reason.as_deref();
    match change.action {
        Action::Create => "create".to_owned(),
        Action::Register => reason.unwrap_or("a new revision is registered").to_owned(),
        Action::Update => match reason {
            Some(reason) => format!("update in place: {reason}"),
            None => "update in place".to_owned(),
        },
        Action::UpdateAndDeploy => match reason {
            Some(reason) => {
                format!("update in place, which starts a new deployment of its tasks: {reason}")
            }
            None => "update in place, which starts a new deployment of its tasks".to_owned(),
        },
        Action::Replace => match reason {
            Some(reason) => format!("delete and create again: {reason}"),
            None => "delete and create again".to_owned(),
        },
        Action::Delete => match (&change.address, reason) {
            // "deregister web:1, web:2 (...)" says it all.
            (Address::Revisions { .. } | Address::TaskDefinition { .. }, Some(reason)) => {
                reason.to_owned()
            }
            (_, Some(reason)) => format!("delete: {reason}"),
            (_, None) => "delete".to_owned(),
        },
        Action::NotManaged => format!("not changed: {}", reason.unwrap_or("not managed")),
        Action::Blocked => format!(
            "cannot be applied: {}",
            reason.unwrap_or("no call can make it match")
        ),
        _ => "no change".to_owned(),
    }
}

/// Writes the plan (already [`Plan::redacted`]) and its summary.
pub(super) fn write_plan(out: &mut impl Write, plan: &Plan, style: Style) -> io::Result<()> {
    writeln!(
        out,
        "Plan for stack \"{}\" (tag {STACK_TAG}={}):",
        plan.stack, plan.stack
    )?;
    let mut previous_was_line = false;
    for change in &plan.changes {
        let one_line = change.action == Action::NoChange && change.kept.is_empty();
        // Unchanged resources stand one per line, together; every other block gets a blank
        // line before it.
        if !(one_line && previous_was_line) {
            writeln!(out)?;
        }
        previous_was_line = one_line;
        write_change(out, change, style)?;
    }
    writeln!(out)?;
    write_summary(out, plan, style)
}

fn write_change(out: &mut impl Write, change: &Change, style: Style) -> io::Result<()> {
    let address = style.paint(BOLD, &change.address.to_string());
    let symbol = symbol(change.action, style);
    if change.action == Action::NoChange {
        writeln!(out, "{symbol} {address} (no change)")?;
    } else {
        writeln!(out, "{symbol} {address}: {}", heading(change))?;
    }
    let width =
        matches!(change.action, Action::Create | Action::Delete).then_some(CREATION_VALUE_WIDTH);
    for field in &change.fields {
        write_field(out, field, width, style)?;
    }
    for kept in &change.kept {
        write_kept(out, kept)?;
    }
    Ok(())
}

fn write_field(
    out: &mut impl Write,
    field: &FieldDiff,
    width: Option<usize>,
    style: Style,
) -> io::Result<()> {
    let path = &field.path;
    match (&field.before, &field.after) {
        (None, Some(after)) => writeln!(
            out,
            "  {} {path}: {}",
            style.paint(GREEN, "+"),
            show(after, width)
        ),
        (Some(before), None) => writeln!(
            out,
            "  {} {path}: {}",
            style.paint(RED, "-"),
            show(before, width)
        ),
        (Some(before), Some(after)) => writeln!(
            out,
            "  {} {path}: {} -> {}",
            style.paint(YELLOW, "~"),
            show(before, width),
            show(after, width)
        ),
        (None, None) => Ok(()),
    }
}

fn write_kept(out: &mut impl Write, kept: &Kept) -> io::Result<()> {
    writeln!(
        out,
        "  = {}: {} (left to {})",
        kept.path,
        show(&kept.value, None),
        kept.owner
    )
}

/// A value as compact JSON, cut after `width` characters; a redacted value as `(sensitive)`.
fn show(value: &Value, width: Option<usize>) -> String {
    if value.as_str() == Some(SENSITIVE) {
        return SENSITIVE.to_owned();
    }
    let text = value.to_string();
    match width {
        Some(width) if text.chars().count() > width => {
            let shown: String = text.chars().take(width).collect();
            let rest = text.chars().count() - width;
            format!("{shown}... ({rest} more characters)")
        }
        _ => text,
    }
}

/// The counts of resources per action: `(create, register, update, replace, not managed,
/// delete, blocked)`.
fn counts(plan: &Plan) -> [usize; 7] {
    let summary = plan.summary();
    let count = |action: Action| summary.get(&action).copied().unwrap_or(0);
    [
        count(Action::Create),
        count(Action::Register),
        count(Action::Update) + count(Action::UpdateAndDeploy),
        count(Action::Replace),
        count(Action::NotManaged),
        count(Action::Delete),
        count(Action::Blocked),
    ]
}

/// `Plan: 1 to create, ...` or `No changes. ...`, and a line on resources left alone.
fn write_summary(out: &mut impl Write, plan: &Plan, style: Style) -> io::Result<()> {
    let [
        create,
        register,
        update,
        replace,
        not_managed,
        delete,
        blocked,
    ] = counts(plan);
    if plan.has_changes() {
        let delete = if delete > 0 {
            format!(", {delete} to delete")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {create} to create, {register} to register, {update} to update, {replace} to \
             replace{delete}.",
            style.paint(BOLD, "Plan:")
        )?;
    } else if not_managed == 0 {
        writeln!(
            out,
            "{}",
            style.paint(BOLD, "No changes. AWS matches the stack.")
        )?;
    } else {
        writeln!(
            out,
            "{}",
            style.paint(
                BOLD,
                "No changes. AWS matches the stack, but for the resources it does not manage."
            )
        )?;
    }
    if blocked > 0 {
        let (noun, verb) = if blocked == 1 {
            ("resource", "differs")
        } else {
            ("resources", "differ")
        };
        writeln!(
            out,
            "{blocked} {noun} {verb} from the stack in a way no call can fix (marked !, in red): \
             see why above."
        )?;
    }
    if not_managed > 0 {
        let (noun, verb) = if not_managed == 1 {
            ("resource", "is")
        } else {
            ("resources", "are")
        };
        writeln!(
            out,
            "{not_managed} {noun} of the stack {verb} not managed by it and left alone (marked !)."
        )?;
    }
    Ok(())
}

/// What applying did, for the final line: `Apply complete: 1 created, ...`.
pub(super) fn applied_summary(plan: &Plan, done: &[Address]) -> String {
    let mut counts = [0; 5];
    for change in plan.changes.iter().filter(|c| done.contains(&c.address)) {
        let slot = match change.action {
            Action::Create => 0,
            Action::Register => 1,
            Action::Update | Action::UpdateAndDeploy => 2,
            Action::Replace => 3,
            Action::Delete => 4,
            _ => continue,
        };
        counts[slot] += 1;
    }
    let [created, registered, updated, replaced, deleted] = counts;
    let deleted = if deleted > 0 {
        format!(", {deleted} deleted")
    } else {
        String::new()
    };
    format!(
        "{created} created, {registered} registered, {updated} updated, {replaced} \
         replaced{deleted}"
    )
}

#[cfg(test)]
mod tests {
    use ecs_deploy::plan::{self as planner, Actual, Existing};
    use ecs_deploy::{Leave, Options};
    use ecs_model::Stack;
    use ecs_model::load::from_value;
    use ecs_model::types::{CreateServiceRequest, RegisterTaskDefinitionRequest, Tag};
    use serde_json::json;

    use super::*;

    fn text(plan: &Plan) -> String {
        let mut out = Vec::new();
        write_plan(&mut out, &plan.redacted(), Style::plain()).expect("written");
        String::from_utf8(out).expect("utf8")
    }

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn task_definition(image: &str, environment: Value) -> Value {
        json!({
            "family": "webserver",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128, "environment": environment
            }]
        })
    }

    fn ours() -> Option<Vec<Tag>> {
        let mut tag = Tag::default();
        tag.key = Some(STACK_TAG.to_owned());
        tag.value = Some("demo".to_owned());
        Some(vec![tag])
    }

    /// AWS as it is after the stack was applied with `image` and `environment`, and with its
    /// service scaled to `count` tasks.
    fn actual(image: &str, environment: Value, count: i32) -> Actual {
        let mut actual = Actual::default();
        let mut td: RegisterTaskDefinitionRequest =
            from_value(&task_definition(image, environment))
                .value
                .expect("td");
        td.tags = ours();
        let mut existing = Existing::new(
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            td,
        );
        existing.revision = Some(3);
        actual.task_definitions.insert("webserver".into(), existing);
        let mut service: CreateServiceRequest = from_value(&json!({
            "serviceName": "web", "cluster": "demo",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            "desiredCount": count
        }))
        .value
        .expect("service");
        service.tags = ours();
        actual.services.insert(
            ("demo".into(), "web".into()),
            Existing::new(
                "arn:aws:ecs:us-east-1:123456789012:service/demo/web",
                service,
            ),
        );
        actual
    }

    fn desired(image: &str, environment: Value) -> Stack {
        stack(json!({
            "taskDefinitions": [task_definition(image, environment)],
            "services": [{
                "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
                "desiredCount": 2
            }]
        }))
    }

    #[test]
    fn a_creation_shows_its_top_level_members_compactly() {
        let desired = stack(json!({
            "clusters": [{"clusterName": "demo"}],
            "taskDefinitions": [task_definition("nginx:1.27", json!([
                {"name": "MODE", "value": "production"},
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "FEATURES", "value": "a,b,c,d,e,f,g,h"}
            ]))]
        }));
        let plan = planner::plan(&desired, &Actual::default(), &Options::new("demo"));
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             + cluster demo: create\n\
             \x20 + clusterName: \"demo\"\n\
             \x20 + tags: [{\"key\":\"ecs-rs:stack\",\"value\":\"demo\"}]\n\
             \n\
             + task definition webserver: create\n\
             \x20 + family: \"webserver\"\n\
             \x20 + containerDefinitions: [{\"name\":\"web\",\"image\":\"nginx:1.27\",\"memory\":128,\
             \"environment\":[{\"name\":\"MODE\",\"value\":\"production\"}... (85 more characters)\n\
             \x20 + tags: [{\"key\":\"ecs-rs:stack\",\"value\":\"demo\"}]\n\
             \n\
             Plan: 2 to create, 0 to register, 0 to update, 0 to replace.\n"
        );
    }

    #[test]
    fn an_image_bump_is_one_line_and_the_service_follows() {
        let plan = planner::plan(
            &desired("nginx:1.27", json!([])),
            &actual("nginx:1.26", json!([]), 2),
            &Options::new("demo"),
        );
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             ~ task definition webserver: revision 3 differs; a new revision is registered\n\
             \x20 ~ containerDefinitions[0].image: \"nginx:1.26\" -> \"nginx:1.27\"\n\
             \n\
             ~ service demo/web: update in place, which starts a new deployment of its tasks\n\
             \x20 ~ taskDefinition: \"arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3\" \
             -> \"webserver:(new revision)\"\n\
             \n\
             Plan: 0 to create, 1 to register, 1 to update, 0 to replace.\n"
        );
    }

    #[test]
    fn unchanged_resources_are_one_line_each_with_the_members_left_to_others() {
        let options = Options::new("demo").leave(Leave::DesiredCount { service: None });
        let plan = planner::plan(
            &desired("nginx:1.27", json!([])),
            &actual("nginx:1.27", json!([]), 5),
            &options,
        );
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             = task definition webserver (no change)\n\
             \n\
             = service demo/web (no change)\n\
             \x20 = desiredCount: 5 (left to autoscaling)\n\
             \n\
             No changes. AWS matches the stack.\n"
        );
    }

    #[test]
    fn replacements_and_resources_of_others_say_why() {
        let mut actual = actual("nginx:1.27", json!([]), 2);
        if let Some(td) = actual.task_definitions.get_mut("webserver") {
            td.input.tags = None;
        }
        let desired = stack(json!({
            "taskDefinitions": [task_definition("nginx:1.27", json!([]))],
            "services": [{
                "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
                "desiredCount": 2, "launchType": "EXTERNAL"
            }]
        }));
        let plan = planner::plan(&desired, &actual, &Options::new("demo"));
        let text = text(&plan);
        assert!(
            text.contains(
                "! task definition webserver: not changed: it exists without the ecs-rs:stack \
                 tag, so another tool or person manages it\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "-/+ service demo/web: delete and create again: AWS does not move a service \
                 from the cluster's default capacity provider strategy to the EXTERNAL launch \
                 type in place; a replace stops the service's tasks: it deletes the service, \
                 waits until the old service has drained, then creates it again\n  \
                 + launchType: \"EXTERNAL\"\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Plan: 0 to create, 0 to register, 0 to update, 1 to replace.\n\
                 1 resource of the stack is not managed by it and left alone (marked !).\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn secret_values_never_print() {
        let environment = |password: &str, url: &str| {
            json!([
                {"name": "DB_PASSWORD", "value": password},
                {"name": "DATABASE_URL", "value": url},
                {"name": "MODE", "value": "production"}
            ])
        };
        let secrets = ["hunter2", "hunter3", "s3cr3t-a", "s3cr3t-b"];
        let plan = planner::plan(
            &desired(
                "nginx:1.27",
                environment("hunter3", "postgres://app:s3cr3t-b@db/app"),
            ),
            &actual(
                "nginx:1.27",
                environment("hunter2", "postgres://app:s3cr3t-a@db/app"),
                2,
            ),
            &Options::new("demo"),
        );
        let text = text(&plan);
        // The environment is sorted by name for comparison: DATABASE_URL, DB_PASSWORD, MODE.
        assert!(
            text.contains(
                "  ~ containerDefinitions[0].environment[0].value: (sensitive) -> (sensitive)\n\
                 \x20 ~ containerDefinitions[0].environment[1].value: (sensitive) -> (sensitive)\n"
            ),
            "{text}"
        );
        let json = serde_json::to_string(&plan.redacted()).expect("json");
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.contains("production"), "other values stay: {json}");

        let created = planner::plan(
            &desired("nginx:1.27", environment("hunter2", "x")),
            &Actual::default(),
            &Options::new("demo"),
        );
        let json = serde_json::to_string(&created.redacted()).expect("json");
        assert!(!json.contains("hunter2"), "{json}");
    }

    #[test]
    fn a_changed_value_is_shown_when_its_name_is_not_secret() {
        let plan = planner::plan(
            &desired(
                "nginx:1.27",
                json!([{"name": "MODE", "value": "production"}]),
            ),
            &actual(
                "nginx:1.27",
                json!([{"name": "MODE", "value": "staging"}]),
                2,
            ),
            &Options::new("demo"),
        );
        assert!(
            text(&plan).contains(
                "  ~ containerDefinitions[0].environment[0].value: \"staging\" -> \"production\"\n"
            ),
            "{}",
            text(&plan)
        );
    }

    #[test]
    fn the_applied_summary_counts_what_was_done() {
        let desired = stack(json!({"clusters": [{"clusterName": "a"}, {"clusterName": "b"}]}));
        let plan = planner::plan(&desired, &Actual::default(), &Options::new("demo"));
        let done = vec![plan.changes[0].address.clone()];
        assert_eq!(
            applied_summary(&plan, &done),
            "1 created, 0 registered, 0 updated, 0 replaced"
        );
    }

    #[test]
    fn deletions_show_what_goes_without_its_secrets() {
        let secret = json!([{"name": "API_TOKEN", "value": "tok-do-not-print"}]);
        let actual = actual("nginx:1.27", secret, 2);
        let plan = planner::destroy(&Stack::default(), &actual, &Options::new("demo"));
        let shown = text(&plan);
        assert!(!shown.contains("tok-do-not-print"), "{shown}");
        assert!(
            shown.contains("- service demo/web: delete: the stack is destroyed\n"),
            "{shown}"
        );
        assert!(shown.contains("  - desiredCount: 2\n"), "{shown}");
        assert!(
            shown.contains(
                "- task definition webserver: the stack is destroyed: deregister webserver:3\n"
            ),
            "{shown}"
        );
        assert!(
            shown.ends_with(
                "Plan: 0 to create, 0 to register, 0 to update, 0 to replace, 2 to delete.\n"
            ),
            "{shown}"
        );
        assert_eq!(
            applied_summary(&plan, &[plan.changes[0].address.clone()]),
            "0 created, 0 registered, 0 updated, 0 replaced, 1 deleted"
        );
    }
}
