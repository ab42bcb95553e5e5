//! Generator for the `ecs-dsl` builders, written to `ecs-dsl/src/generated/`.
//!
//! One builder per AWS structure that the four create/register inputs reach, in the same group
//! folders and module names as the `ecs-model` type it builds. The conventions follow the AWS SDK
//! for Rust:
//!
//! - `XBuilder { inner: X }`, `Debug + Clone + Default`, with one setter per member: a scalar,
//!   enum or structure setter takes `impl Into<T>`, a list setter appends one item, a map setter
//!   inserts one entry, and `set_member(Option<..>)` replaces or clears the member with the
//!   model's raw type.
//! - A member whose number or string is a quantity with a unit ([`UNIT_MEMBERS`]) has a setter
//!   taking `impl Into<U>` for its unit type `U` in `ecs_dsl::units` (container `memory` takes
//!   `Memory`, a port takes `Port`), which stores the model's raw value. Raw numbers (and, for the
//!   task-level `cpu` and `memory`, strings) convert into the unit; a unit of another kind does
//!   not, so `.memory(Cpu::units(256))` is a compile error.
//! - A builder converts into its shape with `From`, so a nested builder is passed to the setter
//!   of the enclosing one without calling `build`.
//! - The roots (RegisterTaskDefinition, CreateCluster and CreateCapacityProvider inputs) build
//!   through `ecs_dsl::checked`, so `build` returns the rule set's diagnostics; `check` shows them
//!   without building.
//! - CreateService input gets no builder of its own but two, `ReplicaServiceBuilder` and
//!   `DaemonServiceBuilder`, which fix `schedulingStrategy` and leave out the setters that do not
//!   apply: a daemon service cannot take a desired count or a placement strategy.
//! - `ecs_dsl::Buildable` gives every built shape `X::builder()`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::{
    GenerateError, HEADER, Model, TypePaths, err, field_name, module_name, shape_groups,
    variant_name, write_doc,
};

/// The inputs the builders start from; every structure they reach gets a builder.
const ROOTS: &[&str] = &[
    "RegisterTaskDefinitionRequest",
    "CreateServiceRequest",
    "CreateClusterRequest",
    "CreateCapacityProviderRequest",
];

/// The shape the two service builders build instead of a generic one.
const SERVICE: &str = "CreateServiceRequest";

/// The members whose value is a quantity with a unit: `(unit, raw, members)` where `unit` is the
/// type in `ecs_dsl::units` the setter takes, `raw` the model's Rust type it stores (checked
/// against the model, so a member that changes type or disappears fails the generation) and
/// `members` the `Shape.member` names.
///
/// Only members whose name and AWS documentation both say the unit: CPU units, MiB of memory,
/// port numbers and whole seconds. Counts, percentages, GiB of disk and minutes stay plain
/// integers.
pub(crate) const UNIT_MEMBERS: &[(&str, &str, &[&str])] = &[
    ("Cpu", "i32", &["ContainerDefinition.cpu"]),
    (
        "Memory",
        "i32",
        &[
            "ContainerDefinition.memory",
            "ContainerDefinition.memoryReservation",
            "LinuxParameters.sharedMemorySize",
            "LinuxParameters.maxSwap",
            "Tmpfs.size",
        ],
    ),
    (
        "Port",
        "i32",
        &[
            "PortMapping.containerPort",
            "PortMapping.hostPort",
            "LoadBalancer.containerPort",
            "ServiceRegistry.port",
            "ServiceRegistry.containerPort",
            "ServiceConnectService.ingressPortOverride",
            "ServiceConnectClientAlias.port",
        ],
    ),
    (
        "Seconds",
        "i32",
        &[
            "ContainerDefinition.startTimeout",
            "ContainerDefinition.stopTimeout",
            "ContainerRestartPolicy.restartAttemptPeriod",
            "HealthCheck.interval",
            "HealthCheck.timeout",
            "HealthCheck.startPeriod",
            "CreateServiceRequest.healthCheckGracePeriodSeconds",
            "TimeoutConfiguration.idleTimeoutSeconds",
            "TimeoutConfiguration.perRequestTimeoutSeconds",
            "ManagedScaling.instanceWarmupPeriod",
        ],
    ),
    ("TaskCpu", "String", &["RegisterTaskDefinitionRequest.cpu"]),
    (
        "TaskMemory",
        "String",
        &["RegisterTaskDefinitionRequest.memory"],
    ),
];

