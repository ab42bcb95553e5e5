//! `ecs-deploy apply`: plan, show, confirm, then call ECS with a line of progress per call.

use std::collections::BTreeMap;
use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ecs_deploy::state::{cluster_name, family_revision};
use ecs_deploy::wait::{self, WaitEvent};
use ecs_deploy::{Action, Address, ApplyError, ApplyOptions, Event, Failure, Plan};

use super::ApplyArgs;
use super::deploy::{Session, report_aws_error};
use super::plan_view::{applied_summary, symbol, write_plan};
use super::report::Style;

/// Says that AWS still differs from the stack where no call could help.
fn report_blocked(blocked: usize) {
    let (noun, verb) = if blocked == 1 {
        ("resource", "differs")
    } else {
        ("resources", "differ")
    };
    eprintln!(
        "error: {blocked} {noun} (marked ! above) still {verb} from the stack: no call can make \
         it match; the plan says what to do instead"
    );
}

/// A duration as `42 s` or `3 min 07 s`.
fn elapsed(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    }
}

/// How `apply` asks before changing anything.
const CONFIRM_APPLY: Confirm = Confirm {
    question: "Apply these changes? Only 'yes' is accepted: ",
    refused: "not applied: stdin is not a terminal, so no one can approve the changes; review \
              them, then run `ecs-deploy apply --auto-approve` to apply without asking",
    cancelled: "Apply cancelled: nothing was changed.",
};

/// How a command asks for approval: only `yes` is taken, as Terraform does.
pub(super) struct Confirm {
    /// The question, on the terminal.
    pub(super) question: &'static str,
    /// The error when there is no terminal to ask on.
    pub(super) refused: &'static str,
    /// Said when the answer is not `yes`.
    pub(super) cancelled: &'static str,
}

/// Asks on the terminal; whether the answer was `yes`. Without a terminal, says that it cannot
/// ask, and the answer is no.
pub(super) fn confirmed(confirm: &Confirm) -> bool {
    if !io::stdin().is_terminal() {
        eprintln!("error: {}", confirm.refused);
        return false;
    }
    if !approved(confirm.question) {
        println!("{}", confirm.cancelled);
        return false;
    }
    true
}

pub(super) fn run(args: &ApplyArgs) -> ExitCode {
    if let Some(file) = &args.plan {
        return super::saved::apply(file, args);
    }
    let Some(session) = Session::start_named(&args.stack, &args.changes, "apply") else {
        return ExitCode::FAILURE;
    };
    let Some(plan) = session.plan() else {
        return ExitCode::FAILURE;
    };
    apply_plan(&session, &plan, args, &CONFIRM_APPLY)
}

/// Shows `plan`, asks with `confirm` (unless `--auto-approve`), applies it, follows the
/// deployments it starts as `args` says, and reports: what `apply` does once it has a plan,
/// whether planned from the stack file or a saved plan checked against AWS.
pub(super) fn apply_plan(
    session: &Session,
    plan: &Plan,
    args: &ApplyArgs,
    confirm: &Confirm,
) -> ExitCode {
    let style = Style::for_stdout();
    let stdout = io::stdout();
    if let Err(err) = write_plan(&mut stdout.lock(), &super::vars::shown(plan), style) {
        eprintln!("error: cannot write the plan: {err}");
        return ExitCode::FAILURE;
    }
    let blocked = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Blocked)
        .count();
    if !plan.changes.iter().any(|c| !c.steps.is_empty()) {
        if blocked > 0 {
            report_blocked(blocked);
            return ExitCode::FAILURE;
        }
        println!("Nothing to apply.");
        return ExitCode::SUCCESS;
    }
    if !args.auto_approve && !confirmed(confirm) {
        return ExitCode::FAILURE;
    }
    println!();
    let options = match args.wait.options() {
        Some(wait) => ApplyOptions::wait(wait, !args.no_rollback),
        None => ApplyOptions::no_wait(),
    };
    let deployer = session.deployer.clone().apply_options(options);
    let mut progress = Progress::new(plan, style);
    match session
        .runtime
        .block_on(deployer.apply(plan, |event| progress.show(event)))
    {
        Ok(done) => {
            println!("\nApply complete: {}.", applied_summary(plan, &done));
            let deployed = plan
                .changes
                .iter()
                .any(|c| matches!(c.address, Address::Service { .. }) && done.contains(&c.address));
            if deployed && args.wait.no_wait {
                println!(
                    "The services roll their tasks out in the background: `ecs-deploy status` \
                     shows their deployments."
                );
            }
            if blocked > 0 {
                report_blocked(blocked);
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            report_failure(
                plan,
                &err,
                "`ecs-deploy plan` shows what is left and `ecs-deploy apply` finishes it",
            );
            ExitCode::FAILURE
        }
    }
}

/// Prints a line per call made and per change of a deployment followed.
pub(super) struct Progress {
    actions: BTreeMap<Address, Action>,
    style: Style,
    waits: WaitLines,
}

impl Progress {
    pub(super) fn new(plan: &Plan, style: Style) -> Self {
        Self {
            actions: plan
                .changes
                .iter()
                .map(|c| (c.address.clone(), c.action))
                .collect(),
            style,
            waits: WaitLines::new(),
        }
    }

