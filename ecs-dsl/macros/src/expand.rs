//! Expansion: the typed tree as Rust code that builds the `ecs_model` value.
//!
//! Structures are built from `Default` and field assignments (the model's types are
//! `#[non_exhaustive]`, so struct literals are not available outside `ecs-model`). Expressions
//! go through `Into` into the member's type, spanned at the expression so a type error points at
//! it. With errors, the expansion is the errors plus a default value of the same type, so the
//! user sees our errors and not a cascade.

use ecs_model::reflect::Ty;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::check::{Checked, Root};
use crate::model::{Lowered, Typed, field_ident};

/// The macro's output.
pub fn expand(
    root: Root,
    krate: &TokenStream,
    lowered: &Lowered,
    checked: &Checked,
) -> TokenStream {
    let root_ty = root_type(root, krate);
    let fallible = !lowered.exprs.is_empty();
    let errors: Vec<TokenStream> = lowered
        .errors
        .iter()
        .chain(&checked.errors)
        .map(syn::Error::to_compile_error)
        .collect();
    if !errors.is_empty() {
        let fallback = if fallible {
            quote!(::core::result::Result::<#root_ty, #krate::Invalid>::Ok(
                <#root_ty as ::core::default::Default>::default()
            ))
        } else {
            quote!(<#root_ty as ::core::default::Default>::default())
        };
        return quote!({ #(#errors)* #fallback });
    }
    let warnings = checked.warnings.iter().map(|warning| {
        let span = warning
            .tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span());
        let name = format_ident!("{}", warning.code.replace('-', "_"), span = span);
        let note = &warning.note;
        quote_spanned! {span=>
            {
                #[deprecated(note = #note)]
                #[allow(non_upper_case_globals)]
                const #name: () = ();
                let () = #name;
            }
        }
    });
    let code = Gen { krate }.value(&lowered.root);
    if fallible {
        quote!({ #(#warnings)* #krate::checked(#code) })
    } else {
        quote!({ #(#warnings)* #code })
    }
}

/// The expansion of input that does not parse: the error, and a default value of the type the
/// macro gives with literals, so the user sees the syntax error and not a cascade.
pub fn unparsed(root: Root, unparsed: &crate::parse::Unparsed) -> TokenStream {
    let error = unparsed.error.to_compile_error();
    let root_ty = root_type(root, &unparsed.krate);
    quote!({ #error <#root_ty as ::core::default::Default>::default() })
}

fn root_type(root: Root, krate: &TokenStream) -> TokenStream {
    match root {
        Root::Stack => quote!(#krate::model::Stack),
        other => {
            let name = format_ident!("{}", other.shape());
            quote!(#krate::model::types::#name)
        }
    }
}

struct Gen<'a> {
    krate: &'a TokenStream,
}

impl Gen<'_> {
    fn value(&self, typed: &Typed) -> TokenStream {
        let krate = self.krate;
        match typed {
            Typed::Str(text) => quote!(::std::string::String::from(#text)),
            Typed::Int(n, Ty::Long) => Literal::i64_suffixed(*n).into_token_stream(),
            Typed::Int(n, _) => match i32::try_from(*n) {
                Ok(n) => Literal::i32_suffixed(n).into_token_stream(),
                Err(_) => quote!(::core::default::Default::default()),
            },
            Typed::Float(n) => Literal::f64_suffixed(*n).into_token_stream(),
            Typed::Bool(b) => quote!(#b),
            Typed::Enum {
                shape,
                variant,
                value,
            } => {
                let shape = format_ident!("{}", shape);
                match variant {
                    Some(variant) => {
                        let variant = format_ident!("{}", variant);
                        quote!(#krate::model::types::#shape::#variant)
                    }
                    None => quote!(#krate::model::types::#shape::Unknown(
                        ::std::string::String::from(#value)
                    )),
                }
            }
            Typed::Struct { shape, fields } => {
                let local = Ident::new("__ecs_dsl_value", Span::mixed_site());
                let stack = *shape == "Stack";
                let path = if stack {
                    quote!(#krate::model::Stack)
                } else {
                    let name = format_ident!("{}", shape);
                    quote!(#krate::model::types::#name)
                };
                let assignments = fields.iter().map(|(member, value)| {
                    let field = field_ident(member.rust);
                    let value = self.value(value);
                    if stack {
                        quote!(#local.#field = #value;)
                    } else {
                        quote!(#local.#field = ::core::option::Option::Some(#value);)
                    }
                });
                quote!({
                    #[allow(unused_mut)]
                    let mut #local = <#path as ::core::default::Default>::default();
                    #(#assignments)*
                    #local
                })
            }
            Typed::List(items) => {
                let items = items.iter().map(|item| self.value(item));
                quote!(::std::vec![#(#items),*])
            }
            Typed::Map(entries) => {
                let local = Ident::new("__ecs_dsl_map", Span::mixed_site());
                let inserts = entries.iter().map(|(key, value)| {
                    let value = self.value(value);
                    quote!(#local.insert(::std::string::String::from(#key), #value);)
                });
                quote!({
                    #[allow(unused_mut)]
                    let mut #local = ::std::collections::BTreeMap::new();
                    #(#inserts)*
                    #local
                })
            }
            Typed::Expr(_, Some(unit), expr) => {
                let unit = format_ident!("{}", unit);
                quote_spanned!(expr.span()=> #krate::units::into_raw(
                    ::core::convert::Into::<#krate::units::#unit>::into(#expr)
                ))
            }
            Typed::Expr(ty, None, expr) => {
                let ty = self.rust_type(ty);
                quote_spanned!(expr.span()=> ::core::convert::Into::<#ty>::into(#expr))
            }
            Typed::Invalid => quote!(::core::default::Default::default()),
        }
    }

    fn rust_type(&self, ty: &Ty) -> TokenStream {
        let krate = self.krate;
        match ty {
            Ty::String => quote!(::std::string::String),
            Ty::Integer => quote!(i32),
            Ty::Long => quote!(i64),
            Ty::Boolean => quote!(bool),
            Ty::Double => quote!(f64),
            Ty::Timestamp => quote!(#krate::model::Timestamp),
            Ty::Enum(name) | Ty::Struct(name) => {
                let name = format_ident!("{}", name);
                quote!(#krate::model::types::#name)
            }
            Ty::List(inner) => {
                let inner = self.rust_type(inner);
                quote!(::std::vec::Vec<#inner>)
            }
            Ty::Map(inner) => {
                let inner = self.rust_type(inner);
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
            _ => quote!(::core::compile_error!(
                "ecs-dsl: a member type this version cannot build"
            )),
        }
    }
}

trait IntoTokens {
    fn into_token_stream(self) -> TokenStream;
}

impl IntoTokens for Literal {
    fn into_token_stream(self) -> TokenStream {
        proc_macro2::TokenTree::Literal(self).into()
    }
}
