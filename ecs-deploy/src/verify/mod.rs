//! Pre-flight checks: does what the stack names, and does not create, exist in AWS?
//!
//! [`Deployer::verify`](crate::Deployer::verify) reads the stack and looks, without changing
//! anything, at each thing it points to:
//!
//! - [images](image): an image in Amazon ECR (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`
//!   or `@sha256:...`) is in its repository (ECR DescribeImages); an image of another registry
//!   is skipped, saying why;
//! - [roles](role): the task definitions' `executionRoleArn` and `taskRoleArn` exist and their
//!   trust policy lets `ecs-tasks.amazonaws.com` assume them (IAM GetRole);
//! - [secrets and parameters](secret): what containers' `secrets[].valueFrom` and
//!   `repositoryCredentials.credentialsParameter` name exists (Secrets Manager DescribeSecret,
//!   SSM DescribeParameters: metadata only, never a value);
//! - [log groups](log_group): the `awslogs-group` of an `awslogs` log configuration exists,
//!   unless `awslogs-create-group` is `"true"` (CloudWatch Logs DescribeLogGroups);
//! - [target groups](target_group) and [Cloud Map namespaces and services](namespace) the
//!   services name by ARN or name exist; the stack's own are reported as created by the stack.
//!
//! Each [`Check`] says what it looked at (its [`CheckKind`], the name or ARN, and the JSON paths
//! of the stack that name it), its [`Outcome`] and, for a failure, a hint. A thing named at
//! several places is looked at once. An API without a client (its cargo feature off, or the
//! deployer made without it) makes its checks [`Outcome::Skipped`]; an AWS error other than
//! "not found" (access denied...) fails the check it belongs to, with AWS's code; a call that
//! gets no answer at all stops the verification ([`VerifyError`]).
//!
//! ```no_run
//! # async fn run(stack: ecs_model::Stack) -> Result<(), Box<dyn std::error::Error>> {
//! use ecs_deploy::verify::Outcome;
//! use ecs_deploy::{Deployer, Options};
//!
//! let config = ecs_deploy::config::load().await;
//! let deployer = Deployer::from_config(&config, Options::new("shop"));
//! let verification = deployer.verify(&stack).await?;
//! for check in &verification.checks {
//!     if let Outcome::Failed(reason) = &check.outcome {
//!         let at = check.paths.first().map(ToString::to_string).unwrap_or_default();
//!         eprintln!("{} {}: {reason} (at {at})", check.kind.name(), check.subject);
//!     }
//! }
//! if !verification.passed() {
//!     return Err("the stack names what does not exist".into());
//! }
//! # Ok(())
//! # }
//! ```

pub mod image;
pub mod log_group;
pub mod namespace;
pub mod role;
pub mod secret;
pub mod target_group;

use std::collections::BTreeMap;

use ecs_model::{JsonPath, Stack};
use futures::StreamExt as _;
use serde::Serialize;
use serde_json::Value;

use crate::Deployer;
use crate::aws::{AwsError, Clients};

/// What a check looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CheckKind {
    /// A container image (ECR DescribeImages).
    Image,
    /// A task definition's execution role (IAM GetRole).
    ExecutionRole,
    /// A task definition's task role (IAM GetRole).
    TaskRole,
    /// A Secrets Manager secret (DescribeSecret).
    Secret,
    /// An SSM parameter (DescribeParameters).
    Parameter,
    /// A CloudWatch Logs log group of the `awslogs` driver (DescribeLogGroups).
    LogGroup,
    /// An ELBv2 target group (DescribeTargetGroups).
    TargetGroup,
    /// A Cloud Map namespace (GetNamespace, ListNamespaces).
    Namespace,
    /// A Cloud Map service a service registers in (GetService).
    DiscoveryService,
}

