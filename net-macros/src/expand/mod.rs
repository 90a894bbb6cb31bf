//! Expand: a checked network -> its items. Only what depends on the
//! declaration is generated (the struct, its gradients, the list of layer
//! types, the entries, construction and phase change, references to the
//! fields); forward, backward, the summary, IO and training are generic
//! code in net-core that works from these. Nothing is unrolled per neuron,
//! so compile time does not depend on layer widths.

mod checks;
mod grads;
mod network;
mod structs;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::ir::{LayerUse, Network};

/// The network's items.
pub fn expand(net: &Network) -> TokenStream {
    let layer_items = net.entries.iter().filter_map(|e| match &e.layer {
        LayerUse::BuiltIn(built) => Some(&built.items),
        LayerUse::Custom(..) => None,
    });
    let parts = [
        structs::gen_struct(net),
        structs::gen_layer_list(net),
        structs::gen_clone(net),
        structs::gen_debug(net),
        grads::gen_grads(net),
        network::gen_network_def(net),
        network::gen_constants(net),
        checks::gen_assertions(net),
    ];
    quote! {
        #(#parts)*
        #(#layer_items)*
    }
}

/// The name of the gradients struct, `MnistGrads`.
fn grads_name(net: &Network) -> Ident {
    format_ident!("{}Grads", net.name)
}

/// The layer list alias as used, `__MnistLayers<P>` (or `__MnistLayers`
/// when no layer takes the phase: an alias may not have an unused parameter).
fn layers_type(net: &Network, phase: &TokenStream) -> TokenStream {
    let name = format_ident!("__{}Layers", net.name);
    if net.layers_use_phase() {
        quote!(#name<#phase>)
    } else {
        quote!(#name)
    }
}

/// `::typenet::__private`, where everything the expansion names lives.
fn private() -> TokenStream {
    quote!(::typenet::__private)
}

/// A right-nested list `(a, (b, (c, ())))` of `items`.
fn nested(items: impl DoubleEndedIterator<Item = TokenStream>) -> TokenStream {
    items.rev().fold(quote!(()), |rest, item| quote!((#item, #rest)))
}

/// What is emitted when the declaration has errors: the errors, the
/// assertions of the entries that did check (so a misplaced attribute is
/// reported in the same compilation), and a placeholder struct so uses of
/// the name do not add errors of their own.
pub fn fallback(
    vis: &syn::Visibility,
    name: &Ident,
    checked: Option<&Network>,
    errors: TokenStream,
) -> TokenStream {
    let assertions = checked.map(checks::gen_assertions);
    quote! {
        #errors
        #assertions
        #vis struct #name<P = ::typenet::Eval>(::core::marker::PhantomData<P>);
    }
}
