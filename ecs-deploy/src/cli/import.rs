//! `ecs-deploy import`: a stack written from what exists in AWS, as a stack file or as Rust
//! code using the ecs-dsl macros (the library's `import`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use ecs_deploy::import::{ImportError, ImportRequest, Note, import, to_rust};
use ecs_deploy::{Ecs, check_stack_name};

use super::deploy::report_aws_error;

/// Write a stack from existing clusters, their services, the task definitions they run and the
/// clusters' capacity providers.
///
/// Nothing is changed in AWS. The stack leaves out output-only members and whatever AWS fills
/// in anyway, names clusters and task definition families rather than ARNs, and carries no
/// ownership tag: plan it with --adopt, then apply it with --adopt to put the stack's tag on
/// what it names. Environment values that look like secrets are not written: the stack says
/// ${NAME} instead, and a note on stderr names each variable to set (never its value). Exits 0
/// when written, 1 on an error, 2 on a usage error.
#[derive(Debug, clap::Args)]
pub(super) struct ImportArgs {
    /// A cluster to import, by name or ARN (repeatable).
    #[arg(long = "cluster", value_name = "CLUSTER", required = true)]
    clusters: Vec<String>,
    /// Import only this service, as NAME or CLUSTER/NAME (repeatable) [default: every ACTIVE
    /// service of the clusters].
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// What to write.
    #[arg(long, value_enum, default_value_t = ImportFormat::Json)]
    format: ImportFormat,
    /// The stack's name, written as its `name`.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// What `import` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImportFormat {
    /// The stack file (JSON).
    Json,
    /// A Rust program that builds the stack with `ecs_dsl::stack!` and prints it as the stack
    /// file (needs the crates ecs-dsl and serde_json).
    Rust,
}

pub(super) fn run(args: &ImportArgs) -> ExitCode {
    if let Some(name) = &args.name
        && let Err(err) = check_stack_name(name)
    {
        eprintln!("error: --name: {err}");
        return ExitCode::from(2);
    }
    let Some(runtime) = super::deploy::runtime() else {
        return ExitCode::FAILURE;
    };
    let mut request = ImportRequest::default();
    request.clusters = args.clusters.clone();
    request.services = args.services.clone();
    request.name = args.name.clone();
    request.concurrency = 8;
    let imported = runtime.block_on(async {
        let config = ecs_deploy::config::load().await;
        let ecs = Ecs::new(&config).retries(ecs_deploy::config::engine_retries());
        import(&ecs, &request).await
    });
    let imported = match imported {
        Ok(imported) => imported,
        Err(ImportError::Aws(err)) => {
            report_aws_error("cannot read the resources to import from AWS", &err);
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let text = match args.format {
        ImportFormat::Json => match serde_json::to_string_pretty(&imported.stack) {
            Ok(json) => json + "\n",
            Err(err) => {
                eprintln!("error: cannot write the stack: {err}");
                return ExitCode::FAILURE;
            }
        },
        ImportFormat::Rust => to_rust(&imported.stack),
    };
    let written = match &args.out {
        Some(path) => std::fs::write(path, &text).map_err(|err| (path.display().to_string(), err)),
        None => {
            print!("{text}");
            Ok(())
        }
    };
    if let Err((path, err)) = written {
        eprintln!("error: cannot write {path}: {err}");
        return ExitCode::FAILURE;
    }
    summarize(&imported.stack, &imported.notes, args);
    ExitCode::SUCCESS
}

/// What was imported and the notes, on stderr, then the command that adopts it.
fn summarize(stack: &ecs_deploy::ecs_model::Stack, notes: &[Note], args: &ImportArgs) {
    eprintln!(
        "imported {}, {}, {}, {}",
        count(stack.clusters.len(), "cluster"),
        count(stack.capacity_providers.len(), "capacity provider"),
        count(stack.task_definitions.len(), "task definition"),
        count(stack.services.len(), "service")
    );
    for note in notes {
        eprintln!("note: {note}");
    }
    let variables: Vec<&str> = notes
        .iter()
        .filter_map(|n| match n {
            Note::SecretVariable { variable, .. } => Some(variable.as_str()),
            _ => None,
        })
        .collect();
    if !variables.is_empty() {
        eprintln!(
            "note: set {} (--var NAME=VALUE or the environment) before planning this stack",
            variables.join(", ")
        );
    }
    let file = args
        .out
        .as_ref()
        .map_or_else(|| "FILE".to_owned(), |path| path.display().to_string());
    let name = if args.name.is_some() {
        ""
    } else {
        " --name NAME"
    };
    eprintln!(
        "next: ecs-deploy plan --adopt --stack {file}{name}, then apply --adopt with the same \
         options to put the stack's tag on these resources"
    );
}

/// `1 service`, `2 services`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
