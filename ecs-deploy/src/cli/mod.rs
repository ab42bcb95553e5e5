//! Command-line parsing and dispatch.

mod apply;
mod check;
mod deploy;
mod destroy;
mod failure_report;
mod graph;
mod import;
mod plan;
mod plan_markdown;
mod plan_view;
mod render;
mod report;
mod rollback;
mod run;
mod saved;
mod status;
mod vars;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{Parser, Subcommand, ValueEnum};
use ecs_model::Kind;

/// Plan, apply and check Amazon ECS infrastructure written as AWS's own JSON.
#[derive(Debug, Parser)]
#[command(name = "ecs-deploy", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check ECS JSON files against the AWS model and the rule set.
    ///
    /// Exits 0 when no file has an error, 1 otherwise, 2 on a usage error.
    Validate(ValidateArgs),
    /// Print the canonical API input (RegisterTaskDefinition, CreateService, CreateCluster,
    /// CreateCapacityProvider request, or a stack) of a file.
    ///
    /// Output-only members (ARNs, revision, status, counts, timestamps...) are dropped; every
    /// other member is kept with its value. Problems go to stderr. Exits 0 when the file was
    /// rendered, 1 when it could not be (unreadable, not JSON, not an ECS document), 2 on a
    /// usage error.
    Render(RenderArgs),
    /// Show the changes `apply` would make in AWS so that it matches the stack.
    ///
    /// Reads the stack's clusters, task definitions and services from AWS (configured from the
    /// environment: AWS_REGION, AWS_ENDPOINT_URL, credentials) and prints one block per
    /// resource: + create, ~ update or new revision, -/+ replace, = no change, ! not managed by
    /// this stack. Values of environment variables named like secrets (PASSWORD, SECRET, TOKEN,
    /// KEY...) print as (sensitive). The stack file is validated first; with an error, nothing
    /// is sent to AWS. With --out PLANFILE, the plan is also saved for `apply PLANFILE`. Exits 0
    /// on success, 1 on an error, 2 on a usage error; with --detailed-exitcode, 0 when there is
    /// nothing to change and 2 when there is.
    Plan(PlanArgs),
    /// Make AWS match the stack: plan, show the plan, ask, call ECS, then follow the
    /// deployments started until they complete.
    ///
    /// Asks for 'yes' on a terminal; without one, applies only with --auto-approve. A
    /// deployment that fails, is rolled back by the circuit breaker or does not settle in
    /// --wait-timeout fails the apply, and its service is put back on the revision it ran
    /// before (unless --no-rollback). A failed deployment's stopped tasks are listed: why each
    /// stopped, its essential containers' exit codes and reasons, and the last --log-lines
    /// lines of their awslogs streams. Exits 0 when applied (or nothing to change), 1 when
    /// refused, cancelled or failed (what was done and what was not is printed; apply again to
    /// finish), 2 on a usage error.
    ///
    /// `apply PLANFILE` applies a plan saved by `plan --out PLANFILE` exactly: AWS is read
    /// again and the saved stack planned again with the saved options; when a change differs
    /// from the saved one (AWS changed since), nothing is applied, what differs is printed on
    /// stderr, and the exit code is 1.
    Apply(ApplyArgs),
    /// Delete every resource carrying the stack's tag: its services, task definition families
    /// (every ACTIVE revision is deregistered) and clusters.
    ///
    /// Needs the stack's name: the file's `name`, or --name (not the file's name: two projects
    /// can both have a stack.json). Finds them as `--prune` does (the resources the file names, and the ones
    /// it no longer names), shows them, and asks for 'yes' on a terminal (without one, destroys only with
    /// --auto-approve). Resources without the tag are shown with ! and left alone. A cluster is
    /// deleted once its services have drained, waiting up to --wait-timeout. Exits 0 when
    /// destroyed (or nothing to destroy), 1 when refused, cancelled or failed, 2 on a usage
    /// error.
    Destroy(DestroyArgs),
    /// Show the stack's clusters and services as AWS has them: status, task counts, task
    /// definition, deployments and recent events.
    ///
    /// Exits 0 when every cluster and service is ACTIVE, 1 when one is missing or not ACTIVE
    /// or on an error, 2 on a usage error.
    Status(StatusArgs),
    /// Put the stack's services back on an earlier task definition revision: by default the
    /// newest ACTIVE revision of the same family older than the one each runs.
    ///
    /// Only services carrying the stack's ecs-rs:stack tag are rolled back; the others are
    /// shown with ! and left alone. Shows each service's revisions, asks for 'yes' on a terminal
    /// (without one, rolls back only with --auto-approve), calls UpdateService, follows the
    /// deployments until they complete, then deregisters the revision each service left (unless
    /// --no-deregister, or another service of the stack still runs it), so that the next plan
    /// shows the stack file as a new revision. A rollback deployment that fails puts the service
    /// back on the revision it ran (unless --no-rollback). A service missing or without an older
    /// ACTIVE revision stops the rollback before anything changes. Exits 0 when rolled back (or
    /// nothing to roll back), 1 when refused, cancelled or failed, 2 on a usage error.
    Rollback(RollbackArgs),
    /// Run a task definition of the stack once (a migration before a deploy), as the stack's
    /// service of that family runs (cluster, launch type or capacity, network).
    ///
    /// Registers the stack's revision first when AWS's latest differs. --command and --env
    /// override the container's (--container, or the first essential one); put --command last.
    /// Without --wait, exits 0 once the task is started. With --wait, follows it until it stops,
    /// prints why and each container's exit code (and, when it failed, the last --log-lines
    /// lines of its essential containers' awslogs streams), and exits with the essential
    /// container's exit code (1 when none exited, or on an error; 2 on a usage error).
    Run(RunArgs),
    /// Draw the stack: its clusters, capacity providers, task definition families, services,
    /// target groups, listener rules, Cloud Map namespaces and discovery services, scaling and
    /// scheduled tasks, with an arrow for each reference, as Graphviz DOT or a Mermaid
    /// flowchart.
    ///
    /// What the stack refers to but does not hold is drawn dashed. Without --plan nothing is
    /// sent to AWS; with --plan, AWS is read and the stack planned as `plan` does, and each
    /// resource shows what the plan does to it: a color and (+ create), (~ update), (-/+
    /// replace)... Exits 0 when drawn, 1 on an error, 2 on a usage error.
    Graph(graph::GraphArgs),
    /// Check, without changing anything, that what the stack names and does not create exists:
    /// ECR images, the execution and task roles (and that they trust ecs-tasks.amazonaws.com),
    /// Secrets Manager secrets and SSM parameters (never their values), awslogs log groups,
    /// target groups and Cloud Map namespaces.
    ///
    /// Prints one line per check grouped by kind: ✓ ok, ✗ failed (with where the stack names it
    /// and a hint), - skipped (with why: another registry, another region, created by this
    /// stack...). Exits 0 when no check failed, 1 when one did or on an error, 2 on a usage
    /// error.
    Verify(verify::VerifyArgs),
    /// Write a stack from existing clusters, their services, the task definitions they run and
    /// the clusters' capacity providers, as a stack file or as Rust code (see `import --help`).
    ///
    /// Nothing is changed in AWS; plan and apply the stack with --adopt to put its tag on what
    /// it names. Exits 0 when written, 1 on an error, 2 on a usage error.
    Import(import::ImportArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    stack: deploy::StackArgs,
    /// The task definition family of the stack to run.
    #[arg(long, value_name = "FAMILY")]
    task: String,
    /// The cluster to run it in [default: the cluster of the stack's service running the
    /// family, or the stack's only cluster].
    #[arg(long, value_name = "CLUSTER")]
    cluster: Option<String>,
    /// The container --command and --env apply to [default: the first essential one].
    #[arg(long, value_name = "NAME")]
    container: Option<String>,
    /// Set an environment variable of the container (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,
    #[command(flatten)]
    wait: RunWaitArgs,
    /// The command to run instead of the container's: every argument after it.
    #[arg(long, value_name = "ARG", num_args = 1.., allow_hyphen_values = true)]
    command: Vec<String>,
}

