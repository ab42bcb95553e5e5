//! The stack file: AWS API inputs grouped by kind.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::autoscaling::{
    PutScalingPolicyRequest, PutScheduledActionRequest, RegisterScalableTargetRequest,
};
use crate::cloud_map::{
    CreateHttpNamespaceRequest, CreatePrivateDnsNamespaceRequest,
    CreateServiceRequest as CreateDiscoveryServiceRequest,
};
use crate::load::{FromJson, Loader};
use crate::load_balancing::{CreateRuleInput, CreateTargetGroupInput};
use crate::scheduler::CreateScheduleInput;
use crate::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

/// A stack: the clusters, capacity providers, task definitions and services to deploy together,
/// each written as the AWS API input that creates it.
///
/// ```json
/// {
///   "clusters": [ { "clusterName": "demo" } ],
///   "taskDefinitions": [ { "family": "web", "containerDefinitions": [ ... ] } ],
///   "services": [ { "serviceName": "web", "cluster": "demo", "taskDefinition": "web" } ]
/// }
/// ```
///
/// Services name their cluster by name and their task definition by family; anyone with an
/// existing `task-definition.json` can paste it in unchanged.
///
/// Beside the ECS resources, a stack may hold what ECS services link to, each again as the input
/// of the AWS API that creates it, with that API's member names (`Name`, `DnsConfig`):
///
/// - `namespaces`: AWS Cloud Map namespaces, CreatePrivateDnsNamespace inputs (those with a
///   `Vpc`) or CreateHttpNamespace inputs ([`Namespace`]);
/// - `discoveryServices`: Cloud Map services, the inputs of its CreateService;
/// - `targetGroups`: Elastic Load Balancing v2 CreateTargetGroup inputs;
/// - `listenerRules`: Elastic Load Balancing v2 CreateRule inputs, the listener rules that
///   forward to the target groups (a `ListenerArn` may be `name:LOAD-BALANCER:PORT`, a forward
///   action's target group the name of one of `targetGroups`);
/// - `scaling`: Application Auto Scaling inputs for services ([`Scaling`]);
/// - `scheduledTasks`: EventBridge Scheduler CreateSchedule inputs.
///
/// A stack may also carry its own `name` (`"name": "shop"`): the value of the ownership tag
/// that marks the resources it manages, so that the same stack applied from two files (a
/// `stack.json` and a generated `build/stack.json`) is one stack. The rule `stack-name` checks
/// that it can be a tag value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Stack {
    /// The stack's name: the value of the ownership tag on every resource the stack manages
    /// (`ecs-rs:stack`). Optional in the file; a deploy tool that is given a name of its own
    /// (the CLI's `--name`, `ecs_deploy::Options::new`) uses that one.
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// CreateCluster inputs.
    #[serde(rename = "clusters", skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<CreateClusterRequest>,
    /// CreateCapacityProvider inputs (Auto Scaling group or managed instances providers).
    #[serde(rename = "capacityProviders", skip_serializing_if = "Vec::is_empty")]
    pub capacity_providers: Vec<CreateCapacityProviderRequest>,
    /// RegisterTaskDefinition inputs.
    #[serde(rename = "taskDefinitions", skip_serializing_if = "Vec::is_empty")]
    pub task_definitions: Vec<RegisterTaskDefinitionRequest>,
    /// CreateService inputs.
    #[serde(rename = "services", skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<CreateServiceRequest>,
    /// AWS Cloud Map namespaces.
    #[serde(rename = "namespaces", skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<Namespace>,
    /// AWS Cloud Map CreateService inputs: the discovery services ECS services register in.
    #[serde(rename = "discoveryServices", skip_serializing_if = "Vec::is_empty")]
    pub discovery_services: Vec<CreateDiscoveryServiceRequest>,
    /// Elastic Load Balancing v2 CreateTargetGroup inputs.
    #[serde(rename = "targetGroups", skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<CreateTargetGroupInput>,
    /// Elastic Load Balancing v2 CreateRule inputs: listener rules, which attach the target
    /// groups to a load balancer.
    #[serde(rename = "listenerRules", skip_serializing_if = "Vec::is_empty")]
    pub listener_rules: Vec<CreateRuleInput>,
    /// Application Auto Scaling of the stack's services.
    #[serde(rename = "scaling", skip_serializing_if = "Scaling::is_empty")]
    pub scaling: Scaling,
    /// EventBridge Scheduler CreateSchedule inputs: tasks run on a schedule.
    #[serde(rename = "scheduledTasks", skip_serializing_if = "Vec::is_empty")]
    pub scheduled_tasks: Vec<CreateScheduleInput>,
    /// Members of the stack file this version does not know, kept and written back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An AWS Cloud Map namespace of a stack: private DNS (in a VPC) or HTTP only.
