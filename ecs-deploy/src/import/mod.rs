//! Import: a stack written from what exists in AWS, for services made in the console, by CDK
//! or Terraform, so that they can be planned, adopted ([`Options::adopt`](crate::Options::adopt))
//! and deployed from then on.
//!
//! [`import`] reads clusters, their services (all of them, or the ones named), the task
//! definition revisions those services run, and the clusters' Auto Scaling group capacity
//! providers (FARGATE and FARGATE_SPOT are AWS's: they only appear in a cluster's provider list
//! and strategies), and writes them as the stack's API inputs, the way a person would write
//! them:
//!
//! - output-only members are gone (the describe answers are rendered as inputs, as planning
//!   renders them), and so is every member whose value AWS fills in anyway: what the project's
//!   normalization cannot tell from absent is left out (see `tidy`);
//! - names where the stack format takes them: a service's `cluster` is the cluster's name and
//!   its `taskDefinition` the family, which planning resolves to the family's latest ACTIVE
//!   revision; ARNs stay where AWS compares them as written (roles, target groups, registries);
//! - no ownership tag (the stack adds its own) and no `aws:` tag (AWS reserves the prefix and
//!   refuses it in requests);
//! - environment values that look like secrets (the plan's own test,
//!   [`redact::is_secret_variable`](crate::redact::is_secret_variable)) are not written: the
//!   value becomes the variable reference `${NAME}`, which a JSON stack fills from `--var` or
//!   the environment when planned, and a [`Note::SecretVariable`] says which to set and
//!   suggests moving it to `secrets`. The value itself is never printed.
//!
//! Planning the imported stack against the same AWS then shows each resource as not managed
//! (it carries no tag of the stack), and with adoption as an update that adds the tag and
//! nothing else, when each service runs the latest ACTIVE revision of its family
//! ([`Note::OlderRevision`] says when one does not).
//!
//! [`to_rust`] writes the same stack as Rust code using the `ecs-dsl` macros.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::document::{Input, Kind, load};
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateServiceRequest, RegisterTaskDefinitionRequest, Tag,
};
use ecs_model::{Stack, normalize};
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::kinds::aws_reserved;
use crate::ownership::{STACK_TAG, owner};
use crate::state::{Existing, cluster_name, parse_task_definition, service_name};

mod rust;
mod tidy;

pub use rust::to_rust;

/// What to import.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ImportRequest {
    /// The clusters, by name or ARN.
    pub clusters: Vec<String>,
    /// The services to import, by name (`web`, in any of the clusters) or `CLUSTER/NAME`;
    /// empty for every ACTIVE service of the clusters.
    pub services: Vec<String>,
    /// The stack's name, written as the stack's `name` when given.
    pub name: Option<String>,
    /// At most this many calls at a time (8 by default).
    pub concurrency: usize,
}

impl ImportRequest {
    /// Every service of the cluster `cluster` (a name or an ARN).
    ///
    /// ```
    /// let request = ecs_deploy::import::ImportRequest::new("shop").service("web").name("shop");
    /// assert_eq!(request.clusters, ["shop"]);
    /// ```
    pub fn new(cluster: impl Into<String>) -> Self {
        Self {
            clusters: vec![cluster.into()],
            services: Vec::new(),
            name: None,
            concurrency: 8,
        }
    }

    /// Also the cluster `cluster`.
    pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
        self.clusters.push(cluster.into());
        self
    }

    /// Only the services named so (`NAME` or `CLUSTER/NAME`), rather than every one. Repeatable.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.services.push(service.into());
        self
    }

    /// The stack's name, written as its `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether the service `name` of `cluster` is asked for.
    fn wants(&self, cluster: &str, name: &str) -> bool {
        self.services.is_empty()
            || self
                .services
                .iter()
                .any(|s| s == name || s.split_once('/') == Some((cluster, name)))
    }
}

/// An imported stack, with what the reader should know about it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Imported {
    /// The stack.
    pub stack: Stack,
    /// What was changed on the way or needs attention, in the order found.
    pub notes: Vec<Note>,
}

