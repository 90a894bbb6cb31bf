//! The `network!` procedural macro of typenet: parse -> check -> expand.
//!
//! Use it through the `typenet` crate (`use typenet::prelude::*;`), whose
//! documentation describes the syntax and what is generated.

mod check;
mod errors;
mod expand;
mod parse;
mod symbol;

use proc_macro::TokenStream;

/// Declares a statically shaped, phase-typed network. See the `typenet`
/// crate for the syntax and the generated items.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let mut errors = errors::Errors::default();
    let Some(def) = parse::parse(input.into(), &mut errors) else {
        return errors.into_compile_errors().into();
    };
    let (vis, name) = (def.vis.clone(), def.name.clone());
    match check::check(def, &mut errors) {
        Some(net) if errors.is_empty() => expand::expand(&net).into(),
        _ => expand::fallback(&vis, &name, errors.into_compile_errors()).into(),
    }
}
