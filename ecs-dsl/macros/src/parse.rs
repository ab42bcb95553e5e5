//! Parsing: the macro input as a tree of literals, identifiers, objects, lists and Rust
//! expressions, each keeping its tokens for error spans. Nothing here knows the AWS model.
//!
//! The grammar reads like the JSON the macro produces:
//!
//! ```text
//! input  := $crate ";" members
//! members:= (key ":" value),* [","]
//! key    := identifier | "string literal"
//! value  := literal | identifier | "{" members "}" | "[" (value),* "]" | rust-expression
//! ```
//!
//! A value is whatever tokens stand before the next top-level comma. One literal (a negative
//! number too), one identifier, one brace group or one bracket group is data; anything else is a
//! Rust expression, evaluated at run time.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Lit, LitStr, Token};

/// A parsed value with the tokens it came from.
pub struct Node {
    /// What the value is.
    pub kind: NodeKind,
    /// Its tokens, so an error can underline exactly them.
    pub tokens: TokenStream,
}

/// The forms a value takes.
pub enum NodeKind {
    /// A string, number or boolean literal; `negative` for `-1`.
    Lit { lit: Lit, negative: bool },
    /// A lone identifier: an enum value (`awsvpc`) or a variable.
    Ident(Ident),
    /// `{ key: value, ... }`.
    Object(Vec<Entry>),
    /// `[ value, ... ]`.
    List(Vec<Node>),
    /// Any other Rust expression.
    Expr(Box<syn::Expr>),
}

/// One `key: value` member of an object.
pub struct Entry {
    /// The key as written.
    pub key: Key,
    /// The value.
    pub value: Node,
}

/// An object key.
pub enum Key {
    /// A Rust field name (`container_port`, `type`).
    Ident(Ident),
    /// A string key, for maps (`"awslogs-group"`).
    Str(LitStr),
}

impl Key {
    /// The key's text, without `r#`.
    pub fn text(&self) -> String {
        match self {
            Self::Ident(ident) => ident.unraw().to_string(),
            Self::Str(lit) => lit.value(),
        }
    }
}

/// The whole macro input: the path of the `ecs-dsl` crate (passed by its `macro_rules!`
/// wrapper as `$crate`), then the root object's members.
pub struct Input {
    /// The tokens naming `ecs_dsl`, however the user reached it.
    pub krate: TokenStream,
    /// The root object's members.
    pub members: Vec<Entry>,
    /// The members' tokens.
    pub tokens: TokenStream,
}

/// Parses the macro input.
pub fn input(tokens: TokenStream) -> Result<Input, Unparsed> {
    let mut krate = TokenStream::new();
    let mut iter = tokens.into_iter();
    for tree in iter.by_ref() {
        if matches!(&tree, TokenTree::Punct(p) if p.as_char() == ';') {
            break;
        }
        krate.extend([tree]);
    }
    let rest: TokenStream = iter.collect();
    let members = members.parse2(rest.clone()).map_err(|error| Unparsed {
        krate: krate.clone(),
        error,
    })?;
    Ok(Input {
        krate,
        members,
        tokens: rest,
    })
}

/// Input that does not parse: the error, and the crate path so the expansion can still give a
/// value of the right type.
#[derive(Debug)]
pub struct Unparsed {
    /// The tokens naming `ecs_dsl`.
    pub krate: TokenStream,
    /// What is wrong.
    pub error: syn::Error,
}

/// `key: value, ...` up to the end of the stream.
fn members(input: ParseStream<'_>) -> syn::Result<Vec<Entry>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let key = if input.peek(LitStr) {
            Key::Str(input.parse()?)
        } else if input.peek(Ident::peek_any) {
            Key::Ident(input.call(Ident::parse_any)?)
        } else {
            return Err(input.error(
                "expected a member name such as `family`, or a string key such as \"awslogs-group\"",
            ));
        };
        input.parse::<Token![:]>()?;
        let value = value(input)?;
        out.push(Entry { key, value });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}

