//! The procedural macros behind `ecs_dsl::task_definition!`, `service!`, `cluster!`,
//! `capacity_provider!` and `stack!`, and their `try_` forms.
//!
//! Use them through `ecs-dsl`, which documents them: its `macro_rules!` wrappers pass the path
//! of `ecs-dsl` itself (`$crate`), so the expansion names the model types correctly however the
//! user reached the crate (directly or through the `ecs-rs` facade).
//!
//! Each macro runs four steps, one private module each: `parse` the tokens, lower them against
//! the AWS model's shapes (`model`), load and validate the literal parts with `ecs_model` and
//! place each diagnostic on its tokens (`check`), and write the Rust code that builds the value
//! (`expand`).
//!
//! Each resource has two forms, each with one type whatever its input holds (see `Form`): the
//! plain form takes literals only and evaluates to the value; the `try_` form takes Rust
//! expressions too and evaluates to `Result<_, ecs_dsl::Invalid>`.

mod check;
mod expand;
mod model;
mod parse;

use proc_macro::TokenStream;

use crate::check::Root;
use crate::expand::Form;

fn run(root: Root, form: Form, input: TokenStream) -> TokenStream {
    let input = match parse::input(input.into()) {
        Ok(input) => input,
        Err(unparsed) => return expand::unparsed(root, form, &unparsed).into(),
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
    expand::expand(root, form, &input.krate, &lowered, &checked).into()
}

/// A RegisterTaskDefinition input from literals; see `ecs_dsl::task_definition!`.
#[proc_macro]
pub fn task_definition(input: TokenStream) -> TokenStream {
    run(Root::TaskDefinition, Form::Plain, input)
}

/// A RegisterTaskDefinition input, checked again at run time; see
/// `ecs_dsl::try_task_definition!`.
#[proc_macro]
pub fn try_task_definition(input: TokenStream) -> TokenStream {
    run(Root::TaskDefinition, Form::Try, input)
}

/// A CreateService input from literals; see `ecs_dsl::service!`.
#[proc_macro]
pub fn service(input: TokenStream) -> TokenStream {
    run(Root::Service, Form::Plain, input)
}

/// A CreateService input, checked again at run time; see `ecs_dsl::try_service!`.
#[proc_macro]
pub fn try_service(input: TokenStream) -> TokenStream {
    run(Root::Service, Form::Try, input)
}

/// A CreateCluster input from literals; see `ecs_dsl::cluster!`.
#[proc_macro]
pub fn cluster(input: TokenStream) -> TokenStream {
    run(Root::Cluster, Form::Plain, input)
}

/// A CreateCluster input, checked again at run time; see `ecs_dsl::try_cluster!`.
#[proc_macro]
pub fn try_cluster(input: TokenStream) -> TokenStream {
    run(Root::Cluster, Form::Try, input)
}

/// A CreateCapacityProvider input from literals; see `ecs_dsl::capacity_provider!`.
#[proc_macro]
pub fn capacity_provider(input: TokenStream) -> TokenStream {
    run(Root::CapacityProvider, Form::Plain, input)
}

/// A CreateCapacityProvider input, checked again at run time; see
/// `ecs_dsl::try_capacity_provider!`.
#[proc_macro]
pub fn try_capacity_provider(input: TokenStream) -> TokenStream {
    run(Root::CapacityProvider, Form::Try, input)
}

/// A stack file from literals; see `ecs_dsl::stack!`.
#[proc_macro]
pub fn stack(input: TokenStream) -> TokenStream {
    run(Root::Stack, Form::Plain, input)
}

/// A stack file, checked again at run time; see `ecs_dsl::try_stack!`.
#[proc_macro]
pub fn try_stack(input: TokenStream) -> TokenStream {
    run(Root::Stack, Form::Try, input)
}
