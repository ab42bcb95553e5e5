//! The procedural macros behind `ecs_dsl::task_definition!`, `service!`, `cluster!`,
//! `capacity_provider!` and `stack!`.
//!
//! Use them through `ecs-dsl`, which documents them: its `macro_rules!` wrappers pass the path
//! of `ecs-dsl` itself (`$crate`), so the expansion names the model types correctly however the
//! user reached the crate (directly or through the `ecs-rs` facade).
//!
//! Each macro runs four steps, one private module each: `parse` the tokens, lower them against
//! the AWS model's shapes (`model`), load and validate the literal parts with `ecs_model` and
//! place each diagnostic on its tokens (`check`), and write the Rust code that builds the value
//! (`expand`).

mod check;
mod expand;
mod model;
mod parse;

use proc_macro::TokenStream;

use crate::check::Root;

fn run(root: Root, input: TokenStream) -> TokenStream {
    let input = match parse::input(input.into()) {
        Ok(input) => input,
        Err(unparsed) => return expand::unparsed(root, &unparsed).into(),
    };
    let lowered = model::lower(root.shape(), &input.members, &input.tokens);
    let checked = if lowered.errors.is_empty() {
        check::check(root, &lowered)
    } else {
        check::Checked {
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    };
    expand::expand(root, &input.krate, &lowered, &checked).into()
}

/// A RegisterTaskDefinition input; see `ecs_dsl::task_definition!`.
#[proc_macro]
pub fn task_definition(input: TokenStream) -> TokenStream {
    run(Root::TaskDefinition, input)
}

/// A CreateService input; see `ecs_dsl::service!`.
#[proc_macro]
pub fn service(input: TokenStream) -> TokenStream {
    run(Root::Service, input)
}

/// A CreateCluster input; see `ecs_dsl::cluster!`.
#[proc_macro]
pub fn cluster(input: TokenStream) -> TokenStream {
    run(Root::Cluster, input)
}

/// A CreateCapacityProvider input; see `ecs_dsl::capacity_provider!`.
#[proc_macro]
pub fn capacity_provider(input: TokenStream) -> TokenStream {
    run(Root::CapacityProvider, input)
}

/// A stack file; see `ecs_dsl::stack!`.
#[proc_macro]
pub fn stack(input: TokenStream) -> TokenStream {
    run(Root::Stack, input)
}