///
/// In the stack file both are written as the input of the API that creates them; an entry with
/// a `Vpc` member is a CreatePrivateDnsNamespace input, one without a CreateHttpNamespace input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Namespace {
    /// A private DNS namespace: names resolve inside its VPC.
    PrivateDns(Box<CreatePrivateDnsNamespaceRequest>),
    /// An HTTP namespace: instances are found with DiscoverInstances (and by Service Connect).
    Http(Box<CreateHttpNamespaceRequest>),
}

impl Namespace {
    /// The namespace's name (`Name`), if set.
    pub fn name(&self) -> Option<&str> {
        match self {
            Namespace::PrivateDns(input) => input.name.as_deref(),
            Namespace::Http(input) => input.name.as_deref(),
        }
    }
}

impl FromJson for Namespace {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let object = cx.object(value, "Namespace")?;
        if object.contains_key("Vpc") {
            CreatePrivateDnsNamespaceRequest::from_json(value, cx)
                .map(|input| Namespace::PrivateDns(Box::new(input)))
        } else {
            CreateHttpNamespaceRequest::from_json(value, cx)
                .map(|input| Namespace::Http(Box::new(input)))
        }
    }
}

impl<'de> serde::Deserialize<'de> for Namespace {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::load::deserialize_lenient(deserializer)
    }
}

/// Application Auto Scaling of a stack's services, as the inputs of its API.
///
/// ```json
/// "scaling": {
///   "scalableTargets": [ { "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
///                          "ScalableDimension": "ecs:service:DesiredCount",
///                          "MinCapacity": 2, "MaxCapacity": 10 } ],
///   "scalingPolicies": [ { "PolicyName": "cpu", "ServiceNamespace": "ecs", ... } ],
///   "scheduledActions": [ ]
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Scaling {
    /// RegisterScalableTarget inputs: each service's minimum and maximum task count.
    #[serde(rename = "scalableTargets", skip_serializing_if = "Vec::is_empty")]
    pub scalable_targets: Vec<RegisterScalableTargetRequest>,
    /// PutScalingPolicy inputs (target tracking, step scaling).
    #[serde(rename = "scalingPolicies", skip_serializing_if = "Vec::is_empty")]
    pub scaling_policies: Vec<PutScalingPolicyRequest>,
    /// PutScheduledAction inputs.
    #[serde(rename = "scheduledActions", skip_serializing_if = "Vec::is_empty")]
    pub scheduled_actions: Vec<PutScheduledActionRequest>,
    /// Members this version does not know, kept and written back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Scaling {
    /// The JSON member names of `scaling`.
    pub const MEMBERS: &'static [&'static str] =
        &["scalableTargets", "scalingPolicies", "scheduledActions"];

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.scalable_targets.is_empty()
            && self.scaling_policies.is_empty()
            && self.scheduled_actions.is_empty()
            && self.extra.is_empty()
    }
}

impl FromJson for Scaling {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let object = cx.object(value, "Scaling")?;
        let mut out = Self::default();
        for (key, value) in object {
            match key.as_str() {
                "scalableTargets" => cx.list(key, value, &mut out.scalable_targets, &mut out.extra),
                "scalingPolicies" => cx.list(key, value, &mut out.scaling_policies, &mut out.extra),
                "scheduledActions" => {
                    cx.list(key, value, &mut out.scheduled_actions, &mut out.extra)
                }
                _ => cx.unknown_in(
                    key,
                    value,
                    "the stack's scaling",
                    Self::MEMBERS,
                    &mut out.extra,
                ),
            }
        }
        Some(out)
    }
}

impl<'de> serde::Deserialize<'de> for Scaling {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::load::deserialize_lenient(deserializer)
    }
}

impl Stack {
    /// The JSON member names of a stack file.
    pub const MEMBERS: &'static [&'static str] = &[
        "name",
        "clusters",
        "capacityProviders",
        "taskDefinitions",
        "services",
        "namespaces",
        "discoveryServices",
        "targetGroups",
        "listenerRules",
        "scaling",
        "scheduledTasks",
    ];

    /// The JSON members of a stack file that hold resources: every member but `name`.
    pub const RESOURCE_MEMBERS: &'static [&'static str] = Self::MEMBERS.split_at(1).1;

    /// The stack with this name ([`Stack::name`]).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether the stack holds no resource (its name does not count).
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
            && self.capacity_providers.is_empty()
            && self.task_definitions.is_empty()
            && self.services.is_empty()
            && self.namespaces.is_empty()
            && self.discovery_services.is_empty()
            && self.target_groups.is_empty()
            && self.listener_rules.is_empty()
            && self.scaling.is_empty()
            && self.scheduled_tasks.is_empty()
    }
}