/// Something an import says about the stack it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// An environment variable looked like a secret: its value was replaced by `${variable}`,
    /// to set when planning (or better, to move to `secrets`).
    SecretVariable {
        /// The task definition family.
        family: String,
        /// The container.
        container: String,
        /// The environment variable's name.
        name: String,
        /// The variable its value now refers to.
        variable: String,
    },
    /// A service runs a revision older than its family's latest ACTIVE one: the stack holds
    /// the revision it runs, which planning registers as a new revision and deploys.
    OlderRevision {
        /// The service (`CLUSTER/NAME`).
        service: String,
        /// The revision it runs (`family:N`).
        runs: String,
        /// The family's latest ACTIVE revision.
        latest: Option<i64>,
    },
    /// Services run different revisions of one family: the stack holds one definition per
    /// family, the newest one run.
    SeveralRevisions {
        /// The family.
        family: String,
        /// The revisions run (`family:N`).
        revisions: Vec<String>,
        /// The one imported.
        imported: String,
    },
    /// A resource carries the ownership tag of a stack other than the one named in the request
    /// (of any stack when none is named): importing it does not make it this stack's, and
    /// adopting never takes it.
    OtherStack {
        /// The resource (`service shop/web`).
        resource: String,
        /// The other stack.
        stack: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SecretVariable {
                family,
                container,
                name,
                variable,
            } => write!(
                f,
                "the environment variable {name} of container {container} (task definition \
                 {family}) looks like a secret: its value is not written, the stack says \
                 ${{{variable}}} instead; set {variable} when planning, or better move it to \
                 `secrets` (an SSM parameter or a Secrets Manager secret)"
            ),
            Self::OlderRevision {
                service,
                runs,
                latest,
            } => {
                write!(f, "service {service} runs {runs}")?;
                if let Some(latest) = latest {
                    write!(
                        f,
                        ", older than the family's latest ACTIVE revision {latest}"
                    )?;
                } else {
                    write!(f, ", which is no longer ACTIVE")?;
                }
                f.write_str(
                    "; the stack holds the definition it runs, which a plan registers as a new \
                     revision and deploys",
                )
            }
            Self::SeveralRevisions {
                family,
                revisions,
                imported,
            } => write!(
                f,
                "services run several revisions of {family} ({}); the stack holds one \
                 definition per family: {imported}'s",
                revisions.join(", ")
            ),
            Self::OtherStack { resource, stack } => write!(
                f,
                "{resource} already belongs to the stack `{stack}` ({STACK_TAG} tag): plan it as \
                 that stack (--name {stack}); another stack never adopts it"
            ),
        }
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A cluster asked for does not exist (or is not ACTIVE).
    #[error("the cluster `{0}` does not exist or is not ACTIVE")]
    ClusterNotFound(String),
    /// A service asked for by name does not exist (or is not ACTIVE) in any of the clusters.
    #[error("the service `{0}` is not an ACTIVE service of the clusters imported")]
    ServiceNotFound(String),
    /// The task definition a service runs could not be read.
    #[error("service {service} runs `{task_definition}`, which DescribeTaskDefinition cannot read")]
    TaskDefinitionNotFound {
        /// The service (`CLUSTER/NAME`).
        service: String,
        /// What it runs.
        task_definition: String,
    },
    /// Reading from AWS failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// Reads what `request` names from AWS and writes it as a stack: see the module documentation.
