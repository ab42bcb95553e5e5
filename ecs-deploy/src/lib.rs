//! Plan and apply Amazon ECS infrastructure.
//!
//! - [`config`](mod@config): the AWS configuration from the environment, with retries and
//!   timeouts tuned for deploying.
//! - [`aws`]: calls to Amazon ECS through `aws-sdk-ecs`, with the AWS JSON of `ecs-model` as
//!   request and response bodies.
//! - [`diff`]: field-level differences of JSON values.
//! - [`graph`]: a picture of a stack (DOT or Mermaid), marked with what a plan would change.
//! - [`import`](mod@import): a stack written from what exists in AWS, as JSON or as Rust code
//!   using the `ecs-dsl` macros.
//! - [`network`]: subnets and security groups written as `default` or `name:NAME`, resolved to
//!   IDs through EC2.
//! - [`observe`](mod@observe): the actual state, with the fewest describe calls (the crate's
//!   one batched DescribeClusters and DescribeServices).
//! - [`state`]: the observed state and the one place that reads ARNs; [`ownership`]: the one
//!   check of the stack's tag.
//! - one private module per resource kind (capacity provider, cluster, task definition family,
//!   service), each observing, normalizing and comparing its kind into typed steps.
//! - [`plan`](mod@plan): the desired stack against the actual state, as changes with typed
//!   reasons and typed steps (the generated request types).
//! - [`apply`](mod@apply): the plan's calls, in order, as a `Send` stream of typed events.
//! - [`wait`](mod@wait): following our deployment until it completes, fails or is rolled back.
//! - [`rollback`](mod@rollback): putting services back on an earlier revision, as a plan that
//!   [`apply`](mod@apply) runs.
//! - [`status`](mod@status): the stack's clusters and services as AWS has them now.
//! - [`run`](mod@run): a task definition of the stack run once (a migration), followed until it
//!   stops, with its exit code.
//! - [`failure`]: why a deployment or a task failed: its stopped tasks, their containers' exit
//!   codes and reasons, and the last lines of their logs.
//! - [`redact`]: secret values, left out of what a plan shows ([`Plan::redacted`]).
//! - [`saved`]: a plan saved to a file for review, applied only if AWS still matches it.
//! - [`stack_name`]: the stack's name, checked before any call.
//!
//! [`Deployer`] gathers them: everything the `ecs-deploy` command line does, a program can do
//! through it. The command line itself is the `cli` feature (on by default); a library build
//! without it does not compile `clap`.
//!
//! The types of the stack come from [`ecs_model`], re-exported here, as are the options and
//! results of the public functions: a caller needs no other crate of the workspace.

pub use ecs_model;

pub mod apply;
pub mod aws;
pub mod config;
pub mod diff;
pub mod failure;
pub mod graph;
pub mod import;
mod kinds;
pub mod network;
pub mod observe;
pub mod ownership;
pub mod plan;
pub mod redact;
pub mod rollback;
pub mod run;
pub mod saved;
pub mod stack_name;
pub mod state;
pub mod status;
pub mod verify;
pub mod wait;

pub use apply::{ApplyError, ApplyOptions, ApplyStream, Event, Failure, Waiting};
#[cfg(feature = "autoscaling")]
pub use aws::autoscaling::AutoScaling;
#[cfg(feature = "cloud-map")]
pub use aws::cloud_map::CloudMap;
#[cfg(feature = "load-balancing")]
pub use aws::load_balancing::LoadBalancing;
#[cfg(feature = "scheduler")]
pub use aws::scheduler::Scheduler;
pub use aws::{Api, AwsError, Ecs, Operation, Retries};
#[cfg(feature = "ec2")]
pub use network::Network;
pub use network::NetworkError;
pub use plan::{Action, Address, Change, Leave, Options, Plan};
pub use rollback::{RollbackError, RollbackOptions, RollbackState};
pub use saved::{SavedPlan, SavedPlanError};
pub use stack_name::{StackNameError, check_stack_name};
pub use status::StackStatus;
pub use wait::WaitOptions;

