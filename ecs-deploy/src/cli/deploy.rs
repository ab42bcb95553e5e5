//! What `plan`, `apply` and `status` share: their arguments, the stack file, and the way to
//! AWS.
//!
//! The stack file is read and checked exactly as `validate` checks it, before anything talks to
//! AWS: a file with an error stops there, with the same diagnostics and exit code 1, so an
//! invalid stack never reaches an ECS endpoint. Its `${NAME}` variables are replaced first
//! (`--var`, then the environment; [`super::vars`]).
//!
//! The stack's name, the value of the ownership tag, is `--name`, else the file's `name`. A
//! stack with neither is refused by the commands that change or delete what carries the tag
//! (`apply`, `--prune`, `destroy`, `rollback`): two projects can both have a `stack.json`, and
//! the same stack applied from `stack.json` and from `build/stack.json` must be one stack. The
//! commands that only read (`plan`, `status`, `run`...) go on with the file's name without its
//! extension, and say so.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use ecs_deploy::plan::{ForceDeployment, STACK_TAG};
use ecs_deploy::stack_name::TAG_VALUE_MAX;
use ecs_deploy::{
    AwsError, Deployer, Leave, NetworkError, Options, Plan, PlanError, StackNameError,
    check_stack_name,
};
use ecs_model::{Kind, Stack};

use super::report::{FileReport, write_stderr};
use super::vars::{VarArgs, has_variable_errors, load_file};

/// The arguments every deploy command takes.
#[derive(Debug, clap::Args)]
pub(super) struct StackArgs {
    /// The stack file (JSON): a stack, or a single task definition, service or cluster.
    // Required on every command; `apply PLANFILE` alone lifts it (the stack is in the saved
    // plan), hence the `Option`.
    #[arg(long, value_name = "FILE", required = true)]
    pub(super) stack: Option<PathBuf>,
    /// The stack's name: the value of the `ecs-rs:stack` tag that marks the resources it
    /// manages, instead of the file's `name` [default: the file's `name`; without one, `apply`,
    /// `--prune`, `destroy` and `rollback` refuse, and the other commands take the file's name
    /// without its extension].
    #[arg(long, value_name = "NAME")]
    pub(super) name: Option<String>,
    #[command(flatten)]
    pub(super) vars: VarArgs,
    /// Leave a member to someone else and keep its value in AWS: `desired-count[=SERVICE]`
    /// (Application Auto Scaling) or `image[=FAMILY[/CONTAINER]]` (a CI pipeline; `*/CONTAINER`
    /// for that container in every family). Repeatable.
    #[arg(long, value_name = "MEMBER", value_parser = parse_leave)]
    pub(super) leave: Vec<Leave>,
    /// At most N calls to AWS at a time.
    #[arg(long, value_name = "N", default_value = "8")]
    pub(super) concurrency: NonZeroUsize,
}

/// What `plan` and `apply` may change beyond the resources the stack file names.
#[derive(Debug, Default, clap::Args)]
pub(super) struct ChangeArgs {
    /// Also delete what carries this stack's tag but the stack file no longer names: services,
    /// task definition families (their ACTIVE revisions that no service runs are deregistered),
    /// clusters (kept while they hold services that stay) and capacity providers (kept while a
    /// cluster uses them). Needs the stack's name (the file's `name` or --name). Finding them
    /// lists the account's clusters, services and task definition families.
    #[arg(long)]
    pub(super) prune: bool,
    /// Keep only the newest N ACTIVE revisions of each family of the stack, plus the ones its
    /// services run, and deregister older ones [default: every revision is kept].
    #[arg(long, value_name = "N")]
    pub(super) keep_revisions: Option<NonZeroUsize>,
    /// Start a new deployment of every service of the stack, or of SERVICE (`NAME` or
    /// `CLUSTER/NAME`), even if nothing changed: its tasks are replaced, as needed after pushing
    /// an image again under the same tag. Repeatable.
    #[arg(
        long,
        value_name = "SERVICE",
        num_args = 0..=1,
        default_missing_value = "*"
    )]
    pub(super) force_new_deployment: Vec<String>,
    /// Adopt the clusters, capacity providers, task definition families, services, target
    /// groups, listener rules, Cloud Map namespaces and discovery services the stack names
    /// that exist without any stack's ecs-rs:stack tag (made in the console or by another
    /// tool, as `import` finds them): the plan shows each with the tag added, and apply tags
    /// it, then makes the other changes. A resource carrying another stack's tag is never
    /// adopted; schedules, schedule groups and scaling are not adopted.
    #[arg(long)]
    pub(super) adopt: bool,
}

