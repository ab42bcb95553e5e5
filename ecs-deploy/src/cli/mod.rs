//! Command-line parsing and dispatch.

mod check;
mod render;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Exits 0 when no file has an error, 1 otherwise.
    Validate(ValidateArgs),
    /// Print the canonical API input (RegisterTaskDefinition, CreateService, CreateCluster,
    /// CreateCapacityProvider request, or a stack) of a file.
    ///
    /// Output-only members (ARNs, revision, status, counts, timestamps...) are dropped; every
    /// other member is kept with its value.
    Render(RenderArgs),
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// What the files hold; told from the content when not given.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Report members that are not in the AWS model as errors instead of warnings.
    #[arg(long)]
    deny_unknown_fields: bool,
    /// The files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct RenderArgs {
    /// What the file holds; told from the content when not given.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// The file to render.
    file: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    TaskDefinition,
    Service,
    Cluster,
    CapacityProvider,
    Stack,
}

impl From<KindArg> for Kind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::TaskDefinition => Kind::TaskDefinition,
            KindArg::Service => Kind::Service,
            KindArg::Cluster => Kind::Cluster,
            KindArg::CapacityProvider => Kind::CapacityProvider,
            KindArg::Stack => Kind::Stack,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Compiler-style text.
    Text,
    /// One JSON array of diagnostics.
    Json,
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => check::run(
            &args.files,
            args.kind.map(Kind::from),
            args.format,
            args.deny_unknown_fields,
        ),
        Command::Render(args) => render::run(&args.file, args.kind.map(Kind::from)),
    }
}