/// Nothing is changed in AWS.
pub async fn import(ecs: &Ecs, request: &ImportRequest) -> Result<Imported, ImportError> {
    let concurrency = request.concurrency.max(1);
    let mut notes = Vec::new();
    let names: BTreeSet<String> = request
        .clusters
        .iter()
        .map(|c| cluster_name(c).to_owned())
        .collect();
    let clusters = crate::kinds::cluster::observe(ecs, &names, concurrency).await?;
    if let Some(missing) = names.iter().find(|n| !clusters.contains_key(*n)) {
        return Err(ImportError::ClusterNotFound(missing.clone()));
    }

    // The services: the ones named, or every one ListServices lists (ACTIVE and DRAINING on
    // AWS; the describe below keeps the ACTIVE ones).
    let mut asked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for cluster in &names {
        let listed = if request.services.is_empty() {
            list_services(ecs, cluster).await?
        } else {
            request
                .services
                .iter()
                .map(|s| service_name(s).to_owned())
                .collect()
        };
        let wanted = listed.into_iter().filter(|s| request.wants(cluster, s));
        asked.entry(cluster.clone()).or_default().extend(wanted);
    }
    let services = crate::kinds::service::observe(ecs, &asked, concurrency).await?;
    for wanted in &request.services {
        let found = services
            .keys()
            .any(|(cluster, name)| request_names(wanted, cluster, name));
        if !found {
            return Err(ImportError::ServiceNotFound(wanted.clone()));
        }
    }

    // The revision each family is imported at: the newest one a service runs.
    let mut runs: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for ((cluster, name), existing) in services.iter() {
        let reference = existing.input.task_definition.clone().unwrap_or_default();
        let Some((family, revision)) = parse_task_definition(&reference) else {
            return Err(ImportError::TaskDefinitionNotFound {
                service: format!("{cluster}/{name}"),
                task_definition: reference,
            });
        };
        runs.entry(family.to_owned()).or_default().insert(revision);
    }
    let families: BTreeSet<String> = runs.keys().cloned().collect();
    let latest = crate::kinds::task_definition::observe(ecs, &families, concurrency).await?;
    let mut task_definitions = Vec::new();
    for (family, revisions) in &runs {
        let Some(&newest) = revisions.iter().next_back() else {
            continue;
        };
        let imported = format!("{family}:{newest}");
        if revisions.len() > 1 {
            notes.push(Note::SeveralRevisions {
                family: family.clone(),
                revisions: revisions.iter().map(|r| format!("{family}:{r}")).collect(),
                imported: imported.clone(),
            });
        }
        let td = match latest.get(family) {
            Some(existing) if existing.revision == Some(newest) => existing.input.clone(),
            _ => describe_revision(ecs, &imported).await?.ok_or_else(|| {
                ImportError::TaskDefinitionNotFound {
                    service: services
                        .iter()
                        .find(|(_, s)| {
                            s.input
                                .task_definition
                                .as_deref()
                                .and_then(parse_task_definition)
                                == Some((family.as_str(), newest))
                        })
                        .map(|((c, n), _)| format!("{c}/{n}"))
                        .unwrap_or_default(),
                    task_definition: imported.clone(),
                }
            })?,
        };
        task_definitions.push(td);
    }
    for ((cluster, name), existing) in services.iter() {
        let reference = existing.input.task_definition.clone().unwrap_or_default();
        if let Some((family, revision)) = parse_task_definition(&reference) {
            let newest = latest.get(family).and_then(|l| l.revision);
            if newest != Some(revision) {
                notes.push(Note::OlderRevision {
                    service: format!("{cluster}/{name}"),
                    runs: format!("{family}:{revision}"),
                    latest: newest,
                });
            }
        }
    }

    // The clusters' own capacity providers (not AWS's FARGATE and FARGATE_SPOT).
    let providers: BTreeSet<String> = clusters
        .values()
        .flat_map(|c| c.input.capacity_providers.clone().unwrap_or_default())
        .filter(|p| !matches!(p.as_str(), "FARGATE" | "FARGATE_SPOT"))
        .collect();
    let capacity_providers = if providers.is_empty() {
        BTreeMap::new()
    } else {
        crate::kinds::capacity_provider::observe(ecs, &providers, concurrency).await?
    };

    let ours = request.name.as_deref();
    let mut stack = Stack::default();
    for (name, existing) in &clusters {
        other_stack(
            &existing.input.tags,
            ours,
            format!("cluster {name}"),
            &mut notes,
        );
        let mut input = existing.input.clone();
        input.tags = kept_tags(&input.tags);
        stack
            .clusters
            .push(tidy::without_defaults(&input, normalize::cluster));
    }
    for (name, existing) in &capacity_providers {
        other_stack(
            &existing.input.tags,
            ours,
            format!("capacity provider {name}"),
            &mut notes,
        );
        stack.capacity_providers.push(capacity_provider(existing));
    }
    for td in task_definitions {
        let family = td.family.clone().unwrap_or_default();
        other_stack(
            &td.tags,
            ours,
            format!("task definition {family}"),
            &mut notes,
        );
        let mut input = td;
        input.tags = kept_tags(&input.tags);
        hide_secrets(&mut input, &mut notes);
        stack
            .task_definitions
            .push(tidy::without_defaults(&input, normalize::task_definition));
    }
    for ((cluster, name), existing) in services.iter() {
        other_stack(
            &existing.input.tags,
            ours,
            format!("service {cluster}/{name}"),
            &mut notes,
        );
        stack.services.push(service(cluster, &existing.input));
    }
    if let Some(name) = &request.name {
        stack = named(stack, name);
    }
    Ok(Imported { stack, notes })
}