impl ChangeArgs {
    /// `options` with these changes.
    fn apply_to(&self, options: Options) -> Options {
        let options = options.prune(self.prune).adopt(self.adopt);
        let options = match self.keep_revisions {
            Some(n) => options.keep_revisions(n.get()),
            None => options,
        };
        self.force_new_deployment
            .iter()
            .map(|service| match service.as_str() {
                "*" | "" => ForceDeployment::All,
                service => ForceDeployment::Service(service.to_owned()),
            })
            .fold(options, Options::force_new_deployment)
    }
}

/// Whether a command may go on without a stack name of the file's or `--name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Naming {
    /// It only reads: the file's name without its extension will do, with a note.
    FileStem,
    /// It changes or deletes what carries the stack's tag: refused without a name. The text is
    /// the command, for the error (`apply`, `--prune`...).
    Required(&'static str),
}

/// Where the stack's name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whence {
    Flag,
    File,
    Stem,
}

impl StackArgs {
    /// The name of the stack read from `file`: `--name` (with a note when the file's `name`
    /// differs), else the file's `name`, else (when `naming` allows it, with a note) the file's
    /// name without its extension. The error says what to do.
    fn stack_name(
        &self,
        file: &Path,
        stack: &Stack,
        naming: Naming,
    ) -> Result<(String, Whence), String> {
        let shown = file.display();
        match (&self.name, stack.name.as_deref()) {
            (Some(flag), file_name) => {
                if let Some(file_name) = file_name.filter(|n| n != flag) {
                    eprintln!(
                        "note: the stack's name is `{flag}` (--name), not `{file_name}` as \
                         {shown} names it"
                    );
                }
                Ok((flag.clone(), Whence::Flag))
            }
            (None, Some(file_name)) => Ok((file_name.to_owned(), Whence::File)),
            (None, None) => {
                let stem = file_stem(file);
                match naming {
                    Naming::Required(what) => Err(format!(
                        "{what} changes what carries the stack's {STACK_TAG} tag, so the stack \
                         needs a name, and {shown} has none: add \"name\": \"{stem}\" to \
                         {shown}, or pass --name (the name it was applied with)"
                    )),
                    Naming::FileStem => {
                        eprintln!(
                            "note: {shown} has no \"name\": the stack's name `{stem}` is taken \
                             from the file's name (add \"name\": \"{stem}\" to it, or pass \
                             --name)"
                        );
                        Ok((stem, Whence::Stem))
                    }
                }
            }
        }
    }

