//! `ecs-deploy graph`: a picture of the stack ([`ecs_deploy::graph`]), as Graphviz DOT or a
//! Mermaid flowchart, optionally marked with what `plan` would change.
//!
//! The stack file is read and checked as every command reads it ([`super::deploy`]): its
//! variables replaced, its name from `--name` or the file. Without `--plan` nothing talks to
//! AWS; with it, AWS is read and the stack planned exactly as `plan` does, and each resource is
//! marked with its action.

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::ValueEnum;
use ecs_deploy::graph::Graph;

use super::deploy::{ChangeArgs, Naming, Session, StackArgs, load_stack};

/// `ecs-deploy graph`.
#[derive(Debug, clap::Args)]
pub(super) struct GraphArgs {
    #[command(flatten)]
    stack: StackArgs,
    /// What the plan may change beyond the stack (with --plan only).
    #[command(flatten)]
    changes: ChangeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    /// Read AWS and plan as `plan` does, and mark each resource with what the plan does to it
    /// (a color and `(+ create)`, `(~ update)`...); resources a plan deletes are added.
    #[arg(long)]
    plan: bool,
}

/// How `graph` draws the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// Graphviz's DOT language (`ecs-deploy graph ... | dot -Tsvg > stack.svg`).
    Dot,
    /// A Mermaid flowchart, which GitHub draws in a ```mermaid block of Markdown.
    Mermaid,
}

pub(super) fn run(args: &GraphArgs) -> ExitCode {
    if let Some(flag) = plan_flag_without_plan(args) {
        eprintln!("error: {flag} shapes the plan, and the graph is drawn without one: add --plan");
        return ExitCode::from(2);
    }
    let graph = if args.plan {
        let Some(session) = Session::start_with(&args.stack, &args.changes) else {
            return ExitCode::FAILURE;
        };
        let Some(plan) = session.plan() else {
            return ExitCode::FAILURE;
        };
        let mut graph = Graph::from_stack(&session.stack);
        graph.mark(&plan);
        graph
    } else {
        match read(&args.stack) {
            Some(stack) => Graph::from_stack(&stack),
            None => return ExitCode::FAILURE,
        }
    };
    let text = match args.format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
    };
    let mut out = io::stdout().lock();
    if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        eprintln!("error: cannot write the graph: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The first flag given that only means something to a plan, when there is no `--plan`.
fn plan_flag_without_plan(args: &GraphArgs) -> Option<&'static str> {
    if args.plan {
        return None;
    }
    let changes = &args.changes;
    [
        (changes.prune, "--prune"),
        (changes.keep_revisions.is_some(), "--keep-revisions"),
        (
            !changes.force_new_deployment.is_empty(),
            "--force-new-deployment",
        ),
        (changes.adopt, "--adopt"),
        (!args.stack.leave.is_empty(), "--leave"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// The stack file, read and checked as the other commands read it, with the stack's name
/// (`--name`, the file's, or the file's name) set: the group of its scheduled tasks depends on
/// it. No AWS call. The problem is printed on failure.
fn read(args: &StackArgs) -> Option<ecs_model::Stack> {
    let Some(file) = &args.stack else {
        eprintln!("error: the stack file is missing: give it with --stack FILE");
        return None;
    };
    let mut stack = load_stack(file, false, &args.vars)?;
    match args.options(file, &stack, Naming::FileStem) {
        Ok(options) => stack.name = Some(options.stack),
        Err(message) => {
            eprintln!("error: {message}");
            return None;
        }
    }
    Some(stack)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Command {
        #[command(flatten)]
        args: GraphArgs,
    }

    fn parsed(args: &[&str]) -> GraphArgs {
        let mut line = vec!["graph", "--stack", "stack.json"];
        line.extend(args);
        Command::try_parse_from(line).expect("parses").args
    }

    #[test]
    fn the_plan_s_flags_need_plan() {
        assert_eq!(plan_flag_without_plan(&parsed(&[])), None);
        assert_eq!(
            plan_flag_without_plan(&parsed(&["--plan", "--prune"])),
            None
        );
        assert_eq!(
            plan_flag_without_plan(&parsed(&["--prune"])),
            Some("--prune")
        );
        assert_eq!(
            plan_flag_without_plan(&parsed(&["--leave", "desired-count"])),
            Some("--leave")
        );
        let args = parsed(&["--format", "mermaid"]);
        assert_eq!(args.format, GraphFormat::Mermaid);
        assert!(!args.plan);
    }
}
