//! Generator for the `ecs-model` wire types and the `ecs-dsl` builders.
//!
//! Reads the AWS ECS API model (botocore's `service-2.json`) and writes one Rust module per
//! structure or enum shape reachable from the operations the project uses, grouped by resource.
//! The output is committed under `ecs-model/src/generated/`; the other APIs a stack uses
//! ([`APIS`]: Cloud Map, load balancing, autoscaling, scheduler) go to folders of their own,
//! `ecs-model/src/generated_<api>/`, the same way; a test in `ecs-model` regenerates it
//! in memory and fails when the committed copy is stale. [`generate_builders`] does the same for
//! the builders of the create/register inputs, committed under `ecs-dsl/src/generated/` and
//! checked by a test in `ecs-dsl`.
//!
//! Every member is an `Option`, the required ones too: real files are often fragments
//! (ecspresso's service files leave `serviceName` to its own config) and must load and render
//! without gaining or losing a member. The loader reports a missing required member as a
//! `missing-required-field` error, and `Shape::REQUIRED` lists them.
//!
//! The generated code leans on three hand-written pieces of `ecs-model`: the lenient loader
//! (`crate::load::{FromJson, Loader}` and the seal `crate::load::sealed::Sealed`), the
//! `ecs_model::Shape` trait and the `ecs_model::Timestamp` type.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

mod builders;
mod reflect;
mod tree;

pub use builders::generate_builders;
pub use tree::{read_tree, stale_files, write_tree};

/// One AWS API whose model the generator reads, and where its types go.
#[derive(Debug)]
pub struct Api {
    /// How generated docs name the API: `AWS ECS`, `AWS Cloud Map`, ...
    pub label: &'static str,
    /// The model file (botocore's `service-2.json`, renamed) under `ecs-model/aws-model/`.
    pub model: &'static str,
    /// The folder under `ecs-model/src/` the types are written to.
    pub folder: &'static str,
    /// The Rust path generated code names the API's types with (`crate::generated::`).
    pub path: &'static str,
    /// The resource groups and the operations' input and output shapes that root them.
    ///
    /// A shape reached from one group only lives in that group's folder; a shape reached from
    /// several lives in `common`.
    pub groups: &'static [(&'static str, &'static [&'static str])],
    /// The variant of `ecs_model::reflect::Api` naming it in the reflection table
    /// (`generated_<api>/reflect.rs`), which every API gets: the `ecs-dsl` macros read it.
    pub reflect: &'static str,
    /// The members whose number is a quantity with a unit, as `(unit, raw, members)`: see
    /// `UNIT_MEMBERS`, the ECS table, which its builders share. The reflection table records the
    /// unit so the macros convert an expression through `ecs_dsl::units`.
    pub units: &'static [(&'static str, &'static str, &'static [&'static str])],
}

/// The Amazon ECS API: the types of `ecs_model::types`.
pub const ECS: Api = Api {
    label: "AWS ECS",
    model: "ecs-2014-11-13.json",
    folder: "generated",
    path: "crate::generated::",
    groups: GROUPS,
    reflect: "Ecs",
    units: builders::UNIT_MEMBERS,
};

/// AWS Cloud Map (`servicediscovery`): namespaces and discovery services.
pub const CLOUD_MAP: Api = Api {
    label: "AWS Cloud Map",
    model: "servicediscovery-2017-03-14.json",
    folder: "generated_cloud_map",
    path: "crate::generated_cloud_map::",
    groups: &[
        (
            "namespace",
            &[
                "CreatePrivateDnsNamespaceRequest",
                "CreateHttpNamespaceRequest",
                "CreatePrivateDnsNamespaceResponse",
                "CreateHttpNamespaceResponse",
                "UpdatePrivateDnsNamespaceRequest",
                "UpdateHttpNamespaceRequest",
                "GetNamespaceRequest",
                "GetNamespaceResponse",
                "ListNamespacesRequest",
                "ListNamespacesResponse",
                "DeleteNamespaceRequest",
                "GetOperationRequest",
                "GetOperationResponse",
            ],
        ),
        (
            "discovery_service",
            &[
                "CreateServiceRequest",
                "CreateServiceResponse",
                "UpdateServiceRequest",
                "GetServiceRequest",
                "GetServiceResponse",
                "ListServicesRequest",
                "ListServicesResponse",
                "DeleteServiceRequest",
            ],
        ),
        (
            "tagging",
            &[
                "ListTagsForResourceRequest",
                "ListTagsForResourceResponse",
                "TagResourceRequest",
                "UntagResourceRequest",
            ],
        ),
    ],
    reflect: "CloudMap",
    units: &[],
};

