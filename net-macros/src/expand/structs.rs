//! The network struct, its list of layer types, `Clone` and `Debug`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{layers_type, nested, private};
use crate::ir::Network;

/// `pub struct Mnist<P: Phase = Eval> { pub fc1: Dense<784, 256, Relu>, .. }`.
pub fn gen_struct(net: &Network) -> TokenStream {
    let (attrs, vis, name) = (&net.attrs, &net.vis, &net.name);
    let phase = quote!(P);
    let (p, layers) = (private(), layers_type(net, &phase));
    let fields = net.entries.iter().map(|e| {
        let (docs, field, ty) = (&e.docs, &e.name, e.field_type(&phase));
        quote!(#(#docs)* pub #field: #ty,)
    });
    quote! {
        #(#attrs)*
        #vis struct #name<P: ::typenet::Phase = ::typenet::Eval> {
            #(#fields)*
            /// What a `Train` network keeps between `forward` and `backward`
            /// (nothing in `Eval`).
            #[doc(hidden)]
            pub __train: #p::TrainState<P, #layers>,
        }
    }
}

/// `type __MnistLayers<P> = (Dense<..>, (Dropout<256, P>, ..))`: the layer
/// types in order, `#[frozen]` ones wrapped in `Frozen`.
pub fn gen_layer_list(net: &Network) -> TokenStream {
    let phase = quote!(P);
    let (vis, p, layers) = (&net.vis, private(), layers_type(net, &phase));
    let list = nested(net.entries.iter().map(|e| {
        let ty = e.field_type(&phase);
        match e.frozen {
            Some(_) => quote!(#p::Frozen<#ty>),
            None => ty,
        }
    }));
    let doc = format!("The layers of [`{}`], in order.", net.name);
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #vis type #layers = #list;
    }
}

/// `Clone`, field by field.
pub fn gen_clone(net: &Network) -> TokenStream {
    let name = &net.name;
    let fields = net.entries.iter().map(|e| &e.name);
    quote! {
        impl<P: ::typenet::Phase> ::core::clone::Clone for #name<P> {
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
pub fn gen_debug(net: &Network) -> TokenStream {
    let (name, p) = (&net.name, private());
    quote! {
        impl<P: ::typenet::Phase> ::core::fmt::Debug for #name<P> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #p::debug_network(self, f)
            }
        }
    }
}