impl CheckKind {
    /// The kind as people read it (`execution role`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::ExecutionRole => "execution role",
            Self::TaskRole => "task role",
            Self::Secret => "secret",
            Self::Parameter => "parameter",
            Self::LogGroup => "log group",
            Self::TargetGroup => "target group",
            Self::Namespace => "namespace",
            Self::DiscoveryService => "discovery service",
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Outcome {
    /// It is there: what was found (a digest, a role's ARN...).
    Ok(String),
    /// It is not, or is not usable: why.
    Failed(String),
    /// Not looked at: why (another registry, the client's feature is off, created by this
    /// stack...).
    Skipped(String),
}

impl Outcome {
    /// Whether the check failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// One check: what it looked at, where the stack names it, how it came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Check {
    /// What kind of thing.
    pub kind: CheckKind,
    /// Its name, ARN or image reference, as the stack writes it.
    pub subject: String,
    /// The JSON paths of the stack that name it, in the stack's order.
    pub paths: Vec<JsonPath>,
    /// How it came out.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// How to fix a failure, when there is a clear way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Check {
    /// A check of `subject` (of `kind`, named at `paths`) that came out as `outcome`.
    pub fn new(
        kind: CheckKind,
        subject: impl Into<String>,
        paths: Vec<JsonPath>,
        outcome: Outcome,
    ) -> Self {
        Self {
            kind,
            subject: subject.into(),
            paths,
            outcome,
            hint: None,
        }
    }

    /// The check with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The checks of a stack, in the order the stack names their subjects (images, then roles,
/// secrets and parameters, log groups, target groups, namespaces, by kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Verification {
    /// Every check.
    pub checks: Vec<Check>,
}

impl Verification {
    /// The verification made of `checks`.
    pub fn new(checks: Vec<Check>) -> Self {
        Self { checks }
    }

    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome.is_failed())
    }

    /// Whether every check is Ok or Skipped.
    pub fn passed(&self) -> bool {
        self.failed().next().is_none()
    }
}

/// Why the verification could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The stack could not be read as JSON (a bug: every stack serializes).
    #[error("the stack cannot be written as JSON")]
    Stack(#[source] serde_json::Error),
    /// A call got no answer from AWS (no credentials or region, a connection failure, a
    /// time-out): the remaining checks were not made.
    #[error("cannot check {subject}")]
    Aws {
        /// The check's subject.
        subject: String,
        /// The failed call.
        #[source]
        source: AwsError,
    },
}

/// What a check module found: the outcome and, for a failure, a hint.
pub(crate) type Found = (Outcome, Option<String>);

/// One thing to look at, with every place the stack names it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    kind: CheckKind,
    subject: String,
    paths: Vec<JsonPath>,
    /// What else the check needs (the awslogs region...), by name.
    extra: BTreeMap<&'static str, String>,
}

/// The targets of a stack, each once, in the stack's order within each kind.
#[derive(Debug, Default)]
pub(crate) struct Targets(Vec<Target>);

impl Targets {
    /// Adds `subject` of `kind` named at `path` (once per kind and subject).
    pub(crate) fn add(&mut self, kind: CheckKind, subject: &str, path: JsonPath) -> &mut Target {
        let at = self
            .0
            .iter()
            .position(|t| t.kind == kind && t.subject == subject);
        let index = match at {
            Some(index) => {
                self.0[index].paths.push(path);
                index
            }
            None => {
                self.0.push(Target {
                    kind,
                    subject: subject.to_owned(),
                    paths: vec![path],
                    extra: BTreeMap::new(),
                });
                self.0.len() - 1
            }
        };
        &mut self.0[index]
    }
}

impl Target {
    /// Records `value` as `key` (the first place naming the target decides).
    pub(crate) fn with(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.extra.entry(key).or_insert_with(|| value.to_owned());
        self
    }

    /// The value recorded as `key`.
    pub(crate) fn extra(&self, key: &str) -> Option<&str> {
        self.extra.get(key).map(String::as_str)
    }
}

/// The string at `key` of `value`.
pub(crate) fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// The array at `key` of `value`, with each element's path under `path`.
pub(crate) fn each<'v>(
    value: &'v Value,
    key: &'static str,
    path: &JsonPath,
) -> impl Iterator<Item = (&'v Value, JsonPath)> {
    let path = path.clone().key(key);
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(i, v)| (v, path.clone().index(i)))
}