/// Elastic Load Balancing v2 (`elbv2`): target groups, and the load balancers and listeners a
/// stack looks up.
pub const LOAD_BALANCING: Api = Api {
    label: "AWS Elastic Load Balancing v2",
    model: "elbv2-2015-12-01.json",
    folder: "generated_load_balancing",
    path: "crate::generated_load_balancing::",
    groups: &[
        (
            "target_group",
            &[
                "CreateTargetGroupInput",
                "CreateTargetGroupOutput",
                "ModifyTargetGroupInput",
                "ModifyTargetGroupOutput",
                "DescribeTargetGroupsInput",
                "DescribeTargetGroupsOutput",
                "DeleteTargetGroupInput",
                "DescribeTargetGroupAttributesInput",
                "DescribeTargetGroupAttributesOutput",
                "ModifyTargetGroupAttributesInput",
            ],
        ),
        (
            "load_balancer",
            &[
                "DescribeLoadBalancersInput",
                "DescribeLoadBalancersOutput",
                "DescribeListenersInput",
                "DescribeListenersOutput",
            ],
        ),
        (
            "listener_rule",
            &[
                "CreateRuleInput",
                "CreateRuleOutput",
                "ModifyRuleInput",
                "ModifyRuleOutput",
                "DescribeRulesInput",
                "DescribeRulesOutput",
                "DeleteRuleInput",
                "SetRulePrioritiesInput",
                "SetRulePrioritiesOutput",
            ],
        ),
        (
            "tagging",
            &[
                "DescribeTagsInput",
                "DescribeTagsOutput",
                "AddTagsInput",
                "RemoveTagsInput",
            ],
        ),
    ],
    reflect: "LoadBalancing",
    units: &[
        ("Port", "i32", &["CreateTargetGroupInput.Port"]),
        (
            "Seconds",
            "i32",
            &[
                "CreateTargetGroupInput.HealthCheckIntervalSeconds",
                "CreateTargetGroupInput.HealthCheckTimeoutSeconds",
            ],
        ),
    ],
};

/// Application Auto Scaling: a service's scalable target, scaling policies and scheduled actions.
pub const AUTOSCALING: Api = Api {
    label: "AWS Application Auto Scaling",
    model: "application-autoscaling-2016-02-06.json",
    folder: "generated_autoscaling",
    path: "crate::generated_autoscaling::",
    groups: &[
        (
            "scalable_target",
            &[
                "RegisterScalableTargetRequest",
                "RegisterScalableTargetResponse",
                "DescribeScalableTargetsRequest",
                "DescribeScalableTargetsResponse",
                "DeregisterScalableTargetRequest",
            ],
        ),
        (
            "scaling_policy",
            &[
                "PutScalingPolicyRequest",
                "PutScalingPolicyResponse",
                "DescribeScalingPoliciesRequest",
                "DescribeScalingPoliciesResponse",
                "DeleteScalingPolicyRequest",
            ],
        ),
        (
            "scheduled_action",
            &[
                "PutScheduledActionRequest",
                "DescribeScheduledActionsRequest",
                "DescribeScheduledActionsResponse",
                "DeleteScheduledActionRequest",
            ],
        ),
    ],
    reflect: "Autoscaling",
    units: &[(
        "Seconds",
        "i32",
        &[
            "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown",
            "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown",
            "StepScalingPolicyConfiguration.Cooldown",
        ],
    )],
};

/// Amazon EventBridge Scheduler: the schedules that run a stack's scheduled tasks.
pub const SCHEDULER: Api = Api {
    label: "Amazon EventBridge Scheduler",
    model: "scheduler-2021-06-30.json",
    folder: "generated_scheduler",
    path: "crate::generated_scheduler::",
    groups: &[
        (
            "schedule",
            &[
                "CreateScheduleInput",
                "CreateScheduleOutput",
                "UpdateScheduleInput",
                "UpdateScheduleOutput",
                "GetScheduleInput",
                "GetScheduleOutput",
                "ListSchedulesInput",
                "ListSchedulesOutput",
                "DeleteScheduleInput",
            ],
        ),
        (
            "schedule_group",
            &[
                "CreateScheduleGroupInput",
                "CreateScheduleGroupOutput",
                "GetScheduleGroupInput",
                "GetScheduleGroupOutput",
                "DeleteScheduleGroupInput",
                "ListTagsForResourceInput",
                "ListTagsForResourceOutput",
                "TagResourceInput",
                "UntagResourceInput",
            ],
        ),
    ],
    reflect: "Scheduler",
    units: &[],
};

/// Every API the generator reads, ECS first.
pub const APIS: &[&Api] = &[&ECS, &CLOUD_MAP, &LOAD_BALANCING, &AUTOSCALING, &SCHEDULER];

