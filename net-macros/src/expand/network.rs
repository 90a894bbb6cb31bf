//! `NetworkDef`: what net-core's generic code needs of the network, and
//! the constants on the `Eval` type.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{grads_name, layers_type, nested, private};
use crate::ir::{Dim, Entry, LayerUse, Network};

/// `impl NetworkDef for Mnist<P>`.
pub fn gen_network_def(net: &Network) -> TokenStream {
    let (name, p) = (&net.name, private());
    let (grads, layers) = (grads_name(net), layers_type(net, &quote!(P)));
    let (input, output) = (Dim::product(&net.input).arg(), net.output().arg());
    let (step_input, step_output) = (net.step_input().arg(), net.step_output().arg());
    let name_text = name.to_string();
    let input_shape = net.input.iter().map(Dim::expr);
    let entries = net.entries.iter().map(gen_entry);
    let build = gen_build(net);
    let convert = gen_convert_phase(net);
    let fields: Vec<_> = net.entries.iter().map(|e| &e.name).collect();
    let refs = nested(fields.iter().map(|f| quote!(&self.#f)));
    let muts = nested(fields.iter().map(|f| quote!(&mut self.#f)));
    let slot = |e: &Entry, reference: TokenStream| {
        let f = &e.name;
        if e.has_grads() {
            quote!(::core::option::Option::Some(#reference grads.#f))
        } else {
            quote!(::core::option::Option::None)
        }
    };
    let grads_ref = nested(net.entries.iter().map(|e| slot(e, quote!(&))));
    let grads_mut = nested(net.entries.iter().map(|e| slot(e, quote!(&mut))));
    quote! {
        impl<P: ::typenet::Phase> #p::NetworkDef for #name<P> {
            type Phase = P;
            type Layers = #layers;
            type Grads = #grads;
            type ToPhase<Q: ::typenet::Phase> = #name<Q>;
            type Input = #p::Const<#input>;
            type Output = #p::Const<#output>;
            type StepInput = #p::Const<#step_input>;
            type StepOutput = #p::Const<#step_output>;

            const NAME: &'static str = #name_text;
            const INPUT_SHAPE: &'static [usize] = &[#(#input_shape),*];
            const ENTRIES: &'static [#p::Entry] = &[#(#entries),*];

            #build
            #convert

            fn layers(&self) -> <Self::Layers as #p::Chain>::Refs<'_> {
                #refs
            }
            fn layers_mut(
                &mut self,
            ) -> (<Self::Layers as #p::Chain>::Muts<'_>, &mut #p::TrainState<P, Self::Layers>) {
                (#muts, &mut self.__train)
            }
            fn grads(grads: &#grads) -> <Self::Layers as #p::Chain>::GradsRef<'_> {
                #grads_ref
            }
            fn grads_mut(grads: &mut #grads) -> <Self::Layers as #p::Chain>::GradsMut<'_> {
                #grads_mut
            }
        }
    }
}

/// `Entry::new("fc1", "Dense<256, Relu>", &[256]).l2(0.001)`.
fn gen_entry(entry: &Entry) -> TokenStream {
    let p = private();
    let name = entry.name.to_string();
    let declared = entry.layer.declared();
    // A nested network's output keeps its own shape.
    let shape = match entry.out_shape.as_slice() {
        [Dim::OutputOf(path)] => quote!(<#path as #p::Layer>::OUTPUT_SHAPE),
        dims if dims.iter().all(Dim::is_literal) => {
            let dims = dims.iter().map(Dim::expr);
            quote!(&[#(#dims),*])
        }
        // Dims computed from another type's shape are not promoted to
        // 'static inside `Entry::new(..)`; a const item's own value is.
        dims => {
            let dims = dims.iter().map(Dim::expr);
            quote!({
                const SHAPE: &[usize] = &[#(#dims),*];
                SHAPE
            })
        }
    };
    let pinned = entry.pinned.map(|(phase, _)| quote!(.pinned(#phase)));
    let l2 = entry.l2.map(|(lambda, _)| {
        let lambda = Literal::f32_unsuffixed(lambda as f32);
        quote!(.l2(#lambda))
    });
    quote!(#p::Entry::new(#name, #declared, #shape) #pinned #l2)
}

/// `build(rng)`: every layer constructed in order from one generator.
fn gen_build(net: &Network) -> TokenStream {
    let (name, p) = (&net.name, private());
    let phase = quote!(P);
    let fields = net.entries.iter().map(|e| {
        let f = &e.name;
        let value = match &e.layer {
            LayerUse::BuiltIn(built) => match &built.init {
                Some(init) => init.clone(),
                None => quote!(#p::Init::init(rng)),
            },
            LayerUse::Custom(path, _) => {
                let own = e.phase_tokens(&phase);
                quote!(#p::Layer::into_phase::<#own>(<#path as #p::Init>::init(rng), #p::next_seed(rng)))
            }
        };
        quote!(#f: #value,)
    });
    quote! {
        fn build<R: #p::Rng + ?Sized>(rng: &mut R) -> Self {
            #name { #(#fields)* __train: ::core::default::Default::default() }
        }
    }
}

/// `convert_phase(seed)`: the same layers in phase `Q`; layers pinned to a
/// phase stay as they are, the others are converted (a Dropout entering
/// `Train` is seeded from `seed` and its position).
fn gen_convert_phase(net: &Network) -> TokenStream {
    let (name, p) = (&net.name, private());
    let fields = net.entries.iter().enumerate().map(|(index, e)| {
        let f = &e.name;
        let index = index as u64;
        match e.pinned {
            Some(_) => quote!(#f: self.#f,),
            None => quote!(#f: #p::Layer::into_phase::<Q>(self.#f, #p::derive_seed(seed, #index)),),
        }
    });
    quote! {
        fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> #name<Q> {
            #name { #(#fields)* __train: ::core::default::Default::default() }
        }
    }
}

/// `Mnist::INPUT`, `OUTPUT`, `PARAMS`, `TRAINABLE_PARAMS` on the `Eval`
/// type, so they need no phase and no trait in scope.
pub fn gen_constants(net: &Network) -> TokenStream {
    let (name, p) = (&net.name, private());
    let (input, output) = (Dim::product(&net.input).expr(), net.output().expr());
    let stream = gen_stream_alias(net);
    quote! {
        impl #name {
            /// Input features.
            pub const INPUT: usize = #input;
            /// Output features.
            pub const OUTPUT: usize = #output;
            /// Every weight and bias, frozen ones included (running
            /// statistics excluded, as PyTorch's `parameters()` counts).
            pub const PARAMS: usize = <Self as #p::Tensors>::PARAMS;
            /// The parameters an optimiser updates.
            pub const TRAINABLE_PARAMS: usize = <Self as #p::Tensors>::TRAINABLE_PARAMS;
        }
        #stream
    }
}

/// `Streamable` for the network (as a layer of another), and `{Net}Stream`
/// for a network over a time axis (`input: [T, F]`): the state
/// `net.stream()` returns.
fn gen_stream_alias(net: &Network) -> TokenStream {
    let (name, vis) = (&net.name, &net.vis);
    // Every network streams as a layer when its own layers do.
    let streamable = quote!(::typenet::__private::impl_streamable_network!(#name););
    if net.input.len() != 2 {
        return streamable;
    }
    let alias = quote::format_ident!("{}Stream", name);
    let doc = format!("The state of [`{name}`] running one time step at a time: see `net.stream()`.");
    quote! {
        #[doc = #doc]
        #vis type #alias = ::typenet::Stream<#name<::typenet::Eval>>;
        #streamable
    }
}
