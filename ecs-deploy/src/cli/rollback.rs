//! `ecs-deploy rollback`: plan putting the stack's services back on an earlier revision, show
//! the plan as `plan` and `apply` do, confirm, then apply it: update the services, follow their
//! deployments, and deregister the revisions left.

use std::io;
use std::process::ExitCode;

use ecs_deploy::rollback::{Problem, RollbackError, RollbackOptions};
use ecs_deploy::state::family_revision;
use ecs_deploy::{Action, Address, ApplyError, ApplyOptions, Failure, Plan};

use super::RollbackArgs;
use super::apply::{Confirm, Progress, confirmed, listed};
use super::deploy::{ChangeArgs, Session, report_aws_error};
use super::plan_view::write_plan;
use super::report::Style;

/// How `rollback` asks before changing anything.
const CONFIRM: Confirm = Confirm {
    question: "Roll back these services? Only 'yes' is accepted: ",
    refused: "not rolled back: stdin is not a terminal, so no one can approve the rollback; \
              review it, then run `ecs-deploy rollback --auto-approve` to roll back without \
              asking",
    cancelled: "Rollback cancelled: nothing was changed.",
};

pub(super) fn run(args: &RollbackArgs) -> ExitCode {
    let Some(session) = Session::start_named(&args.stack, &ChangeArgs::default(), "rollback")
    else {
        return ExitCode::FAILURE;
    };
    let mut options = RollbackOptions::default().deregister(!args.no_deregister);
    options.services = args.services.clone();
    if let Some(target) = &args.to {
        options = options.to(target.clone());
    }
    let plan = match session
        .runtime
        .block_on(session.deployer.plan_rollback(&session.stack, &options))
    {
        Ok(plan) => plan,
        Err(err) => {
            report_refusal(&err);
            return ExitCode::FAILURE;
        }
    };
    let style = Style::for_stdout();
    if let Err(err) = write_plan(&mut io::stdout().lock(), &super::vars::shown(&plan), style) {
        eprintln!("error: cannot write the plan: {err}");
        return ExitCode::FAILURE;
    }
    if !plan.has_changes() {
        println!("Nothing to roll back.");
        return ExitCode::SUCCESS;
    }
    if !args.auto_approve && !confirmed(&CONFIRM) {
        return ExitCode::FAILURE;
    }
    println!();
    // A rollback deployment that fails is put back on the revision it ran, as `apply` does
    // (unless --no-rollback).
    let apply_options = match args.wait.options() {
        Some(wait) => ApplyOptions::wait(wait, !args.no_rollback),
        None => ApplyOptions::no_wait(),
    };
    let deployer = session.deployer.clone().apply_options(apply_options);
    let mut progress = Progress::new(&plan, style);
    match session
        .runtime
        .block_on(deployer.apply(&plan, |event| progress.show(event)))
    {
        Ok(done) => {
            println!("\nRollback complete: {}.", completed(&plan, &done));
            if args.wait.no_wait {
                println!(
                    "The services roll their tasks out in the background: `ecs-deploy status` \
                     shows their deployments."
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            report_failure(&err);
            ExitCode::FAILURE
        }
    }
}

/// `1 service`, `2 services`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What the rollback did: `1 service rolled back, 1 revision deregistered`.
fn completed(plan: &Plan, done: &[Address]) -> String {
    let applied = |action: Action| {
        plan.changes
            .iter()
            .filter(move |c| c.action == action && done.contains(&c.address))
    };
    let services = applied(Action::UpdateAndDeploy).count();
    let revisions: usize = applied(Action::Delete).map(|c| c.steps.len()).sum();
    format!(
        "{} rolled back, {} deregistered",
        count(services, "service"),
        count(revisions, "revision")
    )
}

/// Says why there is no plan; nothing was changed.
fn report_refusal(err: &RollbackError) {
    match err {
        RollbackError::Read(source) => {
            report_aws_error("cannot read the stack's services from AWS", source);
        }
        RollbackError::Blocked(blocked) => {
            for b in blocked {
                eprintln!("error: {b}");
            }
            let deregistered = blocked.iter().any(|b| {
                matches!(&b.problem, Problem::NoPreviousRevision { inactive, .. } if !inactive.is_empty())
                    || matches!(b.problem, Problem::TargetNotActive { inactive: true, .. })
            });
            if deregistered {
                eprintln!(
                    "  = hint: `ecs-deploy rollback` deregisters the revision it leaves (unless \
                     --no-deregister) and `apply --keep-revisions N` all but the newest N; a \
                     deregistered revision cannot be deployed again: apply a stack file with its \
                     content to register it anew"
                );
            }
            eprintln!(
                "Nothing was changed. `--service NAME` rolls back only the services named; \
                 `--to REVISION` picks the revision."
            );
        }
        RollbackError::NotInStack(names) => {
            eprintln!(
                "error: not services of the stack: {} (write NAME or CLUSTER/NAME of a service \
                 in the stack file)",
                names.join(", ")
            );
        }
        other => eprintln!("error: {other}"),
    }
}

/// `err` and the errors it wraps, joined by `: `.
fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// Says what failed and what state the services are in.
fn report_failure(err: &ApplyError) {
    eprintln!();
    let services: Vec<&Address> = err
        .done
        .iter()
        .filter(|a| matches!(a, Address::Service { .. }))
        .collect();
    let services = listed(services, "none");
    let deregistering = matches!(err.address, Address::Revisions { .. });
    match &err.source {
        Failure::Rollout(source) => {
            eprintln!(
                "error: a rollback deployment did not complete: {}",
                chain(source)
            );
        }
        Failure::Call(source) if deregistering => report_aws_error(
            &format!(
                "the services were rolled back, but deregistering the {} failed",
                err.address
            ),
            source,
        ),
        Failure::Call(source) => report_aws_error(
            &format!("{}: the rollback call failed", err.address),
            source,
        ),
        other => eprintln!("error: {}: {}", err.address, chain(other)),
    }
    for (address, failure) in &err.others {
        eprintln!("error: {address}: {}", chain(failure));
    }
    if let Some(task_definition) = &err.rolled_back_to {
        eprintln!(
            "{} was put back on {}.",
            err.address,
            family_revision(task_definition)
        );
    }
    if deregistering {
        eprintln!("Rolled back: {services}.");
    } else {
        eprintln!("UpdateService was called for: {services}.");
        eprintln!(
            "No revision was deregistered; `ecs-deploy status` shows the services' deployments."
        );
    }
}

#[cfg(test)]
mod tests {
    use ecs_deploy::rollback::{self, RollbackState, ServiceState};
    use ecs_model::types::Tag;

    use super::*;

    fn arn(name: &str) -> String {
        format!("arn:aws:ecs:us-east-1:1:task-definition/{name}")
    }

    /// The stack `demo`: `web` rolled back from `webserver:5` to `webserver:4`, and `legacy`,
    /// untagged.
    fn state() -> RollbackState {
        let mut state = RollbackState::default();
        state.stack = "demo".into();
        let mut tag = Tag::default();
        tag.key = Some(ecs_deploy::ownership::STACK_TAG.into());
        tag.value = Some("demo".into());
        for name in ["web", "legacy"] {
            let key = ("demo".to_owned(), name.to_owned());
            let mut service = ServiceState::default();
            service.status = Some("ACTIVE".into());
            service.task_definition = Some(arn("webserver:5"));
            service.tags = (name == "web").then(|| vec![tag.clone()]);
            state.services.push(key.clone());
            state.described.insert(key, service);
        }
        state.active.insert(
            "webserver".into(),
            [(4, arn("webserver:4")), (5, arn("webserver:5"))]
                .into_iter()
                .collect(),
        );
        state
            .revision_tags
            .insert(arn("webserver:5"), vec![tag.clone()]);
        state
    }

    fn shown(plan: &Plan) -> String {
        let mut out = Vec::new();
        write_plan(&mut out, &plan.redacted(), Style::plain()).expect("written");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn the_plan_shows_each_service_and_the_revisions_it_leaves() {
        let mut state = state();
        let mut legacy = ServiceState::default();
        legacy.status = Some("ACTIVE".into());
        legacy.task_definition = Some(arn("webserver:4"));
        state
            .described
            .insert(("demo".into(), "legacy".into()), legacy);
        let plan = rollback::plan(&state, &RollbackOptions::default()).expect("a plan");
        assert_eq!(
            shown(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\n\
             ~ service demo/web: update in place, which starts a new deployment of its tasks: \
             back from webserver:5 to webserver:4, an earlier revision of its family\n\
             \x20 ~ taskDefinition: \"arn:aws:ecs:us-east-1:1:task-definition/webserver:5\" -> \
             \"arn:aws:ecs:us-east-1:1:task-definition/webserver:4\"\n\n\
             ! service demo/legacy: not changed: it exists without the ecs-rs:stack tag, so \
             another tool or person manages it\n\n\
             - old revisions of webserver: deregister webserver:5, rolled back from, so that \
             the family's latest ACTIVE revision is the one running\n\n\
             Plan: 0 to create, 0 to register, 1 to update, 0 to replace, 1 to delete.\n\
             1 resource of the stack is not managed by it and left alone (marked !).\n"
        );
        assert_eq!(
            completed(&plan, std::slice::from_ref(&plan.changes[0].address)),
            "1 service rolled back, 0 revisions deregistered"
        );
        let all: Vec<Address> = plan.changes.iter().map(|c| c.address.clone()).collect();
        assert_eq!(
            completed(&plan, &all),
            "1 service rolled back, 1 revision deregistered"
        );
    }

    #[test]
    fn a_kept_revision_says_why_with_the_flag_that_keeps_it() {
        let keep = RollbackOptions::default().deregister(false);
        let plan = rollback::plan(&state(), &keep).expect("a plan");
        let text = shown(&plan);
        assert!(
            text.contains(
                "an earlier revision of its family; webserver:5 stays ACTIVE: kept as asked \
                 (--no-deregister)\n"
            ),
            "{text}"
        );
        // The legacy service still runs webserver:5: kept, and said so.
        let plan = rollback::plan(&state(), &RollbackOptions::default().service("web"));
        let text = shown(&plan.expect("a plan"));
        assert!(text.contains("webserver:5 stays ACTIVE: service demo/legacy still runs it\n"));
        assert!(!text.contains("deregister"), "{text}");
    }
}