/// The ECS resource groups and the operations' input and output shapes that root them.
///
/// A shape reached from one group only lives in that group's folder; a shape reached from several
/// lives in `common`.
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "task_definition",
        &[
            "RegisterTaskDefinitionRequest",
            "RegisterTaskDefinitionResponse",
            "DescribeTaskDefinitionResponse",
            "DescribeTaskDefinitionRequest",
            "DeregisterTaskDefinitionRequest",
        ],
    ),
    (
        "service",
        &[
            "CreateServiceRequest",
            "CreateServiceResponse",
            "UpdateServiceRequest",
            "UpdateServiceResponse",
            "DescribeServicesResponse",
            "DescribeServicesRequest",
            "DeleteServiceRequest",
        ],
    ),
    (
        "cluster",
        &[
            "CreateClusterRequest",
            "CreateClusterResponse",
            "UpdateClusterRequest",
            "UpdateClusterResponse",
            "DescribeClustersResponse",
            "PutClusterCapacityProvidersRequest",
            "PutClusterCapacityProvidersResponse",
            "DescribeClustersRequest",
            "DeleteClusterRequest",
        ],
    ),
    (
        "capacity_provider",
        &[
            "CreateCapacityProviderRequest",
            "CreateCapacityProviderResponse",
            "UpdateCapacityProviderRequest",
            "UpdateCapacityProviderResponse",
            "DescribeCapacityProvidersResponse",
            "DescribeCapacityProvidersRequest",
            "DeleteCapacityProviderRequest",
        ],
    ),
    (
        "task",
        &[
            "RunTaskRequest",
            "RunTaskResponse",
            "DescribeTasksRequest",
            "DescribeTasksResponse",
        ],
    ),
    ("tagging", &["TagResourceRequest", "UntagResourceRequest"]),
];

const HEADER: &str = "// @generated by ecs-model-codegen from ecs-model/aws-model/ecs-2014-11-13.json. Do not edit.\n";

/// The first line of every file generated for `api`.
fn header(api: &Api) -> String {
    format!(
        "// @generated by ecs-model-codegen from ecs-model/aws-model/{}. Do not edit.\n",
        api.model
    )
}

/// What went wrong while reading the AWS model.
#[derive(Debug)]
pub struct GenerateError(String);

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

fn err(message: impl Into<String>) -> GenerateError {
    GenerateError(message.into())
}

/// Generates every file of `ecs-model/src/generated/`, keyed by path relative to that folder.
pub fn generate(model_json: &str) -> Result<BTreeMap<String, String>, GenerateError> {
    generate_api(&ECS, model_json)
}

/// Generates every file of `api`'s folder under `ecs-model/src/` from its model's text, keyed by
/// path relative to that folder.
pub fn generate_api(
    api: &'static Api,
    model_json: &str,
) -> Result<BTreeMap<String, String>, GenerateError> {
    let (value, member_order) = parse_model(model_json)?;
    let model = Model::new(&value, member_order, api)?;
    let groups = shape_groups(&model)?;

    let header = header(api);
    let mut files = BTreeMap::new();
    let mut top = header.clone();
    let _ = writeln!(
        top,
        "//! Wire types generated from the {} API model, one module per shape.",
        api.label
    );
    top.push_str("//!\n//! Documentation text is derived from the AWS API model (Apache-2.0, see `ecs-model/aws-model/NOTICE`).\n\n");
    top.push_str(
        "// One module per shape, named after it: `cluster::cluster` models the `Cluster` shape.\n",
    );
    top.push_str("#![allow(clippy::module_inception)]\n\n");
    top.push_str("pub(crate) mod reflect;\n");
    write_group_modules(&mut top, groups.keys().copied());
    files.insert("mod.rs".to_owned(), top);

    let all: BTreeSet<&str> = groups.values().flatten().copied().collect();
    files.insert("reflect.rs".to_owned(), reflect::render(api, &model, &all)?);

    for (group, shapes) in &groups {
        let mut index = header.clone();
        let _ = writeln!(index, "//! {}", group_doc(group));
        index.push('\n');
        for shape in shapes {
            let _ = writeln!(index, "mod {};", module_name(shape));
        }
        index.push('\n');
        for shape in shapes {
            let _ = writeln!(index, "pub use self::{}::{};", module_name(shape), shape);
        }
        files.insert(format!("{group}/mod.rs"), index);
        for shape in shapes {
            let body = model.render_shape(shape)?;
            files.insert(format!("{group}/{}.rs", module_name(shape)), body);
        }
    }
    Ok(files)
}

/// Declares the group modules of a generated `mod.rs` and re-exports their items flat.
fn write_group_modules<'a>(out: &mut String, groups: impl Iterator<Item = &'a str> + Clone) {
    for group in groups.clone() {
        let _ = writeln!(out, "pub mod {group};");
    }
    out.push('\n');
    for group in groups {
        let _ = writeln!(out, "pub use self::{group}::*;");
    }
}

/// Parses the AWS model text: the JSON value that [`Model`] borrows, and the member order.
fn parse_model(model_json: &str) -> Result<(Value, BTreeMap<String, Vec<String>>), GenerateError> {
    let value: Value =
        serde_json::from_str(model_json).map_err(|e| err(format!("model is not JSON: {e}")))?;
    Ok((value, member_order(model_json)?))
}