    pub(super) fn show(&mut self, event: Event) {
        match event {
            Event::Called {
                address,
                operation,
                status,
                task_definition,
                ..
            } => {
                let symbol = self
                    .actions
                    .get(&address)
                    .map_or_else(String::new, |a| symbol(*a, self.style));
                let detail: Vec<String> = status.into_iter().chain(task_definition).collect();
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", detail.join(", "))
                };
                println!("{symbol} {address}: {operation} ... done{detail}");
            }
            Event::Registered {
                address,
                revision,
                found_after_lost_answer: true,
                ..
            } => println!(
                "  {address}: the answer to RegisterTaskDefinition was lost; revision \
                 {revision} was found registered, and is used"
            ),
            Event::Wait(event) => self.waits.show(event),
            Event::Waiting { address, reason } => {
                println!("  {address}: waiting: {reason}");
            }
            Event::ScalingSuspended { address } => {
                println!("  {address}: autoscaling suspended for the deployment");
            }
            Event::ScalingResumed { address } => {
                println!("  {address}: autoscaling resumed");
            }
            Event::TasksStopped { address, report } => {
                let _ = super::failure_report::write(
                    &mut io::stdout().lock(),
                    &address.to_string(),
                    &report,
                    "  ",
                );
            }
            Event::RolledBack {
                address,
                task_definition,
            } => println!(
                "{} {address}: rolled back to {}",
                self.style.paint("31", "-"),
                family_revision(&task_definition)
            ),
            _ => return,
        }
        let _ = io::stdout().flush();
    }
}

/// Prints what is seen while following deployments: a line when a deployment's counts or state
/// change, with the time since the start, and the service events ECS reports.
pub(super) struct WaitLines {
    /// The last progress line of each deployment, so that a poll that saw nothing new prints
    /// nothing.
    last: BTreeMap<String, String>,
    /// When the command started: progress lines say how long it has been.
    started: Instant,
}

impl WaitLines {
    pub(super) fn new() -> Self {
        Self {
            last: BTreeMap::new(),
            started: Instant::now(),
        }
    }

    pub(super) fn show(&mut self, event: WaitEvent) {
        match event {
            WaitEvent::Progress { rollout, progress } => {
                let state = match progress {
                    wait::Progress::InProgress {
                        desired,
                        running,
                        pending,
                        failed,
                        stage,
                    } => {
                        let stage = stage.map(|s| format!(" [{s}]")).unwrap_or_default();
                        format!(
                            "in progress{stage}: {running} of {desired} running, {pending} \
                             pending, {failed} failed"
                        )
                    }
                    wait::Progress::Completed => "completed".to_owned(),
                    wait::Progress::Failed(reason) => format!("failed: {reason}"),
                    _ => return,
                };
                let line = format!(
                    "  service {}/{}: deployment {} {state}",
                    cluster_name(&rollout.cluster),
                    rollout.service,
                    rollout.deployment
                );
                if self.last.get(&rollout.deployment) != Some(&line) {
                    println!("{line} ({})", elapsed(self.started.elapsed()));
                    self.last.insert(rollout.deployment, line);
                }
            }
            WaitEvent::ServiceEvent { rollout, message } => println!(
                "  service {}/{}: {message}",
                cluster_name(&rollout.cluster),
                rollout.service
            ),
            _ => return,
        }
        let _ = io::stdout().flush();
    }
}

/// Asks `question` on the terminal; whether the answer is `yes`.
fn approved(question: &str) -> bool {
    print!("\n{question}");
    let _ = io::stdout().flush();
    let mut answer = String::new();
    match io::stdin().lock().read_line(&mut answer) {
        Ok(_) => answer.trim() == "yes",
        Err(_) => false,
    }
}

/// `addresses` separated by commas, or `none` when there is none.
pub(super) fn listed<'a>(addresses: impl IntoIterator<Item = &'a Address>, none: &str) -> String {
    let all: Vec<String> = addresses.into_iter().map(ToString::to_string).collect();
    if all.is_empty() {
        none.to_owned()
    } else {
        all.join(", ")
    }
}

/// Says what failed, what was done before, and what was not done.
///
/// `again` is the command that finishes the job once the cause is fixed.
pub(super) fn report_failure(plan: &Plan, err: &ApplyError, again: &str) {
    eprintln!();
    let list = |addresses: &[&Address]| listed(addresses.iter().copied(), "nothing");
    let done: Vec<&Address> = err.done.iter().collect();
    match &err.source {
        Failure::Call(source) => {
            report_aws_error(&err.address.to_string(), source);
            for (address, failure) in &err.others {
                eprintln!("error: {address}: {failure}");
            }
            let not_done: Vec<&Address> = plan
                .changes
                .iter()
                .filter(|c| !c.steps.is_empty() && !err.done.contains(&c.address))
                .map(|c| &c.address)
                .collect();
            eprintln!("Done before the failure: {}.", list(&done));
            let failed = if err.others.is_empty() {
                "the first failed, and may be partly done"
            } else {
                "the ones that failed may be partly done"
            };
            eprintln!("Not done: {} ({failed}).", list(&not_done));
        }
        Failure::Rollout(source) => {
            eprintln!("error: {source}");
            eprintln!("Every call was made: {}.", list(&done));
        }
        other => eprintln!("error: {}: {other}", err.address),
    }
    if let Some(task_definition) = &err.rolled_back_to {
        eprintln!(
            "{} was put back on {}.",
            err.address,
            family_revision(task_definition)
        );
    }
    eprintln!("Every step can be run again: fix the cause, then {again}.");
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn elapsed_time_reads_in_seconds_then_minutes() {
        assert_eq!(elapsed(Duration::from_millis(12_400)), "12 s");
        assert_eq!(elapsed(Duration::from_secs(187)), "3 min 07 s");
    }
}
