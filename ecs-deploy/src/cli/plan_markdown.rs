//! `plan --format markdown`: the plan as a pull request comment.
//!
//! ````markdown
//! ### Plan for stack `demo`
//!
//! Plan: 1 to create, 1 to register, 0 to update, 0 to replace.
//!
//! | Action | Resources |
//! | --- | ---: |
//! | `+` create | 1 |
//! | `~` register | 1 |
//!
//! | | Resource | Action | Why |
//! | --- | --- | --- | --- |
//! | `+` | cluster demo | create | |
//! | `~` | task definition webserver | register | revision 3 differs; a new revision is registered |
//!
//! <details><summary><code>+</code> cluster demo: create</summary>
//!
//! ```diff
//! + clusterName: "demo"
//! ```
//!
//! </details>
//! ````
//!
//! A heading with the stack's name, the summary sentence of the text plan, a table of how many
//! resources each action touches, a table of the resources that do not stay as they are (the
//! symbol, the address, the action and why), then one collapsed `<details>` block per resource
//! with members to show, holding the lines of the text plan (see
//! [`change_lines`](super::plan_view::change_lines)) in a `diff` block, the symbol first so that
//! GitHub colors them: `+` added, `-` removed, a change in place as its `-` and `+` lines, `~`
//! the objects and lists holding changes, `=` what is kept at AWS's value. No terminal colors. A
//! plan without changes is the heading and `No changes. AWS matches the stack.` (and the
//! resources not managed, if any). Only the [redacted](ecs_deploy::Plan::redacted) plan is
//! given to this module: secret values read `(sensitive)`.

use std::io::{self, Write};

use ecs_deploy::plan::Change;
use ecs_deploy::{Action, Plan};

use super::plan_view::{Block, Line, LineKind, change_lines, heading, reason_text, write_summary};
use super::report::Style;

