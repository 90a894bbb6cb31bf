//! Expand: checked networks -> their items. Only what depends on the
//! declaration is generated (the struct, its gradients, the list of node
//! types, the entries, construction and phase change, references to the
//! fields in the same nesting); forward, backward, the summary, IO and
//! training are generic code in net-core that works from these. Nothing
//! is unrolled per neuron, so compile time does not depend on layer
//! widths; a block's use is one more network of the same form.

mod checks;
mod grads;
mod network;
mod structs;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::dims::Dim;
use crate::ir::{CheckedEntry, EntryKind, MergeKind, Network};

/// The names of the generic parameters the expansion introduces, chosen
/// so none is a name the declaration uses (a network called `P`).
pub struct Generics {
    /// The network's phase, `P`.
    pub phase: Ident,
    /// Another phase, `Q`.
    pub other: Ident,
    /// The generator of `build`, `R`.
    pub rng: Ident,
}

impl Generics {
    /// Names that are not in `taken`.
    pub fn avoiding(taken: &[String]) -> Self {
        let pick = |candidates: &[&str]| {
            let name = candidates.iter().find(|c| !taken.iter().any(|t| t == *c)).unwrap_or(&candidates[0]);
            format_ident!("{}", name)
        };
        Generics {
            phase: pick(&["P", "Ph", "PhaseOf", "NetworkPhase"]),
            other: pick(&["Q", "Qp", "OtherPhase", "IntoPhase"]),
            rng: pick(&["R", "Rg", "RngOf", "Generator"]),
        }
    }
}

/// Every network's items.
pub fn expand(networks: &[Network], generics: &Generics) -> TokenStream {
    networks.iter().map(|net| expand_network(net, generics)).collect()
}

fn expand_network(net: &Network, g: &Generics) -> TokenStream {
    let layer_items = net.fields().into_iter().filter_map(|e| match e.layer() {
        Some(crate::ir::LayerUse::BuiltIn(built)) => Some(built.resolved.items.clone()),
        _ => None,
    });
    let items = &net.items;
    let parts = [
        structs::gen_struct(net, g),
        structs::gen_layer_list(net, g),
        structs::gen_clone(net, g),
        structs::gen_debug(net, g),
        grads::gen_grads(net),
        network::gen_network_def(net, g),
        network::gen_constants(net, g),
        checks::gen_assertions(net),
        checks::table_agrees(net),
    ];
    quote! {
        #(#parts)*
        #(#layer_items)*
        #items
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

/// For every entry of a list, in its nesting: what `leaf` gives a layer
/// entry, and for a merge the nested lists of its paths.
fn by_node(entries: &[CheckedEntry], leaf: &dyn Fn(&CheckedEntry) -> TokenStream) -> TokenStream {
    nested(entries.iter().map(|entry| match &entry.kind {
        EntryKind::Layer(_) => leaf(entry),
        EntryKind::Merge { paths, .. } => nested(paths.iter().map(|path| by_node(path, leaf))),
    }))
}

/// The node type of every entry: a layer's type (in `Frozen` when frozen),
/// or a merge over its paths' lists.
fn node_types(entries: &[CheckedEntry], phase: &TokenStream) -> TokenStream {
    let p = private();
    nested(entries.iter().map(|entry| match &entry.kind {
        EntryKind::Layer(_) => {
            let ty = entry.field_type(phase).unwrap_or_default();
            match entry.frozen {
                Some(_) => quote!(#p::Frozen<#ty>),
                None => ty,
            }
        }
        EntryKind::Merge { kind, paths } => {
            let paths = nested(paths.iter().map(|path| node_types(path, phase)));
            let input = Dim::product(&entry.in_shape).arg();
            let output = Dim::product(&entry.out_shape).arg();
            let positions = Dim::product(&entry.out_shape[..entry.out_shape.len() - 1]).arg();
            let step = entry.in_shape.last().cloned().unwrap_or(Dim::Lit(1)).arg();
            let merge = match kind {
                MergeKind::Concat => quote!(Concat),
                MergeKind::Add => quote!(Add),
            };
            quote!(#p::#merge<#paths, #input, #output, #positions, #step>)
        }
    }))
}

/// What is emitted when the declaration has errors: the errors, the
/// assertions of the networks that did check (so a misplaced attribute is
/// reported in the same compilation), and a placeholder struct for each
/// declared struct so uses of the name do not add errors of their own.
pub fn fallback(
    structs: &[(syn::Visibility, Ident)],
    checked: &[Network],
    errors: TokenStream,
) -> TokenStream {
    let assertions = checked.iter().map(checks::gen_assertions);
    let placeholders = structs
        .iter()
        .map(|(vis, name)| quote!(#vis struct #name<P = ::typenet::Eval>(::core::marker::PhantomData<P>);));
    quote! {
        #errors
        #(#assertions)*
        #(#placeholders)*
    }
}
