//! Expansion: the typed tree as Rust code that builds the `ecs_model` value.
//!
//! Structures are built from `Default` and field assignments (the model's types are
//! `#[non_exhaustive]`, so struct literals are not available outside `ecs-model`). Expressions
//! go through `Into` into the member's type, spanned at the expression so a type error points at
//! it. With errors, the expansion is the errors plus a default value of the same type, so the
//! user sees our errors and not a cascade.
//!
//! The plain form evaluates to the value, the `try_` form to `ecs_dsl::checked(value)`; see
//! [`Form`].

use ecs_model::reflect::{Api, Ty};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::check::{Checked, Root};
use crate::model::{Lowered, Typed, field_ident};

/// Which form of a macro was called. Each form has one type, whatever its input holds, so
/// replacing a literal by an expression never changes the type of a use site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `task_definition!`: literals only, checked while compiling; evaluates to the value. A
    /// Rust expression is a compile error at the expression pointing to the `try_` form, which
    /// is the only way to say "check this at run time" (a plain form that checked expressions
    /// at run time would have to panic on invalid input, or change its type).
    Plain,
    /// `try_task_definition!`: literals and expressions; evaluates to
    /// `Result<T, ecs_dsl::Invalid>` in every case. Literals are still checked while compiling,
    /// and the whole rule set runs again on the built value.
    Try,
}

/// The macro's output.
pub fn expand(
    root: Root,
    form: Form,
    krate: &TokenStream,
    lowered: &Lowered,
    checked: &Checked,
) -> TokenStream {
    let root_ty = root_type(root, krate);
    let mut errors: Vec<TokenStream> = lowered
        .errors
        .iter()
        .chain(&checked.errors)
        .map(syn::Error::to_compile_error)
        .collect();
    if form == Form::Plain {
        errors.extend(
            lowered.exprs.iter().map(|(path, _, _)| {
                expression_in_plain_form(root, lowered, path).to_compile_error()
            }),
        );
    }
    if !errors.is_empty() {
        let fallback = fallback(root, form, krate);
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
    match form {
        Form::Plain => quote!({ #(#warnings)* #code }),
        // With literals only, the run-time check repeats the compile-time one, which passed;
        // it is kept so both paths of the form are one and the same.
        Form::Try => quote!({
            #(#warnings)*
            #krate::checked::<#root_ty>(#code)
        }),
    }
}

/// The error for a Rust expression given to a plain form, at the expression's tokens.
fn expression_in_plain_form(
    root: Root,
    lowered: &Lowered,
    path: &ecs_model::JsonPath,
) -> syn::Error {
    let name = root.macro_name();
    let message = format!(
        "`{name}!` takes literal values only and evaluates to the value itself; this value is a \
         Rust expression, which only a run-time check can judge"
    );
    let hint = format!(
        "use `try_{name}!`, which takes expressions and evaluates to \
         `Result<{}, ecs_dsl::Invalid>` whatever its values are",
        root_name(root)
    );
    let tokens = crate::check::tokens_for(path, lowered);
    let text = crate::check::text("expression-needs-try-form", &message, Some(&hint));
    if tokens.is_empty() {
        syn::Error::new(Span::call_site(), text)
    } else {
        syn::Error::new_spanned(tokens, text)
    }
}

/// The value given after errors: a default of the form's type, so the user sees our errors and
/// not a cascade of type errors at the use site.
fn fallback(root: Root, form: Form, krate: &TokenStream) -> TokenStream {
    let root_ty = root_type(root, krate);
    match form {
        Form::Plain => quote!(<#root_ty as ::core::default::Default>::default()),
        Form::Try => quote!(::core::result::Result::<#root_ty, #krate::Invalid>::Ok(
            <#root_ty as ::core::default::Default>::default()
        )),
    }
}

/// The expansion of input that does not parse: the error, and a default value of the form's
/// type, so the user sees the syntax error and not a cascade.
pub fn unparsed(root: Root, form: Form, unparsed: &crate::parse::Unparsed) -> TokenStream {
    let error = unparsed.error.to_compile_error();
    let fallback = fallback(root, form, &unparsed.krate);
    quote!({ #error #fallback })
}

/// The type's name as users write it.
fn root_name(root: Root) -> &'static str {
    match root {
        Root::Stack => "Stack",
        other => other.shape(),
    }
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
    /// The path of the model type `name` of `api`: `ecs_dsl::model::types::PortMapping`,
    /// `ecs_dsl::model::cloud_map::DnsConfig`, `ecs_dsl::model::Stack`.
    fn type_path(&self, api: Api, name: &str) -> TokenStream {
        let krate = self.krate;
        let name = format_ident!("{}", name);
        match api.module() {
            "" => quote!(#krate::model::#name),
            module => {
                let module = format_ident!("{}", module);
                quote!(#krate::model::#module::#name)
            }
        }
    }

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
                api,
                shape,
                variant,
                value,
            } => {
                let shape = self.type_path(*api, shape);
                match variant {
                    Some(variant) => {
                        let variant = format_ident!("{}", variant);
                        quote!(#shape::#variant)
                    }
                    None => quote!(#shape::Unknown(::std::string::String::from(#value))),
                }
            }
            Typed::Choice {
                choice,
                variant,
                value,
            } => {
                let path = self.type_path(Api::Stack, choice.name);
                let variant = format_ident!("{}", variant);
                let value = self.value(value);
                quote!(#path::#variant(::std::boxed::Box::new(#value)))
            }
            Typed::Struct { api, shape, fields } => {
                let local = Ident::new("__ecs_dsl_value", Span::mixed_site());
                // The stack file's structures hold lists and structures, not options; their
                // one scalar, the stack's `name`, is an option.
                let bare = *api == Api::Stack;
                let path = self.type_path(*api, shape);
                let assignments = fields.iter().map(|(member, value)| {
                    let field = field_ident(member.rust);
                    let value = self.value(value);
                    if bare && !matches!(member.ty, Ty::String) {
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
            Typed::Expr(_, _, Some(unit), expr) => {
                let unit = format_ident!("{}", unit);
                quote_spanned!(expr.span()=> #krate::units::into_raw(
                    ::core::convert::Into::<#krate::units::#unit>::into(#expr)
                ))
            }
            Typed::Expr(api, ty, None, expr) => {
                let ty = self.rust_type(*api, ty);
                quote_spanned!(expr.span()=> ::core::convert::Into::<#ty>::into(#expr))
            }
            Typed::Invalid => quote!(::core::default::Default::default()),
        }
    }

    /// The Rust type of `ty`, its names in the table of `api`.
    fn rust_type(&self, api: Api, ty: &Ty) -> TokenStream {
        let krate = self.krate;
        match ty {
            Ty::String => quote!(::std::string::String),
            Ty::Integer => quote!(i32),
            Ty::Long => quote!(i64),
            Ty::Boolean => quote!(bool),
            Ty::Double => quote!(f64),
            Ty::Timestamp => quote!(#krate::model::Timestamp),
            Ty::Enum(name) | Ty::Struct(name) => self.type_path(api, name),
            Ty::Choice(choice) => self.type_path(Api::Stack, choice.name),
            Ty::List(inner) => {
                let inner = self.rust_type(api, inner);
                quote!(::std::vec::Vec<#inner>)
            }
            Ty::Map(inner) => {
                let inner = self.rust_type(api, inner);
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
