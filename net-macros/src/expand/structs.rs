//! The network struct, its list of node types, `Clone` and `Debug`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{layers_type, node_types, private, Generics};
use crate::ir::Network;

/// Attributes of a generated block's items: hidden, and lints about names
/// written as PyTorch writes them (`Mixed_5b`) silenced.
pub fn item_attrs(net: &Network) -> TokenStream {
    let hidden = net.generated.then(|| quote!(#[doc(hidden)]));
    quote!(#hidden #[allow(non_snake_case, non_camel_case_types)])
}

/// `pub struct Mnist<P: Phase = Eval> { pub fc1: Dense<784, 256, Relu>, .. }`:
/// a field for every layer, those inside paths included.
pub fn gen_struct(net: &Network, g: &Generics) -> TokenStream {
    let (attrs, vis, name, phase) = (&net.attrs, &net.vis, &net.name, &g.phase);
    let (p, layers, allow) = (private(), layers_type(net, &quote!(#phase)), item_attrs(net));
    let fields = net.fields().into_iter().map(|e| {
        let (docs, field, ty) = (&e.docs, &e.name, e.field_type(&quote!(#phase)));
        quote!(#(#docs)* pub #field: #ty,)
    });
    quote! {
        #(#attrs)*
        #allow
        #vis struct #name<#phase: ::typenet::Phase = ::typenet::Eval> {
            #(#fields)*
            /// What a `Train` network keeps between `forward` and `backward`
            /// (nothing in `Eval`).
            #[doc(hidden)]
            pub __train: #p::TrainState<#phase, #layers>,
        }
    }
}

/// `type __MnistLayers<P> = (Dense<..>, (Dropout<256, P>, ..))`: the node
/// types in order, `#[frozen]` layers in `Frozen`, merges over their paths.
pub fn gen_layer_list(net: &Network, g: &Generics) -> TokenStream {
    let phase = &g.phase;
    let (vis, layers) = (&net.vis, layers_type(net, &quote!(#phase)));
    let list = node_types(&net.entries, &quote!(#phase));
    let doc = format!("The layers of [`{}`], in order.", net.name);
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #layers = #list;
    }
}

/// `Clone`, field by field.
pub fn gen_clone(net: &Network, g: &Generics) -> TokenStream {
    let (name, phase) = (&net.name, &g.phase);
    let fields: Vec<_> = net.fields().into_iter().map(|e| &e.name).collect();
    quote! {
        impl<#phase: ::typenet::Phase> ::core::clone::Clone for #name<#phase> {
            fn clone(&self) -> Self {
                #name {
                    #(#fields: ::core::clone::Clone::clone(&self.#fields),)*
                    __train: ::core::clone::Clone::clone(&self.__train),
                }
            }
        }
    }
}

/// `Debug`: the name and every layer.
pub fn gen_debug(net: &Network, g: &Generics) -> TokenStream {
    let (name, p, phase) = (&net.name, private(), &g.phase);
    quote! {
        impl<#phase: ::typenet::Phase> ::core::fmt::Debug for #name<#phase> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #p::debug_network(self, f)
            }
        }
    }
}
