//! Planning: the desired stack against the actual state, as a list of changes with field-level
//! differences. Pure data: no AWS call happens here, so every case is a unit test.
//!
//! Both sides are put in the same form first: the actual resources (describe outputs) are
//! rendered back into the API inputs that would create them, and both are normalized with
//! `ecs_model::normalize`, which fills in AWS's defaults. So a member AWS defaults never shows
//! as a change, and an unchanged stack plans to no change at all.

use std::collections::BTreeMap;

use ecs_model::normalize;
use ecs_model::types::{
    CreateClusterRequest, CreateServiceRequest, RegisterTaskDefinitionRequest, Tag,
};
use ecs_model::{JsonPath, Stack};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::aws::Operation;
use crate::diff::{FieldDiff, diff, get};

/// The tag that marks a resource as managed by a stack of this tool; its value is the stack's
/// name. Resources without it are never changed or deleted.
pub const STACK_TAG: &str = "ecs-rs:stack";

/// How to plan.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The stack's name: the value of the [`STACK_TAG`] on every resource it creates.
    pub stack: String,
    /// Members whose actual value is kept, because someone else owns them.
    pub leave: Vec<Leave>,
}

impl Options {
    /// Options for the stack `name`, owning every member.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            stack: name.into(),
            leave: Vec::new(),
        }
    }

    /// Leaves a member to someone else.
    pub fn leave(mut self, leave: Leave) -> Self {
        self.leave.push(leave);
        self
    }
}

/// A member the stack leaves to someone else: planning keeps its actual value and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Leave {
    /// Services' `desiredCount`, owned by Application Auto Scaling: every service, or the one
    /// named.
    DesiredCount {
        /// The service's name; `None` for every service.
        service: Option<String>,
    },
    /// Containers' `image`, owned by a CI pipeline that deploys new images: every container
    /// of every task definition, or one family, or one container of it.
    Image {
        /// The task definition family; `None` for every family.
        family: Option<String>,
        /// The container's name; `None` for every container.
        container: Option<String>,
    },
}

/// What AWS has now, for the resources the stack names.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Actual {
    /// ACTIVE clusters by name.
    pub clusters: BTreeMap<String, Existing<CreateClusterRequest>>,
    /// The latest ACTIVE revision of each family.
    pub task_definitions: BTreeMap<String, Existing<RegisterTaskDefinitionRequest>>,
    /// ACTIVE services by cluster name and service name.
    pub services: BTreeMap<(String, String), Existing<CreateServiceRequest>>,
}

/// A resource that exists, rendered as the API input that would create it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Existing<T> {
    /// Its ARN.
    pub arn: String,
    /// The input that would create it as it is (tags included).
    pub input: T,
    /// For a task definition, its revision.
    pub revision: Option<i64>,
}

impl<T> Existing<T> {
    /// A resource that exists.
    pub fn new(arn: impl Into<String>, input: T) -> Self {
        Self {
            arn: arn.into(),
            input,
            revision: None,
        }
    }
}

/// Which resource a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Address {
    /// A cluster, by name.
    Cluster {
        /// Its name.
        name: String,
    },
    /// A task definition family.
    TaskDefinition {
        /// The family.
        family: String,
    },
    /// A service, by cluster and name.
    Service {
        /// Its cluster's name.
        cluster: String,
        /// Its name.
        name: String,
    },
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cluster { name } => write!(f, "cluster {name}"),
            Self::TaskDefinition { family } => write!(f, "task definition {family}"),
            Self::Service { cluster, name } => write!(f, "service {cluster}/{name}"),
        }
    }
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// Nothing: AWS already matches.
    NoChange,
    /// Created.
    Create,
    /// A new revision of the task definition is registered.
    Register,
    /// Updated in place.
    Update,
    /// Updated in place, which starts a new deployment of the service's tasks.
    UpdateAndDeploy,
    /// Deleted and created again: a member that cannot be updated changes.
    Replace,
    /// Left alone: it exists but this stack does not manage it (no ownership tag, or another
    /// stack's).
    NotManaged,
}