/// Plans and applies stacks against one AWS account and region.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ecs_deploy::{Deployer, Options};
///
/// // The environment's region, credentials and endpoint, with retries tuned for deploying.
/// let config = ecs_deploy::config::load().await;
/// // ECS, and EC2 for the subnets and security groups written as lookups.
/// let deployer = Deployer::from_config(&config, Options::new("demo"));
/// // The stack, or every error of the file (never an empty stack in place of a bad file).
/// let stack = ecs_deploy::ecs_model::file::read_stack("stack.json")?;
/// let plan = deployer.plan(&stack).await?;
/// println!("{plan:?}"); // secret values show as (sensitive)
/// if plan.has_changes() {
///     deployer.apply(&plan, |event| println!("{event:?}")).await?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Deployer {
    ecs: Ecs,
    #[cfg(feature = "ec2")]
    network: Option<Network>,
    #[cfg(feature = "cloud-map")]
    cloud_map: Option<CloudMap>,
    #[cfg(feature = "scheduler")]
    scheduler: Option<Scheduler>,
    #[cfg(feature = "load-balancing")]
    load_balancing: Option<LoadBalancing>,
    #[cfg(feature = "autoscaling")]
    autoscaling: Option<AutoScaling>,
    readers: aws::readers::Readers,
    options: Options,
    concurrency: usize,
    apply_options: ApplyOptions,
}

impl Deployer {
    /// A deployer for the stack that `options` names, calling ECS through `ecs`.
    ///
    /// Without a [`Network`] ([`network`](Self::network)), a stack whose subnets or security
    /// groups are lookups (`"default"`, `"name:NAME"`) cannot be planned.
    pub fn new(ecs: Ecs, options: Options) -> Self {
        Self {
            ecs,
            #[cfg(feature = "ec2")]
            network: None,
            #[cfg(feature = "cloud-map")]
            cloud_map: None,
            #[cfg(feature = "scheduler")]
            scheduler: None,
            #[cfg(feature = "load-balancing")]
            load_balancing: None,
            #[cfg(feature = "autoscaling")]
            autoscaling: None,
            readers: aws::readers::Readers::default(),
            options,
            concurrency: 8,
            apply_options: ApplyOptions::default(),
        }
    }

    /// A deployer for the stack that `options` names, calling ECS and (with the `ec2` feature,
    /// on by default) EC2 for the lookups of subnets and security groups, with the clients made
    /// from `config`, such as the one [`config::load`] returns, and the engine's tries beyond
    /// the SDK's retries that [`config::engine_retries`] gives (none when the environment sets
    /// the retries).
    pub fn from_config(config: &aws_types::SdkConfig, options: Options) -> Self {
        let ecs = Ecs::new(config).retries(config::engine_retries());
        let deployer = Self::new(ecs, options);
        #[cfg(feature = "ec2")]
        let deployer = deployer.network(Network::new(config));
        #[cfg(feature = "cloud-map")]
        let deployer = deployer.cloud_map(CloudMap::new(config).retries(config::engine_retries()));
        #[cfg(feature = "scheduler")]
        let deployer = deployer.scheduler(Scheduler::new(config).retries(config::engine_retries()));
        #[cfg(feature = "load-balancing")]
        let deployer =
            deployer.load_balancing(LoadBalancing::new(config).retries(config::engine_retries()));
        #[cfg(feature = "autoscaling")]
        let deployer =
            deployer.autoscaling(AutoScaling::new(config).retries(config::engine_retries()));
        deployer.readers(aws::readers::Readers::from_config(
            config,
            config::engine_retries(),
        ))
    }

    /// Reads ECR, IAM, Secrets Manager, SSM and CloudWatch Logs through `readers` (for the
    /// pre-flight checks and failure reports; each client behind its feature).
    pub fn readers(mut self, readers: aws::readers::Readers) -> Self {
        self.readers = readers;
        self
    }