/// The unit table keyed by `(shape, member)`: the unit type and the raw type it stores.
type Units<'t> = BTreeMap<(&'t str, &'t str), (&'t str, &'t str)>;

/// How the generated code names the model's types: `use ecs_model::types;` at the top of each
/// file.
const PATHS: TypePaths = TypePaths {
    shapes: "types::",
    timestamp: "ecs_model::Timestamp",
};

/// What one generated builder builds and how.
struct Spec<'a> {
    /// The AWS shape.
    shape: &'a str,
    /// The builder's type name.
    builder: String,
    /// The module (file) name inside the group folder.
    module: String,
    kind: Kind,
}

enum Kind {
    /// A nested shape: `build` returns it unchecked.
    Nested,
    /// A resource input: `build` runs the rule set.
    Root { example: &'static str },
    /// CreateService input with `schedulingStrategy` fixed to `strategy` and `omit` members left
    /// without setters.
    Service {
        strategy: &'static str,
        omit: &'static [&'static str],
        summary: &'static str,
        example: &'static str,
    },
}

/// Generates every file of `ecs-dsl/src/generated/`, keyed by path relative to that folder.
pub fn generate_builders(model_json: &str) -> Result<BTreeMap<String, String>, GenerateError> {
    generate_builders_with(model_json, UNIT_MEMBERS)
}