/// Whether `wanted` (`NAME` or `CLUSTER/NAME`) names the service `name` of `cluster`.
fn request_names(wanted: &str, cluster: &str, name: &str) -> bool {
    wanted == name || wanted.split_once('/') == Some((cluster, name))
}

/// The names of the services ListServices lists in `cluster`, every page.
///
/// ListServices (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html>)
/// answers up to `maxResults` (1 to 100; 10 when not given) ARNs per page, with a `nextToken`
/// while more remain, and `ClusterNotFoundException` for a cluster it does not have.
async fn list_services(ecs: &Ecs, cluster: &str) -> Result<Vec<String>, AwsError> {
    let arns = crate::observe::list_all(
        ecs,
        Operation::ListServices,
        json!({"cluster": cluster, "maxResults": 100}),
        "serviceArns",
    )
    .await?;
    Ok(arns.iter().map(|a| service_name(a).to_owned()).collect())
}

/// The revision `reference` (`family:N`), whatever its status, as its RegisterTaskDefinition
/// input with its tags; `None` when ECS does not have it.
///
/// A service may run a revision deregistered since: DescribeTaskDefinition
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html>)
/// describes "INACTIVE task definitions while an active task or service references them", and
/// answers `ClientException` for a revision it does not have (which `is_not_found` reads).
async fn describe_revision(
    ecs: &Ecs,
    reference: &str,
) -> Result<Option<RegisterTaskDefinitionRequest>, AwsError> {
    let response = match ecs
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": reference, "include": ["TAGS"]}),
        )
        .await
    {
        Ok(response) => response,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let document = load(&response, Some(Kind::TaskDefinition)).value;
    Ok(document.and_then(|d| {
        d.inputs().into_iter().find_map(|(_, input)| match input {
            Input::TaskDefinition(td) => Some(td),
            _ => None,
        })
    }))
}

/// The capacity provider as the stack writes it.
fn capacity_provider(
    existing: &Existing<CreateCapacityProviderRequest>,
) -> CreateCapacityProviderRequest {
    let mut input = existing.input.clone();
    input.tags = kept_tags(&input.tags);
    tidy::without_defaults(&input, normalize::capacity_provider)
}

/// The service as the stack writes it: its cluster by name, its task definition by family.
fn service(cluster: &str, described: &CreateServiceRequest) -> CreateServiceRequest {
    let mut input = described.clone();
    input.cluster = Some(cluster.to_owned());
    if let Some((family, _)) = input
        .task_definition
        .as_deref()
        .and_then(parse_task_definition)
    {
        input.task_definition = Some(family.to_owned());
    }
    input.tags = kept_tags(&input.tags);
    tidy::without_defaults(&input, normalize::service)
}

/// `tags` without the ownership tag and AWS's own (`aws:...`).
fn kept_tags(tags: &Option<Vec<Tag>>) -> Option<Vec<Tag>> {
    let kept: Vec<Tag> = tags
        .iter()
        .flatten()
        .filter(|t| {
            let key = t.key.as_deref().unwrap_or_default();
            key != STACK_TAG && !aws_reserved(key)
        })
        .cloned()
        .collect();
    (!kept.is_empty()).then_some(kept)
}

/// Notes a resource carrying the tag of a stack other than `ours`.
fn other_stack(
    tags: &Option<Vec<Tag>>,
    ours: Option<&str>,
    resource: String,
    notes: &mut Vec<Note>,
) {
    if let Some(stack) = owner(tags.as_deref())
        && Some(stack) != ours
    {
        notes.push(Note::OtherStack {
            resource,
            stack: stack.to_owned(),
        });
    }
}

