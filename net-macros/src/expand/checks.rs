//! Compile-time assertions for what only the layers' types know: a const
//! width is not zero, a custom layer takes the width it is given and its
//! output shape holds its width, each attribute means something for its
//! layer, and the table's word on a built-in layer's parameters agrees
//! with its type. Each fails as one error on the offending token.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::private;
use crate::dims::Dim;
use crate::ir::{CheckedEntry, EntryKind, LayerUse, Network};
use crate::parse::path_text;

/// Every assertion of the network.
pub fn gen_assertions(net: &Network) -> TokenStream {
    let mut out = TokenStream::new();
    for path in &net.const_widths {
        let text = path_text(path);
        let message = format!("`{text}` is used as a width in `{}` and must be at least 1", net.name);
        let span = path.segments.last().map_or_else(Span::call_site, |s| s.ident.span());
        out.extend(quote_spanned!(span=> const _: () = ::core::assert!(#path > 0, #message);));
    }
    walk(&net.entries, "input", &mut out);
    out
}

/// The assertions of every layer entry, each knowing what comes before it.
fn walk(entries: &[CheckedEntry], first: &str, out: &mut TokenStream) {
    let mut previous = first.to_string();
    for entry in entries {
        match &entry.kind {
            EntryKind::Layer(_) => {
                out.extend(custom_layer(entry, &previous));
                out.extend(attribute_fits(entry));
            }
            EntryKind::Merge { paths, .. } => {
                for path in paths {
                    walk(path, &previous, out);
                }
            }
        }
        previous = entry.name.to_string();
    }
}

/// A custom layer or nested network reads the width it is given, and its
/// `OUTPUT_SHAPE` holds its `OUTPUT` values.
fn custom_layer(entry: &CheckedEntry, previous: &str) -> TokenStream {
    let Some(LayerUse::Custom(path, text)) = entry.layer() else {
        return TokenStream::new();
    };
    let p = private();
    let expected = Dim::product(&entry.in_shape);
    let given = match expected.literal() {
        Some(v) => format!("the {v} outputs of `{previous}`"),
        None => format!("the outputs of `{previous}`"),
    };
    let message =
        format!("layer `{}` ({text}) does not take {given}: its `Layer::INPUT` width differs", entry.name);
    let shape = format!(
        "layer `{}` ({text}): its `Layer::OUTPUT_SHAPE` does not hold its `Layer::OUTPUT` values",
        entry.name
    );
    let expected = expected.expr();
    quote_spanned!(entry.span=>
        const _: () = ::core::assert!(<#path as #p::Layer>::INPUT == #expected, #message);
        const _: () = ::core::assert!(
            #p::shape_len(<#path as #p::Layer>::OUTPUT_SHAPE) == <#path as #p::Layer>::OUTPUT,
            #shape
        );
    )
}

/// `#[frozen]` needs parameters, `#[phase]` a layer that depends on the
/// phase, `#[l2]` a kernel: asked of the layer's type.
fn attribute_fits(entry: &CheckedEntry) -> TokenStream {
    let p = private();
    let Some(ty) = entry.field_type(&quote!(::typenet::Eval)) else {
        return TokenStream::new();
    };
    let (name, layer) = (&entry.name, entry.declared());
    let mut out = TokenStream::new();
    let mut assert = |span: Span, property: TokenStream, message: String| {
        out.extend(quote_spanned!(span=>
            const _: () = ::core::assert!(<#ty as #p::#property, #message);
        ));
    };
    if let Some(span) = entry.frozen {
        let message =
            format!("`#[frozen]` on `{name}`: {layer} has no parameters, so there is nothing to freeze");
        assert(span, quote!(Tensors>::PARAMS > 0), message);
    }
    if let Some((_, span)) = entry.pinned {
        let message = format!(
            "`#[phase]` on `{name}`: {layer} behaves the same in Train and Eval, so there is nothing to pin (it applies to layers with dropout or noise, BatchNorm and networks holding them)"
        );
        assert(span, quote!(Layer > ::PHASED), message);
    }
    if let Some((_, span)) = entry.l2 {
        let message = format!(
            "`#[l2]` on `{name}`: the L2 kernel regulariser applies to layers with a kernel, and {layer} has none"
        );
        assert(span, quote!(Tensors > ::HAS_KERNEL), message);
    }
    out
}

/// Whether the gradients struct has a field for a built-in layer comes
/// from the table; the layers' types must say the same. One assertion for
/// the whole network: a bit per field.
pub fn table_agrees(net: &Network) -> TokenStream {
    let (mut says, mut checked) = (0u128, 0u128);
    for (index, entry) in net.fields().into_iter().enumerate().take(128) {
        if let Some(layer @ LayerUse::BuiltIn(_)) = entry.layer() {
            checked |= 1 << index;
            says |= (layer.has_grads() as u128) << index;
        }
    }
    if checked == 0 {
        return TokenStream::new();
    }
    let (p, name) = (private(), &net.name);
    let (says, checked) = (Literal::u128_unsuffixed(says), Literal::u128_unsuffixed(checked));
    quote!(const _: () = #p::assert_table_grads::<#name>(#says, #checked);)
}
