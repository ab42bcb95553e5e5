//! A stack as Rust code: a program whose `main` builds it with `ecs_dsl::stack!` and prints it
//! as the stack file.
//!
//! The code is written from the stack's JSON, walked with the AWS model's own description of
//! each shape (`ecs_model::reflect`, the table the macros read): a JSON member becomes the Rust
//! field name the macros take (`containerPort` is `container_port`, `type` is `r#type`), a
//! structure a `{ ... }` block, a list `[ ... ]`, a map `{ "key": value }` with string keys, an
//! enum value a bare identifier where it is one (`FARGATE`, `awsvpc`) and a string otherwise,
//! a number of a floating-point member a float literal, and a string a Rust string literal with
//! its escapes. No member is named here: a member the model gains is written with no code.
//! A member this version's model does not know cannot be written in the macros; it is written
//! as a comment, so that nothing is lost silently.

use ecs_model::Stack;
use ecs_model::reflect::{self, Api, ShapeInfo, Ty};
use serde_json::{Map, Value};

/// `stack` as a Rust program that builds it with `stack!` and prints it as JSON (the same JSON
/// as `serde_json::to_string_pretty(stack)`). It needs the crates `ecs-dsl` and `serde_json`.
///
/// ```
/// let stack = ecs_deploy::ecs_model::load::from_value::<ecs_deploy::ecs_model::Stack>(
///     &serde_json::json!({"clusters": [{"clusterName": "shop"}]}),
/// )
/// .value
/// .unwrap_or_default();
/// let code = ecs_deploy::import::to_rust(&stack);
/// assert!(code.contains("clusters: [{ cluster_name: \"shop\" }],"));
/// ```
pub fn to_rust(stack: &Stack) -> String {
    let json = crate::plan::to_json(stack);
    let mut out = String::new();
    out.push_str(
        "//! A stack imported by `ecs-deploy import`, written with the ecs-dsl macros: every value\n\
         //! is checked by the rule set while this compiles. Run it to print the stack file:\n\
         //! `cargo run > stack.json`.\n\n\
         use ecs_dsl::stack;\n\n\
         fn main() -> Result<(), serde_json::Error> {\n    \
         let stack = stack! {\n",
    );
    match (reflect::shape_in(Api::Stack, "Stack"), &json) {
        (Some(shape), Value::Object(members)) => write_members(&mut out, members, shape, 2),
        _ => out.push_str("        // the stack could not be written\n"),
    }
    out.push_str(
        "    };\n    \
         println!(\"{}\", serde_json::to_string_pretty(&stack)?);\n    \
         Ok(())\n\
         }\n",
    );
    out
}

const INDENT: &str = "    ";

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str(INDENT);
    }
}

/// The members of an object of `shape`, one per line at `depth`.
fn write_members(out: &mut String, members: &Map<String, Value>, shape: &ShapeInfo, depth: usize) {
    for (key, value) in members {
        indent(out, depth);
        let Some(member) = shape.member(key) else {
            out.push_str(&format!(
                "// `{key}`: {value} (not in this version's AWS model: the macros cannot write it)\n"
            ));
            continue;
        };
        out.push_str(&field_name(member.rust));
        out.push_str(": ");
        write_value(out, value, member.api, &member.ty, depth);
        out.push_str(",\n");
    }
}

/// One value of type `ty`, whose shape and enum names are in the table of `api`.
fn write_value(out: &mut String, value: &Value, api: Api, ty: &Ty, depth: usize) {
    match (ty, value) {
        (Ty::Struct(name), Value::Object(members)) => match reflect::shape_in(api, name) {
            Some(shape) => write_object(out, members, shape, depth),
            None => out.push_str(&literal(value)),
        },
        (Ty::Choice(choice), Value::Object(members)) => {
            let alternative = choice.pick(members.contains_key(choice.member));
            match reflect::shape_in(choice.api, alternative.shape) {
                Some(shape) => write_object(out, members, shape, depth),
                None => out.push_str(&literal(value)),
            }
        }
        (Ty::Map(inner), Value::Object(members)) => {
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (key, item) in members {
                indent(out, depth + 1);
                out.push_str(&format!("{key:?}: "));
                write_value(out, item, api, inner, depth + 1);
                out.push_str(",\n");
            }
            indent(out, depth);
            out.push('}');
        }
        (Ty::List(inner), Value::Array(items)) => {
            let nested = items.iter().any(|i| i.is_object() || i.is_array());
            if nested && items.len() == 1 {
                // One element: on the list's line when it fits there.
                let mut one = String::new();
                write_value(&mut one, &items[0], api, inner, depth);
                let column = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
                if !one.contains('\n') && column + one.len() + 2 < LINE {
                    out.push_str(&format!("[{one}]"));
                    return;
                }
            }
            if !nested {
                let items: Vec<String> = items.iter().map(|i| scalar(i, api, inner)).collect();
                out.push_str(&format!("[{}]", items.join(", ")));
                return;
            }
            out.push_str("[\n");
            for item in items {
                indent(out, depth + 1);
                write_value(out, item, api, inner, depth + 1);
                out.push_str(",\n");
            }
            indent(out, depth);
            out.push(']');
        }
        _ => out.push_str(&scalar(value, api, ty)),
    }
}