/// Replaces the environment values that look like secrets with variable references.
fn hide_secrets(td: &mut RegisterTaskDefinitionRequest, notes: &mut Vec<Note>) {
    let family = td.family.clone().unwrap_or_default();
    for container in td.container_definitions.iter_mut().flatten() {
        let container_name = container.name.clone().unwrap_or_default();
        for variable in container.environment.iter_mut().flatten() {
            let (Some(name), Some(value)) = (&variable.name, &variable.value) else {
                continue;
            };
            if value.is_empty() || !crate::redact::is_secret_variable(name, value) {
                continue;
            }
            let reference = variable_name(name);
            variable.value = Some(format!("${{{reference}}}"));
            let note = Note::SecretVariable {
                family: family.clone(),
                container: container_name.clone(),
                name: name.clone(),
                variable: reference,
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
}

/// A variable name for the environment variable `name`: upper-case letters, digits and `_`,
/// not starting with a digit.
fn variable_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `stack` with the name `name`, as the stack file's `name` member.
fn named(stack: Stack, name: &str) -> Stack {
    let mut json = crate::plan::to_json(&stack);
    let Value::Object(members) = &mut json else {
        return stack;
    };
    members.shift_insert(0, "name".to_owned(), Value::String(name.to_owned()));
    ecs_model::load::from_value::<Stack>(&json)
        .value
        .unwrap_or(stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_are_shell_names() {
        assert_eq!(variable_name("DB_PASSWORD"), "DB_PASSWORD");
        assert_eq!(variable_name("db-password"), "DB_PASSWORD");
        assert_eq!(variable_name("1TOKEN"), "_1TOKEN");
    }

    #[test]
    fn secrets_become_variables_and_the_notes_never_hold_the_value() {
        let mut td: RegisterTaskDefinitionRequest = ecs_model::load::from_value(&json!({
            "family": "web",
            "containerDefinitions": [{"name": "web", "image": "nginx", "environment": [
                {"name": "MODE", "value": "production"},
                {"name": "DB_PASSWORD", "value": "hunter2"},
                {"name": "DATABASE_URL", "value": "postgres://app:s3cret@db:5432/app"},
                {"name": "API_TOKEN", "value": ""}
            ]}]
        }))
        .value
        .expect("a task definition");
        let mut notes = Vec::new();
        hide_secrets(&mut td, &mut notes);
        let environment =
            crate::plan::to_json(&td)["containerDefinitions"][0]["environment"].clone();
        assert_eq!(
            environment,
            json!([
                {"name": "MODE", "value": "production"},
                {"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"},
                {"name": "DATABASE_URL", "value": "${DATABASE_URL}"},
                {"name": "API_TOKEN", "value": ""}
            ])
        );
        assert_eq!(notes.len(), 2);
        for note in &notes {
            let text = note.to_string();
            assert!(
                !text.contains("hunter2") && !text.contains("s3cret"),
                "{text}"
            );
            assert!(text.contains("secrets"), "{text}");
        }
    }

    #[test]
    fn the_ownership_and_aws_tags_are_not_imported() {
        let tags: Option<Vec<Tag>> = ecs_model::load::from_value(&json!([
            {"key": STACK_TAG, "value": "other"},
            {"key": "aws:cloudformation:stack-name", "value": "cdk"},
            {"key": "team", "value": "web"}
        ]))
        .value;
        let kept = kept_tags(&tags).expect("one tag");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].key.as_deref(), Some("team"));
        let mut notes = Vec::new();
        other_stack(&tags, Some("other"), "service shop/web".into(), &mut notes);
        assert!(notes.is_empty(), "the stack's own: {notes:?}");
        other_stack(&tags, Some("shop"), "service shop/web".into(), &mut notes);
        assert_eq!(
            notes,
            [Note::OtherStack {
                resource: "service shop/web".into(),
                stack: "other".into()
            }]
        );
    }

    #[test]
    fn a_described_service_is_written_by_names() {
        let described: CreateServiceRequest = ecs_model::load::from_value(&json!({
            "serviceName": "web",
            "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/shop",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
            "desiredCount": 2, "launchType": "FARGATE", "platformVersion": "LATEST",
            "propagateTags": "NONE", "tags": [{"key": "aws:ecs:clusterName", "value": "shop"}]
        }))
        .value
        .expect("a service");
        assert_eq!(
            crate::plan::to_json(&service("shop", &described)),
            json!({"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                   "desiredCount": 2, "launchType": "FARGATE"})
        );
    }
}
