//! The shapes of the AWS models as data: members, their JSON and Rust names, and their types.
//!
//! Generated code knows its own fields; these tables let generic code walk a shape by name. The
//! `ecs-dsl` macros use them to map `container_port: 80` inside `port_mappings: [...]` to the JSON
//! path `portMappings[0].containerPort` and to check that an integer belongs there.
//!
//! Every API a stack uses has its own table ([`Api`]), because shape names repeat across them
//! (`CreateServiceRequest` is an ECS service in ECS and a discovery service in Cloud Map). The
//! names a member's [`Ty`] holds are looked up in that member's [`MemberInfo::api`]; [`shape`]
//! and [`enumeration`] look in ECS (and find the stack file), [`shape_in`] and
//! [`enumeration_in`] in the API given.
//!
//! ```
//! use ecs_model::reflect::{self, Api, Ty};
//!
//! let mapping = reflect::shape("PortMapping").expect("a generated shape");
//! let port = mapping.member_by_rust("container_port").expect("a member");
//! assert_eq!(port.json, "containerPort");
//! assert_eq!(port.ty, Ty::Integer);
//! assert_eq!(port.unit, Some("Port"));
//!
//! let mode = reflect::enumeration("NetworkMode").expect("a generated enum");
//! assert!(mode.values.contains(&"awsvpc"));
//!
//! // The same name in another API is another shape.
//! let discovery = reflect::shape_in(Api::CloudMap, "CreateServiceRequest").expect("Cloud Map");
//! let dns = discovery.member_by_rust("dns_config").expect("a member");
//! assert_eq!((dns.json, dns.api), ("DnsConfig", Api::CloudMap));
//! assert!(reflect::shape("CreateServiceRequest").expect("ECS").member("DnsConfig").is_none());
//! ```

use crate::generated::reflect as ecs;
use crate::generated_autoscaling::reflect as autoscaling;
use crate::generated_cloud_map::reflect as cloud_map;
use crate::generated_load_balancing::reflect as load_balancing;
use crate::generated_scheduler::reflect as scheduler;

/// A table of shapes: one AWS API's, or the stack file's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Api {
    /// Amazon ECS: [`crate::types`].
    Ecs,
    /// AWS Cloud Map (`servicediscovery`): [`crate::cloud_map`].
    CloudMap,
    /// Elastic Load Balancing v2: [`crate::load_balancing`].
    LoadBalancing,
    /// Application Auto Scaling: [`crate::autoscaling`].
    Autoscaling,
    /// Amazon EventBridge Scheduler: [`crate::scheduler`].
    Scheduler,
    /// Not an AWS API: the stack file's own structures, [`crate::Stack`] and
    /// [`crate::Scaling`], whose members hold the other APIs' inputs.
    Stack,
}

impl Api {
    /// Every table, ECS first.
    pub const ALL: &'static [Api] = &[
        Api::Ecs,
        Api::CloudMap,
        Api::LoadBalancing,
        Api::Autoscaling,
        Api::Scheduler,
        Api::Stack,
    ];

    /// The module of `ecs_model` holding its Rust types (`types`, `cloud_map`...); empty for
    /// [`Api::Stack`], whose types are in the crate root.
    pub fn module(self) -> &'static str {
        match self {
            Api::Ecs => "types",
            Api::CloudMap => "cloud_map",
            Api::LoadBalancing => "load_balancing",
            Api::Autoscaling => "autoscaling",
            Api::Scheduler => "scheduler",
            Api::Stack => "",
        }
    }

    /// How messages name it: `Amazon ECS`, `AWS Cloud Map`...
    pub fn label(self) -> &'static str {
        match self {
            Api::Ecs => "Amazon ECS",
            Api::CloudMap => "AWS Cloud Map",
            Api::LoadBalancing => "Elastic Load Balancing",
            Api::Autoscaling => "Application Auto Scaling",
            Api::Scheduler => "EventBridge Scheduler",
            Api::Stack => "the stack file",
        }
    }

    /// Its structures, sorted by name.
    fn shapes(self) -> &'static [ShapeInfo] {
        match self {
            Api::Ecs => ecs::SHAPES,
            Api::CloudMap => cloud_map::SHAPES,
            Api::LoadBalancing => load_balancing::SHAPES,
            Api::Autoscaling => autoscaling::SHAPES,
            Api::Scheduler => scheduler::SHAPES,
            Api::Stack => STACK_SHAPES,
        }
    }

    /// Its enums, sorted by name.
    fn enums(self) -> &'static [EnumInfo] {
        match self {
            Api::Ecs => ecs::ENUMS,
            Api::CloudMap => cloud_map::ENUMS,
            Api::LoadBalancing => load_balancing::ENUMS,
            Api::Autoscaling => autoscaling::ENUMS,
            Api::Scheduler => scheduler::ENUMS,
            Api::Stack => &[],
        }
    }
}

