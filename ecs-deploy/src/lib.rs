//! Plan and apply Amazon ECS infrastructure.
//!
//! - [`config`](mod@config): the AWS configuration from the environment, with retries and
//!   timeouts tuned for deploying.
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
pub mod config;
pub mod diff;
pub mod network;
pub mod observe;
pub mod plan;
pub mod rollback;
pub mod wait;

pub use apply::{ApplyError, ApplyOptions, ApplyStream, Event, Failure, Waiting};
pub use aws::{AwsError, Ecs, Operation, Retries};
pub use plan::{Action, Address, Change, Leave, Options, Plan};

/// Plans and applies stacks against one AWS account and region.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ecs_deploy::{Deployer, Options};
///
/// // The environment's region, credentials and endpoint, with retries tuned for deploying.
/// let config = ecs_deploy::config::load().await;
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
    /// every deployment it starts, and rolls a failed one back). The number of changes at a time
    /// stays the one [`concurrency`](Self::concurrency) set.
    pub fn apply_options(mut self, options: ApplyOptions) -> Self {
        self.apply_options = options.concurrency(self.concurrency);
        self
    }

    /// At most `n` calls at a time while observing, and `n` changes at a time while applying
    /// (8 by default; see [`ApplyOptions::concurrency`]).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self.apply_options = self.apply_options.concurrency(n);
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
        let scope = if self.options.prune {
            Scope::Prune
        } else {
            Scope::Named
        };
        let actual = self.observe(stack, scope).await?;
        Ok(plan::plan(stack, &actual, &self.options))
    }

    /// Plans the deletion of every resource carrying the stack's tag: the ones `stack` names,
    /// and the ones it no longer names (found as pruning finds them). The resources `stack`
    /// names that are not the stack's are listed as not managed, and stay. The stack is not
    /// checked with the rule set: a stack that no longer validates can still be destroyed.
    pub async fn plan_destroy(&self, stack: &ecs_model::Stack) -> Result<Plan, PlanError> {
        let actual = self.observe(stack, Scope::Destroy).await?;
        Ok(plan::destroy(stack, &actual, &self.options))
    }

    /// The actual state for planning: the resources `stack` names, the stack's other resources
    /// when pruning or destroying, and the revisions of the families that may lose some.
    async fn observe(
        &self,
        stack: &ecs_model::Stack,
        scope: Scope,
    ) -> Result<plan::Actual, AwsError> {
        let mut actual = observe::observe(&self.ecs, stack, self.concurrency).await?;
        if scope != Scope::Named {
            observe::discover(
                &self.ecs,
                stack,
                &self.options.stack,
                &mut actual,
                self.concurrency,
            )
            .await?;
        }
        let named: std::collections::BTreeSet<&str> = stack
            .task_definitions
            .iter()
            .filter_map(|t| t.family.as_deref())
            .collect();
        let families = actual
            .task_definitions
            .iter()
            .filter(|(family, existing)| {
                if !plan::tagged(&existing.input.tags, &self.options.stack) {
                    return false;
                }
                if scope == Scope::Destroy || !named.contains(family.as_str()) {
                    // Pruned or destroyed: every ACTIVE revision goes.
                    return scope != Scope::Named;
                }
                // Kept, with its newest revisions: revision numbers only grow, so a family
                // whose latest is revision r has at most r ACTIVE ones, and one more once this
                // apply registers; with r below the number kept, nothing is deregistered.
                match (self.options.keep_revisions, existing.revision) {
                    (Some(keep), Some(latest)) => {
                        usize::try_from(latest).map_or(true, |latest| latest >= keep)
                    }
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            })
            .map(|(family, _)| family.clone())
            .collect();
        actual.revisions = observe::revisions(&self.ecs, &families, self.concurrency).await?;
        Ok(actual)
    }

    /// Applies `plan`, calling `on_event` as it goes; returns the resources changed. See
    /// [`apply::apply`].
    pub async fn apply(
        &self,
        plan: &Plan,
        on_event: impl FnMut(Event),
    ) -> Result<Vec<Address>, ApplyError> {
        apply::apply(&self.ecs, plan, &self.apply_options, on_event).await
    }

    /// Applies `plan` as a stream of typed events, ending with the error when the apply fails.
    /// The stream is `Send`: the apply can run in a spawned task. See [`apply::apply_stream`].
    pub fn apply_stream<'a>(&'a self, plan: &'a Plan) -> ApplyStream<'a> {
        apply::apply_stream(&self.ecs, plan, &self.apply_options)
    }

    /// Puts the services of `stack` back on an earlier task definition revision: reads what
    /// [`rollback::plan`] finds, then carries it out with [`rollback::run`], calling `on_event`
    /// as it goes. Returns the plan carried out. To look at the plan before anything changes,
    /// call the two functions yourself.
    pub async fn rollback(
        &self,
        stack: &ecs_model::Stack,
        options: &rollback::RollbackOptions,
        on_event: impl FnMut(rollback::RollbackEvent),
    ) -> Result<rollback::RollbackPlan, rollback::RollbackError> {
        let plan = rollback::plan(&self.ecs, stack, &self.options.stack, options).await?;
        rollback::run(&self.ecs, &plan, options, on_event).await?;
        Ok(plan)
    }
}

/// What a plan is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The resources the stack names.
    Named,
    /// Those, and the ones carrying the stack's tag that it no longer names, to delete.
    Prune,
    /// Every resource carrying the stack's tag, to delete.
    Destroy,
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