/// A member kept at its actual value because someone else owns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Kept {
    /// Where, from the resource's root.
    #[serde(serialize_with = "path_string")]
    pub path: JsonPath,
    /// The actual value, kept.
    pub value: Value,
    /// Who owns it, in words: "autoscaling", "CI".
    pub owner: &'static str,
}

fn path_string<S: serde::Serializer>(path: &JsonPath, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string())
}

/// One API call of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// The operation.
    pub operation: Operation,
    /// Its input, as AWS JSON.
    pub input: Value,
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The change to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The resource.
    pub address: Address,
    /// What happens to it.
    pub action: Action,
    /// The members that change, from the resource's root (every member for a creation).
    pub fields: Vec<FieldDiff>,
    /// The members kept at their actual value because someone else owns them.
    pub kept: Vec<Kept>,
    /// Why, when the action needs a reason (a replacement, a resource not managed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The calls that carry it out, in order.
    pub steps: Vec<Step>,
    /// For a service update that starts a deployment: the call that puts the service back on
    /// the revision it runs now, should the deployment fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Step>,
}

/// The changes that make AWS match a stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The stack's name.
    pub stack: String,
    /// Every resource of the stack, in apply order: clusters, task definitions, services.
    pub changes: Vec<Change>,
}

impl Plan {
    /// Whether applying the plan would change anything.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoChange | Action::NotManaged))
    }

    /// How many resources each action touches.
    pub fn summary(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for change in &self.changes {
            let key = match change.action {
                Action::NoChange => "unchanged",
                Action::Create => "create",
                Action::Register => "register",
                Action::Update | Action::UpdateAndDeploy => "update",
                Action::Replace => "replace",
                Action::NotManaged => "not managed",
            };
            *out.entry(key).or_default() += 1;
        }
        out
    }
}

/// Plans the changes that make `actual` match `desired`.
pub fn plan(desired: &Stack, actual: &Actual, options: &Options) -> Plan {
    let mut changes = Vec::new();
    for cluster in &desired.clusters {
        changes.push(plan_cluster(cluster, actual, options));
    }
    let mut registering = Vec::new();
    for td in &desired.task_definitions {
        let change = plan_task_definition(td, actual, options);
        if change.action == Action::Register || change.action == Action::Create {
            registering.push(td.family.clone().unwrap_or_default());
        }
        changes.push(change);
    }
    for service in &desired.services {
        changes.push(plan_service(service, actual, options, &registering));
    }
    Plan {
        stack: options.stack.clone(),
        changes,
    }
}

/// `tags` with the stack's ownership tag set.
fn owned_tags(tags: &Option<Vec<Tag>>, options: &Options) -> Vec<Tag> {
    let mut out: Vec<Tag> = tags
        .iter()
        .flatten()
        .filter(|t| t.key.as_deref() != Some(STACK_TAG))
        .cloned()
        .collect();
    let mut tag = Tag::default();
    tag.key = Some(STACK_TAG.to_owned());
    tag.value = Some(options.stack.clone());
    out.push(tag);
    out
}