/// The type of a member's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ty {
    /// A string (`String`).
    String,
    /// A 32-bit integer (`i32`).
    Integer,
    /// A 64-bit integer (`i64`).
    Long,
    /// A boolean.
    Boolean,
    /// A floating-point number (`f64`).
    Double,
    /// A timestamp ([`crate::Timestamp`]).
    Timestamp,
    /// An enum, by AWS shape name in the member's API; see [`enumeration_in`].
    Enum(&'static str),
    /// A structure, by AWS shape name in the member's API; see [`shape_in`].
    Struct(&'static str),
    /// A list of values of the inner type.
    List(&'static Ty),
    /// A map from strings to values of the inner type.
    Map(&'static Ty),
    /// A structure of one of two shapes, picked by whether a member is written.
    Choice(&'static ChoiceInfo),
}

/// A structure written as one of two shapes of an API, picked by whether one member is written,
/// as the JSON loader picks it: an entry of the stack's `namespaces` with a `Vpc` is a
/// CreatePrivateDnsNamespace input, one without is a CreateHttpNamespace input.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChoiceInfo {
    /// The Rust enum holding either, in the module of [`Api::Stack`] (`Namespace`).
    pub name: &'static str,
    /// The API of both shapes.
    pub api: Api,
    /// The JSON member whose presence picks [`ChoiceInfo::present`] (`Vpc`).
    pub member: &'static str,
    /// The alternative when the member is written.
    pub present: Alternative,
    /// The alternative when it is not.
    pub absent: Alternative,
}

/// One alternative of a [`ChoiceInfo`].
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Alternative {
    /// The variant of the Rust enum, which holds the shape boxed (`PrivateDns`).
    pub variant: &'static str,
    /// The shape, in the choice's API (`CreatePrivateDnsNamespaceRequest`).
    pub shape: &'static str,
}

impl ChoiceInfo {
    /// The alternative for an entry that writes the JSON member [`ChoiceInfo::member`] or not.
    pub fn pick(&self, member_written: bool) -> &Alternative {
        if member_written {
            &self.present
        } else {
            &self.absent
        }
    }
}

/// A structure of the AWS model.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShapeInfo {
    /// The table it belongs to.
    pub api: Api,
    /// The AWS shape name, which is also the Rust type name in its API's module
    /// ([`Api::module`]).
    pub name: &'static str,
    /// The members, in model order.
    pub members: &'static [MemberInfo],
}

/// A member of a structure.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberInfo {
    /// The member as written in JSON (`containerPort`).
    pub json: &'static str,
    /// The Rust field name (`container_port`); a keyword such as `type` is the raw field
    /// `r#type` in Rust code.
    pub rust: &'static str,
    /// The type of its value.
    pub ty: Ty,
    /// Whether the AWS model marks it as required.
    pub required: bool,
    /// The unit its number or string counts in, when its AWS documentation names one, as the
    /// name of the `ecs_dsl::units` type that carries it: `Cpu` (CPU units), `Memory` (MiB),
    /// `Port`, `Seconds`, and `TaskCpu` / `TaskMemory` for the task-level size strings.
    pub unit: Option<&'static str>,
    /// The table the shape and enum names in `ty` are looked up in: the API of the structure
    /// holding the member, except in the stack file's structures, whose members hold other
    /// APIs' inputs.
    pub api: Api,
}

/// An enum of the AWS model.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumInfo {
    /// The table it belongs to.
    pub api: Api,
    /// The AWS shape name, which is also the Rust type name in its API's module
    /// ([`Api::module`]).
    pub name: &'static str,
    /// The values as AWS writes them, in model order.
    pub values: &'static [&'static str],
    /// The Rust variant of each value, in the same order.
    pub variants: &'static [&'static str],
}

impl ShapeInfo {
    /// The member written `json` in JSON.
    pub fn member(&self, json: &str) -> Option<&'static MemberInfo> {
        self.members.iter().find(|m| m.json == json)
    }

    /// The member whose Rust field is `rust` (`r#type` and `type` both find `type`).
    pub fn member_by_rust(&self, rust: &str) -> Option<&'static MemberInfo> {
        let rust = rust.strip_prefix("r#").unwrap_or(rust);
        self.members.iter().find(|m| m.rust == rust)
    }
}