/// How `run` follows its task.
#[derive(Debug, clap::Args)]
struct RunWaitArgs {
    /// Follow the task until it stops, and exit with its essential container's exit code.
    #[arg(long)]
    wait: bool,
    /// How long to follow the task before giving up, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        requires = "wait"
    )]
    wait_timeout: u64,
    /// How often to look at the task, in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "6", requires = "wait")]
    wait_interval: std::num::NonZeroU64,
    /// When the task fails, how many of the last lines of each essential container's awslogs
    /// stream to print (0: none). Printed as the application wrote them, cut when long.
    #[arg(long, value_name = "N", default_value_t = ecs_deploy::wait::DEFAULT_LOG_LINES, requires = "wait")]
    log_lines: usize,
}

impl RunWaitArgs {
    fn enabled(&self) -> bool {
        self.wait
    }

    fn options(&self) -> Option<ecs_deploy::wait::WaitOptions> {
        self.wait.then(|| {
            ecs_deploy::wait::WaitOptions::new(
                std::time::Duration::from_secs(self.wait_timeout),
                std::time::Duration::from_secs(self.wait_interval.get()),
            )
            .log_lines(self.log_lines)
        })
    }
}

/// `--env KEY=VALUE`.
fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    #[command(flatten)]
    stack: deploy::StackArgs,
    #[command(flatten)]
    changes: deploy::ChangeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on an error.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Also save the plan to PLANFILE, for `ecs-deploy apply PLANFILE` to apply exactly it
    /// once reviewed. The file holds the stack's values, secrets included, as the stack file
    /// does (only the plan shown inside is redacted): keep it where the stack file is kept.
    #[arg(long, value_name = "PLANFILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(mut_arg("stack", |stack| stack.required(false).required_unless_present("plan")))]