    /// The planner's options for `stack`, read from `file`: its name (see [`Naming`]) and the
    /// members left to others. The error is to be printed as is.
    pub(super) fn options(
        &self,
        file: &Path,
        stack: &Stack,
        naming: Naming,
    ) -> Result<Options, String> {
        let (name, whence) = self.stack_name(file, stack, naming)?;
        check_name(&name, whence)?;
        Ok(self
            .leave
            .iter()
            .cloned()
            .fold(Options::new(name), Options::leave))
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Checks the stack's name with the library's rule ([`check_stack_name`]), saying where the
/// name came from: `--name`, the file's `name` (which the rule set checked already), or the
/// file's name.
fn check_name(name: &str, whence: Whence) -> Result<(), String> {
    let whence = match whence {
        Whence::Flag => "--name",
        Whence::File => "the stack's `name`",
        Whence::Stem => {
            "the stack's name (the file's name without its extension; give another with --name)"
        }
    };
    check_stack_name(name).map_err(|err| match err {
        StackNameError::Empty => format!("{whence} is empty"),
        StackNameError::TooLong { .. } => format!(
            "{whence} is longer than {TAG_VALUE_MAX} characters, AWS's limit for the \
             {STACK_TAG} tag's value"
        ),
        StackNameError::Character { character, .. } => format!(
            "{whence} `{name}` holds `{character}`, which AWS does not allow in the {STACK_TAG} \
             tag's value (letters, digits, spaces and _ . : / = + - @ are allowed)"
        ),
        other => format!("{whence}: {other}"),
    })
}

/// `--leave`: `desired-count`, `desired-count=SERVICE`, `image`, `image=FAMILY`,
/// `image=FAMILY/CONTAINER`, `image=*/CONTAINER`.
pub(super) fn parse_leave(text: &str) -> Result<Leave, String> {
    let (member, target) = match text.split_once('=') {
        Some((member, target)) => (member, Some(target)),
        None => (text, None),
    };
    let named = |what: &str, name: &str| {
        if name.is_empty() {
            Err(format!("`{text}`: the {what} name after `=` is empty"))
        } else {
            Ok(name.to_owned())
        }
    };
    match (member, target) {
        ("desired-count", None) => Ok(Leave::DesiredCount { service: None }),
        ("desired-count", Some(service)) => Ok(Leave::DesiredCount {
            service: Some(named("service", service)?),
        }),
        ("image", None) => Ok(Leave::Image {
            family: None,
            container: None,
        }),
        ("image", Some(target)) => {
            let (family, container) = match target.split_once('/') {
                Some((family, container)) => (family, Some(named("container", container)?)),
                None => (target, None),
            };
            let family = match family {
                "*" => None,
                family => Some(named("family", family)?),
            };
            Ok(Leave::Image { family, container })
        }
        _ => Err(format!(
            "`{text}` is not a member to leave: use desired-count[=SERVICE] or \
             image[=FAMILY[/CONTAINER]]"
        )),
    }
}

/// A deploy command's state: the checked stack, the AWS client and the runtime that drives it.
pub(super) struct Session {
    /// The stack file.
    pub(super) file: PathBuf,
    pub(super) stack: Stack,
    pub(super) runtime: tokio::runtime::Runtime,
    /// The deployer, with the EC2 client that resolves subnet and security group lookups.
    pub(super) deployer: Deployer,
}

impl Session {
    /// Loads and checks the stack file, then prepares the AWS client (configured from the
    /// environment: `AWS_REGION`, `AWS_ENDPOINT_URL`, credentials, profiles...), for a command
    /// that only reads ([`Naming::FileStem`]). On failure the problem is printed and `None`
    /// comes back; no AWS call was made.
    pub(super) fn start(args: &StackArgs) -> Option<Self> {
        Self::start_with(args, &ChangeArgs::default())
    }

    /// [`start`](Self::start), with the options of `changes` (`plan`): `--prune` needs the
    /// stack's name.
    pub(super) fn start_with(args: &StackArgs, changes: &ChangeArgs) -> Option<Self> {
        let naming = if changes.prune {
            Naming::Required("--prune")
        } else {
            Naming::FileStem
        };
        Self::open(args, changes, false, naming)
    }

    /// For a command that changes what carries the stack's tag (`what`: `apply`, `rollback`):
    /// the stack must have a name, the file's or `--name`.
    pub(super) fn start_named(
        args: &StackArgs,
        changes: &ChangeArgs,
        what: &'static str,
    ) -> Option<Self> {
        let naming = if changes.prune {
            Naming::Required("--prune")
        } else {
            Naming::Required(what)
        };
        Self::open(args, changes, false, naming)
    }

    /// For `destroy`: the stack must have a name, the file's or `--name`, and a file that no
    /// longer passes the rule set is taken as long as it loads (its problems are printed),
    /// since deleting needs only the names it holds.
    pub(super) fn start_for_destroy(args: &StackArgs) -> Option<Self> {
        Self::open(
            args,
            &ChangeArgs::default(),
            true,
            Naming::Required("destroy"),
        )
    }

    fn open(args: &StackArgs, changes: &ChangeArgs, lenient: bool, naming: Naming) -> Option<Self> {
        // A bad --name is refused before the file is read.
        if let Some(name) = &args.name
            && let Err(message) = check_name(name, Whence::Flag)
        {
            eprintln!("error: {message}");
            return None;
        }
        let Some(file) = &args.stack else {
            eprintln!("error: the stack file is missing: give it with --stack FILE");
            return None;
        };
        let stack = load_stack(file, lenient, &args.vars)?;
        let options = match args.options(file, &stack, naming) {
            Ok(options) => changes.apply_to(options),
            Err(message) => {
                eprintln!("error: {message}");
                return None;
            }
        };
        let runtime = runtime()?;
        let config = runtime.block_on(ecs_deploy::config::load());
        let deployer = Deployer::from_config(&config, options).concurrency(args.concurrency.get());
        Some(Self {
            file: file.clone(),
            stack,
            runtime,
            deployer,
        })
    }

    /// Reads AWS and plans; prints the failure and returns `None` when AWS could not be read.
    pub(super) fn plan(&self) -> Option<Plan> {
        // Subnets and security groups given as lookups become IDs first (no call without one),
        // so that what they resolved to is shown; the plan then finds no lookup left.
        let mut stack = self.stack.clone();
        match self.runtime.block_on(self.deployer.resolve(&mut stack)) {
            Ok(resolved) => {
                for line in resolved.to_string().lines() {
                    eprintln!("lookup: {line}");
                }
            }
            Err(PlanError::Network(err)) => {
                report_network_error(&err);
                return None;
            }
            Err(err) => {
                eprintln!("error: {err}");
                return None;
            }
        }
        match self.runtime.block_on(self.deployer.plan(&stack)) {
            Ok(plan) => Some(plan),
            Err(PlanError::Aws(err)) => {
                report_aws_error("cannot read the stack's resources from AWS", &err);
                None
            }
            // The file was checked with the same rules before, so this is the stack as a whole
            // (as `to_stack` made it from a single resource's file).
            Err(PlanError::Invalid(diagnostics)) => {
                let report = FileReport {
                    file: self.file.display().to_string(),
                    kind: Some(Kind::Stack),
                    diagnostics,
                };
                write_stderr(&report);
                eprintln!("error: the stack has errors: nothing was sent to AWS");
                None
            }
            Err(err) => {
                eprintln!("error: {err}");
                None
            }
        }
    }
}

/// Reads the file as `validate` does (its variables replaced) and prints its diagnostics
/// (warnings too) on stderr; the stack when the file has no error, or when `lenient` and the
/// file loads at all with its variables set.
pub(super) fn load_stack(path: &Path, lenient: bool, vars: &VarArgs) -> Option<Stack> {
    let (report, document) = load_file(path, None, vars);
    if !report.diagnostics.is_empty() {
        write_stderr(&report);
    }
    let lenient = lenient && !has_variable_errors(&report);
    let document = match document {
        Some(document) if lenient || !report.has_errors() => document,
        _ => {
            eprintln!(
                "error: {} has errors: nothing was sent to AWS",
                path.display()
            );
            return None;
        }
    };
    Some(document.to_stack())
}

/// The commands' async runtime, on this thread; `None` when it cannot start (and why is
/// printed).
pub(super) fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => Some(runtime),
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            None
        }
    }
}

