//! The `network!` front end: text -> `proc_macro2::TokenStream` -> parse ->
//! check -> expand (or the fallback with errors), the pipeline of
//! `network_tokens` in net-macros/src/lib.rs.
//!
//! A proc-macro crate exports only macros, so its modules are compiled in
//! here from their sources, at this crate's root so their `crate::` paths
//! resolve as in net-macros.
//! Properties: no panic; the output always parses as a `syn::File`, and a
//! declaration without errors expands without `compile_error!`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;

#[allow(dead_code)]
#[path = "../../net-macros/src/args.rs"]
mod args;
#[allow(dead_code)]
#[path = "../../net-macros/src/check/mod.rs"]
mod check;
#[allow(dead_code)]
#[path = "../../net-macros/src/dims.rs"]
mod dims;
#[allow(dead_code)]
#[path = "../../net-macros/src/errors.rs"]
mod errors;
#[allow(dead_code)]
#[path = "../../net-macros/src/expand/mod.rs"]
mod expand;
#[allow(dead_code)]
#[path = "../../net-macros/src/ir.rs"]
mod ir;
#[allow(dead_code)]
#[path = "../../net-macros/src/layers/mod.rs"]
mod layers;
#[allow(dead_code)]
#[path = "../../net-macros/src/parse.rs"]
mod parse;
#[allow(dead_code)]
#[path = "../../net-macros/src/schema.rs"]
mod schema;
#[allow(dead_code)]
#[path = "../../net-macros/src/suggest.rs"]
mod suggest;
#[allow(dead_code)]
#[path = "../../net-macros/src/symbol.rs"]
mod symbol;

/// `network_tokens` of net-macros/src/lib.rs, and whether errors were found.
fn network_tokens(input: TokenStream) -> (TokenStream, bool) {
    let generics = expand::Generics::avoiding(&identifiers(input.clone()));
    let mut errors = errors::Errors::default();
    let Some(decls) = parse::parse(input, &mut errors) else {
        return (errors.into_compile_errors(), true);
    };
    let checked = check::check(decls, &mut errors);
    if errors.is_empty() {
        (expand::expand(&checked.networks, &generics), false)
    } else {
        (expand::fallback(&checked.structs, &checked.networks, errors.into_compile_errors()), true)
    }
}

/// `identifiers` of net-macros/src/lib.rs.
fn identifiers(input: TokenStream) -> Vec<String> {
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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(input) = text.parse::<TokenStream>() else {
        return;
    };
    let (output, had_errors) = network_tokens(input);
    let rendered = output.to_string();
    if let Err(e) = syn::parse2::<syn::File>(output) {
        panic!("the expansion (errors: {had_errors}) does not parse ({e}):\n{rendered}");
    }
    if had_errors {
        assert!(rendered.contains("compile_error"), "errors were found but none is emitted");
    } else if !text.contains("compile_error") {
        assert!(!rendered.contains("compile_error"), "no error was found but one is emitted");
    }
});