    /// Deploys the stack's `scaling` (scalable targets, scaling policies, scheduled actions of
    /// its services) through `autoscaling`, and suspends the scaling of a service while it
    /// deploys (the `autoscaling` feature; see the scaling changes of a [`Plan`],
    /// [`Address::Scaling`]). Without it, a stack holding `scaling` cannot be planned, and
    /// pruning or destroying does not see the scaling of the stack's services.
    #[cfg(feature = "autoscaling")]
    pub fn autoscaling(mut self, autoscaling: AutoScaling) -> Self {
        self.autoscaling = Some(autoscaling);
        self
    }

    /// Deploys the stack's target groups, and resolves the services' bindings to target groups
    /// by name, through `load_balancing` (the `load-balancing` feature; see the
    /// `target_group` kind in the crate documentation). Without it, a stack holding target
    /// groups or bindings by name cannot be planned.
    #[cfg(feature = "load-balancing")]
    pub fn load_balancing(mut self, load_balancing: LoadBalancing) -> Self {
        self.load_balancing = Some(load_balancing);
        self
    }

    /// Deploys the stack's scheduled tasks through `scheduler` (the `scheduler` feature; see
    /// the stack's own schedule group in [`Plan`]'s schedule changes). Without it, a stack
    /// holding scheduled tasks cannot be planned.
    #[cfg(feature = "scheduler")]
    pub fn scheduler(mut self, scheduler: Scheduler) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// Deploys the stack's Cloud Map namespaces and discovery services through `cloud_map`
    /// (the `cloud-map` feature). Without it, a stack holding them cannot be planned.
    #[cfg(feature = "cloud-map")]
    pub fn cloud_map(mut self, cloud_map: CloudMap) -> Self {
        self.cloud_map = Some(cloud_map);
        self
    }

    /// The clients of every API this deployer calls.
    pub fn clients(&self) -> aws::Clients {
        let clients = aws::Clients::new(self.ecs.clone());
        #[cfg(feature = "cloud-map")]
        let clients = match &self.cloud_map {
            Some(cloud_map) => clients.cloud_map(cloud_map.clone()),
            None => clients,
        };
        #[cfg(feature = "scheduler")]
        let clients = match &self.scheduler {
            Some(scheduler) => clients.scheduler(scheduler.clone()),
            None => clients,
        };
        #[cfg(feature = "load-balancing")]
        let clients = match &self.load_balancing {
            Some(load_balancing) => clients.load_balancing(load_balancing.clone()),
            None => clients,
        };
        #[cfg(feature = "autoscaling")]
        let clients = match &self.autoscaling {
            Some(autoscaling) => clients.autoscaling(autoscaling.clone()),
            None => clients,
        };
        self.readers.add_to(clients)
    }