struct ApplyArgs {
    /// A plan saved by `ecs-deploy plan --out PLANFILE`, instead of --stack: its stack is
    /// planned again with its options, and applied only if that gives exactly the saved
    /// changes; otherwise nothing is applied, and what changed in AWS since is printed.
    #[arg(
        value_name = "PLANFILE",
        conflicts_with_all = [
            "stack", "vars", "leave", "prune", "keep_revisions", "force_new_deployment", "adopt"
        ]
    )]
    plan: Option<PathBuf>,
    #[command(flatten)]
    stack: deploy::StackArgs,
    #[command(flatten)]
    changes: deploy::ChangeArgs,
    /// Apply without asking.
    #[arg(long)]
    auto_approve: bool,
    #[command(flatten)]
    wait: WaitArgs,
    /// Leave a failed deployment as it is, instead of putting the service back on the revision
    /// it ran before.
    #[arg(long, conflicts_with = "no_wait")]
    no_rollback: bool,
}

/// How `apply` and `rollback` follow the deployments they start.
#[derive(Debug, clap::Args)]
struct WaitArgs {
    /// Return once the calls are made, without following the deployments they start.
    #[arg(long)]
    no_wait: bool,
    /// How long to follow the deployments before giving up, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 900,
        conflicts_with = "no_wait"
    )]
    wait_timeout: u64,
    /// How often to look at the deployments being followed, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "6",
        conflicts_with = "no_wait"
    )]
    wait_interval: std::num::NonZeroU64,
    /// When a deployment fails, how many of the last lines of each stopped task's essential
    /// containers' awslogs streams to print (0: none). Printed as the application wrote them,
    /// cut when long.
    #[arg(
        long,
        value_name = "N",
        default_value_t = ecs_deploy::wait::DEFAULT_LOG_LINES,
        conflicts_with = "no_wait"
    )]
    log_lines: usize,
}

impl WaitArgs {
    /// How to follow the deployments; `None` with `--no-wait`.
    fn options(&self) -> Option<ecs_deploy::wait::WaitOptions> {
        (!self.no_wait).then(|| {
            ecs_deploy::wait::WaitOptions::new(
                std::time::Duration::from_secs(self.wait_timeout),
                std::time::Duration::from_secs(self.wait_interval.get()),
            )
            .log_lines(self.log_lines)
        })
    }
}

#[derive(Debug, clap::Args)]
struct RollbackArgs {
    #[command(flatten)]
    stack: deploy::StackArgs,
    /// Roll back only this service, as NAME or CLUSTER/NAME (repeatable) [default: every service
    /// of the stack].
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// The revision to go back to: a number of the family each service runs, FAMILY:NUMBER, or
    /// a task definition ARN [default: the newest ACTIVE revision older than the one running].
    #[arg(long, value_name = "REVISION")]
    to: Option<ecs_deploy::rollback::Target>,
    /// Leave the revision rolled back from ACTIVE instead of deregistering it.
    #[arg(long)]
    no_deregister: bool,
    /// Roll back without asking.
    #[arg(long)]
    auto_approve: bool,
    #[command(flatten)]
    wait: WaitArgs,
    /// Leave a failed rollback deployment as it is, instead of putting the service back on the
    /// revision it ran before.
    #[arg(long, conflicts_with = "no_wait")]
    no_rollback: bool,
}

