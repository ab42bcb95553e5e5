//! What `plan`, `apply` and `status` share: their arguments, the stack file, and the way to
//! AWS.
//!
//! The stack file is read and checked exactly as `validate` checks it, before anything talks to
//! AWS: a file with an error stops there, with the same diagnostics and exit code 1, so an
//! invalid stack never reaches an ECS endpoint.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use ecs_deploy::plan::{ForceDeployment, STACK_TAG};
use ecs_deploy::stack_name::TAG_VALUE_MAX;
use ecs_deploy::{
    AwsError, Deployer, Leave, NetworkError, Options, Plan, PlanError, StackNameError,
    check_stack_name,
};
use ecs_model::{Kind, Stack};

use super::check::load_file;
use super::report::{FileReport, write_stderr};

/// The arguments every deploy command takes.
#[derive(Debug, clap::Args)]
pub(super) struct StackArgs {
    /// The stack file (JSON): a stack, or a single task definition, service or cluster.
    // Required on every command; `apply PLANFILE` alone lifts it (the stack is in the saved
    // plan), hence the `Option`.
    #[arg(long, value_name = "FILE", required = true)]
    pub(super) stack: Option<PathBuf>,
    /// The stack's name: the value of the `ecs-rs:stack` tag that marks the resources it
    /// manages [default: the file's name without its extension].
    #[arg(long, value_name = "NAME")]
    pub(super) name: Option<String>,
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
    /// cluster uses them). Needs --name. Finding them lists the account's clusters, services
    /// and task definition families.
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
    /// Adopt the clusters, capacity providers, task definition families and services the stack
    /// names that exist without any stack's ecs-rs:stack tag (made in the console or by
    /// another tool, as `import` finds them): the plan shows each with the tag added, and
    /// apply tags it, then makes the other changes. A resource carrying another stack's tag is
    /// never adopted.
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

impl StackArgs {
    /// The planner's options: the stack's name and the members left to others.
    pub(super) fn options(&self) -> Result<Options, String> {
        let name = match &self.name {
            Some(name) => name.clone(),
            None => self.stack.as_deref().map(file_stem).unwrap_or_default(),
        };
        check_name(&name, self.name.is_some())?;
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
/// name came from: `--name`, or the file's name.
fn check_name(name: &str, given: bool) -> Result<(), String> {
    let whence = if given {
        "--name"
    } else {
        "the stack's name (the file's name without its extension; give another with --name)"
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
    /// environment: `AWS_REGION`, `AWS_ENDPOINT_URL`, credentials, profiles...). On failure the
    /// problem is printed and `None` comes back; no AWS call was made.
    pub(super) fn start(args: &StackArgs) -> Option<Self> {
        Self::start_with(args, &ChangeArgs::default())
    }

    /// [`start`](Self::start), with the options of `changes`.
    pub(super) fn start_with(args: &StackArgs, changes: &ChangeArgs) -> Option<Self> {
        if changes.prune && args.name.is_none() {
            eprintln!("error: {}", named_for("--prune"));
            return None;
        }
        Self::open(args, changes, false)
    }

    /// For `destroy`: the stack must be named with `--name`, and a file that no longer passes
    /// the rule set is taken as long as it loads (its problems are printed), since deleting
    /// needs only the names it holds.
    pub(super) fn start_for_destroy(args: &StackArgs) -> Option<Self> {
        if args.name.is_none() {
            eprintln!("error: {}", named_for("destroy"));
            return None;
        }
        Self::open(args, &ChangeArgs::default(), true)
    }

    fn open(args: &StackArgs, changes: &ChangeArgs, lenient: bool) -> Option<Self> {
        let options = match args.options() {
            Ok(options) => changes.apply_to(options),
            Err(message) => {
                eprintln!("error: {message}");
                return None;
            }
        };
        let Some(file) = &args.stack else {
            eprintln!("error: the stack file is missing: give it with --stack FILE");
            return None;
        };
        let stack = load_stack(file, lenient)?;
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("error: cannot start the async runtime: {err}");
                return None;
            }
        };
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

/// What `--prune` and `destroy` say when the stack has no `--name`.
fn named_for(what: &str) -> String {
    format!(
        "{what} deletes what carries the stack's {STACK_TAG} tag, so it needs the stack's name \
         given with --name, not taken from the file's name (two projects can both have a \
         stack.json): run it again with --name NAME, NAME being the name the stack was applied \
         with"
    )
}

/// Reads the file as `validate` does and prints its diagnostics (warnings too) on stderr; the
/// stack when the file has no error, or when `lenient` and the file loads at all.
fn load_stack(path: &Path, lenient: bool) -> Option<Stack> {
    let (report, document) = load_file(path, None, false);
    if !report.diagnostics.is_empty() {
        write_stderr(&report);
    }
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
        assert!(check_name("demo-prod_1.2:a/b=c+d@e f", true).is_ok());
        assert!(
            check_name("", false).is_err_and(|e| e.starts_with("the stack's name (the file's"))
        );
        assert_eq!(
            check_name("a,b", true),
            Err(
                "--name `a,b` holds `,`, which AWS does not allow in the ecs-rs:stack tag's \
                 value (letters, digits, spaces and _ . : / = + - @ are allowed)"
                    .to_owned()
            )
        );
        assert_eq!(
            check_name(&"x".repeat(257), true),
            Err(
                "--name is longer than 256 characters, AWS's limit for the ecs-rs:stack tag's \
                 value"
                    .to_owned()
            )
        );
        assert_eq!(file_stem(Path::new("stacks/demo.json")), "demo");
    }
}