/// Prints a failed call with what to check.
pub(super) fn report_aws_error(what: &str, err: &AwsError) {
    eprintln!("error: {what}: {err}");
    report_call_failure(err, err.request_id(), err.code());
}

/// Prints why the subnet and security group lookups were not resolved: the lookups that
/// failed, or the failed EC2 call with its causes and what to check.
fn report_network_error(err: &NetworkError) {
    eprintln!("error: cannot resolve the network lookups: {err}");
    if err.operation().is_some() {
        report_call_failure(err, err.request_id(), err.code());
    }
}

/// Prints the causes of a failed AWS call (`err`), one `caused by:` line each, its request id,
/// and, when AWS gave no error code, the configuration to check.
fn report_call_failure(err: &dyn std::error::Error, request_id: Option<&str>, code: Option<&str>) {
    let mut cause = err.source();
    while let Some(error) = cause {
        eprintln!("  caused by: {error}");
        cause = error.source();
    }
    if let Some(id) = request_id {
        eprintln!("  = AWS request id: {id}");
    }
    if code.is_none() {
        eprintln!(
            "  = hint: check the AWS configuration: AWS_REGION, the credentials (AWS_PROFILE, \
             AWS_ACCESS_KEY_ID...) and AWS_ENDPOINT_URL"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_takes_every_documented_form() {
        let image = |family: Option<&str>, container: Option<&str>| Leave::Image {
            family: family.map(str::to_owned),
            container: container.map(str::to_owned),
        };
        let cases = [
            ("desired-count", Leave::DesiredCount { service: None }),
            (
                "desired-count=web",
                Leave::DesiredCount {
                    service: Some("web".into()),
                },
            ),
            ("image", image(None, None)),
            ("image=webserver", image(Some("webserver"), None)),
            ("image=webserver/app", image(Some("webserver"), Some("app"))),
            ("image=*/app", image(None, Some("app"))),
        ];
        for (text, leave) in cases {
            assert_eq!(parse_leave(text), Ok(leave), "{text}");
        }
    }

    #[test]
    fn leave_rejects_other_members_and_empty_names() {
        for text in [
            "cpu",
            "desired-count=",
            "image=",
            "image=web/",
            "image=/app",
            "",
        ] {
            assert!(parse_leave(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_name_must_fit_in_a_tag_value() {
        assert!(check_name("demo-prod_1.2:a/b=c+d@e f", Whence::Flag).is_ok());
        assert!(
            check_name("", Whence::Stem)
                .is_err_and(|e| e.starts_with("the stack's name (the file's"))
        );
        assert_eq!(
            check_name("a,b", Whence::Flag),
            Err(
                "--name `a,b` holds `,`, which AWS does not allow in the ecs-rs:stack tag's \
                 value (letters, digits, spaces and _ . : / = + - @ are allowed)"
                    .to_owned()
            )
        );
        assert_eq!(
            check_name(&"x".repeat(257), Whence::Flag),
            Err(
                "--name is longer than 256 characters, AWS's limit for the ecs-rs:stack tag's \
                 value"
                    .to_owned()
            )
        );
        assert_eq!(file_stem(Path::new("stacks/demo.json")), "demo");
    }

    fn args(name: Option<&str>) -> StackArgs {
        StackArgs {
            stack: Some(PathBuf::from("stacks/demo.json")),
            name: name.map(str::to_owned),
            vars: VarArgs::default(),
            leave: Vec::new(),
            concurrency: NonZeroUsize::MIN,
        }
    }

    #[test]
    fn the_name_is_the_flag_s_then_the_file_s_then_refused_or_the_stem() {
        let named = Stack::default().with_name("shop");
        let unnamed = Stack::default();
        let required = Naming::Required("apply");
        let file = Path::new("stacks/demo.json");
        let name = |args: &StackArgs, stack: &Stack, naming| {
            args.stack_name(file, stack, naming).map(|(name, _)| name)
        };
        assert_eq!(
            name(&args(Some("flag")), &named, required),
            Ok("flag".into())
        );
        assert_eq!(name(&args(None), &named, required), Ok("shop".into()));
        assert_eq!(
            name(&args(None), &unnamed, Naming::FileStem),
            Ok("demo".into())
        );
        let refused = name(&args(None), &unnamed, required).expect_err("refused");
        assert!(
            refused.starts_with("apply changes what carries the stack's ecs-rs:stack tag")
                && refused.contains("add \"name\": \"demo\" to stacks/demo.json, or pass --name"),
            "{refused}"
        );
    }
}