#[derive(Debug, clap::Args)]
struct DestroyArgs {
    #[command(flatten)]
    stack: deploy::StackArgs,
    /// Destroy without asking.
    #[arg(long)]
    auto_approve: bool,
    /// How long to wait for a cluster's services to drain before deleting it, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    wait_timeout: u64,
    /// How often to try deleting a cluster whose services are draining, in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "6")]
    wait_interval: std::num::NonZeroU64,
}

#[derive(Debug, clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    stack: deploy::StackArgs,
}

/// How `plan` prints the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    /// One block per resource, for people.
    Text,
    /// The plan as one JSON object (`stack`, `changes` with each one's `address`, `action`,
    /// `fields`, `kept`, `reason` and `steps`), secret values redacted.
    Json,
    /// Markdown for a pull request comment: a summary table, a table of the resources that
    /// change, and a collapsed diff per resource; secret values redacted, no colors.
    Markdown,
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// What the files hold; told from the content when not given.
    #[arg(long, value_parser = kind_parser())]
    kind: Option<Kind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Report members that are not in the AWS model as errors instead of warnings.
    #[arg(long)]
    deny_unknown_fields: bool,
    #[command(flatten)]
    vars: vars::VarArgs,
    /// The files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct RenderArgs {
    /// What the file holds; told from the content when not given.
    #[arg(long, value_parser = kind_parser())]
    kind: Option<Kind>,
    #[command(flatten)]
    vars: vars::VarArgs,
    /// The file to render.
    file: PathBuf,
}

/// `--kind`: the names of [`Kind::ALL`] (listed in `--help` and in clap's error for a wrong
/// name), read with [`Kind`]'s own `FromStr`, so the CLI cannot drift from the model.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Kind> {
    PossibleValuesParser::new(Kind::ALL.iter().map(|kind| kind.as_str()))
        .try_map(|name| name.parse::<Kind>())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Compiler-style text.
    Text,
    /// One JSON array of diagnostics (`[]` when there are none).
    Json,
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => check::run(
            &args.files,
            args.kind,
            args.format,
            args.deny_unknown_fields,
            &args.vars,
        ),
        Command::Render(args) => render::run(&args.file, args.kind, &args.vars),
        Command::Plan(args) => plan::run(
            &args.stack,
            &args.changes,
            args.format,
            args.detailed_exitcode,
            args.out.as_deref(),
        ),
        Command::Destroy(args) => destroy::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Status(args) => status::run(&args.stack),
        Command::Rollback(args) => rollback::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Import(args) => import::run(&args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_kind_is_accepted_by_its_name() {
        for kind in Kind::ALL {
            let cli = Cli::try_parse_from(["ecs-deploy", "render", "--kind", kind.as_str(), "f"])
                .expect("parses");
            let Command::Render(args) = cli.command else {
                panic!("render expected");
            };
            assert_eq!(args.kind, Some(*kind));
        }
    }

    #[test]
    fn run_takes_the_command_last_and_env_as_key_value() {
        let cli = Cli::try_parse_from([
            "ecs-deploy",
            "run",
            "--stack",
            "s.json",
            "--task",
            "migrate",
            "--env",
            "A=1=2",
            "--wait",
            "--command",
            "./migrate",
            "--to",
            "-v",
        ])
        .expect("parses");
        let Command::Run(args) = cli.command else {
            panic!("run expected");
        };
        assert_eq!(args.env, [("A".to_owned(), "1=2".to_owned())]);
        assert_eq!(args.command, ["./migrate", "--to", "-v"]);
        assert!(args.wait.enabled());
        assert!(
            Cli::try_parse_from([
                "ecs-deploy",
                "run",
                "--stack",
                "s",
                "--task",
                "m",
                "--env",
                "=x"
            ])
            .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "ecs-deploy",
                "run",
                "--stack",
                "s",
                "--task",
                "m",
                "--wait-timeout",
                "5"
            ])
            .is_err(),
            "--wait-timeout needs --wait"
        );
    }

    #[test]
    fn a_wrong_kind_lists_the_kinds() {
        let err = Cli::try_parse_from(["ecs-deploy", "validate", "--kind", "task", "f"])
            .expect_err("rejected");
        let text = err.to_string();
        for kind in Kind::ALL {
            assert!(text.contains(kind.as_str()), "{text}");
        }
    }
}