impl EnumInfo {
    /// The Rust variant of `value`, if the model lists it.
    pub fn variant(&self, value: &str) -> Option<&'static str> {
        let index = self.values.iter().position(|v| *v == value)?;
        self.variants.get(index).copied()
    }
}

/// A member of the stack file's structures: a list of `shape` inputs of `api`.
const fn list_of(json: &'static str, rust: &'static str, ty: &'static Ty, api: Api) -> MemberInfo {
    MemberInfo {
        json,
        rust,
        ty: Ty::List(ty),
        required: false,
        unit: None,
        api,
    }
}

/// The stack's `namespaces` entries: see [`crate::Namespace`].
static NAMESPACE: ChoiceInfo = ChoiceInfo {
    name: "Namespace",
    api: Api::CloudMap,
    member: "Vpc",
    present: Alternative {
        variant: "PrivateDns",
        shape: "CreatePrivateDnsNamespaceRequest",
    },
    absent: Alternative {
        variant: "Http",
        shape: "CreateHttpNamespaceRequest",
    },
};

/// The stack file's structures, described like shapes so generic code can walk them; sorted by
/// name.
static STACK_SHAPES: &[ShapeInfo] = &[
    ShapeInfo {
        api: Api::Stack,
        name: "Scaling",
        members: &[
            list_of(
                "scalableTargets",
                "scalable_targets",
                &Ty::Struct("RegisterScalableTargetRequest"),
                Api::Autoscaling,
            ),
            list_of(
                "scalingPolicies",
                "scaling_policies",
                &Ty::Struct("PutScalingPolicyRequest"),
                Api::Autoscaling,
            ),
            list_of(
                "scheduledActions",
                "scheduled_actions",
                &Ty::Struct("PutScheduledActionRequest"),
                Api::Autoscaling,
            ),
        ],
    },
    ShapeInfo {
        api: Api::Stack,
        name: "Stack",
        members: &[
            MemberInfo {
                json: "name",
                rust: "name",
                ty: Ty::String,
                required: false,
                unit: None,
                api: Api::Stack,
            },
            list_of(
                "clusters",
                "clusters",
                &Ty::Struct("CreateClusterRequest"),
                Api::Ecs,
            ),
            list_of(
                "capacityProviders",
                "capacity_providers",
                &Ty::Struct("CreateCapacityProviderRequest"),
                Api::Ecs,
            ),
            list_of(
                "taskDefinitions",
                "task_definitions",
                &Ty::Struct("RegisterTaskDefinitionRequest"),
                Api::Ecs,
            ),
            list_of(
                "services",
                "services",
                &Ty::Struct("CreateServiceRequest"),
                Api::Ecs,
            ),
            list_of(
                "namespaces",
                "namespaces",
                &Ty::Choice(&NAMESPACE),
                Api::CloudMap,
            ),
            list_of(
                "discoveryServices",
                "discovery_services",
                &Ty::Struct("CreateServiceRequest"),
                Api::CloudMap,
            ),
            list_of(
                "targetGroups",
                "target_groups",
                &Ty::Struct("CreateTargetGroupInput"),
                Api::LoadBalancing,
            ),
            list_of(
                "listenerRules",
                "listener_rules",
                &Ty::Struct("CreateRuleInput"),
                Api::LoadBalancing,
            ),
            MemberInfo {
                json: "scaling",
                rust: "scaling",
                ty: Ty::Struct("Scaling"),
                required: false,
                unit: None,
                api: Api::Stack,
            },
            list_of(
                "scheduledTasks",
                "scheduled_tasks",
                &Ty::Struct("CreateScheduleInput"),
                Api::Scheduler,
            ),
        ],
    },
];

/// The structure named `name`: an ECS shape, or `Stack` for the stack file.
pub fn shape(name: &str) -> Option<&'static ShapeInfo> {
    if name == "Stack" {
        return shape_in(Api::Stack, name);
    }
    shape_in(Api::Ecs, name)
}

/// The structure named `name` in the table of `api`.
pub fn shape_in(api: Api, name: &str) -> Option<&'static ShapeInfo> {
    let shapes = api.shapes();
    shapes
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .and_then(|i| shapes.get(i))
}

/// The ECS enum named `name`.
pub fn enumeration(name: &str) -> Option<&'static EnumInfo> {
    enumeration_in(Api::Ecs, name)
}

/// The enum named `name` in the table of `api`.
pub fn enumeration_in(api: Api, name: &str) -> Option<&'static EnumInfo> {
    let enums = api.enums();
    enums
        .binary_search_by(|e| e.name.cmp(name))
        .ok()
        .and_then(|i| enums.get(i))
}

/// Every generated ECS structure, sorted by name (the stack file is not among them).
pub fn shapes() -> &'static [ShapeInfo] {
    Api::Ecs.shapes()
}

