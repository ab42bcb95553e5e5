//! Plan and apply Amazon ECS infrastructure.
//!
//! - [`aws`]: calls to Amazon ECS through `aws-sdk-ecs`, with the AWS JSON of `ecs-model` as
//!   request and response bodies.
//! - [`diff`]: field-level differences of JSON values.
//! - [`network`]: subnets and security groups written as `default` or `name:NAME`, resolved to
//!   IDs through EC2.
//! - [`observe`](mod@observe): the actual state, with the fewest describe calls.
//! - [`plan`](mod@plan): the desired stack against the actual state, as changes.
//! - [`apply`](mod@apply): the plan's calls, in order, with events.
//! - [`wait`](mod@wait): following our deployment until it completes, fails or is rolled back.

pub mod apply;
pub mod aws;
pub mod diff;
pub mod network;
pub mod observe;
pub mod plan;
pub mod wait;

pub use apply::{ApplyError, ApplyOptions, Event, Failure};
pub use aws::{AwsError, Ecs, Operation};
pub use plan::{Action, Address, Change, Leave, Options, Plan};

/// Plans and applies stacks against one AWS account and region.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ecs_deploy::{Deployer, Options};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let deployer = Deployer::new(ecs_deploy::Ecs::new(&config), Options::new("demo"));
/// let stack = ecs_model::document::parse(&std::fs::read_to_string("stack.json")?, None)
///     .value
///     .map(|d| d.to_stack())
///     .unwrap_or_default();
/// let plan = deployer.plan(&stack).await?;
/// if plan.has_changes() {
///     deployer.apply(&plan, |event| println!("{event:?}")).await?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Deployer {
    ecs: Ecs,
    options: Options,
    concurrency: usize,
    apply_options: ApplyOptions,
}

impl Deployer {
    /// A deployer for the stack that `options` names, calling ECS through `ecs`.
    pub fn new(ecs: Ecs, options: Options) -> Self {
        Self {
            ecs,
            options,
            concurrency: 8,
            apply_options: ApplyOptions::default(),
        }
    }

    /// How [`apply`](Self::apply) waits and rolls back ([`ApplyOptions::default`]: waits for
    /// every deployment it starts, and rolls a failed one back).
    pub fn apply_options(mut self, options: ApplyOptions) -> Self {
        self.apply_options = options;
        self
    }

    /// At most `n` calls at a time while observing (8 by default).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The ECS client, with its call counts.
    pub fn ecs(&self) -> &Ecs {
        &self.ecs
    }

    /// Checks `stack` with the rule set, reads the actual state and plans the changes that make
    /// it match. An invalid stack never reaches AWS: its errors come back, and no call is made.
    pub async fn plan(&self, stack: &ecs_model::Stack) -> Result<Plan, PlanError> {
        let errors: Vec<ecs_model::Diagnostic> = check(stack)
            .into_iter()
            .filter(ecs_model::Diagnostic::is_error)
            .collect();
        if !errors.is_empty() {
            return Err(PlanError::Invalid(errors));
        }
        let actual = observe::observe(&self.ecs, stack, self.concurrency).await?;
        Ok(plan::plan(stack, &actual, &self.options))
    }

    /// Applies `plan`, calling `on_event` as it goes.
    pub async fn apply(
        &self,
        plan: &Plan,
        on_event: impl FnMut(Event),
    ) -> Result<Vec<Address>, ApplyError> {
        apply::apply(&self.ecs, plan, &self.apply_options, on_event).await
    }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The stack breaks rules of the rule set; nothing was sent to AWS.
    #[error("the stack is invalid: {}", summary(.0))]
    Invalid(Vec<ecs_model::Diagnostic>),
    /// Reading the actual state failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

fn summary(errors: &[ecs_model::Diagnostic]) -> String {
    errors
        .iter()
        .map(|d| format!("{}: {} ({})", d.path, d.message, d.code))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every diagnostic of `stack`: the loader's (missing required members, values that do not
/// type) and the rule set's, as `ecs-deploy validate` reports them for a file.
pub fn check(stack: &ecs_model::Stack) -> Vec<ecs_model::Diagnostic> {
    let value = serde_json::to_value(stack).unwrap_or_default();
    let mut out = ecs_model::load::from_value::<ecs_model::Stack>(&value).diagnostics;
    out.extend(ecs_model::validate_stack(stack));
    out
}
