//! `ecs-deploy destroy`: find everything carrying the stack's tag, show it, confirm, delete.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use ecs_deploy::wait::WaitOptions;
use ecs_deploy::{ApplyOptions, PlanError};

use super::DestroyArgs;
use super::apply::{Confirm, Progress, confirmed, report_failure};
use super::deploy::{Session, report_aws_error};
use super::plan_view::write_plan;
use super::report::Style;

/// How `destroy` asks before deleting anything.
const CONFIRM: Confirm = Confirm {
    question: "Delete these resources? Only 'yes' is accepted: ",
    refused: "not destroyed: stdin is not a terminal, so no one can approve the deletions; \
              review them, then run `ecs-deploy destroy --auto-approve` to destroy without asking",
    cancelled: "Destroy cancelled: nothing was deleted.",
};

pub(super) fn run(args: &DestroyArgs) -> ExitCode {
    let Some(session) = Session::start_for_destroy(&args.stack) else {
        return ExitCode::FAILURE;
    };
    let plan = match session
        .runtime
        .block_on(session.deployer.plan_destroy(&session.stack))
    {
        Ok(plan) => plan,
        Err(PlanError::Aws(err)) => {
            report_aws_error("cannot read the stack's resources from AWS", &err);
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let style = Style::for_stdout();
    if let Err(err) = write_plan(&mut io::stdout().lock(), &super::vars::shown(&plan), style) {
        eprintln!("error: cannot write the plan: {err}");
        return ExitCode::FAILURE;
    }
    if !plan.has_changes() {
        println!("Nothing to destroy.");
        return ExitCode::SUCCESS;
    }
    if !args.auto_approve && !confirmed(&CONFIRM) {
        return ExitCode::FAILURE;
    }
    println!();
    // Nothing is deployed, so there is no deployment to follow: the wait only bounds how long
    // a cluster's deletion waits for its services to drain.
    let options = ApplyOptions::wait(
        WaitOptions::new(
            Duration::from_secs(args.wait_timeout),
            Duration::from_secs(args.wait_interval.get()),
        ),
        false,
    );
    let deployer = session.deployer.clone().apply_options(options);
    let mut progress = Progress::new(&plan, style);
    match session
        .runtime
        .block_on(deployer.apply(&plan, |event| progress.show(event)))
    {
        Ok(done) => {
            let noun = if done.len() == 1 {
                "resource"
            } else {
                "resources"
            };
            println!("\nDestroy complete: {} {noun} deleted.", done.len());
            ExitCode::SUCCESS
        }
        Err(err) => {
            report_failure(&plan, &err, "`ecs-deploy destroy` deletes what is left");
            ExitCode::FAILURE
        }
    }
}