/// Every generated ECS enum, sorted by name.
pub fn enumerations() -> &'static [EnumInfo] {
    Api::Ecs.enums()
}

/// Every structure in the table of `api`, sorted by name.
pub fn shapes_in(api: Api) -> &'static [ShapeInfo] {
    api.shapes()
}

/// Every enum in the table of `api`, sorted by name.
pub fn enumerations_in(api: Api) -> &'static [EnumInfo] {
    api.enums()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search_and_name_their_api() {
        for api in Api::ALL {
            let shapes = shapes_in(*api);
            let enums = enumerations_in(*api);
            assert!(!shapes.is_empty(), "{api:?}");
            assert!(shapes.windows(2).all(|w| w[0].name < w[1].name), "{api:?}");
            assert!(enums.windows(2).all(|w| w[0].name < w[1].name), "{api:?}");
            assert!(shapes.iter().all(|s| s.api == *api), "{api:?}");
            assert!(enums.iter().all(|e| e.api == *api), "{api:?}");
        }
    }

    #[test]
    fn every_struct_target_and_enum_target_resolves_in_its_api() {
        fn resolves(api: Api, ty: &Ty) -> bool {
            match ty {
                Ty::Struct(name) => shape_in(api, name).is_some(),
                Ty::Enum(name) => enumeration_in(api, name).is_some(),
                Ty::List(inner) | Ty::Map(inner) => resolves(api, inner),
                Ty::Choice(choice) => {
                    shape_in(choice.api, choice.present.shape)
                        .is_some_and(|s| s.member(choice.member).is_some())
                        && shape_in(choice.api, choice.absent.shape).is_some()
                }
                _ => true,
            }
        }
        for api in Api::ALL {
            for s in shapes_in(*api) {
                for m in s.members {
                    assert!(resolves(m.api, &m.ty), "{api:?} {}.{}", s.name, m.json);
                    if *api != Api::Stack {
                        assert_eq!(m.api, *api, "{}.{}", s.name, m.json);
                    }
                }
            }
            for e in enumerations_in(*api) {
                assert_eq!(e.values.len(), e.variants.len(), "{}", e.name);
            }
        }
    }

    #[test]
    fn the_stack_shape_lists_every_member_of_the_stack_file() {
        let stack = shape("Stack").expect("the stack");
        let members: Vec<&str> = stack.members.iter().map(|m| m.json).collect();
        assert_eq!(members, crate::Stack::MEMBERS);
        let scaling = shape_in(Api::Stack, "Scaling").expect("scaling");
        let members: Vec<&str> = scaling.members.iter().map(|m| m.json).collect();
        assert_eq!(members, crate::Scaling::MEMBERS);
    }

    #[test]
    fn names_shared_by_apis_stay_apart() {
        let ecs = shape("CreateServiceRequest").expect("ECS");
        let cloud_map = shape_in(Api::CloudMap, "CreateServiceRequest").expect("Cloud Map");
        assert_eq!(ecs.api, Api::Ecs);
        assert!(ecs.member("serviceName").is_some());
        assert_eq!(cloud_map.api, Api::CloudMap);
        assert!(cloud_map.member("Name").is_some());
        let tags = shape_in(Api::Scheduler, "Tag").expect("a scheduler tag");
        assert!(tags.member("Key").is_some());
        assert!(shape("Tag").expect("an ECS tag").member("key").is_some());
    }

    #[test]
    fn other_apis_record_units_and_enums() {
        let group = shape_in(Api::LoadBalancing, "CreateTargetGroupInput").expect("target group");
        let port = group.member_by_rust("port").expect("Port");
        assert_eq!((port.json, port.unit), ("Port", Some("Port")));
        let target = group.member_by_rust("target_type").expect("TargetType");
        assert_eq!(target.ty, Ty::Enum("TargetTypeEnum"));
        assert!(
            enumeration_in(Api::LoadBalancing, "TargetTypeEnum")
                .is_some_and(|e| e.values.contains(&"ip"))
        );
        assert!(enumeration("TargetTypeEnum").is_none());
    }

    #[test]
    fn keyword_members_are_found_raw_or_plain() {
        let constraint = shape("PlacementConstraint").expect("shape");
        assert_eq!(
            constraint.member_by_rust("type").map(|m| m.json),
            Some("type")
        );
        assert_eq!(
            constraint.member_by_rust("r#type").map(|m| m.json),
            Some("type")
        );
        assert_eq!(
            enumeration("Compatibility").and_then(|e| e.variant("FARGATE")),
            Some("Fargate")
        );
    }
}