/// How wide a line may get with a small object written on it (`{ key: "team", value: "shop" }`).
const LINE: usize = 96;

fn write_object(out: &mut String, members: &Map<String, Value>, shape: &ShapeInfo, depth: usize) {
    if members.is_empty() {
        out.push_str("{}");
        return;
    }
    // An object of a few known scalar members fits on its line.
    let inline: Option<Vec<String>> = members
        .iter()
        .map(|(key, value)| {
            let member = shape.member(key)?;
            let scalar = !value.is_object() && !value.is_array();
            scalar.then(|| {
                let name = field_name(member.rust);
                format!("{name}: {}", self::scalar(value, member.api, &member.ty))
            })
        })
        .collect();
    if let Some(parts) = inline {
        let line = format!("{{ {} }}", parts.join(", "));
        let column = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
        if column + line.len() < LINE {
            out.push_str(&line);
            return;
        }
    }
    out.push_str("{\n");
    write_members(out, members, shape, depth + 1);
    indent(out, depth);
    out.push('}');
}

/// A number, boolean, string or enum value.
fn scalar(value: &Value, api: Api, ty: &Ty) -> String {
    match (ty, value) {
        (Ty::Enum(name), Value::String(text)) => {
            let known =
                reflect::enumeration_in(api, name).is_some_and(|e| e.variant(text).is_some());
            if known && is_identifier(text) {
                text.clone()
            } else {
                format!("{text:?}")
            }
        }
        (Ty::Double, Value::Number(number)) => match number.as_f64() {
            // Debug writes a float with its point or exponent (`60.0`, `1e-7`): a float literal.
            Some(float) => format!("{float:?}"),
            None => number.to_string(),
        },
        _ => literal(value),
    }
}

/// A JSON value as a literal: strings with Rust's escapes.
fn literal(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        other => other.to_string(),
    }
}

/// Whether `text` is a plain Rust identifier the macros read as an enum value (not a keyword,
/// not `true` or `false`).
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text != "_"
        && !KEYWORDS.contains(&text)
}

/// A member's Rust field name as the macros take it: raw where it is a keyword.
fn field_name(rust: &str) -> String {
    if KEYWORDS.contains(&rust) {
        format!("r#{rust}")
    } else {
        rust.to_owned()
    }
}

/// Rust's keywords, strict and reserved (edition 2024), and `true`/`false`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stack(json: Value) -> Stack {
        ecs_model::load::from_value::<Stack>(&json)
            .value
            .expect("a stack")
    }

    #[test]
    fn members_take_their_rust_names_and_values_their_macro_syntax() {
        let code = to_rust(&stack(json!({
            "taskDefinitions": [{
                "family": "web", "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [{
                    "name": "web", "image": "nginx:1.27",
                    "portMappings": [{"containerPort": 80}],
                    "environment": [{"name": "GREETING", "value": "say \"hi\"\\n\u{e9}"}],
                    "logConfiguration": {"logDriver": "awslogs",
                        "options": {"awslogs-group": "/ecs/web"}}
                }]
            }],
            "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}]}]
        })));
        for expected in [
            "task_definitions: [",
            "network_mode: awsvpc,",
            "requires_compatibilities: [FARGATE],",
            "port_mappings: [{ container_port: 80 }],",
            r#"value: "say \"hi\"\\né" }"#,
            r#""awslogs-group": "/ecs/web","#,
            "log_driver: awslogs,",
            "{ r#type: spread, field: \"attribute:ecs.availability-zone\" },",
            "desired_count: 1,",
        ] {
            assert!(code.contains(expected), "{expected} in\n{code}");
        }
    }

    #[test]
    fn floats_enums_that_are_not_identifiers_and_keywords_are_written_as_rust_reads_them() {
        assert_eq!(scalar(&json!(60), Api::Autoscaling, &Ty::Double), "60.0");
        assert_eq!(scalar(&json!(0.5), Api::Autoscaling, &Ty::Double), "0.5");
        assert_eq!(
            scalar(&json!("<default>"), Api::Ecs, &Ty::Enum("NetworkMode")),
            "\"<default>\""
        );
        assert_eq!(field_name("type"), "r#type");
        assert!(!is_identifier("true") && !is_identifier("ecs:service") && is_identifier("EC2"));
    }

    #[test]
    fn a_member_the_model_does_not_know_is_a_comment_not_lost_silently() {
        let code = to_rust(&stack(
            json!({"clusters": [{"clusterName": "shop", "newMember": 1}]}),
        ));
        assert!(code.contains("// `newMember`: 1"), "{code}");
    }
}