    /// Resolves the subnets and security groups written as lookups through `network` (see
    /// [`network`](mod@network); the `ec2` feature).
    #[cfg(feature = "ec2")]
    pub fn network(mut self, network: Network) -> Self {
        self.network = Some(network);
        self
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

    /// The EC2 client that resolves lookups, with its call counts, when there is one (the `ec2`
    /// feature).
    #[cfg(feature = "ec2")]
    pub fn ec2(&self) -> Option<&Network> {
        self.network.as_ref()
    }

    /// The planner's options: the stack's name, the members left to others...
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Checks the stack's name and `stack` with the rule set, resolves the subnets and security
    /// groups written as lookups, reads the actual state and plans the changes that make it
    /// match. An invalid name or stack never reaches AWS: the error comes back, and no call is
    /// made.
    pub async fn plan(&self, stack: &ecs_model::Stack) -> Result<Plan, PlanError> {
        check_stack_name(&self.options.stack)?;
        refuse_undeployable(stack)?;
        let errors: Vec<ecs_model::Diagnostic> = check(stack)
            .into_iter()
            .filter(ecs_model::Diagnostic::is_error)
            .collect();
        if !errors.is_empty() {
            return Err(PlanError::Invalid(errors));
        }
        let mut resolved = stack.clone();
        self.resolve(&mut resolved).await?;
        let stack = &resolved;
        let scope = if self.options.prune {
            Scope::Prune
        } else {
            Scope::Named
        };
        let actual = self.observe(stack, scope).await?;
        Ok(plan::plan(stack, &actual, &self.options))
    }

    /// Rewrites the subnets and security groups of `stack` written as lookups (`"default"`,
    /// `"name:NAME"`) to their IDs through the [`Network`], and reports what it rewrote;
    /// [`plan`](Self::plan) does it on its own copy of the stack. A stack without lookups makes
    /// no call and needs no `Network`; with lookups and without a `Network`, the error is
    /// [`PlanError::NoNetwork`]. On error, `stack` is left as it was.
    pub async fn resolve(
        &self,
        stack: &mut ecs_model::Stack,
    ) -> Result<network::Resolved, PlanError> {
        #[cfg(feature = "ec2")]
        if let Some(network) = &self.network {
            let mut copy = stack.clone();
            network.resolve_vpcs(&mut copy).await?;
            let resolved = network.resolve(&mut copy).await?;
            *stack = copy;
            return Ok(resolved);
        }
        let lookups = network::checked_lookups(stack)?;
        if lookups.is_empty() {
            Ok(network::Resolved::default())
        } else {
            Err(PlanError::NoNetwork(lookups))
        }
    }

    /// Plans the deletion of every resource carrying the stack's tag: the ones `stack` names,
    /// and the ones it no longer names (found as pruning finds them). The resources `stack`
    /// names that are not the stack's are listed as not managed, and stay. The stack is not
    /// checked with the rule set: a stack that no longer validates can still be destroyed.
    pub async fn plan_destroy(&self, stack: &ecs_model::Stack) -> Result<Plan, PlanError> {
        check_stack_name(&self.options.stack)?;
        refuse_undeployable(stack)?;
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
        // The namespaces Service Connect names are read too when there is a Cloud Map client,
        // so a name resolves to its ARN (without one, a name is compared as written).
        let connected = kinds::service_connect::named(stack);
        let cloud_map = !stack.namespaces.is_empty() || !stack.discovery_services.is_empty();
        #[cfg(feature = "cloud-map")]
        let cloud_map = cloud_map || (!connected.is_empty() && self.cloud_map.is_some());
        #[cfg(feature = "cloud-map")]
        if cloud_map || (scope != Scope::Named && self.cloud_map.is_some()) {
            let wanted = kinds::namespace::Wanted {
                names: stack
                    .namespaces
                    .iter()
                    .filter_map(|n| n.name().map(str::to_owned))
                    .chain(connected)
                    .collect(),
                ids: stack
                    .discovery_services
                    .iter()
                    .filter_map(|s| s.namespace_id.clone())
                    .filter(|id| id.starts_with("ns-"))
                    .collect(),
                tagged: (scope != Scope::Named).then_some(self.options.stack.as_str()),
            };
            let (namespaces, services) =
                kinds::namespace::observe(&self.clients(), &wanted, self.concurrency).await?;
            actual.namespaces = namespaces;
            actual.discovery_services = services;
        }
        #[cfg(not(feature = "cloud-map"))]
        let _ = (cloud_map, connected);
        // Target groups: the stack's and the ones its services look up, and when pruning or
        // destroying every one carrying the stack's tag.
        let target_groups = kinds::target_group::names(stack);
        #[cfg(feature = "load-balancing")]
        if !target_groups.is_empty() || (scope != Scope::Named && self.load_balancing.is_some()) {
            let tagged = (scope != Scope::Named).then_some(self.options.stack.as_str());
            actual.target_groups = kinds::target_group::observe(
                &self.clients(),
                &target_groups,
                tagged,
                self.concurrency,
            )
            .await?;
        }
        #[cfg(not(feature = "load-balancing"))]
        let _ = target_groups;
        // Listener rules: those of the listeners the stack's rules name, and when pruning or
        // destroying those of every listener (the stack's rules are found by their tag).
        #[cfg(feature = "load-balancing")]
        if !stack.listener_rules.is_empty()
            || (scope != Scope::Named && self.load_balancing.is_some())
        {
            let arns = stack
                .listener_rules
                .iter()
                .filter_map(|r| r.listener_arn.clone())
                .filter(|l| l.starts_with("arn:"))
                .collect();
            let (listeners, rules) = kinds::listener_rule::observe(
                &self.clients(),
                &kinds::listener_rule::listener_lookups(stack),
                &arns,
                scope != Scope::Named,
                self.concurrency,
            )
            .await?;
            actual.listeners = listeners;
            actual.listener_rules = rules;
        }
        // The stack's schedule groups and their schedules: when it has scheduled tasks, and
        // when pruning or destroying (its own group may hold schedules it no longer names).
        #[cfg(feature = "scheduler")]
        if !stack.scheduled_tasks.is_empty() || (scope != Scope::Named && self.scheduler.is_some())
        {
            let groups = kinds::schedule::groups(stack, &self.options.stack);
            let (groups, schedules) = kinds::schedule::observe(
                &self.clients(),
                &groups,
                &self.options.stack,
                self.concurrency,
            )
            .await?;
            actual.schedule_groups = groups;
            actual.schedules = schedules;
        }
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
        // The scaling of the stack's scaled services; when pruning or destroying, of every
        // service observed (the stack's among them lose theirs with them).
        #[cfg(feature = "autoscaling")]
        if !stack.scaling.is_empty() || (scope != Scope::Named && self.autoscaling.is_some()) {
            let ids = kinds::scaling::to_observe(stack, &actual, scope != Scope::Named);
            actual.scaling =
                kinds::scaling::observe(&self.clients(), &ids, self.concurrency).await?;
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
        apply::apply_with(&self.clients(), plan, &self.apply_options, on_event).await
    }

    /// Applies `plan` as a stream of typed events, ending with the error when the apply fails.
    /// The stream is `Send`: the apply can run in a spawned task. See [`apply::apply_stream`].
    pub fn apply_stream<'a>(&'a self, plan: &'a Plan) -> ApplyStream<'a> {
        apply::apply_stream_with(&self.clients(), plan, &self.apply_options)
    }

    /// Plans putting the services of `stack` back on an earlier task definition revision
    /// (see [`rollback`](mod@rollback)): reads with [`rollback::observe`], decides with
    /// [`rollback::plan`]. Nothing is changed: [`apply`](Self::apply) or
    /// [`apply_stream`](Self::apply_stream) runs the plan like any other, with this deployer's
    /// [`ApplyOptions`] (whether it follows the rollback deployments before deregistering the
    /// revisions left, and puts a failed one back). An invalid stack name, or a service asked for
    /// that the stack does not have, is refused before any call.
    ///
    /// ```no_run
    /// # async fn run(deployer: ecs_deploy::Deployer, stack: ecs_deploy::ecs_model::Stack)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// use ecs_deploy::RollbackOptions;
    /// let plan = deployer.plan_rollback(&stack, &RollbackOptions::default()).await?;
    /// if plan.has_changes() {
    ///     deployer.apply(&plan, |event| println!("{event:?}")).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn plan_rollback(
        &self,
        stack: &ecs_model::Stack,
        options: &RollbackOptions,
    ) -> Result<Plan, RollbackError> {
        let state = rollback::observe(&self.ecs, stack, &self.options.stack, options).await?;
        rollback::plan(&state, options)
    }

    /// Writes a stack from the clusters, services, task definitions and capacity providers
    /// that exist in AWS (see [`import`](mod@import)); nothing is changed.
    ///
    /// ```no_run
    /// # async fn run(deployer: ecs_deploy::Deployer) -> Result<(), Box<dyn std::error::Error>> {
    /// use ecs_deploy::import::ImportRequest;
    /// let imported = deployer.import(&ImportRequest::new("shop")).await?;
    /// println!("{}", serde_json::to_string_pretty(&imported.stack)?);
    /// for note in &imported.notes {
    ///     eprintln!("note: {note}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn import(
        &self,
        request: &import::ImportRequest,
    ) -> Result<import::Imported, import::ImportError> {
        import::import(&self.ecs, request).await
    }