/// Whether `tags` say this stack manages the resource; the reason when not.
fn ownership(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), String> {
    let owner = tags
        .iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.clone());
    match owner {
        Some(stack) if stack == options.stack => Ok(()),
        Some(stack) => Err(format!(
            "it belongs to the stack `{stack}` ({STACK_TAG} tag)"
        )),
        None => Err(format!(
            "it exists without the {STACK_TAG} tag, so another tool or person manages it"
        )),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Sorts `tags` by key so their order never shows as a change.
fn sort_tags(value: &mut Value) {
    if let Some(Value::Array(tags)) = value.get_mut("tags") {
        tags.sort_by(|a, b| {
            a.get("key")
                .map(Value::to_string)
                .cmp(&b.get("key").map(Value::to_string))
        });
    }
}

fn creation(address: Address, operation: Operation, input: Value) -> Change {
    let fields = diff(&Value::Object(Map::new()), &input);
    Change {
        address,
        action: Action::Create,
        fields,
        kept: Vec::new(),
        reason: None,
        steps: vec![Step { operation, input }],
        rollback: None,
    }
}

fn not_managed(address: Address, reason: String) -> Change {
    Change {
        address,
        action: Action::NotManaged,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(format!("not changed: {reason}")),
        steps: Vec::new(),
        rollback: None,
    }
}

fn plan_cluster(desired: &CreateClusterRequest, actual: &Actual, options: &Options) -> Change {
    let name = desired.cluster_name.clone().unwrap_or_default();
    let address = Address::Cluster { name: name.clone() };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.clusters.get(&name) else {
        return creation(address, Operation::CreateCluster, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    // What the stack does not set is AWS's to decide: `settings` default to the account's
    // containerInsights setting, which no request shows, so an unset member keeps its value.
    if wanted.settings.is_none() {
        wanted.settings = existing.input.settings.clone();
    }
    if wanted.configuration.is_none() {
        wanted.configuration = existing.input.configuration.clone();
    }
    if wanted.service_connect_defaults.is_none() {
        wanted.service_connect_defaults = existing.input.service_connect_defaults.clone();
    }
    normalize::cluster(&mut wanted);
    let mut have = existing.input.clone();
    normalize::cluster(&mut have);
    let (mut wanted, mut have) = (to_json(&wanted), to_json(&have));
    sort_tags(&mut wanted);
    sort_tags(&mut have);
    let fields = diff(&have, &wanted);
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if ["settings", "configuration", "serviceConnectDefaults"]
        .iter()
        .any(|m| changed(m))
    {
        let mut input = json!({"cluster": name});
        copy_members(
            &wanted,
            &mut input,
            &["settings", "configuration", "serviceConnectDefaults"],
        );
        steps.push(Step {
            operation: Operation::UpdateCluster,
            input,
        });
    }
    if changed("capacityProviders") || changed("defaultCapacityProviderStrategy") {
        steps.push(Step {
            operation: Operation::PutClusterCapacityProviders,
            input: json!({
                "cluster": name,
                "capacityProviders": wanted.get("capacityProviders").cloned().unwrap_or(json!([])),
                "defaultCapacityProviderStrategy":
                    wanted.get("defaultCapacityProviderStrategy").cloned().unwrap_or(json!([])),
            }),
        });
    }
    if changed("tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted.get("tags")}),
        });
    }
    updated(address, fields, Vec::new(), steps, false)
}

fn updated(
    address: Address,
    fields: Vec<FieldDiff>,
    kept: Vec<Kept>,
    steps: Vec<Step>,
    deploys: bool,
) -> Change {
    let action = if fields.is_empty() {
        Action::NoChange
    } else if deploys {
        Action::UpdateAndDeploy
    } else {
        Action::Update
    };
    Change {
        address,
        action,
        fields,
        kept,
        reason: None,
        steps: if action == Action::NoChange {
            Vec::new()
        } else {
            steps
        },
        rollback: None,
    }
}

/// The first key of `path`: the top-level member a difference is in.
fn top(path: &JsonPath) -> &str {
    match path.segments().first() {
        Some(ecs_model::PathSegment::Key(key)) => key,
        _ => "",
    }
}

fn copy_members(from: &Value, to: &mut Value, members: &[&str]) {
    for member in members {
        if let (Some(value), Some(object)) = (from.get(*member), to.as_object_mut()) {
            object.insert((*member).to_owned(), value.clone());
        }
    }
}

fn plan_task_definition(
    desired: &RegisterTaskDefinitionRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let family = desired.family.clone().unwrap_or_default();
    let address = Address::TaskDefinition {
        family: family.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.task_definitions.get(&family) else {
        return creation(address, Operation::RegisterTaskDefinition, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    let kept = leave_images(&mut wanted, &existing.input, &family, options);
    let mut request = wanted.clone();
    normalize::task_definition(&mut wanted);
    let mut have = existing.input.clone();
    normalize::task_definition(&mut have);
    let (mut wanted_json, mut have_json) = (to_json(&wanted), to_json(&have));
    sort_tags(&mut wanted_json);
    sort_tags(&mut have_json);
    let fields = diff(&have_json, &wanted_json);
    if fields.is_empty() {
        return updated(address, fields, kept, Vec::new(), false);
    }
    request.tags = wanted.tags.clone();
    Change {
        address,
        action: Action::Register,
        fields,
        kept,
        reason: existing
            .revision
            .map(|r| format!("revision {r} differs; a new revision is registered")),
        steps: vec![Step {
            operation: Operation::RegisterTaskDefinition,
            input: to_json(&request),
        }],
        rollback: None,
    }
}

/// Copies the actual image of each container left to CI into `wanted`.
fn leave_images(
    wanted: &mut RegisterTaskDefinitionRequest,
    have: &RegisterTaskDefinitionRequest,
    family: &str,
    options: &Options,
) -> Vec<Kept> {
    let mut kept = Vec::new();
    let Some(containers) = wanted.container_definitions.as_mut() else {
        return kept;
    };
    for (index, container) in containers.iter_mut().enumerate() {
        let name = container.name.clone().unwrap_or_default();
        let left = options.leave.iter().any(|l| {
            matches!(l, Leave::Image { family: f, container: c }
                if f.as_deref().is_none_or(|f| f == family)
                    && c.as_deref().is_none_or(|c| c == name))
        });
        let actual = have
            .container_definitions
            .iter()
            .flatten()
            .find(|c| c.name.as_deref() == Some(name.as_str()))
            .and_then(|c| c.image.clone());
        if let (true, Some(image)) = (left, actual) {
            container.image = Some(image.clone());
            kept.push(Kept {
                path: JsonPath::root()
                    .key("containerDefinitions")
                    .index(index)
                    .key("image"),
                value: Value::String(image),
                owner: "CI",
            });
        }
    }
    kept
}

/// Members of a service that UpdateService cannot change: a change means a new service.
const IMMUTABLE_SERVICE_MEMBERS: &[&str] = &[
    "serviceName",
    "cluster",
    "schedulingStrategy",
    "launchType",
    "role",
    "deploymentController",
];

/// Members whose change starts a new deployment of the service's tasks.
const DEPLOYING_SERVICE_MEMBERS: &[&str] = &[
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "enableExecuteCommand",
];

fn plan_service(
    desired: &CreateServiceRequest,
    actual: &Actual,
    options: &Options,
    registering: &[String],
) -> Change {
    let cluster = desired
        .cluster
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let name = desired.service_name.clone().unwrap_or_default();
    let address = Address::Service {
        cluster: cluster.clone(),
        name: name.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.services.get(&(cluster.clone(), name.clone())) else {
        return creation(address, Operation::CreateService, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }

    // The service names its task definition by family; compare with the revision it will run.
    let family = wanted.task_definition.clone().unwrap_or_default();
    let target_arn = actual
        .task_definitions
        .get(&family)
        .map_or(family.clone(), |td| td.arn.clone());
    let target = if registering.contains(&family) {
        format!("{family}:(new revision)")
    } else {
        target_arn.clone()
    };
    let mut kept = Vec::new();
    let leave_count = options.leave.iter().any(|l| {
        matches!(l, Leave::DesiredCount { service } if service.as_deref().is_none_or(|s| s == name))
    });
    if leave_count && let Some(count) = existing.input.desired_count {
        wanted.desired_count = Some(count);
        kept.push(Kept {
            path: JsonPath::root().key("desiredCount"),
            value: Value::from(count),
            owner: "autoscaling",
        });
    }
    let mut request = wanted.clone();
    wanted.task_definition = Some(target);
    wanted.cluster = Some(cluster.clone());
    normalize::service(&mut wanted);
    let mut have = existing.input.clone();
    have.cluster = Some(cluster.clone());
    normalize::service(&mut have);
    let (mut wanted_json, mut have_json) = (to_json(&wanted), to_json(&have));
    sort_tags(&mut wanted_json);
    sort_tags(&mut have_json);
    let fields = diff(&have_json, &wanted_json);

    if let Some(member) = fields
        .iter()
        .map(|f| top(&f.path))
        .find(|m| IMMUTABLE_SERVICE_MEMBERS.contains(m))
    {
        return Change {
            address,
            action: Action::Replace,
            reason: Some(format!(
                "`{member}` cannot be changed on an existing service"
            )),
            fields,
            kept,
            steps: vec![
                Step {
                    operation: Operation::DeleteService,
                    input: json!({"cluster": cluster, "service": name, "force": true}),
                },
                Step {
                    operation: Operation::CreateService,
                    input: to_json(&request),
                },
            ],
            rollback: None,
        };
    }

    let deploys = fields
        .iter()
        .any(|f| DEPLOYING_SERVICE_MEMBERS.contains(&top(&f.path)));
    let mut steps = Vec::new();
    let update_members: Vec<&str> = fields
        .iter()
        .map(|f| top(&f.path))
        .filter(|m| *m != "tags")
        .collect();
    if !update_members.is_empty() {
        request.cluster = Some(cluster.clone());
        let request_json = to_json(&request);
        let mut input = json!({"cluster": cluster, "service": name});
        let mut members: Vec<&str> = update_members.clone();
        members.dedup();
        copy_members(&request_json, &mut input, &members);
        if members.contains(&"taskDefinition") || deploys {
            // The revision to run: the latest ACTIVE one's ARN, or, when this plan registers a
            // new revision, the family, which apply replaces with the ARN it registered.
            input["taskDefinition"] = Value::String(if registering.contains(&family) {
                family.clone()
            } else {
                target_arn.clone()
            });
        }
        // A member removed from the stack is sent as its AWS default (normalized form).
        for member in &members {
            if get(&input, &JsonPath::root().key(*member)).is_none()
                && let Some(default) = wanted_json.get(*member)
                && let Some(object) = input.as_object_mut()
            {
                object.insert((*member).to_owned(), default.clone());
            }
        }
        steps.push(Step {
            operation: Operation::UpdateService,
            input,
        });
    }
    if fields.iter().any(|f| top(&f.path) == "tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted_json.get("tags")}),
        });
    }
    let mut change = updated(address, fields, kept, steps, deploys);
    if change.action == Action::UpdateAndDeploy
        && let Some(previous) = existing.input.task_definition.clone()
    {
        change.rollback = Some(Step {
            operation: Operation::UpdateService,
            input: json!({"cluster": cluster, "service": name, "taskDefinition": previous}),
        });
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecs_model::load::from_value;

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn webserver(image: &str) -> Value {
        json!({
            "family": "webserver",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        })
    }

    fn existing_td(image: &str, stack_name: &str) -> Existing<RegisterTaskDefinitionRequest> {
        let mut input: RegisterTaskDefinitionRequest =
            from_value(&webserver(image)).value.expect("td");
        input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
        Existing {
            arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3".into(),
            input,
            revision: Some(3),
        }
    }

    #[test]
    fn a_new_family_is_registered_with_the_ownership_tag() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let plan = plan(&desired, &Actual::default(), &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Create);
        assert_eq!(change.steps[0].operation, Operation::RegisterTaskDefinition);
        assert_eq!(change.steps[0].input["tags"][0]["key"], STACK_TAG);
        assert!(plan.has_changes());
    }

    #[test]
    fn an_unchanged_definition_plans_no_change_despite_aws_defaults() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        let mut have = existing_td("nginx:1.27", "demo");
        // AWS fills these in; normalization makes them equal to the defaults the stack omits.
        if let Some(c) = have.input.container_definitions.as_mut() {
            c[0].essential = Some(true);
            c[0].cpu = Some(0);
            c[0].environment = Some(Vec::new());
        }
        actual.task_definitions.insert("webserver".into(), have);
        let plan = plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(
            plan.changes[0].action,
            Action::NoChange,
            "{:#?}",
            plan.changes[0].fields
        );
        assert!(!plan.has_changes());
    }

    #[test]
    fn an_image_bump_is_one_field() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.26", "demo"));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Register);
        assert_eq!(change.fields.len(), 1);
        assert_eq!(
            change.fields[0].path.to_string(),
            "containerDefinitions[0].image"
        );
    }

    #[test]
    fn an_image_left_to_ci_is_kept_and_said() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:ci-build-42", "demo"));
        let options = Options::new("demo").leave(Leave::Image {
            family: None,
            container: Some("web".into()),
        });
        let plan = plan(&desired, &actual, &options);
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(plan.changes[0].kept[0].value, json!("nginx:ci-build-42"));
    }

    #[test]
    fn resources_of_others_are_not_managed() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.26", "other"));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::NotManaged);
        assert!(plan.changes[0].steps.is_empty());
        assert!(!plan.has_changes());
    }

    fn service_stack(extra: Value) -> Stack {
        let mut service = json!({
            "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
            "desiredCount": 2
        });
        if let (Some(s), Some(e)) = (service.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        stack(json!({"services": [service]}))
    }

    fn actual_service(count: i32, stack_name: &str) -> Actual {
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.27", stack_name));
        let mut input: CreateServiceRequest = from_value(&json!({
            "serviceName": "web",
            "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            "desiredCount": count
        }))
        .value
        .expect("service");
        input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
        actual.services.insert(
            ("demo".into(), "web".into()),
            Existing::new("arn:aws:ecs:us-east-1:123456789012:service/demo/web", input),
        );
        actual
    }

    #[test]
    fn a_service_matching_its_latest_revision_plans_no_change() {
        let plan = plan(
            &service_stack(json!({})),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(
            plan.changes[0].action,
            Action::NoChange,
            "{:#?}",
            plan.changes[0].fields
        );
    }

    #[test]
    fn a_desired_count_left_to_autoscaling_is_not_reverted() {
        let options = Options::new("demo").leave(Leave::DesiredCount { service: None });
        let plan = plan(
            &service_stack(json!({})),
            &actual_service(7, "demo"),
            &options,
        );
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(plan.changes[0].kept[0].owner, "autoscaling");
        let owned = super::plan(
            &service_stack(json!({})),
            &actual_service(7, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(owned.changes[0].action, Action::Update);
        assert_eq!(owned.changes[0].steps[0].input["desiredCount"], 2);
    }

    #[test]
    fn a_new_revision_updates_the_service_to_the_family() {
        let mut desired = service_stack(json!({}));
        desired
            .task_definitions
            .push(from_value(&webserver("nginx:1.28")).value.expect("td"));
        let plan = plan(&desired, &actual_service(2, "demo"), &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::Register);
        let service = &plan.changes[1];
        assert_eq!(service.action, Action::UpdateAndDeploy);
        assert_eq!(service.steps[0].input["taskDefinition"], "webserver");
        let rollback = service.rollback.as_ref().expect("a rollback step");
        assert_eq!(
            rollback.input["taskDefinition"],
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3"
        );
    }

    #[test]
    fn an_immutable_member_means_replacement() {
        let plan = plan(
            &service_stack(json!({"schedulingStrategy": "DAEMON", "desiredCount": null})),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(plan.changes[0].action, Action::Replace);
        assert!(
            plan.changes[0]
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("schedulingStrategy")
        );
    }
}
