//! `ecs-deploy plan --out PLANFILE` and `ecs-deploy apply PLANFILE`: a plan saved for review,
//! applied only while AWS still matches what it observed (see `ecs_deploy::saved`).

use std::path::Path;
use std::process::ExitCode;

use ecs_deploy::saved::{SavedPlan, SavedPlanError};
use ecs_deploy::{Deployer, Plan, PlanError};
use ecs_model::JsonPath;

use super::apply::{Confirm, apply_plan};
use super::deploy::{Session, report_aws_error};
use super::{ApplyArgs, PlanFormat};

/// How `apply PLANFILE` asks before changing anything.
const CONFIRM_SAVED: Confirm = Confirm {
    question: "Apply the saved plan? Only 'yes' is accepted: ",
    refused: "not applied: stdin is not a terminal, so no one can approve the changes; run \
              `ecs-deploy apply --auto-approve PLANFILE` to apply the saved plan without asking",
    cancelled: "Apply cancelled: nothing was changed.",
};

/// Saves `plan`, planned in `session`, to `path`, and says how to apply it: on stdout after a
/// text plan, on stderr after JSON or Markdown (stdout stays the one document). The plan in the
/// file is the one shown, and the members of the stack that hold values of secret variables are
/// marked, so that `apply PLANFILE` hides them as `plan` did. Whether it was saved; the error is
/// printed.
pub(super) fn save(session: &Session, plan: &Plan, path: &Path, format: PlanFormat) -> bool {
    let stack = serde_json::to_value(&session.stack).unwrap_or_default();
    let mut scrubbed = stack.clone();
    super::vars::scrub_json(&mut scrubbed);
    let sensitive = ecs_deploy::diff::diff(&stack, &scrubbed)
        .into_iter()
        .map(|field| field.path)
        .collect();
    let saved = session
        .deployer
        .saved_plan(&session.stack, plan)
        .shown_as(&super::vars::shown(plan))
        .with_sensitive(sensitive);
    if let Err(err) = saved.write(path) {
        print_error(&err);
        return false;
    }
    let said = format!(
        "Saved the plan to {0}; apply it with: ecs-deploy apply {0}",
        path.display()
    );
    if format == PlanFormat::Text {
        println!("\n{said}");
    } else {
        eprintln!("{said}");
    }
    true
}

/// `apply PLANFILE`: reads the saved plan, plans its stack again against AWS, refuses when a
/// change differs from the one saved, and otherwise shows, confirms and applies it as `apply`
/// does.
pub(super) fn apply(file: &Path, args: &ApplyArgs) -> ExitCode {
    let saved = match SavedPlan::read(file) {
        Ok(saved) => saved,
        Err(err) => {
            print_error(&err);
            return ExitCode::FAILURE;
        }
    };
    if let Some(name) = &args.stack.name
        && let Err(err) = saved.check_name(name)
    {
        print_error(&err);
        return ExitCode::FAILURE;
    }
    // The values of secret variables, hidden from the plan shown as when it was saved.
    super::vars::remember(saved.sensitive_values());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let config = runtime.block_on(ecs_deploy::config::load());
    let deployer = Deployer::from_config(&config, saved.options().clone())
        .concurrency(args.stack.concurrency.get());
    let session = Session {
        file: file.to_owned(),
        stack: saved.stack().clone(),
        runtime,
        deployer,
    };
    let plan = match session
        .runtime
        .block_on(session.deployer.plan_saved(&saved))
    {
        Ok(plan) => plan,
        Err(SavedPlanError::Stale(stale)) => {
            eprintln!("error: {}: {stale}:", file.display());
            for drift in &stale.drifts {
                for line in drift.to_string().lines() {
                    eprintln!("  {line}");
                }
            }
            eprintln!(
                "Nothing was applied.\n  = hint: plan again (`ecs-deploy plan --stack FILE --out \
                 {}`), review that plan, and apply it",
                file.display()
            );
            return ExitCode::FAILURE;
        }
        Err(SavedPlanError::Plan(PlanError::Aws(err))) => {
            report_aws_error("cannot read the stack's resources from AWS", &err);
            return ExitCode::FAILURE;
        }
        Err(SavedPlanError::Plan(PlanError::Invalid(diagnostics))) => {
            for diagnostic in diagnostics {
                let diagnostic = diagnostic.under(&JsonPath::root().key("stack"));
                eprintln!("error: {}: {diagnostic}", file.display());
            }
            eprintln!("error: the saved stack has errors: nothing was sent to AWS");
            return ExitCode::FAILURE;
        }
        Err(err) => {
            print_error(&err);
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{}: planned again against AWS: the plan saved for the stack \"{}\", unchanged ({}).",
        file.display(),
        saved.stack_name(),
        match plan.changes.len() {
            1 => "1 resource".to_owned(),
            n => format!("{n} resources"),
        },
    );
    apply_plan(&session, &plan, args, &CONFIRM_SAVED)
}

/// Prints `err` and its causes.
fn print_error(err: &SavedPlanError) {
    eprintln!("error: {err}");
    let mut cause = std::error::Error::source(err);
    while let Some(error) = cause {
        eprintln!("  caused by: {error}");
        cause = error.source();
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::super::{Cli, Command};

    fn apply_args(args: &[&str]) -> Result<super::ApplyArgs, clap::Error> {
        let cli = Cli::try_parse_from([&["ecs-deploy", "apply"], args].concat())?;
        match cli.command {
            Command::Apply(args) => Ok(args),
            other => panic!("apply expected, got {other:?}"),
        }
    }

    #[test]
    fn apply_takes_a_plan_file_or_a_stack_file_not_both() {
        let saved = apply_args(&["shop.plan.json", "--auto-approve", "--name", "shop"])
            .expect("a plan file alone");
        assert_eq!(
            saved.plan.as_deref(),
            Some(std::path::Path::new("shop.plan.json"))
        );
        assert_eq!(saved.stack.stack, None);
        assert_eq!(saved.stack.name.as_deref(), Some("shop"));
        let stack = apply_args(&["--stack", "stack.json"]).expect("a stack file alone");
        assert_eq!(stack.plan, None);
        assert!(stack.stack.stack.is_some());
        for wrong in [
            &["shop.plan.json", "--stack", "stack.json"][..],
            &["shop.plan.json", "--keep-revisions", "3"],
            &["shop.plan.json", "--leave", "image"],
            &["shop.plan.json", "--force-new-deployment"],
            &["shop.plan.json", "--adopt"],
            &["shop.plan.json", "--var", "TAG=1"],
            &["--auto-approve"],
        ] {
            let err = apply_args(wrong).expect_err("refused");
            assert_eq!(err.exit_code(), 2, "{wrong:?}: {err}");
        }
    }
}
