//! The gradients struct: one field per trainable layer, those inside paths
//! included.

use proc_macro2::TokenStream;
use quote::quote;

use super::structs::item_attrs;
use super::{grads_name, private};
use crate::ir::Network;

/// `MnistGrads` with `Grads` (zeros, visiting) and `+=`.
pub fn gen_grads(net: &Network) -> TokenStream {
    let (vis, grads, p, allow) = (&net.vis, grads_name(net), private(), item_attrs(net));
    let eval = quote!(::typenet::Eval);
    let fields = net.fields();
    let trainable: Vec<_> = fields.into_iter().filter(|e| e.has_grads()).collect();
    let names: Vec<_> = trainable.iter().map(|e| &e.name).collect();
    let types = trainable.iter().map(|e| e.field_type(&eval));
    let doc = format!(
        "Gradients of [`{}`]'s trainable layers (frozen and parameter-free layers have no field).",
        net.name
    );
    quote! {
        #[doc = #doc]
        #allow
        #[derive(Clone, Debug)]
        #vis struct #grads {
            #(pub #names: ::typenet::GradsOf<#types>,)*
        }

        impl #p::Grads for #grads {
            fn zeros() -> Self {
                #grads { #(#names: #p::Grads::zeros(),)* }
            }
            fn recycled() -> Self {
                #grads { #(#names: #p::Grads::recycled(),)* }
            }
            fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
                #(#p::Grads::visit(&self.#names, _f);)*
            }
            fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
                #(#p::Grads::visit_mut(&mut self.#names, _f);)*
            }
            fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
                #(#p::Grads::visit_pairs(&mut self.#names, &_other.#names, _f);)*
            }
        }

        impl ::core::ops::AddAssign<&#grads> for #grads {
            fn add_assign(&mut self, other: &#grads) {
                #p::Grads::accumulate(self, other);
            }
        }

        impl ::core::ops::AddAssign for #grads {
            fn add_assign(&mut self, other: #grads) {
                #p::Grads::accumulate(self, &other);
            }
        }
    }
}
