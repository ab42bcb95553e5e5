//! The reflection table: every generated shape's members with their JSON and Rust names and
//! their target types, written to `ecs-model/src/generated/reflect.rs`.
//!
//! The `ecs-dsl` macros read it to turn `container_port: 80` into the JSON member
//! `containerPort` of `PortMapping`, and to know that the value must be an integer.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::{GenerateError, HEADER, Model, err, field_name, quoted_list, variant_name};

/// Renders the table for `shapes` (structures and enums, sorted by name).
pub(crate) fn render(model: &Model<'_>, shapes: &BTreeSet<&str>) -> Result<String, GenerateError> {
    let mut out = String::from(HEADER);
    out.push_str("//! The reflection table of the generated shapes, sorted by name: see `crate::reflect`.\n\n");
    out.push_str("use crate::reflect::{EnumInfo, MemberInfo, ShapeInfo, Ty};\n\n");

    let mut structs = Vec::new();
    let mut enums = Vec::new();
    for shape in shapes {
        if model.is_enum(shape)? {
            enums.push(*shape);
        } else if model.kind(shape)? == "structure" {
            structs.push(*shape);
        }
    }

    out.push_str("/// Every generated structure, sorted by name.\n");
    out.push_str("pub(crate) static SHAPES: &[ShapeInfo] = &[\n");
    for name in &structs {
        let required: BTreeSet<&str> = model
            .shape(name)?
            .get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ShapeInfo {{\n        name: \"{name}\",\n        members: &["
        );
        for (json, member) in model.members(name)? {
            let target = Model::target(member)
                .ok_or_else(|| err(format!("member `{name}.{json}` has no shape")))?;
            let unit = crate::builders::UNIT_MEMBERS
                .iter()
                .find(|(_, _, names)| names.contains(&format!("{name}.{json}").as_str()))
                .map_or_else(
                    || "None".to_owned(),
                    |(unit, _, _)| format!("Some(\"{unit}\")"),
                );
            let _ = writeln!(
                out,
                "            MemberInfo {{ json: \"{json}\", rust: \"{}\", ty: {}, required: {}, unit: {unit} }},",
                field_name(json).trim_start_matches("r#"),
                ty(model, target)?,
                required.contains(json),
            );
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n\n");

    out.push_str("/// Every generated enum, sorted by name.\n");
    out.push_str("pub(crate) static ENUMS: &[EnumInfo] = &[\n");
    for name in &enums {
        let values: Vec<&str> = model
            .shape(name)?
            .get("enum")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let variants: Vec<String> = values.iter().map(|v| variant_name(v)).collect();
        let _ = writeln!(
            out,
            "    EnumInfo {{ name: \"{name}\", values: &[{}], variants: &[{}] }},",
            quoted_list(values.iter().copied()),
            quoted_list(variants.iter().map(String::as_str)),
        );
    }
    out.push_str("];\n");
    Ok(out)
}

/// The `Ty` expression for a member whose target is shape `name`.
fn ty(model: &Model<'_>, name: &str) -> Result<String, GenerateError> {
    let shape = model.shape(name)?;
    Ok(match model.kind(name)? {
        "structure" => format!("Ty::Struct(\"{name}\")"),
        "string" if shape.contains_key("enum") => format!("Ty::Enum(\"{name}\")"),
        "string" => "Ty::String".to_owned(),
        "integer" => "Ty::Integer".to_owned(),
        "long" => "Ty::Long".to_owned(),
        "boolean" => "Ty::Boolean".to_owned(),
        "double" | "float" => "Ty::Double".to_owned(),
        "timestamp" => "Ty::Timestamp".to_owned(),
        "list" => {
            let member = shape
                .get("member")
                .and_then(Model::target)
                .ok_or_else(|| err(format!("list `{name}` has no member")))?;
            format!("Ty::List(&{})", ty(model, member)?)
        }
        "map" => {
            let value = shape
                .get("value")
                .and_then(Model::target)
                .ok_or_else(|| err(format!("map `{name}` has no value")))?;
            format!("Ty::Map(&{})", ty(model, value)?)
        }
        other => return Err(err(format!("shape `{name}` has unsupported type {other}"))),
    })
}
