//! Deploying a stack from Rust with the public API only: load a stack file (its subnets and
//! security group written as `default`, looked up through EC2), plan, apply from a task spawned
//! on a multi-threaded runtime while printing the typed events, then plan again: no changes.
//!
//! ```text
//! cargo run -p ecs-deploy --example deploy -- examples/json/webserver-stack.json [NAME]
//! ```
//!
//! The stack's name (the value of its ownership tag) is NAME when given, else the file's
//! `name`: `Options::new` takes the one the program decides on, and the library uses it.
//!
//! The AWS configuration (region, credentials, `AWS_ENDPOINT_URL`) comes from the environment,
//! as for the CLI; `eval "$(scripts/local-ecs start)"` points it at the local endpoint.

use std::process::ExitCode;
use std::sync::Arc;

use ecs_deploy::ecs_model::file::read_stack;
use ecs_deploy::wait::{Progress, WaitEvent};
use ecs_deploy::{Action, Deployer, Event, Options};
use futures::StreamExt as _;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    match deploy().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The error and its causes, one per line.
            eprintln!("error: {error}");
            let mut cause = error.source();
            while let Some(error) = cause {
                eprintln!("  caused by: {error}");
                cause = error.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn deploy() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .unwrap_or_else(|| "examples/json/webserver-stack.json".to_owned());
    let name = args.next();

    // Every problem of the file, with its JSON path, or the stack: never an empty stack.
    let stack = match read_stack(&file) {
        Ok(stack) => stack,
        Err(error) => {
            for diagnostic in &error.diagnostics {
                eprintln!("{file}: {diagnostic}");
            }
            return Err(error.into());
        }
    };

    let Some(name) = name.or_else(|| stack.name.clone()) else {
        return Err(format!("{file} has no \"name\": add one, or give the stack's name").into());
    };

    // Region, credentials and endpoint from the environment, with retries tuned for deploying;
    // ECS for the stack, EC2 for the `default` subnets and security groups.
    let config = ecs_deploy::config::load().await;
    let deployer = Arc::new(Deployer::from_config(&config, Options::new(name)));

    let plan = deployer.plan(&stack).await?;
    for change in &plan.changes {
        println!("{:?}: {}", change.action, change.address);
    }
    if !plan.has_changes() {
        println!("No changes.");
        return Ok(());
    }

    // The apply runs in its own task; this one prints what it reports.
    let applying = tokio::spawn({
        let deployer = Arc::clone(&deployer);
        async move {
            let mut events = deployer.apply_stream(&plan);
            while let Some(event) = events.next().await {
                show(event?);
            }
            Ok::<_, ecs_deploy::ApplyError>(())
        }
    });
    applying.await??;

    let again = deployer.plan(&stack).await?;
    if again.has_changes() {
        return Err("the second plan still has changes".into());
    }
    println!("Planned again: no changes.");
    Ok(())
}

/// One line per event worth a line.
fn show(event: Event) {
    match event {
        Event::Registered { arn, revision, .. } => {
            println!("  registered revision {revision}: {arn}")
        }
        Event::DeploymentStarted { address, rollout } => {
            println!("  {address}: deployment {} started", rollout.deployment);
        }
        Event::Wait(WaitEvent::Progress { rollout, progress }) => match progress {
            Progress::InProgress {
                desired, running, ..
            } => println!(
                "  service {}: {running} of {desired} tasks running",
                rollout.service
            ),
            Progress::Completed => println!("  service {}: deployment completed", rollout.service),
            other => println!("  service {}: {other:?}", rollout.service),
        },
        Event::Wait(WaitEvent::ServiceEvent { rollout, message }) => {
            println!("  service {}: {message}", rollout.service);
        }
        Event::Done { address } => println!("{address}: done"),
        Event::Started { address, action } if action != Action::NoChange => {
            println!("{address}: {action:?} ...");
        }
        _ => {}
    }
}
