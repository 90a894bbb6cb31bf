//! Compile-time assertions for what only the layers' types know: a const
//! width is not zero, a custom layer takes the width it is given, and each
//! attribute means something for its layer. Each fails as one error on the
//! offending token.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use super::private;
use crate::ir::{Dim, Entry, LayerUse, Network};
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
    let mut previous = "input".to_string();
    for entry in &net.entries {
        out.extend(custom_width(entry, &previous));
        out.extend(attribute_fits(entry));
        previous = entry.name.to_string();
    }
    out
}

/// A custom layer or nested network reads the width the previous layer gives.
fn custom_width(entry: &Entry, previous: &str) -> TokenStream {
    let LayerUse::Custom(path, text) = &entry.layer else {
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
    let expected = expected.expr();
    quote_spanned!(entry.span=>
        const _: () = ::core::assert!(<#path as #p::Layer>::INPUT == #expected, #message);
    )
}

/// `#[frozen]` needs parameters, `#[phase]` a layer that depends on the
/// phase, `#[l2]` a kernel: asked of the layer's type.
fn attribute_fits(entry: &Entry) -> TokenStream {
    let p = private();
    let ty = entry.layer.ty(&quote!(::typenet::Eval));
    let (name, layer) = (&entry.name, entry.layer.declared());
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
            "`#[phase]` on `{name}`: {layer} behaves the same in Train and Eval, so there is nothing to pin (it applies to Dropout, BatchNorm and networks holding them)"
        );
        assert(span, quote!(Layer > ::PHASED), message);
    }
    if let Some((_, span)) = entry.l2 {
        let message = format!("`#[l2]` on `{name}`: the L2 kernel regulariser applies to layers with a kernel (Dense), and {layer} has none");
        assert(span, quote!(Tensors > ::HAS_KERNEL), message);
    }
    out
}
