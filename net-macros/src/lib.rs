//! The `network!` procedural macro of typenet: parse -> check -> expand.
//!
//! - `parse` reads the declaration as written;
//! - `check` gives it meaning, with the table of built-in layers
//!   (`layers`) and their arguments (`args`), into the IR (`ir`);
//! - `expand` writes the items, small ones that call into net-core.
//!
//! Use it through the `typenet` crate (`use typenet::prelude::*;`), whose
//! documentation describes the syntax and what is generated.

mod args;
mod check;
mod derive_tensors;
mod dims;
mod errors;
mod expand;
mod include_weights;
mod ir;
mod layers;
mod parse;
mod schema;
mod suggest;
mod symbol;

#[cfg(test)]
mod doc_table;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Declares a statically shaped, phase-typed network. See the `typenet`
/// crate for the syntax and the generated items.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    network_tokens(input.into()).into()
}

/// Builds a network from a safetensors file read when the crate compiles.
/// See the `typenet` crate.
#[proc_macro]
pub fn include_weights(input: TokenStream) -> TokenStream {
    include_weights::expand(input.into()).into()
}

/// Describes a layer's tensors once, on the fields that hold them:
/// `#[param("weight", shape = [OUT, IN], axes = [1, 0], kernel, weights)]`,
/// `#[state("running_var", shape = [C], range = NonNegative)]`, `#[tensors]`
/// on a field holding another layer. See `typenet::layers::Tensors`.
#[proc_macro_derive(Tensors, attributes(param, state, tensors))]
pub fn derive_tensors(input: TokenStream) -> TokenStream {
    derive_tensors::derive(input.into()).into()
}

/// The macro on proc-macro2 tokens: every mistake becomes a spanned error,
/// all of them reported together, and nothing here panics.
fn network_tokens(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let generics = expand::Generics::avoiding(&identifiers(input.clone()));
    let mut errors = errors::Errors::default();
    let Some(decls) = parse::parse(input, &mut errors) else {
        return errors.into_compile_errors();
    };
    let checked = check::check(decls, &mut errors);
    if errors.is_empty() {
        expand::expand(&checked.networks, &generics)
    } else {
        expand::fallback(&checked.structs, &checked.networks, errors.into_compile_errors())
    }
}

/// Every identifier in the input: the expansion's own generic parameters
/// must not take any of these names.
fn identifiers(input: proc_macro2::TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for tree in input {
        match tree {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
            proc_macro2::TokenTree::Group(group) => out.extend(identifiers(group.stream())),
            _ => {}
        }
    }
    out
}
