//! The shapes of the AWS model as data: members, their JSON and Rust names, and their types.
//!
//! Generated code knows its own fields; this table lets generic code walk a shape by name. The
//! `ecs-dsl` macros use it to map `container_port: 80` inside `port_mappings: [...]` to the JSON
//! path `portMappings[0].containerPort` and to check that an integer belongs there.
//!
//! ```
//! use ecs_model::reflect::{self, Ty};
//!
//! let mapping = reflect::shape("PortMapping").expect("a generated shape");
//! let port = mapping.member_by_rust("container_port").expect("a member");
//! assert_eq!(port.json, "containerPort");
//! assert_eq!(port.ty, Ty::Integer);
//! assert_eq!(port.unit, Some("Port"));
//!
//! let mode = reflect::enumeration("NetworkMode").expect("a generated enum");
//! assert!(mode.values.contains(&"awsvpc"));
//! ```

use crate::generated::reflect::{ENUMS, SHAPES};

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
    /// An enum, by AWS shape name; see [`enumeration`].
    Enum(&'static str),
    /// A structure, by AWS shape name; see [`shape`].
    Struct(&'static str),
    /// A list of values of the inner type.
    List(&'static Ty),
    /// A map from strings to values of the inner type.
    Map(&'static Ty),
}

/// A structure of the AWS model.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShapeInfo {
    /// The AWS shape name, which is also the Rust type name in [`crate::types`].
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
}

/// An enum of the AWS model.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumInfo {
    /// The AWS shape name, which is also the Rust type name in [`crate::types`].
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

/// The stack file, described like a shape so generic code can walk it.
static STACK: ShapeInfo = ShapeInfo {
    name: "Stack",
    members: &[
        MemberInfo {
            json: "clusters",
            rust: "clusters",
            ty: Ty::List(&Ty::Struct("CreateClusterRequest")),
            required: false,
            unit: None,
        },
        MemberInfo {
            json: "capacityProviders",
            rust: "capacity_providers",
            ty: Ty::List(&Ty::Struct("CreateCapacityProviderRequest")),
            required: false,
            unit: None,
        },
        MemberInfo {
            json: "taskDefinitions",
            rust: "task_definitions",
            ty: Ty::List(&Ty::Struct("RegisterTaskDefinitionRequest")),
            required: false,
            unit: None,
        },
        MemberInfo {
            json: "services",
            rust: "services",
            ty: Ty::List(&Ty::Struct("CreateServiceRequest")),
            required: false,
            unit: None,
        },
    ],
};

/// The structure named `name`: a generated shape, or `Stack` for the stack file.
pub fn shape(name: &str) -> Option<&'static ShapeInfo> {
    if name == STACK.name {
        return Some(&STACK);
    }
    SHAPES
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .and_then(|i| SHAPES.get(i))
}

/// The enum named `name`.
pub fn enumeration(name: &str) -> Option<&'static EnumInfo> {
    ENUMS
        .binary_search_by(|e| e.name.cmp(name))
        .ok()
        .and_then(|i| ENUMS.get(i))
}

/// Every generated structure, sorted by name (the stack file is not among them).
pub fn shapes() -> &'static [ShapeInfo] {
    SHAPES
}

/// Every generated enum, sorted by name.
pub fn enumerations() -> &'static [EnumInfo] {
    ENUMS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(SHAPES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(ENUMS.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn every_struct_target_and_enum_target_resolves() {
        fn resolves(ty: &Ty) -> bool {
            match ty {
                Ty::Struct(name) => shape(name).is_some(),
                Ty::Enum(name) => enumeration(name).is_some(),
                Ty::List(inner) | Ty::Map(inner) => resolves(inner),
                _ => true,
            }
        }
        for s in shapes().iter().chain([&STACK]) {
            for m in s.members {
                assert!(resolves(&m.ty), "{}.{}", s.name, m.json);
            }
        }
        for e in enumerations() {
            assert_eq!(e.values.len(), e.variants.len(), "{}", e.name);
        }
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