impl FromJson for Stack {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let object = cx.object(value, "Stack")?;
        let mut out = Self::default();
        for (key, value) in object {
            match key.as_str() {
                "name" => cx.member(key, value, &mut out.name, &mut out.extra),
                "clusters" => cx.list(key, value, &mut out.clusters, &mut out.extra),
                "capacityProviders" => {
                    cx.list(key, value, &mut out.capacity_providers, &mut out.extra)
                }
                "taskDefinitions" => cx.list(key, value, &mut out.task_definitions, &mut out.extra),
                "services" => cx.list(key, value, &mut out.services, &mut out.extra),
                "namespaces" => cx.list(key, value, &mut out.namespaces, &mut out.extra),
                "discoveryServices" => {
                    cx.list(key, value, &mut out.discovery_services, &mut out.extra)
                }
                "targetGroups" => cx.list(key, value, &mut out.target_groups, &mut out.extra),
                "listenerRules" => cx.list(key, value, &mut out.listener_rules, &mut out.extra),
                "scaling" => {
                    let mut scaling = None;
                    cx.member(key, value, &mut scaling, &mut out.extra);
                    out.scaling = scaling.unwrap_or_default();
                }
                "scheduledTasks" => cx.list(key, value, &mut out.scheduled_tasks, &mut out.extra),
                _ => cx.unknown_in(key, value, "the stack file", Self::MEMBERS, &mut out.extra),
            }
        }
        Some(out)
    }
}

impl<'de> serde::Deserialize<'de> for Stack {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::load::deserialize_lenient(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::load::from_value;

    #[test]
    fn the_linked_kinds_load_typed_and_write_back_unchanged() {
        let file = json!({
            "namespaces": [
                { "Name": "internal.local", "Vpc": "vpc-1", "Description": "private" },
                { "Name": "shop" }
            ],
            "discoveryServices": [ {
                "Name": "api",
                "NamespaceId": "internal.local",
                "DnsConfig": { "RoutingPolicy": "MULTIVALUE", "DnsRecords": [ { "Type": "A", "TTL": 10 } ] }
            } ],
            "targetGroups": [ { "Name": "web", "Protocol": "HTTP", "Port": 80, "TargetType": "ip" } ],
            "listenerRules": [ {
                "ListenerArn": "name:front:80", "Priority": 10,
                "Conditions": [ { "Field": "path-pattern", "Values": [ "/api/*" ] } ],
                "Actions": [ { "Type": "forward", "TargetGroupArn": "web" } ]
            } ],
            "scaling": {
                "scalableTargets": [ {
                    "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
                    "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 4
                } ]
            },
            "scheduledTasks": [ {
                "Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)",
                "FlexibleTimeWindow": { "Mode": "OFF" },
                "Target": { "Arn": "demo", "RoleArn": "arn:aws:iam::1:role/r" }
            } ]
        });
        let loaded = from_value::<Stack>(&file);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let stack = loaded.value.expect("a stack");

        assert!(matches!(stack.namespaces[0], Namespace::PrivateDns(_)));
        assert!(matches!(stack.namespaces[1], Namespace::Http(_)));
        assert_eq!(stack.namespaces[1].name(), Some("shop"));
        let records = stack.discovery_services[0]
            .dns_config
            .as_ref()
            .and_then(|dns| dns.dns_records.as_ref())
            .expect("records");
        assert_eq!(records[0].ttl, Some(10));
        assert_eq!(stack.target_groups[0].port, Some(80));
        assert_eq!(stack.listener_rules[0].priority, Some(10));
        assert_eq!(stack.scaling.scalable_targets[0].max_capacity, Some(4));
        assert_eq!(
            stack.scheduled_tasks[0].schedule_expression.as_deref(),
            Some("cron(0 3 * * ? *)")
        );
        assert!(!stack.is_empty());
        assert_eq!(serde_json::to_value(&stack).expect("serialize"), file);
    }

    #[test]
    fn the_name_loads_writes_back_and_is_no_resource() {
        assert_eq!(Stack::MEMBERS[0], "name");
        assert!(!Stack::RESOURCE_MEMBERS.contains(&"name"));
        let file = json!({ "name": "shop", "clusters": [ { "clusterName": "demo" } ] });
        let loaded = crate::document::parse(&file.to_string(), None);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let stack = loaded.value.expect("a document").to_stack();
        assert_eq!(stack.name.as_deref(), Some("shop"));
        assert_eq!(serde_json::to_value(&stack).expect("serialize"), file);
        assert!(Stack::default().with_name("shop").is_empty());

        // A capacity provider's `name` still makes a capacity provider.
        let provider = json!({ "name": "fleet", "autoScalingGroupProvider": {
            "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:1:autoScalingGroupName/a" } });
        let loaded = crate::document::parse(&provider.to_string(), None);
        assert_eq!(
            loaded.value.map(|d| d.kind()),
            Some(crate::document::Kind::CapacityProvider)
        );
    }

    #[test]
    fn a_misspelt_scaling_member_is_kept_with_a_warning() {
        let file = json!({ "scaling": { "scalingPolicy": [] } });
        let loaded = from_value::<Stack>(&file);
        let warning = loaded.diagnostics.first().expect("a warning");
        assert_eq!(warning.path.to_string(), "scaling.scalingPolicy");
        assert!(
            warning
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("scalingPolicies"),
            "{warning:?}"
        );
        let stack = loaded.value.expect("a stack");
        assert_eq!(serde_json::to_value(&stack).expect("serialize"), file);
    }
}