/// The region the client of `api` calls, when the deployer has one and its configuration names
/// a region.
pub(crate) fn region(clients: &Clients, api: crate::aws::Api) -> Option<String> {
    match api {
        #[cfg(feature = "ecr")]
        crate::aws::Api::Ecr => clients.ecr.as_ref().and_then(|c| c.region()),
        #[cfg(feature = "secrets-manager")]
        crate::aws::Api::SecretsManager => {
            clients.secrets_manager.as_ref().and_then(|c| c.region())
        }
        #[cfg(feature = "ssm")]
        crate::aws::Api::Ssm => clients.ssm.as_ref().and_then(|c| c.region()),
        #[cfg(feature = "logs")]
        crate::aws::Api::Logs => clients.logs.as_ref().and_then(|c| c.region()),
        _ => {
            let _ = clients;
            None
        }
    }
}

/// Every target of `stack` (as its AWS JSON `doc`).
fn targets(doc: &Value) -> Targets {
    let mut targets = Targets::default();
    image::collect(doc, &mut targets);
    role::collect(doc, &mut targets);
    secret::collect(doc, &mut targets);
    log_group::collect(doc, &mut targets);
    target_group::collect(doc, &mut targets);
    namespace::collect(doc, &mut targets);
    targets.0.sort_by_key(|t| t.kind);
    targets
}

/// Looks at one target.
async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    match target.kind {
        CheckKind::Image => image::check(clients, target).await,
        CheckKind::ExecutionRole | CheckKind::TaskRole => role::check(clients, target).await,
        CheckKind::Secret => secret::check_secret(clients, target).await,
        CheckKind::Parameter => secret::check_parameter(clients, target).await,
        CheckKind::LogGroup => log_group::check(clients, target).await,
        CheckKind::TargetGroup => target_group::check(clients, target).await,
        CheckKind::Namespace | CheckKind::DiscoveryService => {
            namespace::check(clients, target).await
        }
    }
}

/// The outcome of a call that failed: skipped without a client, failed with AWS's code
/// otherwise; `Err` when no answer came (the verification stops).
fn failed_call(error: AwsError) -> Result<Found, AwsError> {
    match &error {
        AwsError::NoClient { operation } => Ok((
            Outcome::Skipped(format!(
                "no {} client (its cargo feature is off, or the deployer has none)",
                operation.api().name()
            )),
            None,
        )),
        AwsError::Transport { .. } => Err(error),
        _ => {
            let hint = match error.code() {
                Some(code) if code.contains("AccessDenied") || code == "UnauthorizedOperation" => {
                    Some(format!(
                        "the caller may not call {}: grant it, or verify with credentials that may",
                        error.operation()
                    ))
                }
                _ => None,
            };
            Ok((Outcome::Failed(format!("could not check: {error}")), hint))
        }
    }
}

/// Runs every check of `stack` through `clients`, at most `concurrency` calls at a time.
pub(crate) async fn verify_with(
    clients: &Clients,
    stack: &Stack,
    concurrency: usize,
) -> Result<Verification, VerifyError> {
    let doc = serde_json::to_value(stack).map_err(VerifyError::Stack)?;
    let targets = targets(&doc);
    let results: Vec<Result<Check, VerifyError>> = futures::stream::iter(targets.0)
        .map(|target| async move {
            let found = match check(clients, &target).await {
                Ok(found) => found,
                Err(error) => failed_call(error).map_err(|source| VerifyError::Aws {
                    subject: target.subject.clone(),
                    source,
                })?,
            };
            Ok(Check {
                kind: target.kind,
                subject: target.subject,
                paths: target.paths,
                outcome: found.0,
                hint: found.1,
            })
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let checks = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Verification { checks })
}

impl Deployer {
    /// Checks, without changing anything, that what `stack` names and does not create exists
    /// in AWS: ECR images, the task definitions' roles (and that they trust
    /// `ecs-tasks.amazonaws.com`), secrets and parameters, awslogs log groups, target groups
    /// and Cloud Map namespaces (see the [module](crate::verify)).
    ///
    /// A check of an API this deployer has no client for is skipped, saying so. `Err` only when
    /// a call got no answer from AWS.
    pub async fn verify(&self, stack: &Stack) -> Result<Verification, VerifyError> {
        verify_with(&self.clients(), stack, self.concurrency).await
    }
}