/// Writes the plan (already [`Plan::redacted`]) as Markdown.
pub(super) fn write_markdown(out: &mut impl Write, plan: &Plan) -> io::Result<()> {
    writeln!(out, "### Plan for stack `{}`", code_text(&plan.stack))?;
    writeln!(out)?;
    let mut summary = Vec::new();
    write_summary(&mut summary, plan, Style::plain())?;
    // One paragraph per sentence.
    for sentence in String::from_utf8_lossy(&summary).lines() {
        writeln!(out, "{}", escape(sentence))?;
        writeln!(out)?;
    }
    let listed: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoChange)
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    writeln!(out, "| Action | Resources |")?;
    writeln!(out, "| --- | ---: |")?;
    for (action, count) in plan.summary() {
        writeln!(
            out,
            "| `{}` {} | {count} |",
            action.symbol(),
            action.as_str()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "| | Resource | Action | Why |")?;
    writeln!(out, "| --- | --- | --- | --- |")?;
    for change in &listed {
        // Without a reason, what a reviewer should know of the action itself: that the
        // service's tasks are replaced.
        let why = match (&change.reason, change.action) {
            (Some(reason), _) => escape(&reason_text(reason)),
            (None, Action::UpdateAndDeploy) => "starts a new deployment of its tasks".to_owned(),
            (None, _) => String::new(),
        };
        writeln!(
            out,
            "| `{}` | {} | {} | {why} |",
            change.action.symbol(),
            escape(&change.address.to_string()),
            change.action.as_str(),
        )?;
    }
    for change in listed {
        let lines = change_lines(change);
        if lines.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary><code>{}</code> {}: {}</summary>",
            change.action.symbol(),
            html(&change.address.to_string()),
            html(&heading(change))
        )?;
        writeln!(out)?;
        let body: Vec<String> = lines.iter().flat_map(diff_lines).collect();
        let fence = fence(&body);
        writeln!(out, "{fence}diff")?;
        for line in &body {
            writeln!(out, "{line}")?;
        }
        writeln!(out, "{fence}")?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

/// A line of the text plan as lines of a `diff` block: the symbol first, then four spaces per
/// level.
fn diff_lines(line: &Line) -> Vec<String> {
    let indent = "    ".repeat(line.depth);
    match &line.kind {
        LineKind::Added(text) => vec![format!("+ {indent}{text}")],
        LineKind::Removed(text) => vec![format!("- {indent}{text}")],
        LineKind::Changed {
            label,
            before,
            after,
        } => vec![
            format!("- {indent}{label}{before}"),
            format!("+ {indent}{label}{after}"),
        ],
        LineKind::Open(text) => vec![format!("~ {indent}{text}")],
        LineKind::Kept(text) => vec![format!("= {indent}{text}")],
        LineKind::Context(text) | LineKind::Folded(text) => vec![format!("  {indent}{text}")],
        LineKind::Close { text, block } => {
            let mark = match block {
                Block::Added => '+',
                Block::Removed => '-',
                Block::Kept => '=',
                Block::Changed => ' ',
            };
            vec![format!("{mark} {indent}{text}")]
        }
    }
}

/// A fence longer than any run of backticks in the block (a value may hold some).
fn fence(body: &[String]) -> String {
    let longest = body
        .iter()
        .flat_map(|line| line.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Text for a table cell or a paragraph: `|`, `\`, `<`, `>`, `*`, `_` and backticks escaped,
/// line breaks as spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '<' | '>' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text inside HTML (the `<summary>`): `&`, `<`, `>` as entities.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text inside a code span: a backtick would end it, so it is replaced.
fn code_text(text: &str) -> String {
    text.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use ecs_deploy::Options;
    use ecs_deploy::plan::{self as planner, Actual, Existing, Reason, STACK_TAG};
    use ecs_model::Stack;
    use ecs_model::load::from_value;
    use ecs_model::types::{RegisterTaskDefinitionRequest, Tag};
    use serde_json::{Value, json};

    use super::*;

    fn markdown(plan: &Plan) -> String {
        let mut out = Vec::new();
        write_markdown(&mut out, &plan.redacted()).expect("written");
        String::from_utf8(out).expect("utf8")
    }

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn task_definition(image: &str, token: &str) -> Value {
        json!({
            "family": "web",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "environment": [{"name": "API_TOKEN", "value": token}]
            }]
        })
    }

    /// AWS with revision 3 of `web` (ours) running `image`, and a cluster `legacy` of no stack.
    fn actual(image: &str, token: &str) -> Actual {
        let mut actual = Actual::default();
        let mut td: RegisterTaskDefinitionRequest = from_value(&task_definition(image, token))
            .value
            .expect("td");
        let mut tag = Tag::default();
        tag.key = Some(STACK_TAG.to_owned());
        tag.value = Some("demo".to_owned());
        td.tags = Some(vec![tag]);
        let mut existing = Existing::new(
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            td,
        );
        existing.revision = Some(3);
        actual.task_definitions.insert("web".into(), existing);
        actual.clusters.insert(
            "legacy".into(),
            Existing::new(
                "arn:aws:ecs:us-east-1:123456789012:cluster/legacy",
                from_value(&json!({"clusterName": "legacy"}))
                    .value
                    .expect("cluster"),
            ),
        );
        actual
    }

    #[test]
    fn a_small_plan_is_a_heading_two_tables_and_a_diff_per_resource() {
        let desired = stack(json!({
            "clusters": [{"clusterName": "demo"}, {"clusterName": "legacy"}],
            "taskDefinitions": [task_definition("nginx:1.27", "tok-new")]
        }));
        let plan = planner::plan(
            &desired,
            &actual("nginx:1.26", "tok-old"),
            &Options::new("demo"),
        );
        let shown = markdown(&plan);
        // The reason as the text plan words it, with the flag that changes it.
        let untagged = escape(&reason_text(&Reason::Untagged));
        assert_eq!(
            shown,
            format!(
                "### Plan for stack `demo`\n\
             \n\
             Plan: 1 to create, 1 to register, 0 to update, 0 to replace.\n\
             \n\
             1 resource of the stack is not managed by it and left alone (marked !).\n\
             \n\
             | Action | Resources |\n\
             | --- | ---: |\n\
             | `+` create | 1 |\n\
             | `~` register | 1 |\n\
             | `!` not managed | 1 |\n\
             \n\
             | | Resource | Action | Why |\n\
             | --- | --- | --- | --- |\n\
             | `+` | cluster demo | create |  |\n\
             | `!` | cluster legacy | not managed | {untagged} |\n\
             | `~` | task definition web | register | revision 3 differs; a new revision is \
             registered |\n\
             \n\
             <details><summary><code>+</code> cluster demo: create</summary>\n\
             \n\
             ```diff\n\
             + clusterName: \"demo\"\n\
             + tags: [\n\
             +     {{\n\
             +         key: \"ecs-rs:stack\"\n\
             +         value: \"demo\"\n\
             +     }}\n\
             + ]\n\
             ```\n\
             \n\
             </details>\n\
             \n\
             <details><summary><code>~</code> task definition web: revision 3 differs; a new \
             revision is registered</summary>\n\
             \n\
             ```diff\n\
             ~ containerDefinitions: [\n\
             ~     {{\n\
             \x20         name: \"web\"\n\
             -         image: \"nginx:1.26\"\n\
             +         image: \"nginx:1.27\"\n\
             ~         environment: [\n\
             ~             {{\n\
             \x20                 name: \"API_TOKEN\"\n\
             -                 value: (sensitive)\n\
             +                 value: (sensitive)\n\
             \x20             }}\n\
             \x20         ]\n\
             \x20         # (4 unchanged members hidden)\n\
             \x20     }}\n\
             \x20 ]\n\
             \x20 # (4 unchanged members hidden)\n\
             ```\n\
             \n\
             </details>\n"
            )
        );
        assert!(!shown.contains("tok-"), "{shown}");
        assert!(!shown.contains('\x1b'), "no terminal colors: {shown}");
    }

    #[test]
    fn a_plan_without_changes_says_so() {
        let desired = stack(json!({"taskDefinitions": [task_definition("nginx:1.27", "t")]}));
        let plan = planner::plan(&desired, &actual("nginx:1.27", "t"), &Options::new("demo"));
        assert_eq!(
            markdown(&plan),
            "### Plan for stack `demo`\n\nNo changes. AWS matches the stack.\n\n"
        );
    }

    #[test]
    fn cells_and_summaries_are_escaped_and_fences_outgrow_the_backticks_inside() {
        assert_eq!(escape("a|b <c> *d*\nе"), "a\\|b \\<c\\> \\*d\\* е");
        assert_eq!(html("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(fence(&["+ x: \"```\"".to_owned()]), "````");
        assert_eq!(fence(&["+ x: 1".to_owned()]), "```");
    }
}