/// [`generate_builders`] with another unit table (the tests use a tiny model).
fn generate_builders_with(
    model_json: &str,
    unit_members: &[(&'static str, &'static str, &[&'static str])],
) -> Result<BTreeMap<String, String>, GenerateError> {
    let (value, member_order) = crate::parse_model(model_json)?;
    let model = Model::new(&value, member_order, &crate::ECS)?;

    let mut reached = BTreeSet::new();
    for root in ROOTS {
        reached.extend(model.reachable(root)?);
    }
    let units = unit_table(&model, &reached, unit_members)?;

    let mut groups: BTreeMap<&str, Vec<Spec<'_>>> = BTreeMap::new();
    for (group, shapes) in shape_groups(&model)? {
        for shape in shapes {
            if !reached.contains(shape) || model.kind(shape)? != "structure" {
                continue;
            }
            let specs = groups.entry(group).or_default();
            if shape == SERVICE {
                specs.extend(service_specs());
            } else {
                specs.push(Spec {
                    shape,
                    builder: format!("{shape}Builder"),
                    module: module_name(shape),
                    kind: root_example(shape)
                        .map_or(Kind::Nested, |example| Kind::Root { example }),
                });
            }
        }
    }

    let mut files = BTreeMap::new();
    let mut top = String::from(HEADER);
    top.push_str("//! Builders generated from the AWS ECS API model, one module per shape.\n");
    top.push_str("//!\n//! Documentation text is derived from the AWS API model (Apache-2.0, see `ecs-model/aws-model/NOTICE`).\n\n");
    top.push_str(
        "// Setters are named after the members: `KernelCapabilities` has `add` and `drop`.\n",
    );
    top.push_str("#![allow(clippy::should_implement_trait)]\n\n");
    crate::write_group_modules(&mut top, groups.keys().copied());
    files.insert("mod.rs".to_owned(), top);

    for (group, specs) in &groups {
        let mut index = String::from(HEADER);
        let _ = writeln!(index, "//! Builders for the {}.", group_doc(group));
        index.push('\n');
        for spec in specs {
            let _ = writeln!(index, "mod {};", spec.module);
        }
        index.push('\n');
        for spec in specs {
            let _ = writeln!(index, "pub use self::{}::{};", spec.module, spec.builder);
        }
        files.insert(format!("{group}/mod.rs"), index);
        for spec in specs {
            let body = render_builder(&model, spec, &units)?;
            files.insert(format!("{group}/{}.rs", spec.module), body);
        }
    }
    Ok(files)
}

/// Checks every entry of `unit_members` against the model: the shape has a builder, the member
/// exists, is not a list or map, and has the raw type the unit stores.
fn unit_table<'t>(
    model: &Model<'_>,
    reached: &BTreeSet<&str>,
    unit_members: &[(&'t str, &'t str, &[&'t str])],
) -> Result<Units<'t>, GenerateError> {
    let mut units = Units::new();
    for &(unit, raw, names) in unit_members {
        for name in names {
            let (shape, json) = name
                .split_once('.')
                .ok_or_else(|| err(format!("unit member `{name}` is not `Shape.member`")))?;
            if !reached.contains(shape) {
                return Err(err(format!(
                    "unit member `{name}`: `{shape}` has no builder"
                )));
            }
            let member = members(model, shape, &Units::new())?
                .into_iter()
                .find(|m| m.json == json)
                .ok_or_else(|| err(format!("unit member `{name}`: no such member")))?;
            match member.setter {
                Setter::Single(ty) if ty == raw => {}
                _ => {
                    return Err(err(format!(
                        "unit member `{name}` is not a single `{raw}` for `{unit}`"
                    )));
                }
            }
            if units.insert((shape, json), (unit, raw)).is_some() {
                return Err(err(format!("unit member `{name}` is listed twice")));
            }
        }
    }
    Ok(units)
}

fn group_doc(group: &str) -> &'static str {
    match group {
        "task_definition" => "RegisterTaskDefinition input and its parts",
        "service" => "CreateService input and its parts",
        "cluster" => "CreateCluster input and its parts",
        "capacity_provider" => "CreateCapacityProvider input and its parts",
        _ => "shapes more than one resource uses",
    }
}

fn service_specs() -> [Spec<'static>; 2] {
    [
        Spec {
            shape: SERVICE,
            builder: "ReplicaServiceBuilder".to_owned(),
            module: "replica_service".to_owned(),
            kind: Kind::Service {
                strategy: "REPLICA",
                omit: &["schedulingStrategy"],
                summary: "Builds a REPLICA service ([`CreateServiceRequest`](types::CreateServiceRequest) \
                          with `schedulingStrategy` `REPLICA`): the scheduler keeps `desiredCount` \
                          tasks running.",
                example: REPLICA_EXAMPLE,
            },
        },
        Spec {
            shape: SERVICE,
            builder: "DaemonServiceBuilder".to_owned(),
            module: "daemon_service".to_owned(),
            kind: Kind::Service {
                strategy: "DAEMON",
                omit: &["schedulingStrategy", "desiredCount", "placementStrategy"],
                summary: "Builds a DAEMON service ([`CreateServiceRequest`](types::CreateServiceRequest) \
                          with `schedulingStrategy` `DAEMON`): one task on each container instance. \
                          There is no `desired_count` or `placement_strategy` setter: AWS rejects \
                          both for a daemon.",
                example: DAEMON_EXAMPLE,
            },
        },
    ]
}

/// The doctest of a root builder; `None` for nested shapes.
fn root_example(shape: &str) -> Option<&'static str> {
    match shape {
        "RegisterTaskDefinitionRequest" => Some(TASK_DEFINITION_EXAMPLE),
        "CreateClusterRequest" => Some(CLUSTER_EXAMPLE),
        "CreateCapacityProviderRequest" => Some(CAPACITY_PROVIDER_EXAMPLE),
        _ => None,
    }
}

const TASK_DEFINITION_EXAMPLE: &str = r#"use ecs_dsl::prelude::*;

let builder = RegisterTaskDefinitionRequest::builder().family("webserver");
// `containerDefinitions` is required: the checked build reports it at its JSON path.
let invalid = builder.clone().build().unwrap_err();
assert_eq!(invalid.errors().next().map(|d| d.code.as_str()), Some("missing-required-field"));

let request = builder
    .container_definitions(ContainerDefinition::builder().name("web").image("nginx").memory(512))
    .build()?;
assert_eq!(request.family.as_deref(), Some("webserver"));
# Ok::<(), ecs_dsl::Invalid>(())"#;

const CLUSTER_EXAMPLE: &str = r#"use ecs_dsl::prelude::*;

let cluster = CreateClusterRequest::builder()
    .cluster_name("demo")
    .capacity_providers("FARGATE")
    .build()?;
assert_eq!(cluster.capacity_providers, Some(vec!["FARGATE".to_owned()]));
# Ok::<(), ecs_dsl::Invalid>(())"#;

const CAPACITY_PROVIDER_EXAMPLE: &str = r#"use ecs_dsl::prelude::*;

let builder = CreateCapacityProviderRequest::builder().name("spot-fleet");
// A capacity provider needs an Auto Scaling group or ECS Managed Instances.
assert!(builder.check().iter().any(|d| d.code == "capacity-provider-kind"));

let provider = builder
    .auto_scaling_group_provider(
        AutoScalingGroupProvider::builder()
            .auto_scaling_group_arn("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/spot"),
    )
    .build()?;
assert_eq!(provider.name.as_deref(), Some("spot-fleet"));
# Ok::<(), ecs_dsl::Invalid>(())"#;

const REPLICA_EXAMPLE: &str = r#"use ecs_dsl::builders::ReplicaServiceBuilder;
use ecs_dsl::prelude::*;

let service = ReplicaServiceBuilder::default()
    .service_name("web")
    .cluster("demo")
    .task_definition("webserver")
    .desired_count(2)
    .build()?;
assert_eq!(service.scheduling_strategy, Some(SchedulingStrategy::Replica));
# Ok::<(), ecs_dsl::Invalid>(())"#;

const DAEMON_EXAMPLE: &str = r#"use ecs_dsl::builders::DaemonServiceBuilder;
use ecs_dsl::prelude::*;

let service = DaemonServiceBuilder::default()
    .service_name("log-agent")
    .cluster("demo")
    .task_definition("fluent-bit")
    .build()?;
assert_eq!(service.scheduling_strategy, Some(SchedulingStrategy::Daemon));
assert_eq!(service.desired_count, None);
# Ok::<(), ecs_dsl::Invalid>(())"#;

/// What a member's setter takes.
enum Setter {
    /// A scalar, enum or structure: `fn member(value: impl Into<T>)`.
    Single(String),
    /// A quantity with a unit: `fn member(value: impl Into<crate::units::U>)` storing the raw
    /// type `T` (`unit`, `raw`).
    Unit(String, String),
    /// A list: `fn member(item: impl Into<T>)` appends.
    List(String),
    /// A map with string keys: `fn member(key, value: impl Into<T>)` inserts.
    Map(String),
}

struct Member<'a> {
    json: &'a str,
    rust: String,
    /// The member's target shape (for a list or map: its item or value shape).
    target: &'a str,
    setter: Setter,
    doc: Option<&'a str>,
    required: bool,
}

fn members<'a>(
    model: &'a Model<'a>,
    shape: &str,
    units: &Units<'_>,
) -> Result<Vec<Member<'a>>, GenerateError> {
    let required = model.required(shape)?;
    let mut out = Vec::new();
    for (json, member) in model.members(shape)? {
        let target = Model::target(member)
            .ok_or_else(|| err(format!("member `{shape}.{json}` has no shape")))?;
        let (setter, item) = match model.kind(target)? {
            kind @ ("list" | "map") => {
                let key = if kind == "list" { "member" } else { "value" };
                let item = model
                    .shape(target)?
                    .get(key)
                    .and_then(Model::target)
                    .ok_or_else(|| err(format!("{kind} `{target}` has no {key}")))?;
                let ty = model.rust_type_in(item, &PATHS)?;
                let setter = if kind == "list" {
                    Setter::List(ty)
                } else {
                    Setter::Map(ty)
                };
                (setter, item)
            }
            _ => {
                let ty = model.rust_type_in(target, &PATHS)?;
                let setter = match units.get(&(shape, json)) {
                    Some((unit, _)) => Setter::Unit((*unit).to_owned(), ty),
                    None => Setter::Single(ty),
                };
                (setter, target)
            }
        };
        let doc = member
            .get("documentation")
            .and_then(Value::as_str)
            .or_else(|| {
                model
                    .shape(target)
                    .ok()
                    .and_then(|s| s.get("documentation"))
                    .and_then(Value::as_str)
            });
        out.push(Member {
            json,
            rust: field_name(json),
            target: item,
            setter,
            doc,
            required: required.contains(json),
        });
    }
    Ok(out)
}