/// The generated shapes (structures and enums) of each group in [`GROUPS`], by name.
fn shape_groups<'a>(
    model: &Model<'a>,
) -> Result<BTreeMap<&'static str, Vec<&'a str>>, GenerateError> {
    // Which groups reach each shape.
    let mut reached_by: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for (group, roots) in model.api.groups {
        for root in *roots {
            for shape in model.reachable(root)? {
                reached_by.entry(shape).or_default().insert(group);
            }
        }
    }

    let mut groups: BTreeMap<&'static str, Vec<&'a str>> = BTreeMap::new();
    for (shape, by) in &reached_by {
        if !model.is_generated(shape)? {
            continue;
        }
        let group = if by.len() == 1 {
            by.iter().next().copied().unwrap_or("common")
        } else {
            "common"
        };
        groups.entry(group).or_default().push(shape);
    }
    Ok(groups)
}

fn group_doc(group: &str) -> &'static str {
    match group {
        "task_definition" => "Shapes of RegisterTaskDefinition and DescribeTaskDefinition.",
        "service" => "Shapes of CreateService, UpdateService and DescribeServices.",
        "cluster" => {
            "Shapes of CreateCluster, UpdateCluster, DescribeClusters and PutClusterCapacityProviders."
        }
        "capacity_provider" => {
            "Shapes of CreateCapacityProvider, UpdateCapacityProvider and DescribeCapacityProviders."
        }
        "task" => "Shapes of RunTask and DescribeTasks.",
        "tagging" => "Shapes of the tagging operations.",
        "namespace" => "Shapes of the Cloud Map namespace operations.",
        "discovery_service" => "Shapes of the Cloud Map service operations.",
        "target_group" => "Shapes of the target group operations.",
        "load_balancer" => "Shapes of DescribeLoadBalancers and DescribeListeners.",
        "scalable_target" => "Shapes of the scalable target operations.",
        "scaling_policy" => "Shapes of the scaling policy operations.",
        "scheduled_action" => "Shapes of the scheduled action operations.",
        "schedule" => "Shapes of the schedule operations.",
        "schedule_group" => "Shapes of the schedule group and tagging operations.",
        _ => "Shapes shared by more than one resource.",
    }
}

struct Model<'a> {
    shapes: &'a Map<String, Value>,
    member_order: BTreeMap<String, Vec<String>>,
    api: &'static Api,
}

/// The member names of every structure, in the order the model lists them.
///
/// The generated fields, `Shape::MEMBERS` and so the JSON that `render` writes follow the model's
/// order. A `serde_json::Map` sorts its keys (the workspace leaves serde_json's `preserve_order`
/// feature off: a library must not turn on a global feature for everyone), so the order is read
/// from the text by a second, key-only pass.
fn member_order(model_json: &str) -> Result<BTreeMap<String, Vec<String>>, GenerateError> {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// An object's keys in text order; the values are skipped.
    struct Keys(Vec<String>);

    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeysVisitor;
            impl<'de> Visitor<'de> for KeysVisitor {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(key) = map.next_key::<String>()? {
                        map.next_value::<IgnoredAny>()?;
                        keys.push(key);
                    }
                    Ok(Keys(keys))
                }
            }
            deserializer.deserialize_map(KeysVisitor)
        }
    }

    #[derive(serde::Deserialize)]
    struct OrderedShape {
        members: Option<Keys>,
    }

    #[derive(serde::Deserialize)]
    struct OrderedModel {
        shapes: BTreeMap<String, OrderedShape>,
    }

    let model: OrderedModel = serde_json::from_str(model_json)
        .map_err(|e| err(format!("model shapes are not readable: {e}")))?;
    Ok(model
        .shapes
        .into_iter()
        .filter_map(|(name, shape)| Some((name, shape.members?.0)))
        .collect())
}

/// How generated code names the model's types: `crate::generated::` inside `ecs-model`,
/// `types::` in the builders of `ecs-dsl`.
struct TypePaths {
    /// Prefix of a structure or enum.
    shapes: &'static str,
    /// The timestamp type.
    timestamp: &'static str,
}

impl<'a> Model<'a> {
    /// The model in `value` (a parsed `service-2.json`), with its member order.
    fn new(
        value: &'a Value,
        member_order: BTreeMap<String, Vec<String>>,
        api: &'static Api,
    ) -> Result<Self, GenerateError> {
        let shapes = value
            .get("shapes")
            .and_then(Value::as_object)
            .ok_or_else(|| err("model has no `shapes` object"))?;
        Ok(Self {
            shapes,
            member_order,
            api,
        })
    }

