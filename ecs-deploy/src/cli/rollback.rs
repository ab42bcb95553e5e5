//! `ecs-deploy rollback`: show which revision each service of the stack goes back to, confirm,
//! then update the services, follow their deployments and deregister the revisions left.

use std::error::Error as _;
use std::io::{self, Write as _};
use std::process::ExitCode;

use ecs_deploy::Address;
use ecs_deploy::plan::STACK_TAG;
use ecs_deploy::rollback::{
    self, KeepReason, Problem, RollbackError, RollbackEvent, RollbackOptions, RollbackPlan,
    ServiceAction,
};

use super::RollbackArgs;
use super::apply::{Confirm, WaitLines, confirmed, listed, short_task_definition};
use super::deploy::{Session, report_aws_error};
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
    let Some(session) = Session::start(&args.stack) else {
        return ExitCode::FAILURE;
    };
    let mut options = RollbackOptions::default().deregister(!args.no_deregister);
    options.services = args.services.clone();
    if let Some(target) = &args.to {
        options = options.to(target.clone());
    }
    options = match args.wait.options() {
        Some(wait) => options.wait(wait),
        None => options.no_wait(),
    };
    let ecs = session.deployer.ecs();
    let style = Style::for_stdout();
    let plan = match session.runtime.block_on(rollback::plan(
        ecs,
        &session.stack,
        &session.options.stack,
        &options,
    )) {
        Ok(plan) => plan,
        Err(err) => {
            report_failure(&err);
            return ExitCode::FAILURE;
        }
    };
    print!("{}", render_plan(&plan, style));
    if !plan.has_changes() {
        println!("Nothing to roll back.");
        return ExitCode::SUCCESS;
    }
    if !args.auto_approve && !confirmed(&CONFIRM) {
        return ExitCode::FAILURE;
    }
    println!();
    let mut progress = Progress::new(style);
    match session
        .runtime
        .block_on(rollback::run(ecs, &plan, &options, |event| {
            progress.show(event);
        })) {
        Ok(done) => {
            println!(
                "\nRollback complete: {} rolled back, {} deregistered.",
                count(done.len(), "service"),
                count(progress.deregistered, "revision")
            );
            if args.wait.no_wait {
                println!(
                    "The services roll their tasks out in the background: `ecs-deploy status` \
                     shows their deployments."
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!();
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

/// The plan, one line per service (and one about the revision it leaves).
fn render_plan(plan: &RollbackPlan, style: Style) -> String {
    let mut out = format!(
        "Rollback for stack \"{}\" (tag {STACK_TAG}={}):\n\n",
        plan.stack, plan.stack
    );
    let mut rolled = 0;
    let mut not_managed = 0;
    for service in &plan.services {
        match &service.action {
            ServiceAction::RollBack { from, to, keep } => {
                rolled += 1;
                let (from, to) = (short_task_definition(from), short_task_definition(to));
                out.push_str(&format!(
                    "{} {}: {from} -> {to}\n",
                    style.paint("33", "~"),
                    service.address
                ));
                out.push_str(&match keep {
                    None => format!("  then {from} is deregistered\n"),
                    Some(reason) => format!("  {from} stays ACTIVE: {}\n", keep_text(reason)),
                });
            }
            ServiceAction::NotManaged { reason } => {
                not_managed += 1;
                out.push_str(&format!(
                    "{} {}: not rolled back: {reason}\n",
                    style.paint("35", "!"),
                    service.address
                ));
            }
            _ => {}
        }
    }
    out.push_str(&format!(
        "\nRollback: {} to roll back.\n",
        count(rolled, "service")
    ));
    if not_managed > 0 {
        out.push_str(&format!(
            "{} of the stack {} not managed by it and left alone (marked !).\n",
            count(not_managed, "service"),
            if not_managed == 1 { "is" } else { "are" }
        ));
    }
    out
}

fn keep_text(reason: &KeepReason) -> String {
    match reason {
        KeepReason::Asked => "--no-deregister".to_owned(),
        other => other.to_string(),
    }
}

/// Prints a line per call made and per change of a deployment followed.
struct Progress {
    style: Style,
    waits: WaitLines,
    deregistered: usize,
}

impl Progress {
    fn new(style: Style) -> Self {
        Self {
            style,
            waits: WaitLines::new(),
            deregistered: 0,
        }
    }

    fn show(&mut self, event: RollbackEvent) {
        match event {
            RollbackEvent::Updated { address, to, .. } => println!(
                "{} {address}: UpdateService ... done ({})",
                self.style.paint("33", "~"),
                short_task_definition(&to)
            ),
            RollbackEvent::Wait(event) => self.waits.show(event),
            RollbackEvent::Deregistered { task_definition } => {
                self.deregistered += 1;
                println!(
                    "{} task definition {}: DeregisterTaskDefinition ... done",
                    self.style.paint("31", "-"),
                    short_task_definition(&task_definition)
                );
            }
            RollbackEvent::Kept {
                task_definition,
                reason,
            } => println!(
                "= task definition {}: stays ACTIVE: {}",
                short_task_definition(&task_definition),
                keep_text(&reason)
            ),
            _ => return,
        }
        let _ = io::stdout().flush();
    }
}

/// Says what failed and what state the services are in.
fn report_failure(err: &RollbackError) {
    let list = |addresses: &[Address]| listed(addresses, "none");
    match err {
        RollbackError::Read(source) => {
            report_aws_error("cannot read the stack's services from AWS", source);
            return;
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
            return;
        }
        RollbackError::NotInStack(names) => {
            eprintln!(
                "error: not services of the stack: {} (write NAME or CLUSTER/NAME of a service \
                 in the stack file)",
                names.join(", ")
            );
            return;
        }
        _ => {}
    }
    // The chain: what failed, then why.
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("error: {message}");
    match err {
        RollbackError::Update { done, .. } => {
            eprintln!("Rolled back before the failure: {}.", list(done));
            eprintln!("No revision was deregistered; `ecs-deploy status` shows the services.");
        }
        RollbackError::Rollout { done, .. } => {
            eprintln!("UpdateService was called for: {}.", list(done));
            eprintln!(
                "No revision was deregistered; `ecs-deploy status` shows the services' \
                 deployments."
            );
        }
        RollbackError::Deregister { done, .. } => {
            eprintln!("Rolled back: {}.", list(done));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use ecs_deploy::rollback::ServiceRollback;

    use super::*;

    #[test]
    fn the_plan_shows_each_service_and_its_revisions() {
        let arn = |r: &str| format!("arn:aws:ecs:us-east-1:1:task-definition/{r}");
        let service = |name: &str| Address::Service {
            cluster: "demo".into(),
            name: name.into(),
        };
        let mut plan = RollbackPlan::new("demo");
        plan.services.push(ServiceRollback::new(
            service("web"),
            ServiceAction::RollBack {
                from: arn("webserver:5"),
                to: arn("webserver:4"),
                keep: None,
            },
        ));
        plan.services.push(ServiceRollback::new(
            service("legacy"),
            ServiceAction::NotManaged {
                reason: "not ours".into(),
            },
        ));
        let text = render_plan(&plan, Style::plain());
        assert_eq!(
            text,
            "Rollback for stack \"demo\" (tag ecs-rs:stack=demo):\n\n\
             ~ service demo/web: webserver:5 -> webserver:4\n  then webserver:5 is deregistered\n\
             ! service demo/legacy: not rolled back: not ours\n\n\
             Rollback: 1 service to roll back.\n\
             1 service of the stack is not managed by it and left alone (marked !).\n"
        );
        plan.services.truncate(1);
        if let ServiceAction::RollBack { keep, .. } = &mut plan.services[0].action {
            *keep = Some(KeepReason::Asked);
        }
        let text = render_plan(&plan, Style::plain());
        assert!(
            text.contains("  webserver:5 stays ACTIVE: --no-deregister\n"),
            "{text}"
        );
    }
}