fn render_builder(
    model: &Model<'_>,
    spec: &Spec<'_>,
    units: &Units<'_>,
) -> Result<String, GenerateError> {
    let shape = spec.shape;
    let builder = &spec.builder;
    let omit: &[&str] = match &spec.kind {
        Kind::Service { omit, .. } => omit,
        _ => &[],
    };
    let members: Vec<Member<'_>> = members(model, shape, units)?
        .into_iter()
        .filter(|m| !omit.contains(&m.json))
        .collect();

    let mut out = String::from(HEADER);
    let _ = writeln!(out, "//! Builds the AWS ECS shape `{shape}`.\n");
    out.push_str("use ecs_model::types;\n\n");

    // The struct and its documentation.
    match &spec.kind {
        Kind::Service { summary, .. } => {
            for line in crate::wrap(summary, 96) {
                let _ = writeln!(out, "/// {line}");
            }
        }
        _ => {
            let _ = writeln!(out, "/// Builds a [`{shape}`](types::{shape}).\n///");
            write_doc(
                &mut out,
                "",
                model
                    .shape(shape)?
                    .get("documentation")
                    .and_then(Value::as_str),
                &format!("The AWS ECS `{shape}` shape."),
            );
        }
    }
    out.push_str("///\n");
    match &spec.kind {
        Kind::Nested => out.push_str(
            "/// Start from `builder()` ([`Buildable`](crate::Buildable)); the builder converts into the\n\
             /// shape, so it can go straight into the setter of an enclosing builder.\n",
        ),
        Kind::Root { .. } => out.push_str(
            "/// Start from `builder()` ([`Buildable`](crate::Buildable)) or the constructor in the crate\n\
             /// root. [`build`](Self::build) runs the rule set; `From` converts without checking.\n",
        ),
        Kind::Service { .. } => out.push_str(
            "/// Start from the constructor in the crate root. [`build`](Self::build) runs the rule set;\n\
             /// `From` converts without checking.\n",
        ),
    }
    out.push_str("///\n/// ```\n");
    let example = match &spec.kind {
        Kind::Nested => nested_example(model, shape, &members)?,
        Kind::Root { example } | Kind::Service { example, .. } => (*example).to_owned(),
    };
    for line in example.lines() {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
    out.push_str("/// ```\n");
    out.push_str(match spec.kind {
        // The service builders write `Default` by hand: it fixes the scheduling strategy.
        Kind::Service { .. } => "#[derive(Debug, Clone)]\n",
        _ => "#[derive(Debug, Clone, Default)]\n",
    });
    out.push_str("#[must_use = \"a builder does nothing until it is built or converted\"]\n");
    let _ = writeln!(
        out,
        "pub struct {builder} {{\n    inner: types::{shape},\n}}\n"
    );

    if let Kind::Service { strategy, .. } = &spec.kind {
        let _ = writeln!(out, "impl Default for {builder} {{");
        let _ = writeln!(
            out,
            "    /// A builder with `schedulingStrategy` `{strategy}` and nothing else set."
        );
        out.push_str("    fn default() -> Self {\n");
        out.push_str("        let mut builder = Self { inner: Default::default() };\n");
        let _ = writeln!(
            out,
            "        builder.inner.scheduling_strategy = Some(types::SchedulingStrategy::{});",
            variant_name(strategy)
        );
        out.push_str("        builder\n    }\n}\n\n");
    }

    // Setters.
    let _ = writeln!(out, "impl {builder} {{");
    let mut names = BTreeSet::new();
    for member in &members {
        render_setters(&mut out, member, &mut names)?;
    }
    for reserved in ["build", "check"] {
        if names.contains(reserved) {
            return Err(err(format!(
                "`{shape}`: a member's setter is named `{reserved}`"
            )));
        }
    }
    match &spec.kind {
        Kind::Nested => {
            let _ = writeln!(out, "    /// The [`{shape}`](types::{shape}) built so far.");
            out.push_str("    ///\n    /// Nested shapes are not checked on their own: the resource that holds them is.\n");
            let _ = writeln!(
                out,
                "    pub fn build(self) -> types::{shape} {{\n        self.inner\n    }}"
            );
        }
        Kind::Root { .. } | Kind::Service { .. } => {
            let _ = writeln!(
                out,
                "    /// Checks the [`{shape}`](types::{shape}) built so far and returns it, or every"
            );
            out.push_str(
                "    /// diagnostic when one of them is an error ([`checked`](crate::checked)).\n",
            );
            let _ = writeln!(
                out,
                "    pub fn build(self) -> Result<types::{shape}, crate::Invalid> {{\n        crate::checked(self.inner)\n    }}\n"
            );
            out.push_str("    /// Every problem the loader and the rule set find in the value built so far, errors\n");
            out.push_str("    /// and warnings ([`Resource::check`](crate::Resource::check)).\n");
            out.push_str("    pub fn check(&self) -> Vec<ecs_model::Diagnostic> {\n        crate::Resource::check(&self.inner)\n    }\n");
        }
    }
    out.push_str("}\n\n");

    let _ = writeln!(out, "impl From<{builder}> for types::{shape} {{");
    out.push_str(match &spec.kind {
        Kind::Nested => "    /// The value built so far.\n",
        _ => {
            "    /// The value built so far, unchecked: a stack's build checks it with the rest.\n"
        }
    });
    let _ = writeln!(
        out,
        "    fn from(builder: {builder}) -> Self {{\n        builder.inner\n    }}\n}}"
    );

    if !matches!(spec.kind, Kind::Service { .. }) {
        let _ = writeln!(out, "\nimpl crate::Buildable for types::{shape} {{");
        let _ = writeln!(out, "    type Builder = {builder};\n");
        let _ = writeln!(
            out,
            "    fn builder() -> {builder} {{\n        {builder}::default()\n    }}\n}}"
        );
    }
    Ok(out)
}

fn render_setters(
    out: &mut String,
    member: &Member<'_>,
    names: &mut BTreeSet<String>,
) -> Result<(), GenerateError> {
    let Member { json, rust, .. } = member;
    let plain = rust.trim_start_matches("r#");
    for name in [plain.to_owned(), format!("set_{plain}")] {
        if !names.insert(name.clone()) {
            return Err(err(format!("two setters are named `{name}`")));
        }
    }
    write_doc(out, "    ", member.doc, &format!("Sets `{json}`."));
    if member.required {
        out.push_str("    ///\n    /// Required: AWS rejects the request without it.\n");
    }
    // The note on the adding setter, its parameters, how it stores them, and the member's type.
    let (note, params, store, whole) = match &member.setter {
        Setter::Single(ty) => (
            String::new(),
            format!("value: impl Into<{ty}>"),
            format!("self.inner.{rust} = Some(value.into());"),
            ty.clone(),
        ),
        Setter::Unit(unit, raw) => (
            format!(
                "Takes a [`{unit}`](crate::units::{unit}), which {} converts into unchanged; \
                 [`set_{plain}`](Self::set_{plain}) takes the model's `{raw}`.",
                if raw == "String" {
                    "a string"
                } else {
                    "a raw integer"
                }
            ),
            format!("value: impl Into<crate::units::{unit}>"),
            format!("self.inner.{rust} = Some(crate::units::Unit::into_raw(value.into()));"),
            raw.clone(),
        ),
        Setter::List(ty) => (
            format!("Appends one item; [`set_{plain}`](Self::set_{plain}) replaces the list."),
            format!("item: impl Into<{ty}>"),
            format!("self.inner.{rust}.get_or_insert_with(Vec::new).push(item.into());"),
            format!("Vec<{ty}>"),
        ),
        Setter::Map(ty) => (
            format!("Inserts one entry; [`set_{plain}`](Self::set_{plain}) replaces the map."),
            format!("key: impl Into<String>, value: impl Into<{ty}>"),
            format!(
                "self.inner.{rust}.get_or_insert_with(Default::default).insert(key.into(), value.into());"
            ),
            format!("std::collections::BTreeMap<String, {ty}>"),
        ),
    };
    if !note.is_empty() {
        out.push_str("    ///\n");
        // The unit notes are long; the list and map notes keep to one line.
        let lines = match member.setter {
            Setter::Unit(..) => crate::wrap(&note, 92),
            _ => vec![note],
        };
        for line in lines {
            let _ = writeln!(out, "    /// {line}");
        }
    }
    let _ = writeln!(out, "    pub fn {rust}(mut self, {params}) -> Self {{");
    let _ = writeln!(out, "        {store}\n        self\n    }}\n");
    let _ = writeln!(
        out,
        "    /// Sets `{json}` to `value`, or clears it with `None`."
    );
    let _ = writeln!(
        out,
        "    pub fn set_{plain}(mut self, value: Option<{whole}>) -> Self {{"
    );
    let _ = writeln!(
        out,
        "        self.inner.{rust} = value;\n        self\n    }}\n"
    );
    Ok(())
}

/// The doctest of a nested builder: set one member and read it back. A scalar or enum member is
/// preferred, then a structure, a list and a map.
fn nested_example(
    model: &Model<'_>,
    shape: &str,
    members: &[Member<'_>],
) -> Result<String, GenerateError> {
    let mut best: Option<(u8, String, String)> = None;
    for member in members {
        let rust = &member.rust;
        let (rank, argument, check) = match (&member.setter, model.kind(member.target)?) {
            (Setter::Single(_) | Setter::Unit(..), kind) if kind != "structure" => {
                let (literal, expected) = literal(model, member.target)?;
                let read = if kind == "string" && !model.is_enum(member.target)? {
                    format!("value.{rust}.as_deref()")
                } else {
                    format!("value.{rust}")
                };
                (0, literal, format!("assert_eq!({read}, Some({expected}));"))
            }
            (Setter::Single(_) | Setter::Unit(..), _) => (
                1,
                format!("{}::builder()", member.target),
                format!("assert!(value.{rust}.is_some());"),
            ),
            (Setter::List(_), _) => (
                2,
                item_argument(model, member.target)?,
                format!("assert_eq!(value.{rust}.map(|items| items.len()), Some(1));"),
            ),
            (Setter::Map(_), _) => (
                3,
                format!("\"key\", {}", item_argument(model, member.target)?),
                format!("assert_eq!(value.{rust}.map(|entries| entries.len()), Some(1));"),
            ),
        };
        if best.as_ref().is_none_or(|(r, ..)| rank < *r) {
            best = Some((rank, format!(".{rust}({argument})"), check));
        }
    }
    let mut text = String::from("use ecs_dsl::prelude::*;\n\n");
    match best {
        Some((_, call, check)) => {
            let _ = writeln!(
                text,
                "let value: {shape} = {shape}::builder(){call}.build();"
            );
            text.push_str(&check);
        }
        None => {
            let _ = writeln!(text, "let value: {shape} = {shape}::builder().build();");
            let _ = write!(text, "assert_eq!(value, {shape}::default());");
        }
    }
    Ok(text)
}

/// A setter argument for one item of shape `target`: a literal, or a builder.
fn item_argument(model: &Model<'_>, target: &str) -> Result<String, GenerateError> {
    Ok(if model.kind(target)? == "structure" {
        format!("{target}::builder()")
    } else {
        literal(model, target)?.0
    })
}

/// An example literal of a scalar or enum shape, and the value the field then holds.
fn literal(model: &Model<'_>, target: &str) -> Result<(String, String), GenerateError> {
    if model.is_enum(target)? {
        let first = model
            .shape(target)?
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|values| values.first())
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("enum `{target}` has no values")))?;
        return Ok((
            format!("\"{first}\""),
            format!("{target}::{}", variant_name(first)),
        ));
    }
    let value = match model.kind(target)? {
        "string" => "\"example\"",
        "integer" | "long" => "1",
        "boolean" => "true",
        "double" | "float" => "1.5",
        other => return Err(err(format!("no example literal for `{target}` ({other})"))),
    };
    Ok((value.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY_MODEL: &str = r#"{"shapes": {
        "RegisterTaskDefinitionRequest": {"type": "structure", "required": ["family"],
            "members": {"family": {"shape": "String"}, "labels": {"shape": "Labels"},
                        "containerDefinitions": {"shape": "Containers"}}},
        "CreateServiceRequest": {"type": "structure",
            "members": {"serviceName": {"shape": "String"}, "desiredCount": {"shape": "Integer"},
                        "schedulingStrategy": {"shape": "SchedulingStrategy"},
                        "placementStrategy": {"shape": "Strings"}}},
        "CreateClusterRequest": {"type": "structure", "members": {}},
        "CreateCapacityProviderRequest": {"type": "structure", "members": {}},
        "ContainerDefinition": {"type": "structure",
            "members": {"name": {"shape": "String"}, "memory": {"shape": "Integer"}}},
        "Containers": {"type": "list", "member": {"shape": "ContainerDefinition"}},
        "Labels": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
        "Strings": {"type": "list", "member": {"shape": "String"}},
        "SchedulingStrategy": {"type": "string", "enum": ["REPLICA", "DAEMON"]},
        "String": {"type": "string"},
        "Integer": {"type": "integer"}
    }}"#;

    const TINY_UNITS: &[(&str, &str, &[&str])] =
        &[("Memory", "i32", &["ContainerDefinition.memory"])];

    /// The tiny model, with an empty structure for every root of [`crate::GROUPS`] it lacks.
    fn tiny_model() -> String {
        let mut model: Value = serde_json::from_str(TINY_MODEL).expect("json");
        let shapes = model["shapes"].as_object_mut().expect("shapes");
        for root in crate::GROUPS.iter().flat_map(|(_, roots)| roots.iter()) {
            shapes
                .entry(*root)
                .or_insert_with(|| serde_json::json!({"type": "structure", "members": {}}));
        }
        serde_json::to_string(&model).expect("text")
    }

    fn files() -> BTreeMap<String, String> {
        generate_builders_with(&tiny_model(), TINY_UNITS).expect("generate")
    }

    #[test]
    fn unit_members_take_their_unit_and_store_the_raw_value() {
        let out = &files()["task_definition/container_definition.rs"];
        assert!(
            out.contains("pub fn memory(mut self, value: impl Into<crate::units::Memory>) -> Self {\n        self.inner.memory = Some(crate::units::Unit::into_raw(value.into()));"),
            "{out}"
        );
        assert!(out.contains("pub fn set_memory(mut self, value: Option<i32>) -> Self"));
        assert!(out.contains("pub fn name(mut self, value: impl Into<String>) -> Self"));
    }

    #[test]
    fn the_unit_table_must_match_the_model() {
        let model = tiny_model();
        let fails = |table: &[(&'static str, &'static str, &[&'static str])]| {
            generate_builders_with(&model, table)
                .expect_err("a bad table")
                .to_string()
        };
        assert!(
            fails(&[("Memory", "i32", &["ContainerDefinition.size"])]).contains("no such member")
        );
        assert!(
            fails(&[("TaskMemory", "String", &["ContainerDefinition.memory"])])
                .contains("is not a single `String`")
        );
        assert!(fails(&[("Memory", "i32", &["Volume.size"])]).contains("has no builder"));
        assert!(
            fails(&[(
                "Memory",
                "i32",
                &["ContainerDefinition.memory", "ContainerDefinition.memory"]
            )])
            .contains("listed twice")
        );
    }

    #[test]
    fn the_unit_table_matches_the_vendored_model() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../aws-model/ecs-2014-11-13.json"
        );
        let text = std::fs::read_to_string(path).expect("model");
        let files = generate_builders(&text).expect("generate");
        let health = &files["task_definition/health_check.rs"];
        assert!(
            health.contains("pub fn interval(mut self, value: impl Into<crate::units::Seconds>)")
        );
        let task = &files["task_definition/register_task_definition_request.rs"];
        assert!(task.contains("pub fn cpu(mut self, value: impl Into<crate::units::TaskCpu>)"));
        assert!(task.contains("pub fn set_cpu(mut self, value: Option<String>)"));
    }

    #[test]
    fn list_and_map_setters_append_and_insert() {
        let out = &files()["task_definition/register_task_definition_request.rs"];
        assert!(
            out.contains("pub fn container_definitions(mut self, item: impl Into<types::ContainerDefinition>) -> Self"),
            "{out}"
        );
        assert!(out.contains(
            "pub fn labels(mut self, key: impl Into<String>, value: impl Into<String>) -> Self"
        ));
        assert!(out.contains(
            "pub fn set_labels(mut self, value: Option<std::collections::BTreeMap<String, String>>)"
        ));
        assert!(out.contains("Required: AWS rejects the request without it."));
        assert!(out.contains(
            "pub fn build(self) -> Result<types::RegisterTaskDefinitionRequest, crate::Invalid>"
        ));
    }

    #[test]
    fn daemon_services_have_no_desired_count_setter() {
        let files = files();
        let daemon = &files["service/daemon_service.rs"];
        assert!(!daemon.contains("fn desired_count"), "{daemon}");
        assert!(!daemon.contains("fn placement_strategy"));
        assert!(!daemon.contains("fn scheduling_strategy"));
        assert!(daemon.contains("Some(types::SchedulingStrategy::Daemon)"));
        let replica = &files["service/replica_service.rs"];
        assert!(replica.contains("fn desired_count"));
        assert!(!replica.contains("fn scheduling_strategy"));
        assert!(!files.contains_key("service/create_service_request.rs"));
        assert!(!replica.contains("impl crate::Buildable"));
    }

    #[test]
    fn nested_builders_build_unchecked_with_a_doctest() {
        let out = &files()["task_definition/container_definition.rs"];
        assert!(
            out.contains("pub fn build(self) -> types::ContainerDefinition {"),
            "{out}"
        );
        assert!(out.contains(
            "/// let value: ContainerDefinition = ContainerDefinition::builder().name(\"example\").build();"
        ));
        assert!(out.contains("impl crate::Buildable for types::ContainerDefinition {"));
    }
}