    /// The clusters and services of `stack` as AWS has them now: see [`status::status`].
    pub async fn status(&self, stack: &ecs_model::Stack) -> Result<StackStatus, AwsError> {
        status::status(&self.ecs, stack, &self.options.stack, self.concurrency).await
    }

    /// Runs a task of `options.family`, a task definition of `stack`, once: registers the
    /// stack's revision first when AWS's latest differs, runs it like the stack's service of
    /// that family (cluster, launch type or capacity, network with look-ups resolved), and, when
    /// `options.wait` says so, follows it until it stops. See [`run`](mod@run).
    ///
    /// ```no_run
    /// # async fn migrate(deployer: ecs_deploy::Deployer, stack: ecs_deploy::ecs_model::Stack)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// use ecs_deploy::run::RunOptions;
    /// let options = RunOptions::new("migrate")
    ///     .command(vec!["./migrate".into(), "up".into()])
    ///     .wait(ecs_deploy::WaitOptions::default());
    /// let run = deployer.run_task(&stack, &options, |event| println!("{event:?}")).await?;
    /// if run.exit_code() != Some(0) {
    ///     return Err(format!("the migration failed: {:?}", run.stopped_reason).into());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_task(
        &self,
        stack: &ecs_model::Stack,
        options: &run::RunOptions,
        mut on_event: impl FnMut(run::RunEvent),
    ) -> Result<run::TaskRun, run::RunError> {
        let td = run::task_definition(stack, &options.family)?;
        let plan = self.plan(&run::of_family(td)).await?;
        run::register(&self.ecs, &plan, &options.family, &mut on_event).await?;
        let family = std::collections::BTreeSet::from([options.family.clone()]);
        let arn = kinds::task_definition::observe(&self.ecs, &family, 1)
            .await?
            .remove(&options.family)
            .map(|latest| latest.arn)
            .unwrap_or_else(|| options.family.clone());
        let mut resolved = stack.clone();
        self.resolve(&mut resolved).await?;
        let token = run::token(&options.family);
        let request = run::request(&resolved, td, &arn, options, &self.options.stack, &token)?;
        let task = run::start(&self.ecs, &request).await?;
        let task_arn = task.task_arn.clone().unwrap_or_default();
        let cluster = task
            .cluster_arn
            .clone()
            .or(request.cluster.clone())
            .unwrap_or_else(|| "default".to_owned());
        on_event(run::RunEvent::Started {
            task_arn: task_arn.clone(),
            task_definition: arn,
        });
        let task = match options.wait {
            Some(wait) => run::follow(&self.ecs, &cluster, &task_arn, wait, &mut on_event).await?,
            None => task,
        };
        let mut outcome = run::outcome(&task, &cluster, td);
        if let Some(wait) = options.wait {
            outcome.report = run::report(&self.clients(), &task, td, &outcome, wait).await;
        }
        Ok(outcome)
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
    /// The stack's name cannot be the value of its tag; nothing was sent to AWS.
    #[error(transparent)]
    InvalidName(#[from] StackNameError),
    /// The stack breaks rules of the rule set; nothing was sent to AWS.
    #[error("the stack is invalid: {}", summary(.0))]
    Invalid(Vec<ecs_model::Diagnostic>),
    /// The stack writes subnets or security groups as lookups, and the deployer has no
    /// [`Network`] to resolve them; nothing was sent to AWS.
    #[error(
        "{}: a lookup needs EC2, and the deployer has no Network (make it with \
         Deployer::from_config, or give it one with Deployer::network)",
        lookup_summary(.0)
    )]
    NoNetwork(Vec<network::Lookup>),
    /// Resolving the lookups failed: a lookup is not valid or matches nothing or several, or
    /// EC2 could not be called. Nothing was sent to ECS.
    #[error("cannot resolve the subnet and security group lookups")]
    Network(#[from] NetworkError),
    /// Reading the actual state failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The stack holds kinds of resource (its members, such as `targetGroups`) that the file
    /// format knows and this version of the engine does not deploy yet, or whose cargo feature
    /// is off (`namespaces` and `discoveryServices` without `cloud-map`); nothing was sent to
    /// AWS.
    /// Planning without them would read as if they were deployed.
    #[error(
        "the stack holds {}, which this version of ecs-deploy reads but does not deploy yet; \
         remove them from the stack, or create them another way and link them by ARN",
        .0.join(", ")
    )]
    NotDeployable(Vec<&'static str>),
}