    fn shape(&self, name: &str) -> Result<&'a Map<String, Value>, GenerateError> {
        self.shapes
            .get(name)
            .and_then(Value::as_object)
            .ok_or_else(|| err(format!("shape `{name}` is missing from the model")))
    }

    fn kind(&self, name: &str) -> Result<&'a str, GenerateError> {
        self.shape(name)?
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("shape `{name}` has no type")))
    }

    fn is_enum(&self, name: &str) -> Result<bool, GenerateError> {
        Ok(self.kind(name)? == "string" && self.shape(name)?.contains_key("enum"))
    }

    /// Structures and enums get a module; primitives, lists and maps become Rust types inline.
    fn is_generated(&self, name: &str) -> Result<bool, GenerateError> {
        Ok(self.kind(name)? == "structure" || self.is_enum(name)?)
    }

    /// The members of structure `name`, in model order.
    fn members(&self, name: &str) -> Result<Vec<(&str, &'a Value)>, GenerateError> {
        let Some(members) = self.shape(name)?.get("members").and_then(Value::as_object) else {
            return Ok(Vec::new());
        };
        let order = self.member_order.get(name).map_or(&[][..], Vec::as_slice);
        if order.len() != members.len() {
            return Err(err(format!("shape `{name}`: member order does not match")));
        }
        order
            .iter()
            .map(|json| {
                let (json, member) = members
                    .get_key_value(json)
                    .ok_or_else(|| err(format!("shape `{name}`: member `{json}` is missing")))?;
                Ok((json.as_str(), member))
            })
            .collect()
    }

    /// The members structure `name` marks as required.
    fn required(&self, name: &str) -> Result<BTreeSet<&'a str>, GenerateError> {
        Ok(self
            .shape(name)?
            .get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default())
    }

    fn target(value: &Value) -> Option<&str> {
        value.get("shape").and_then(Value::as_str)
    }

    fn reachable(&self, root: &'a str) -> Result<BTreeSet<&'a str>, GenerateError> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(name) = stack.pop() {
            if !seen.insert(name) {
                continue;
            }
            let shape = self.shape(name)?;
            for key in ["member", "key", "value"] {
                if let Some(target) = shape.get(key).and_then(Self::target) {
                    stack.push(target);
                }
            }
            if let Some(members) = shape.get("members").and_then(Value::as_object) {
                for member in members.values() {
                    if let Some(target) = Self::target(member) {
                        stack.push(target);
                    }
                }
            }
        }
        Ok(seen)
    }

    /// The Rust type of shape `name` inside `ecs-model`.
    fn rust_type(&self, name: &str) -> Result<String, GenerateError> {
        self.rust_type_in(
            name,
            &TypePaths {
                shapes: self.api.path,
                timestamp: "crate::Timestamp",
            },
        )
    }

    /// The Rust type of shape `name`, naming model types with `paths`.
    fn rust_type_in(&self, name: &str, paths: &TypePaths) -> Result<String, GenerateError> {
        let shape = self.shape(name)?;
        Ok(match self.kind(name)? {
            "structure" => format!("{}{name}", paths.shapes),
            "string" if shape.contains_key("enum") => format!("{}{name}", paths.shapes),
            "string" => "String".to_owned(),
            "integer" => "i32".to_owned(),
            "long" => "i64".to_owned(),
            "boolean" => "bool".to_owned(),
            "double" | "float" => "f64".to_owned(),
            "timestamp" => paths.timestamp.to_owned(),
            "list" => {
                let member = shape
                    .get("member")
                    .and_then(Self::target)
                    .ok_or_else(|| err(format!("list `{name}` has no member")))?;
                format!("Vec<{}>", self.rust_type_in(member, paths)?)
            }
            "map" => {
                let value = shape
                    .get("value")
                    .and_then(Self::target)
                    .ok_or_else(|| err(format!("map `{name}` has no value")))?;
                format!(
                    "std::collections::BTreeMap<String, {}>",
                    self.rust_type_in(value, paths)?
                )
            }
            other => return Err(err(format!("shape `{name}` has unsupported type {other}"))),
        })
    }

    fn render_shape(&self, name: &str) -> Result<String, GenerateError> {
        if self.is_enum(name)? {
            self.render_enum(name)
        } else {
            self.render_struct(name)
        }
    }

    fn render_struct(&self, name: &str) -> Result<String, GenerateError> {
        let shape = self.shape(name)?;
        let members = self.members(name)?;
        let required = self.required(name)?;

        let label = self.api.label;
        let mut out = header(self.api);
        let _ = writeln!(out, "//! Models the {label} shape `{name}`.\n");
        out.push_str("use crate::load::{FromJson, Loader};\n\n");
        write_doc(
            &mut out,
            "",
            shape.get("documentation").and_then(Value::as_str),
            &format!("The {label} `{name}` shape."),
        );
        out.push_str("#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]\n");
        out.push_str("#[non_exhaustive]\n");
        let _ = writeln!(out, "pub struct {name} {{");

        struct Field {
            json: String,
            rust: String,
            required: bool,
        }
        let mut fields = Vec::new();
        for (json, member) in members {
            let target = Self::target(member)
                .ok_or_else(|| err(format!("member `{name}.{json}` has no shape")))?;
            let ty = self.rust_type(target)?;
            let is_required = required.contains(json);
            let rust = field_name(json);
            let doc = member
                .get("documentation")
                .and_then(Value::as_str)
                .or_else(|| {
                    self.shapes
                        .get(target)
                        .and_then(|s| s.get("documentation"))
                        .and_then(Value::as_str)
                });
            let mut fallback = format!("The `{json}` member.");
            if is_required {
                fallback.push_str(" Required.");
            }
            write_doc(&mut out, "    ", doc, &fallback);
            if is_required {
                out.push_str("    ///\n    /// Required by the AWS model: AWS rejects the request without it.\n");
            }
            if member.get("deprecated").and_then(Value::as_bool) == Some(true) {
                out.push_str("    ///\n    /// Deprecated in the AWS model: ");
                out.push_str(
                    member
                        .get("deprecatedMessage")
                        .and_then(Value::as_str)
                        .unwrap_or("no longer supported."),
                );
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "    #[serde(rename = \"{json}\", skip_serializing_if = \"Option::is_none\")]"
            );
            let _ = writeln!(out, "    pub {rust}: Option<{ty}>,");
            fields.push(Field {
                json: json.to_owned(),
                rust,
                required: is_required,
            });
        }
        out.push_str("    /// Members the AWS model of this crate does not know (newer AWS fields), or values\n");
        out.push_str(
            "    /// that could not be typed, kept verbatim and written back unchanged.\n",
        );
        out.push_str("    #[serde(flatten)]\n");
        out.push_str("    pub extra: serde_json::Map<String, serde_json::Value>,\n");
        out.push_str("}\n\n");

        // Shape trait.
        let _ = writeln!(out, "impl crate::Shape for {name} {{");
        let _ = writeln!(out, "    const SHAPE: &'static str = \"{name}\";");
        out.push_str("    const MEMBERS: &'static [&'static str] = &[");
        out.push_str(&quoted_list(fields.iter().map(|f| f.json.as_str())));
        out.push_str("];\n");
        out.push_str("    const REQUIRED: &'static [&'static str] = &[");
        out.push_str(&quoted_list(
            fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.json.as_str()),
        ));
        out.push_str("];\n\n");
        out.push_str("    fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {\n");
        out.push_str("        &self.extra\n    }\n\n");
        out.push_str(
            "    fn extra_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {\n",
        );
        out.push_str("        &mut self.extra\n    }\n}\n\n");

        // Lenient loader.
        let _ = writeln!(out, "impl crate::load::sealed::Sealed for {name} {{}}\n");
        let _ = writeln!(out, "impl FromJson for {name} {{");
        out.push_str("    fn from_json<'v>(value: &'v serde_json::Value, cx: &mut Loader<'v>) -> Option<Self> {\n");
        out.push_str("        let object = cx.object(value, <Self as crate::Shape>::SHAPE)?;\n");
        out.push_str("        let mut out = Self::default();\n");
        out.push_str("        for (key, value) in object {\n");
        if fields.is_empty() {
            out.push_str("            cx.unknown::<Self>(key, value, &mut out.extra);\n");
            out.push_str("        }\n");
        } else {
            out.push_str("            match key.as_str() {\n");
        }
        for f in &fields {
            let _ = writeln!(
                out,
                "                \"{}\" => cx.member(key, value, &mut out.{}, &mut out.extra),",
                f.json, f.rust
            );
        }
        if !fields.is_empty() {
            let _ = writeln!(
                out,
                "                _ => cx.unknown::<Self>(key, value, &mut out.extra),"
            );
            out.push_str("            }\n        }\n");
        }
        if fields.iter().any(|f| f.required) {
            out.push_str("        cx.check_required(object, <Self as crate::Shape>::REQUIRED);\n");
        }
        out.push_str("        Some(out)\n    }\n}\n\n");

        let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
        out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
        out.push_str("        crate::load::deserialize_lenient(deserializer)\n    }\n}\n");
        Ok(out)
    }

    fn render_enum(&self, name: &str) -> Result<String, GenerateError> {
        let shape = self.shape(name)?;
        let values: Vec<&str> = shape
            .get("enum")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in &values {
            let mut variant = variant_name(value);
            if variant == "Unknown" {
                // `Unknown(String)` is the fallback for values the model does not list; AWS's own
                // `UNKNOWN` (a task's health status) is a listed value like any other.
                variant = "UnknownValue".to_owned();
            }
            if !seen.insert(variant.clone()) {
                return Err(err(format!(
                    "enum `{name}`: value `{value}` maps to a clashing variant `{variant}`"
                )));
            }
            variants.push((variant, *value));
        }

        let label = self.api.label;
        let mut out = header(self.api);
        let _ = writeln!(out, "//! Models the {label} enum `{name}`.\n");
        out.push_str("use crate::load::{FromJson, Loader};\n\n");
        write_doc(
            &mut out,
            "",
            shape.get("documentation").and_then(Value::as_str),
            &format!("The values of the {label} `{name}` enum."),
        );
        out.push_str("///\n/// A value this crate does not know is kept in [`Self::Unknown`] and written back unchanged.\n");
        out.push_str("#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\n");
        out.push_str("#[non_exhaustive]\n");
        let _ = writeln!(out, "pub enum {name} {{");
        for (variant, value) in &variants {
            let _ = writeln!(out, "    /// `{value}`");
            let _ = writeln!(out, "    {variant},");
        }
        out.push_str("    /// A value the AWS model of this crate does not list, kept verbatim.\n");
        out.push_str("    Unknown(String),\n}\n\n");

        let _ = writeln!(out, "impl {name} {{");
        out.push_str("    /// The AWS model name of this enum.\n");
        let _ = writeln!(out, "    pub const SHAPE: &'static str = \"{name}\";\n");
        out.push_str("    /// Every value the AWS model lists, in model order.\n");
        out.push_str("    pub const VALUES: &'static [&'static str] = &[");
        out.push_str(&quoted_list(values.iter().copied()));
        out.push_str("];\n\n");
        out.push_str("    /// The value as AWS writes it.\n");
        out.push_str("    pub fn as_str(&self) -> &str {\n        match self {\n");
        for (variant, value) in &variants {
            let _ = writeln!(out, "            Self::{variant} => \"{value}\",");
        }
        out.push_str("            Self::Unknown(value) => value,\n        }\n    }\n\n");
        out.push_str("    /// Every value the AWS model lists, in model order.\n");
        out.push_str("    pub const fn values() -> &'static [&'static str] {\n");
        out.push_str("        Self::VALUES\n    }\n\n");
        out.push_str("    /// Whether the value is one the AWS model lists.\n");
        out.push_str("    pub const fn is_known(&self) -> bool {\n");
        out.push_str("        !matches!(self, Self::Unknown(_))\n    }\n}\n\n");

        let _ = writeln!(out, "impl From<&str> for {name} {{");
        out.push_str("    fn from(value: &str) -> Self {\n        match value {\n");
        for (variant, value) in &variants {
            let _ = writeln!(out, "            \"{value}\" => Self::{variant},");
        }
        out.push_str(
            "            other => Self::Unknown(other.to_owned()),\n        }\n    }\n}\n\n",
        );

        let _ = writeln!(out, "impl std::str::FromStr for {name} {{");
        out.push_str("    type Err = std::convert::Infallible;\n\n");
        out.push_str("    fn from_str(value: &str) -> Result<Self, Self::Err> {\n");
        out.push_str("        Ok(Self::from(value))\n    }\n}\n\n");

        let _ = writeln!(out, "impl std::fmt::Display for {name} {{");
        out.push_str("    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n");
        out.push_str("        f.write_str(self.as_str())\n    }\n}\n\n");

        let _ = writeln!(out, "impl serde::Serialize for {name} {{");
        out.push_str("    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n");
        out.push_str("        serializer.serialize_str(self.as_str())\n    }\n}\n\n");

        let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
        out.push_str("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
        out.push_str(
            "        let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;\n",
        );
        out.push_str("        Ok(Self::from(value.as_ref()))\n    }\n}\n\n");

        let _ = writeln!(out, "impl crate::load::sealed::Sealed for {name} {{}}\n");
        let _ = writeln!(out, "impl FromJson for {name} {{");
        out.push_str("    fn from_json<'v>(value: &'v serde_json::Value, cx: &mut Loader<'v>) -> Option<Self> {\n");
        out.push_str(
            "        cx.enum_value(value, Self::SHAPE, Self::VALUES).map(Self::from)\n    }\n}\n",
        );
        Ok(out)
    }
}

fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `EFSVolumeConfiguration` -> `efs_volume_configuration`, `sizeInGiB` -> `size_in_gib`.
pub fn snake_case(name: &str) -> String {
    // Unit suffixes read as one word.
    let name = name
        .replace("GiB", "Gib")
        .replace("MiB", "Mib")
        .replace("FSx", "Fsx");
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == '.' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

fn module_name(shape: &str) -> String {
    let name = snake_case(shape);
    if is_keyword(&name) {
        format!("{name}_")
    } else {
        name
    }
}

fn field_name(json: &str) -> String {
    let name = snake_case(json);
    if is_keyword(&name) {
        format!("r#{name}")
    } else {
        name
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "gen"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
    )
}

/// `FARGATE_SPOT` -> `FargateSpot`, `json-file` -> `JsonFile`, `memberOf` -> `MemberOf`.
pub fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let all_upper = word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// Writes a `///` doc comment from the model's HTML documentation: its first paragraph,
/// shortened to a few sentences, with markdown hazards escaped.
fn write_doc(out: &mut String, indent: &str, html: Option<&str>, fallback: &str) {
    let text = html.map(first_paragraph).unwrap_or_default();
    let text = if text.is_empty() {
        fallback.to_owned()
    } else {
        text
    };
    for line in wrap(&text, 96usize.saturating_sub(indent.len())) {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn first_paragraph(html: &str) -> String {
    let start = html.find("<p>").map_or(0, |i| i + 3);
    let end = html[start..].find("</p>").map_or(html.len(), |i| start + i);
    let plain = strip_html(&html[start..end]);
    shorten(&escape_markdown(&plain), 420)
}

fn strip_html(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        if tag == "code" || tag == "/code" {
            out.push('`');
        } else if tag == "br" || tag == "br/" || tag.starts_with("li") || tag.starts_with("/li") {
            out.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes `[`, `]`, `<` and `>` outside code spans so rustdoc reads no links or HTML.
fn escape_markdown(text: &str) -> String {
    let balanced = text.matches('`').count().is_multiple_of(2);
    let mut out = String::new();
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push(c);
            }
            '`' => out.push('\''),
            '[' | ']' | '*' | '_' | '\\' if !in_code => {
                out.push('\\');
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Keeps whole sentences up to about `limit` characters, never cutting inside a code span.
fn shorten(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut in_code = false;
    let mut last_sentence = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'`' {
            in_code = !in_code;
        }
        if i > limit {
            break;
        }
        if !in_code && b == b'.' && bytes.get(i + 1) == Some(&b' ') && i > 20 {
            last_sentence = Some(i + 1);
        }
    }
    match last_sentence {
        Some(end) => text[..end].to_owned(),
        None => {
            // No sentence end in reach: cut at a word boundary outside code.
            let mut in_code = false;
            let mut cut = text.len();
            for (i, c) in text.char_indices() {
                if c == '`' {
                    in_code = !in_code;
                }
                if i > limit && c == ' ' && !in_code {
                    cut = i;
                    break;
                }
            }
            let mut short = text[..cut].to_owned();
            if cut < text.len() {
                short.push_str(" ...");
            }
            short
        }
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_reads_like_the_sdk() {
        assert_eq!(snake_case("containerDefinitions"), "container_definitions");
        assert_eq!(snake_case("sizeInGiB"), "size_in_gib");
        assert_eq!(
            snake_case("EFSVolumeConfiguration"),
            "efs_volume_configuration"
        );
        assert_eq!(
            snake_case("FSxWindowsFileServerAuthorizationConfig"),
            "fsx_windows_file_server_authorization_config"
        );
        assert_eq!(
            snake_case("enableECSManagedTags"),
            "enable_ecs_managed_tags"
        );
        assert_eq!(snake_case("CPUArchitecture"), "cpu_architecture");
    }

    #[test]
    fn variant_names_are_camel_case() {
        assert_eq!(variant_name("FARGATE_SPOT"), "FargateSpot");
        assert_eq!(variant_name("json-file"), "JsonFile");
        assert_eq!(variant_name("memberOf"), "MemberOf");
        assert_eq!(variant_name("X86_64"), "X8664");
        assert_eq!(
            variant_name("ecs:service:DesiredCount"),
            "EcsServiceDesiredCount"
        );
        assert_eq!(variant_name("awsvpc"), "Awsvpc");
    }

    const TINY_MODEL: &str = r#"{"shapes": {
        "Thing": {"type": "structure", "required": ["zeta"],
                  "members": {"zeta": {"shape": "Mode"}, "alpha": {"shape": "String"},
                              "mid": {"shape": "Integer"}}},
        "Mode": {"type": "string", "enum": ["ON", "OFF"]},
        "String": {"type": "string"},
        "Integer": {"type": "integer"}
    }}"#;

    fn render(name: &str) -> String {
        let model: Value = serde_json::from_str(TINY_MODEL).expect("json");
        let model_ref = Model {
            shapes: model["shapes"].as_object().expect("shapes"),
            member_order: member_order(TINY_MODEL).expect("order"),
            api: &ECS,
        };
        model_ref.render_shape(name).expect("render")
    }

    #[test]
    fn struct_members_keep_the_model_order() {
        let out = render("Thing");
        assert!(
            out.contains(r#"const MEMBERS: &'static [&'static str] = &["zeta", "alpha", "mid"];"#),
            "{out}"
        );
        let position = |field: &str| out.find(&format!("pub {field}:")).expect(field);
        assert!(position("zeta") < position("alpha") && position("alpha") < position("mid"));
    }

    #[test]
    fn generated_types_are_sealed_and_enums_have_no_default() {
        let thing = render("Thing");
        assert!(thing.contains("impl crate::load::sealed::Sealed for Thing {}"));
        let mode = render("Mode");
        assert!(mode.contains("impl crate::load::sealed::Sealed for Mode {}"));
        assert!(!mode.contains("impl Default"), "{mode}");
    }

    #[test]
    fn docs_escape_links_and_html() {
        let doc = first_paragraph("<p>Use <code>a[0]</code> or [b] &lt;x&gt;.</p><p>Second.</p>");
        assert_eq!(doc, "Use `a[0]` or \\[b\\] &lt;x&gt;.");
    }
}
