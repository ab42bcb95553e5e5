//! `ecs-deploy run`: a task definition of the stack run once (a migration before a deploy), as
//! [`Deployer::run_task`](ecs_deploy::Deployer::run_task) runs it. With `--wait`, the task is
//! followed until it stops; the command prints why it stopped and each container's exit code,
//! and exits with the essential container's exit code (1 when none exited).

use std::process::ExitCode;

use ecs_deploy::run::{RunError, RunEvent, RunOptions, TaskRun};

use super::RunArgs;
use super::deploy::{Session, report_aws_error};

pub(super) fn run(args: &RunArgs) -> ExitCode {
    let Some(session) = Session::start(&args.stack) else {
        return ExitCode::FAILURE;
    };
    let mut options = RunOptions::new(&args.task);
    if let Some(cluster) = &args.cluster {
        options = options.cluster(cluster);
    }
    if let Some(container) = &args.container {
        options = options.container(container);
    }
    if !args.command.is_empty() {
        options = options.command(args.command.clone());
    }
    for (key, value) in &args.env {
        options = options.env(key, value);
    }
    if let Some(wait) = args.wait.options() {
        options = options.wait(wait);
    }
    let result = session.runtime.block_on(session.deployer.run_task(
        &session.stack,
        &options,
        |event| match event {
            RunEvent::Registered { arn } => println!("registered {arn}"),
            RunEvent::Started {
                task_arn,
                task_definition,
            } => println!("task {task_arn} started ({task_definition})"),
            RunEvent::Status {
                task_arn,
                last_status,
            } => println!("task {task_arn}: {last_status}"),
            _ => {}
        },
    ));
    match result {
        Ok(run) if args.wait.enabled() => report(&run),
        Ok(_) => ExitCode::SUCCESS,
        Err(RunError::Aws(err)) => {
            report_aws_error("the task could not be run", &err);
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {err}");
            let mut cause = std::error::Error::source(&err);
            while let Some(error) = cause {
                eprintln!("  caused by: {error}");
                cause = error.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// Prints how the task stopped; the exit code of its essential container (1 when none).
fn report(run: &TaskRun) -> ExitCode {
    println!(
        "task {} stopped: {}",
        run.task_arn,
        run.stopped_reason.as_deref().unwrap_or("no reason given")
    );
    for container in &run.containers {
        let exit = super::failure_report::exit(container.exit_code, container.reason.as_deref());
        let essential = if container.essential {
            ""
        } else {
            " (not essential)"
        };
        println!("  container {}{essential}: {exit}", container.name);
    }
    if let Some(report) = &run.report {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for container in report.tasks.iter().flat_map(|t| &t.containers) {
            let _ = super::failure_report::write_container_logs(&mut out, container, "  ");
        }
    }
    match run.exit_code() {
        Some(code) => ExitCode::from(u8::try_from(code.clamp(0, 255)).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}
