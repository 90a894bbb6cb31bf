//! `NetworkDef`: what net-core's generic code needs of the network, and
//! the constants on the `Eval` type.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{by_node, grads_name, layers_type, private, Generics};
use crate::dims::Dim;
use crate::ir::{CheckedEntry, EntryKind, LayerUse, Network};

/// `impl NetworkDef for Mnist<P>`.
pub fn gen_network_def(net: &Network, g: &Generics) -> TokenStream {
    let (name, p, phase, other) = (&net.name, private(), &g.phase, &g.other);
    let (grads, layers) = (grads_name(net), layers_type(net, &quote!(#phase)));
    let (input, output) = (Dim::product(&net.input).arg(), net.output().arg());
    let (step_input, step_output) = (net.step_input().arg(), net.step_output().arg());
    let name_text = &net.shown_as;
    let input_shape = net.input.iter().map(Dim::expr);
    let entries = entries_of(&net.entries);
    let build = gen_build(net, g);
    let convert = gen_convert_phase(net, g);
    let refs = by_node(&net.entries, &|e| {
        let f = &e.name;
        quote!(&self.#f)
    });
    let muts = by_node(&net.entries, &|e| {
        let f = &e.name;
        quote!(&mut self.#f)
    });
    let slot = |reference: TokenStream| {
        move |e: &CheckedEntry| {
            let f = &e.name;
            if e.has_grads() {
                quote!(::core::option::Option::Some(#reference grads.#f))
            } else {
                quote!(::core::option::Option::None)
            }
        }
    };
    let grads_ref = by_node(&net.entries, &slot(quote!(&)));
    let grads_mut = by_node(&net.entries, &slot(quote!(&mut)));
    quote! {
        impl<#phase: ::typenet::Phase> #p::NetworkDef for #name<#phase> {
            type Phase = #phase;
            type Layers = #layers;
            type Grads = #grads;
            type ToPhase<#other: ::typenet::Phase> = #name<#other>;
            type Input = #p::Const<#input>;
            type Output = #p::Const<#output>;
            type StepInput = #p::Const<#step_input>;
            type StepOutput = #p::Const<#step_output>;

            const NAME: &'static str = #name_text;
            const INPUT_SHAPE: &'static [usize] = &[#(#input_shape),*];
            const ENTRIES: &'static [#p::Entry] = #entries;

            #build
            #convert

            fn layers(&self) -> <Self::Layers as #p::Chain>::Refs<'_> {
                #refs
            }
            fn layers_mut(
                &mut self,
            ) -> (<Self::Layers as #p::Chain>::Muts<'_>, &mut #p::TrainState<#phase, Self::Layers>) {
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

/// `&[Entry::new(..), ..]`, a merge's paths nested in its entry.
fn entries_of(entries: &[CheckedEntry]) -> TokenStream {
    let entries = entries.iter().map(gen_entry);
    quote!(&[#(#entries),*])
}

/// `Entry::new("fc1", "Dense<256, Relu>", &[256]).l2(0.001)`.
fn gen_entry(entry: &CheckedEntry) -> TokenStream {
    let p = private();
    let name = entry.name.to_string();
    let declared = entry.declared();
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
    let renamed = entry.rename.as_ref().map(|saved| quote!(.renamed(#saved)));
    let more = match &entry.kind {
        EntryKind::Layer(LayerUse::Block { .. }) => quote!(.expanded()),
        EntryKind::Layer(_) => TokenStream::new(),
        EntryKind::Merge { paths, .. } => {
            let paths = paths.iter().map(|path| entries_of(path));
            quote!(.merging(&[#(#paths),*]))
        }
    };
    quote!(#p::Entry::new(#name, #declared, #shape) #pinned #l2 #renamed #more)
}

/// `build(rng)`: every layer constructed in order from one generator.
fn gen_build(net: &Network, g: &Generics) -> TokenStream {
    let (name, p, phase, rng) = (&net.name, private(), &g.phase, &g.rng);
    let fields = net.fields().into_iter().map(|e| {
        let f = &e.name;
        let value = match e.layer() {
            Some(LayerUse::BuiltIn(built)) => match &built.resolved.init {
                Some(init) => init.clone(),
                None => quote!(#p::Init::init(rng)),
            },
            Some(LayerUse::Block { .. }) => quote!(#p::Init::init(rng)),
            Some(LayerUse::Custom(path, _)) => {
                let own = e.phase_tokens(&quote!(#phase));
                quote!(#p::Layer::into_phase::<#own>(<#path as #p::Init>::init(rng), #p::next_seed(rng)))
            }
            None => TokenStream::new(),
        };
        quote!(#f: #value,)
    });
    quote! {
        fn build<#rng: #p::Rng + ?Sized>(rng: &mut #rng) -> Self {
            #name { #(#fields)* __train: ::core::default::Default::default() }
        }
    }
}

/// `convert_phase(seed)`: the same layers in phase `Q`; layers pinned to a
/// phase stay as they are, the others are converted (a Dropout entering
/// `Train` is seeded from `seed` and its position).
fn gen_convert_phase(net: &Network, g: &Generics) -> TokenStream {
    let (name, p, other) = (&net.name, private(), &g.other);
    let fields = net.fields().into_iter().enumerate().map(|(index, e)| {
        let f = &e.name;
        let index = index as u64;
        match e.pinned {
            Some(_) => quote!(#f: self.#f,),
            None => quote!(#f: #p::Layer::into_phase::<#other>(self.#f, #p::derive_seed(seed, #index)),),
        }
    });
    quote! {
        fn convert_phase<#other: ::typenet::Phase>(self, seed: u64) -> #name<#other> {
            #name { #(#fields)* __train: ::core::default::Default::default() }
        }
    }
}

/// `Mnist::INPUT`, `OUTPUT`, `PARAMS`, `TRAINABLE_PARAMS` on the `Eval`
/// type, so they need no phase and no trait in scope.
pub fn gen_constants(net: &Network, g: &Generics) -> TokenStream {
    let (name, p) = (&net.name, private());
    let (input, output) = (Dim::product(&net.input).expr(), net.output().expr());
    let stream = gen_stream_alias(net, g);
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
fn gen_stream_alias(net: &Network, g: &Generics) -> TokenStream {
    let (name, vis, phase) = (&net.name, &net.vis, &g.phase);
    // Every network streams as a layer when its own layers do.
    let streamable = quote!(::typenet::__private::impl_streamable_network!(#name, #phase););
    if net.input.len() != 2 || net.generated {
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