/// `value, ...` up to the end of the stream.
fn items(input: ParseStream<'_>) -> syn::Result<Vec<Node>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(value(input)?);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}

/// The tokens before the next top-level comma, classified.
fn value(input: ParseStream<'_>) -> syn::Result<Node> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        let tree: TokenTree = input.parse()?;
        tokens.extend([tree]);
    }
    if tokens.is_empty() {
        return Err(input.error("expected a value"));
    }
    classify(tokens)
}

fn classify(tokens: TokenStream) -> syn::Result<Node> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let kind = match trees.as_slice() {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Brace => {
            NodeKind::Object(members.parse2(group.stream())?)
        }
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Bracket => {
            NodeKind::List(items.parse2(group.stream())?)
        }
        [TokenTree::Literal(literal)] => NodeKind::Lit {
            lit: Lit::new(literal.clone()),
            negative: false,
        },
        [TokenTree::Punct(minus), TokenTree::Literal(literal)]
            if minus.as_char() == '-'
                && matches!(Lit::new(literal.clone()), Lit::Int(_) | Lit::Float(_)) =>
        {
            NodeKind::Lit {
                lit: Lit::new(literal.clone()),
                negative: true,
            }
        }
        [TokenTree::Ident(ident)] if ident == "true" || ident == "false" => NodeKind::Lit {
            lit: Lit::Bool(syn::LitBool::new(ident == "true", ident.span())),
            negative: false,
        },
        [TokenTree::Ident(ident)] => NodeKind::Ident(ident.clone()),
        // `(mode)` passes a variable where a lone identifier would be an enum value; the
        // parentheses are only for the macro, so they do not reach the expansion.
        _ => match syn::parse2(tokens.clone()).map_err(|err| not_an_expression(&tokens, &err))? {
            syn::Expr::Paren(paren) => NodeKind::Expr(paren.expr),
            expr => NodeKind::Expr(Box::new(expr)),
        },
    };
    Ok(Node { kind, tokens })
}

/// The error for tokens that are neither data nor one Rust expression. The usual cause is an
/// expression with a comma at its top level (`HashMap::<K, V>::new()`, `|a, b| a`), which the
/// macro splits as two values.
fn not_an_expression(tokens: &TokenStream, err: &syn::Error) -> syn::Error {
    syn::Error::new_spanned(
        tokens,
        format!(
            "type-mismatch: this value is not a Rust expression ({err})\n  = hint: an expression \
             with a comma in it, such as generic arguments or closure parameters, goes in \
             parentheses: `(HashMap::<String, String>::new())`"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn kinds(input: &Input) -> Vec<&'static str> {
        input
            .members
            .iter()
            .map(|e| match &e.value.kind {
                NodeKind::Lit { .. } => "lit",
                NodeKind::Ident(_) => "ident",
                NodeKind::Object(_) => "object",
                NodeKind::List(_) => "list",
                NodeKind::Expr(_) => "expr",
            })
            .collect()
    }

    #[test]
    fn classifies_each_value_form() {
        let parsed = input(quote! {
            ::ecs_dsl; a: "x", b: -1, c: true, d: awsvpc, e: { f: 1 }, g: [1, 2],
            h: format!("{}", 1), i: x.y(), r#type: 2, "k": 3,
        })
        .expect("parses");
        assert_eq!(parsed.krate.to_string(), ":: ecs_dsl");
        assert_eq!(
            kinds(&parsed),
            [
                "lit", "lit", "lit", "ident", "object", "list", "expr", "expr", "lit", "lit"
            ]
        );
        assert_eq!(parsed.members[8].key.text(), "type");
        assert_eq!(parsed.members[9].key.text(), "k");
    }

    #[test]
    fn reports_a_missing_value_or_colon() {
        assert!(input(quote! { c; a: , b: 1 }).is_err());
        let unparsed = input(quote! { ::ecs_dsl; a 1 }).err().expect("an error");
        assert_eq!(unparsed.krate.to_string(), ":: ecs_dsl");
        assert!(input(quote! { c; a 1 }).is_err());
        assert!(input(quote! { c; 5: 1 }).is_err());
        assert!(
            input(quote! { c; })
                .expect("empty is fine")
                .members
                .is_empty()
        );
    }
}
