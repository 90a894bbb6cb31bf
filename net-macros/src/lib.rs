//! The `network!` procedural macro of typenet: parse -> check -> expand.
//!
//! Use it through the `typenet` crate (`use typenet::prelude::*;`), whose
//! documentation describes the syntax and what is generated.

mod check;
mod errors;
mod expand;
mod parse;
mod symbol;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Declares a statically shaped, phase-typed network. See the `typenet`
/// crate for the syntax and the generated items.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    network_tokens(input.into()).into()
}

/// The macro on proc-macro2 tokens: every mistake becomes a spanned error,
/// all of them reported together, and nothing here panics.
fn network_tokens(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    let Some(def) = parse::parse(input, &mut errors) else {
        return errors.into_compile_errors();
    };
    let (vis, name) = (def.vis.clone(), def.name.clone());
    match check::check(def, &mut errors) {
        Some(net) if errors.is_empty() => expand::expand(&net),
        _ => expand::fallback(&vis, &name, errors.into_compile_errors()),
    }
}