/// Refuses a stack holding kinds the engine does not deploy yet: see
/// [`PlanError::NotDeployable`].
// With every feature on, every kind is deployed: nothing reads `stack`.
#[allow(unused_variables)]
fn refuse_undeployable(stack: &ecs_model::Stack) -> Result<(), PlanError> {
    let held: [(&'static str, bool); _] = [
        #[cfg(not(feature = "cloud-map"))]
        ("namespaces", stack.namespaces.is_empty()),
        #[cfg(not(feature = "cloud-map"))]
        ("discoveryServices", stack.discovery_services.is_empty()),
        #[cfg(not(feature = "load-balancing"))]
        ("targetGroups", stack.target_groups.is_empty()),
        #[cfg(not(feature = "load-balancing"))]
        ("listenerRules", stack.listener_rules.is_empty()),
        #[cfg(not(feature = "autoscaling"))]
        ("scaling", stack.scaling.is_empty()),
        #[cfg(not(feature = "scheduler"))]
        ("scheduledTasks", stack.scheduled_tasks.is_empty()),
    ];
    let members: Vec<&'static str> = held
        .into_iter()
        .filter(|(_, empty)| !empty)
        .map(|(member, _)| member)
        .collect();
    if members.is_empty() {
        Ok(())
    } else {
        Err(PlanError::NotDeployable(members))
    }
}

fn lookup_summary(lookups: &[network::Lookup]) -> String {
    let lookups: Vec<String> = lookups.iter().map(ToString::to_string).collect();
    lookups.join("; ")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every future of the public API can run in a spawned task on a multi-threaded runtime.
    #[test]
    fn the_deployer_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let config = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let deployer = Deployer::from_config(&config, Options::new("demo"));
        let mut stack = ecs_model::Stack::default();
        let plan = plan::plan(&stack, &plan::Actual::default(), &Options::new("demo"));
        let rollback = RollbackOptions::default();
        assert_send(&deployer.plan(&stack));
        assert_send(&deployer.plan_destroy(&stack));
        assert_send(&deployer.plan_rollback(&stack, &rollback));
        assert_send(&deployer.status(&stack));
        assert_send(&deployer.run_task(&stack, &run::RunOptions::new("migrate"), |_| {}));
        assert_send(&deployer.apply(&plan, |_| {}));
        assert_send(&deployer.apply_stream(&plan));
        assert_send(&deployer.resolve(&mut stack));
    }

    #[tokio::test]
    async fn a_stack_with_kinds_not_deployed_yet_is_refused_before_any_call() {
        // No endpoint: a call would fail with a transport error, not this one.
        let config = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let deployer = Deployer::from_config(&config, Options::new("demo"));
        let loaded = ecs_model::load::from_value::<ecs_model::Stack>(&serde_json::json!({
            "targetGroups": [ { "Name": "web", "Protocol": "HTTP", "Port": 80 } ],
            "scaling": { "scalableTargets": [ { "ServiceNamespace": "ecs" } ] }
        }));
        let stack = loaded.value.expect("a stack");
        for result in [
            deployer.plan(&stack).await,
            deployer.plan_destroy(&stack).await,
        ] {
            match result {
                Err(PlanError::NotDeployable(members)) => {
                    #[allow(unused_mut)]
                    let mut expected: Vec<&str> = Vec::new();
                    #[cfg(not(feature = "load-balancing"))]
                    expected.push("targetGroups");
                    #[cfg(not(feature = "autoscaling"))]
                    expected.push("scaling");
                    assert_eq!(members, expected);
                }
                // Every kind deployed: nothing to refuse.
                other => {
                    #[allow(clippy::assertions_on_constants)]
                    {
                        assert!(
                            cfg!(all(feature = "load-balancing", feature = "autoscaling")),
                            "expected NotDeployable, got {other:?}"
                        );
                    }
                }
            }
        }
    }
}
