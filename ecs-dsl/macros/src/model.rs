//! Lowering: the parsed tree checked against the AWS model's shapes, giving
//!
//! - a typed tree that `expand` turns into Rust code,
//! - the JSON of every literal part, which `check` loads and validates like a file,
//! - where each JSON path came from (its tokens), and which paths hold Rust expressions.
//!
//! Member names are the Rust field names of the model's types (`container_port`, and for the
//! other APIs a stack holds, `dns_config` for Cloud Map's `DnsConfig`), found through
//! `ecs_model::reflect`, each in the table of its API; a JSON name gets a hint with the Rust
//! spelling.
//!
//! An entry of the stack's `namespaces` (a `Ty::Choice`) is lowered as a CreatePrivateDnsNamespace
//! input when it writes `vpc`, and as a CreateHttpNamespace input otherwise, as the JSON loader
//! picks it from `Vpc`.

use ecs_model::JsonPath;
use ecs_model::reflect::{self, Api, ChoiceInfo, MemberInfo, ShapeInfo, Ty};
use proc_macro2::TokenStream;
use serde_json::{Map, Number, Value};
use syn::spanned::Spanned;
use syn::{Ident, Lit};

use crate::parse::{Entry, Key, Node, NodeKind};

/// A value after lowering, typed by the model.
pub enum Typed {
    /// A string.
    Str(String),
    /// An integer of a `Ty::Integer` or `Ty::Long` member.
    Int(i64, Ty),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An enum value: the enum's shape name and the Rust variant.
    Enum {
        /// The enum's API.
        api: Api,
        /// The enum's shape name.
        shape: &'static str,
        /// The variant, or `None` when the model does not list the value (an error was reported).
        variant: Option<&'static str>,
        /// The value as written.
        value: String,
    },
    /// A structure with the members that were given.
    Struct {
        /// The structure's API.
        api: Api,
        /// The shape name.
        shape: &'static str,
        /// Member and value, in the order written.
        fields: Vec<(&'static MemberInfo, Typed)>,
    },
    /// One alternative of a choice (a stack's namespace), holding its structure.
    Choice {
        /// The choice.
        choice: &'static ChoiceInfo,
        /// The Rust variant picked.
        variant: &'static str,
        /// The structure.
        value: Box<Typed>,
    },
    /// A list.
    List(Vec<Typed>),
    /// A map with string keys.
    Map(Vec<(String, Typed)>),
    /// A Rust expression, converted with `Into` into the member's type (whose names are in the
    /// API given) at run time, or into its unit (`Memory`, `Port`...) when the member has one.
    Expr(Api, Ty, Option<&'static str>, Box<syn::Expr>),
    /// A value that could not be lowered (an error was reported); expands to a default.
    Invalid,
}

/// Everything `check` and `expand` need.
pub struct Lowered {
    /// The root value.
    pub root: Typed,
    /// The JSON of the literal parts; expressions are absent (members) or placeholders (list
    /// elements, so indices stay right).
    pub json: Value,
    /// The tokens of each value, by JSON path.
    pub spans: Vec<(JsonPath, TokenStream)>,
    /// The paths of values given as Rust expressions, with their type and its API.
    pub exprs: Vec<(JsonPath, Api, Ty)>,
    /// Errors found while lowering: unknown members, wrong literal types, unknown enum values.
    pub errors: Vec<syn::Error>,
}

/// Lowers the root members against shape `root`.
pub fn lower(root: &str, members: &[Entry], tokens: &TokenStream) -> Lowered {
    let mut cx = Lowering {
        spans: Vec::new(),
        exprs: Vec::new(),
        errors: Vec::new(),
    };
    let path = JsonPath::root();
    cx.spans.push((path.clone(), tokens.clone()));
    let (root, json) = match reflect::shape(root) {
        Some(shape) => cx.object(shape, members, &path),
        None => {
            cx.errors.push(syn::Error::new(
                tokens.span(),
                format!("ecs-dsl: unknown root shape `{root}`"),
            ));
            (Typed::Invalid, Value::Null)
        }
    };
    Lowered {
        root,
        json,
        spans: cx.spans,
        exprs: cx.exprs,
        errors: cx.errors,
    }
}

struct Lowering {
    spans: Vec<(JsonPath, TokenStream)>,
    exprs: Vec<(JsonPath, Api, Ty)>,
    errors: Vec<syn::Error>,
}

impl Lowering {
    fn error(&mut self, tokens: &TokenStream, code: &str, message: String, hint: Option<String>) {
        self.errors.push(crate::check::spanned_error(
            tokens,
            code,
            &message,
            hint.as_deref(),
        ));
    }

    fn object(
        &mut self,
        shape: &'static ShapeInfo,
        entries: &[Entry],
        path: &JsonPath,
    ) -> (Typed, Value) {
        let mut fields = Vec::new();
        let mut json = Map::new();
        for entry in entries {
            let name = entry.key.text();
            let key_tokens = key_tokens(&entry.key);
            let Some(member) = shape.member_by_rust(&name) else {
                let (message, hint) = unknown_member(shape, &name);
                self.error(&key_tokens, "unknown-field", message, Some(hint));
                continue;
            };
            if let Key::Str(_) = entry.key {
                self.error(
                    &key_tokens,
                    "unknown-field",
                    format!("a {} member is written without quotes", label(shape)),
                    Some(format!("write `{}: ...`", member.rust)),
                );
                continue;
            }
            if fields
                .iter()
                .any(|(m, _): &(&MemberInfo, Typed)| m.json == member.json)
            {
                self.error(
                    &key_tokens,
                    "duplicate-key",
                    format!("`{}` is given twice", member.rust),
                    Some("keep one of them".to_owned()),
                );
                continue;
            }
            let child = path.clone().key(member.json);
            let (typed, value) =
                self.value(member.api, &member.ty, &entry.value, &child, member.unit);
            if let Some(value) = value {
                json.insert(member.json.to_owned(), value);
            }
            fields.push((member, typed));
        }
        (
            Typed::Struct {
                api: shape.api,
                shape: shape.name,
                fields,
            },
            Value::Object(json),
        )
    }

    /// Lowers `node` as a value of type `ty` (its names in the table of `api`; counted in
    /// `unit`, if any) at `path`. The JSON is `None` for an expression.
    fn value(
        &mut self,
        api: Api,
        ty: &'static Ty,
        node: &Node,
        path: &JsonPath,
        unit: Option<&'static str>,
    ) -> (Typed, Option<Value>) {
        // Task-level sizes are strings in JSON ("256", "1 vCPU"); an integer literal is
        // accepted for them and written as a string.
        let size = matches!(unit, Some("TaskCpu" | "TaskMemory"));
        self.spans.push((path.clone(), node.tokens.clone()));
        let expected = describe(ty);
        match (&node.kind, ty) {
            (NodeKind::Expr(expr), _) => self.expression(api, ty, unit, expr, path),
            // A lone identifier is an enum value where an enum goes, a variable elsewhere.
            (NodeKind::Ident(ident), Ty::Enum(name)) => {
                self.enum_value(api, name, &ident.to_string(), &node.tokens)
            }
            (NodeKind::Ident(ident), _) => {
                let expr: syn::Expr = syn::parse_quote!(#ident);
                self.expression(api, ty, unit, &expr, path)
            }
            (NodeKind::Lit { lit, negative }, _) => {
                self.literal(api, ty, lit, *negative, &node.tokens, size)
            }
            (NodeKind::Object(entries), Ty::Struct(name)) => match reflect::shape_in(api, name) {
                Some(shape) => {
                    let (typed, json) = self.object(shape, entries, path);
                    (typed, Some(json))
                }
                None => (Typed::Invalid, None),
            },
            (NodeKind::Object(entries), Ty::Choice(choice)) => {
                let alternative = choice.pick(writes(choice, entries));
                match reflect::shape_in(choice.api, alternative.shape) {
                    Some(shape) => {
                        let (typed, json) = self.object(shape, entries, path);
                        let typed = Typed::Choice {
                            choice,
                            variant: alternative.variant,
                            value: Box::new(typed),
                        };
                        (typed, Some(json))
                    }
                    None => (Typed::Invalid, None),
                }
            }
            (NodeKind::Object(entries), Ty::Map(inner)) => {
                let mut items = Vec::new();
                let mut json = Map::new();
                for entry in entries {
                    let key = entry.key.text();
                    if json.contains_key(&key) || items.iter().any(|(k, _)| *k == key) {
                        self.error(
                            &key_tokens(&entry.key),
                            "duplicate-key",
                            format!("the key \"{key}\" is given twice"),
                            Some("keep one of them".to_owned()),
                        );
                        continue;
                    }
                    let child = path.clone().key(key.clone());
                    let (typed, value) = self.value(api, inner, &entry.value, &child, None);
                    if let Some(value) = value {
                        json.insert(key.clone(), value);
                    }
                    items.push((key, typed));
                }
                (Typed::Map(items), Some(Value::Object(json)))
            }
            (NodeKind::List(nodes), Ty::List(inner)) => {
                let mut items = Vec::new();
                let mut json = Vec::new();
                for (index, item) in nodes.iter().enumerate() {
                    let child = path.clone().index(index);
                    let (typed, value) = self.value(api, inner, item, &child, None);
                    json.push(value.unwrap_or_else(|| placeholder(inner)));
                    items.push(typed);
                }
                (Typed::List(items), Some(Value::Array(json)))
            }
            (NodeKind::Object(_), _) | (NodeKind::List(_), _) => {
                let found = if matches!(node.kind, NodeKind::List(_)) {
                    "a list"
                } else {
                    "an object"
                };
                self.error(
                    &node.tokens,
                    "type-mismatch",
                    format!("expected {expected}, found {found}"),
                    None,
                );
                (Typed::Invalid, None)
            }
        }
    }

    fn expression(
        &mut self,
        api: Api,
        ty: &Ty,
        unit: Option<&'static str>,
        expr: &syn::Expr,
        path: &JsonPath,
    ) -> (Typed, Option<Value>) {
        self.exprs.push((path.clone(), api, *ty));
        (Typed::Expr(api, *ty, unit, Box::new(expr.clone())), None)
    }

    fn enum_value(
        &mut self,
        api: Api,
        name: &'static str,
        value: &str,
        tokens: &TokenStream,
    ) -> (Typed, Option<Value>) {
        let variant = reflect::enumeration_in(api, name).and_then(|e| e.variant(value));
        if variant.is_none() {
            let values = reflect::enumeration_in(api, name).map_or(&[][..], |e| e.values);
            let close = values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(value) || v.replace('_', "") == value)
                .map(|v| format!("did you mean `{v}`? "))
                .unwrap_or_default();
            self.error(
                tokens,
                "unknown-enum-value",
                format!("`{value}` is not a {name} value"),
                Some(format!(
                    "{close}expected one of {}; to pass a variable, write `({value})`",
                    values.join(", ")
                )),
            );
        }
        (
            Typed::Enum {
                api,
                shape: name,
                variant,
                value: value.to_owned(),
            },
            Some(Value::String(value.to_owned())),
        )
    }

    fn literal(
        &mut self,
        api: Api,
        ty: &'static Ty,
        lit: &Lit,
        negative: bool,
        tokens: &TokenStream,
        size: bool,
    ) -> (Typed, Option<Value>) {
        let sign = if negative { "-" } else { "" };
        if !lit.suffix().is_empty() {
            self.error(
                tokens,
                "type-mismatch",
                format!(
                    "the literal has a suffix `{}`, which means nothing here",
                    lit.suffix()
                ),
                Some(
                    "write the bare value; for a unit, write task memory as a string (\"4 GB\") \
                     or pass an expression such as `Memory::gib(4)`"
                        .to_owned(),
                ),
            );
            return (Typed::Invalid, None);
        }
        match (ty, lit) {
            (Ty::String, Lit::Str(s)) => {
                let text = s.value();
                (Typed::Str(text.clone()), Some(Value::String(text)))
            }
            (Ty::String, Lit::Int(i)) if size && !negative => {
                let text = i.base10_digits().to_owned();
                (Typed::Str(text.clone()), Some(Value::String(text)))
            }
            (Ty::Enum(name), Lit::Str(s)) => self.enum_value(api, name, &s.value(), tokens),
            (Ty::Integer | Ty::Long, Lit::Int(i)) => {
                let text = format!("{sign}{}", i.base10_digits());
                let parsed = text
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *ty == Ty::Long || i32::try_from(*n).is_ok());
                match parsed {
                    Some(n) => (Typed::Int(n, *ty), Some(Value::Number(n.into()))),
                    None => {
                        let bits = if *ty == Ty::Long { 64 } else { 32 };
                        self.error(
                            tokens,
                            "type-mismatch",
                            format!("{text} does not fit in a {bits}-bit integer"),
                            None,
                        );
                        (Typed::Invalid, None)
                    }
                }
            }
            (Ty::Double, Lit::Int(_) | Lit::Float(_)) => {
                let digits = match lit {
                    Lit::Int(i) => i.base10_digits().to_owned(),
                    Lit::Float(f) => f.base10_digits().to_owned(),
                    _ => String::new(),
                };
                let number = format!("{sign}{digits}").parse::<f64>().ok();
                match number.and_then(|n| Number::from_f64(n).map(|j| (n, j))) {
                    Some((n, json)) => (Typed::Float(n), Some(Value::Number(json))),
                    None => {
                        self.error(tokens, "type-mismatch", "not a finite number".into(), None);
                        (Typed::Invalid, None)
                    }
                }
            }
            (Ty::Boolean, Lit::Bool(b)) => (Typed::Bool(b.value), Some(Value::Bool(b.value))),
            _ => {
                let found = match lit {
                    Lit::Str(_) => "a string",
                    Lit::Int(_) => "an integer",
                    Lit::Float(_) => "a number",
                    Lit::Bool(_) => "a boolean",
                    Lit::ByteStr(_) | Lit::CStr(_) => "a byte string",
                    Lit::Byte(_) => "a byte",
                    Lit::Char(_) => "a character",
                    _ => "a literal",
                };
                let hint = match (ty, lit) {
                    (Ty::Integer | Ty::Long | Ty::Double, Lit::Str(s)) => {
                        Some(format!("write the number without quotes: {}", s.value()))
                    }
                    (Ty::String, Lit::Int(i)) => Some(format!(
                        "write it as a string: \"{sign}{}\"",
                        i.base10_digits()
                    )),
                    (Ty::String, Lit::Char(c)) => {
                        Some(format!("write it as a string: \"{}\"", c.value()))
                    }
                    (Ty::Timestamp, _) => Some("pass a timestamp as a Rust expression".to_owned()),
                    _ => None,
                };
                self.error(
                    tokens,
                    "type-mismatch",
                    format!("expected {}, found {found}", describe(ty)),
                    hint,
                );
                (Typed::Invalid, None)
            }
        }
    }
}

fn key_tokens(key: &Key) -> TokenStream {
    match key {
        Key::Ident(ident) => quote::quote!(#ident),
        Key::Str(lit) => quote::quote!(#lit),
    }
}

/// What a value of `ty` looks like, for messages.
fn describe(ty: &Ty) -> String {
    match ty {
        Ty::String => "a string".to_owned(),
        Ty::Integer => "an integer".to_owned(),
        Ty::Long => "an integer".to_owned(),
        Ty::Boolean => "`true` or `false`".to_owned(),
        Ty::Double => "a number".to_owned(),
        Ty::Timestamp => "a timestamp".to_owned(),
        Ty::Enum(name) => format!("a {name} value"),
        Ty::Struct(name) => format!("a {name} object `{{ ... }}`"),
        Ty::List(inner) => format!("a list `[...]` of {}", describe(inner)),
        Ty::Map(_) => "a map `{ \"key\": value, ... }`".to_owned(),
        Ty::Choice(choice) => format!("a {} object `{{ ... }}`", choice.name),
        _ => "a value".to_owned(),
    }
}

/// Stands for a list element given as an expression, so the literal elements after it keep
/// their index. Rules that look at the placeholder report at its path, which `check` drops.
fn placeholder(ty: &Ty) -> Value {
    match ty {
        Ty::Struct(_) | Ty::Map(_) | Ty::Choice(_) => Value::Object(Map::new()),
        Ty::List(_) => Value::Array(Vec::new()),
        Ty::Integer | Ty::Long | Ty::Double => Value::Number(0.into()),
        Ty::Boolean => Value::Bool(false),
        _ => Value::String(String::new()),
    }
}

/// Whether `entries` write the member of `choice` that picks its `present` alternative.
fn writes(choice: &ChoiceInfo, entries: &[Entry]) -> bool {
    let rust = reflect::shape_in(choice.api, choice.present.shape)
        .and_then(|shape| shape.member(choice.member))
        .map(|member| member.rust);
    entries
        .iter()
        .any(|entry| Some(entry.key.text().as_str()) == rust)
}

/// How messages name a shape: `` `PortMapping` `` for ECS, `` `CreateServiceRequest` (AWS
/// Cloud Map) `` for a shape of another API, whose names may repeat ECS's.
fn label(shape: &ShapeInfo) -> String {
    match shape.api {
        Api::Ecs | Api::Stack => format!("`{}`", shape.name),
        other => format!("`{}` ({})", shape.name, other.label()),
    }
}

/// The message and hint for a member `name` that `shape` does not have.
fn unknown_member(shape: &ShapeInfo, name: &str) -> (String, String) {
    let message = format!("{} has no member `{name}`", label(shape));
    if let Some(member) = shape.member(name) {
        return (message, format!("write the Rust name `{}`", member.rust));
    }
    let snake = snake_case(name);
    if let Some(member) = shape.member_by_rust(&snake) {
        return (message, format!("write the Rust name `{}`", member.rust));
    }
    let close = shape
        .members
        .iter()
        .map(|m| (edit_distance(m.rust, name), m.rust))
        .filter(|(d, _)| *d <= 2.max(name.len() / 3))
        .min();
    let hint = match close {
        Some((_, rust)) => format!("did you mean `{rust}`?"),
        None => format!(
            "members are: {}",
            shape
                .members
                .iter()
                .map(|m| m.rust)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    (message, hint)
}

/// `containerPort` as `container_port`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Whether `path` starts with `prefix`.
pub fn starts_with(path: &JsonPath, prefix: &JsonPath) -> bool {
    path.segments().starts_with(prefix.segments())
}

/// Makes an identifier for a Rust field, raw when it is a keyword (`r#type`).
pub fn field_ident(rust: &str) -> Ident {
    match syn::parse_str::<Ident>(rust) {
        Ok(ident) => ident,
        Err(_) => Ident::new_raw(rust, proc_macro2::Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let input = crate::parse::input(tokens).expect("parses");
        super::lower(
            "RegisterTaskDefinitionRequest",
            &input.members,
            &input.tokens,
        )
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn suffixed_literals_are_rejected_not_truncated() {
        let found = errors(
            quote! { k; family: "a", memory: 4GB, container_definitions: [
                { name: "web", image: "nginx", memory_reservation: 2GiB, stop_timeout: 30s },
            ] },
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|e| e.contains("suffix")), "{found:?}");
    }

    #[test]
    fn wrong_literal_kinds_are_named() {
        let found = errors(quote! { k; family: -1, container_definitions: [
            { name: 'w', image: b"nginx", memory: 1.5 },
        ] });
        assert!(
            found[0].contains("write it as a string: \"-1\""),
            "{found:?}"
        );
        assert!(found[1].contains("found a character"), "{found:?}");
        assert!(found[2].contains("found a byte string"), "{found:?}");
        assert!(
            found[3].contains("expected an integer, found a number"),
            "{found:?}"
        );
    }

    fn stack_errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let input = crate::parse::input(tokens).expect("parses");
        super::lower("Stack", &input.members, &input.tokens)
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_namespace_is_private_dns_with_a_vpc_and_http_without() {
        let input = crate::parse::input(quote! { k; namespaces: [
            { name: "internal.local", vpc: "vpc-1", properties: { dns_properties: { soa: { ttl: 60 } } } },
            { name: "shop" },
        ] })
        .expect("parses");
        let lowered = super::lower("Stack", &input.members, &input.tokens);
        assert!(lowered.errors.is_empty());
        let super::Typed::Struct { fields, .. } = &lowered.root else {
            panic!("a structure")
        };
        let Some((_, super::Typed::List(items))) = fields.first() else {
            panic!("a list")
        };
        let variants: Vec<&str> = items
            .iter()
            .map(|item| match item {
                super::Typed::Choice { variant, .. } => *variant,
                _ => "not a choice",
            })
            .collect();
        assert_eq!(variants, ["PrivateDns", "Http"]);
        assert_eq!(
            lowered.json["namespaces"][0]["Properties"]["DnsProperties"]["SOA"]["TTL"],
            60
        );

        // Properties belong to a private DNS namespace only.
        let found = stack_errors(quote! { k; namespaces: [{ name: "shop", properties: {} }] });
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains(
                "`CreateHttpNamespaceRequest` (AWS Cloud Map) has no member `properties`"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn members_of_other_apis_are_snake_case_and_typed_in_their_api() {
        let found = stack_errors(quote! { k;
            discovery_services: [{ name: "api", DnsConfig: {} }],
            target_groups: [{ name: "api", target_type: IP, port: "80" }],
            scheduled_tasks: [{ name: "n", flexible_time_window: { mode: off } }],
        });
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found[0].contains("unknown-field")
                && found[0].contains("write the Rust name `dns_config`"),
            "{found:?}"
        );
        assert!(
            found[1].contains("`IP` is not a TargetTypeEnum value")
                && found[1].contains("did you mean `ip`?"),
            "{found:?}"
        );
        assert!(
            found[2].contains("expected an integer, found a string"),
            "{found:?}"
        );
        assert!(found[3].contains("did you mean `OFF`?"), "{found:?}");
    }

    #[test]
    fn numbers_out_of_range_are_errors() {
        let found = errors(quote! { k; family: "a", container_definitions: [
            { name: "web", image: "nginx", memory: 99999999999 },
        ] });
        assert!(
            found[0].contains("does not fit in a 32-bit integer"),
            "{found:?}"
        );
    }
}
