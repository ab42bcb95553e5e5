//! The reflection table: every generated shape's members with their JSON and Rust names and
//! their target types, written to `reflect.rs` in each API's folder
//! (`ecs-model/src/generated/reflect.rs` for ECS, `generated_cloud_map/reflect.rs`...).
//!
//! The `ecs-dsl` macros read it to turn `container_port: 80` into the JSON member
//! `containerPort` of `PortMapping`, and to know that the value must be an integer. Each entry
//! names its API, because shape names repeat across APIs (`CreateServiceRequest`, `Tag`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::{Api, GenerateError, Model, err, field_name, header, quoted_list, variant_name};

/// Renders the table of `api` for `shapes` (structures and enums, sorted by name).
pub(crate) fn render(
    api: &Api,
    model: &Model<'_>,
    shapes: &BTreeSet<&str>,
) -> Result<String, GenerateError> {
    check_units(api, model)?;
    let tag = format!("Api::{}", api.reflect);
    let mut out = header(api);
    let _ = writeln!(
        out,
        "//! The reflection table of the {} shapes, sorted by name: see `crate::reflect`.\n",
        api.label
    );
    out.push_str("use crate::reflect::{Api, EnumInfo, MemberInfo, ShapeInfo, Ty};\n\n");

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
            "    ShapeInfo {{\n        api: {tag},\n        name: \"{name}\",\n        members: &["
        );
        for (json, member) in model.members(name)? {
            let target = Model::target(member)
                .ok_or_else(|| err(format!("member `{name}.{json}` has no shape")))?;
            let unit = api
                .units
                .iter()
                .find(|(_, _, names)| names.contains(&format!("{name}.{json}").as_str()))
                .map_or_else(
                    || "None".to_owned(),
                    |(unit, _, _)| format!("Some(\"{unit}\")"),
                );
            let _ = writeln!(
                out,
                "            MemberInfo {{ json: \"{json}\", rust: \"{}\", ty: {}, required: {}, unit: {unit}, api: {tag} }},",
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
            "    EnumInfo {{ api: {tag}, name: \"{name}\", values: &[{}], variants: &[{}] }},",
            quoted_list(values.iter().copied()),
            quoted_list(variants.iter().map(String::as_str)),
        );
    }
    out.push_str("];\n");
    Ok(out)
}

/// Fails when a member of `api.units` is not in the model, or its type is not the unit's raw
/// type, so a unit never lands on a member the macros could not convert it into.
fn check_units(api: &Api, model: &Model<'_>) -> Result<(), GenerateError> {
    for (unit, raw, members) in api.units {
        for qualified in *members {
            let (shape, json) = qualified
                .split_once('.')
                .ok_or_else(|| err(format!("unit member `{qualified}` is not Shape.member")))?;
            let target = model
                .members(shape)?
                .into_iter()
                .find(|(name, _)| *name == json)
                .and_then(|(_, member)| Model::target(member))
                .ok_or_else(|| err(format!("{}: no member `{qualified}`", api.label)))?;
            let kind = model.kind(target)?;
            let fits = matches!((*raw, kind), ("i32", "integer") | ("String", "string"));
            if !fits {
                return Err(err(format!(
                    "{}: `{qualified}` is {kind}, but unit {unit} stores {raw}",
                    api.label
                )));
            }
        }
    }
    Ok(())
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
