//! Expand: a checked network -> the struct, its gradients and impls.
//!
//! Each layer contributes a few lines that call into net-core (`Layer`
//! methods through `::typenet::__private`); nothing is unrolled per neuron,
//! so compile time does not depend on layer widths.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::check::{flat, Dim, Kind, Layer, Network, Pinned};

/// `::typenet::__private`, where everything the expansion names lives.
fn private() -> TokenStream {
    quote!(::typenet::__private)
}

/// A width as a `usize` expression usable in constant contexts.
fn dim_expr(dim: &Dim) -> TokenStream {
    if let Some(v) = dim.literal() {
        let lit = Literal::usize_unsuffixed(v as usize);
        return quote!(#lit);
    }
    let p = private();
    match dim {
        Dim::Lit(v) => {
            let lit = Literal::usize_unsuffixed(*v as usize);
            quote!(#lit)
        }
        Dim::Const(path) => quote!(#path),
        Dim::OutputOf(path) => quote!(#p::width::<<#path as #p::Layer>::Out>()),
        Dim::Product(parts) => {
            let parts = parts.iter().map(dim_expr);
            quote!((1 #(* #parts)*))
        }
    }
}

/// A width as a const generic argument.
fn dim_arg(dim: &Dim) -> TokenStream {
    match dim.literal() {
        Some(v) => {
            let lit = Literal::usize_unsuffixed(v as usize);
            quote!(#lit)
        }
        None => {
            let e = dim_expr(dim);
            quote!({ #e })
        }
    }
}

fn phase_tokens(pinned: Option<Pinned>) -> TokenStream {
    match pinned {
        Some(Pinned::Train) => quote!(::typenet::Train),
        Some(Pinned::Eval) => quote!(::typenet::Eval),
        None => quote!(P),
    }
}

/// The marker type carrying a dropout layer's noise shape.
fn noise_marker(layer: &Layer) -> Ident {
    let camel: String = layer
        .name
        .to_string()
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format_ident!("__{}{}Noise", layer.network, camel)
}

/// The layer's field type; `phase` is what stands for the network's phase.
fn layer_type(layer: &Layer, phase: &TokenStream) -> TokenStream {
    let p = private();
    let width = dim_arg(&flat(&layer.in_shape));
    let own_phase = match layer.pinned {
        Some(_) => phase_tokens(layer.pinned),
        None => phase.clone(),
    };
    let span = layer.span;
    match &layer.kind {
        Kind::Dense { width: out, activation } => {
            let out = dim_arg(out);
            quote_spanned!(span=> ::typenet::Dense<#width, #out, ::typenet::#activation>)
        }
        Kind::Activation(activation) => {
            quote_spanned!(span=> ::typenet::Activation<#width, ::typenet::#activation>)
        }
        Kind::Dropout { noise: None, .. } => quote_spanned!(span=> ::typenet::Dropout<#width, #own_phase>),
        Kind::Dropout { noise: Some(_), .. } => {
            let marker = noise_marker(layer);
            quote_spanned!(span=> ::typenet::Dropout<#width, #own_phase, #marker>)
        }
        Kind::StopGradient => quote_spanned!(span=> ::typenet::StopGradient<#width>),
        Kind::Flatten => quote_spanned!(span=> ::typenet::Flatten<#width>),
        Kind::BatchNorm => quote_spanned!(span=> ::typenet::BatchNorm<#width, #own_phase>),
        Kind::Custom(path) => quote_spanned!(span=> <#path as #p::Layer>::InPhase<#own_phase>),
    }
}

/// Whether the layer has a field in the gradients struct.
fn has_grads(layer: &Layer) -> bool {
    !layer.frozen && matches!(layer.kind, Kind::Dense { .. } | Kind::BatchNorm | Kind::Custom(_))
}

/// The layer's gradient type.
fn grads_type(layer: &Layer) -> TokenStream {
    let p = private();
    let width = dim_arg(&flat(&layer.in_shape));
    match &layer.kind {
        Kind::Dense { width: out, .. } => {
            let out = dim_arg(out);
            quote!(::typenet::DenseGrads<#width, #out>)
        }
        Kind::BatchNorm => quote!(::typenet::BatchNormGrads<#width>),
        Kind::Custom(path) => quote!(<#path as #p::Layer>::Grads),
        _ => quote!(#p::NoGrads),
    }
}

/// Whether the layer's parameters are trained, as a `bool` expression.
fn trainable(layer: &Layer) -> TokenStream {
    let p = private();
    if layer.frozen {
        return quote!(false);
    }
    match &layer.kind {
        Kind::Dense { .. } | Kind::BatchNorm => quote!(true),
        Kind::Custom(path) => quote!((<#path as #p::Layer>::TRAINABLE_COUNT > 0)),
        _ => quote!(false),
    }
}

/// A layer that takes part in the chains (Flatten costs nothing: the next
/// layer reads its input buffer directly).
struct Active<'a> {
    layer: &'a Layer,
    /// Position among all layers (for seeds and cache names).
    index: usize,
    /// Activation slots read and written (slot 0 is the network input).
    input_slot: usize,
    output_slot: usize,
}

pub fn expand(net: &Network) -> TokenStream {
    let p = private();
    let name = &net.name;
    let vis = &net.vis;
    let attrs = &net.attrs;
    let grads_name = format_ident!("{}Grads", name);
    let state_name = format_ident!("__{}TrainState", name);
    let generic_phase = quote!(P);

    let input_width = flat(&net.input);
    let input_arg = dim_arg(&input_width);
    let input_expr = dim_expr(&input_width);
    let output_dim = net.layers.last().map(|l| flat(&l.out_shape)).unwrap_or(input_width.clone());
    let output_arg = dim_arg(&output_dim);
    let output_expr = dim_expr(&output_dim);

    // Slots and active layers.
    let mut actives = Vec::new();
    let mut slot = 0usize;
    for (index, layer) in net.layers.iter().enumerate() {
        if matches!(layer.kind, Kind::Flatten) {
            continue;
        }
        actives.push(Active { layer, index, input_slot: slot, output_slot: slot + 1 });
        slot += 1;
    }
    let last_slot = slot;
    let a = |s: usize| format_ident!("a{}", s);
    let d = |s: usize| format_ident!("d{}", s);
    let c = |i: usize| format_ident!("c{}", i);

    // --- struct ---
    let fields = net.layers.iter().map(|l| {
        let f = &l.name;
        let ty = layer_type(l, &generic_phase);
        let docs = &l.docs;
        quote!(#(#docs)* pub #f: #ty,)
    });
    let grads_fields = net.layers.iter().filter(|l| has_grads(l)).map(|l| {
        let f = &l.name;
        let ty = grads_type(l);
        quote!(pub #f: #ty,)
    });
    let grads_idents: Vec<&Ident> = net.layers.iter().filter(|l| has_grads(l)).map(|l| &l.name).collect();

    let state_fields = {
        let mut out = vec![quote!(a0: #p::Buf<#p::Const<#input_arg>>,)];
        for act in &actives {
            let ty = layer_type(act.layer, &generic_phase);
            let (av, dv, cv) = (a(act.output_slot), d(act.output_slot), c(act.index));
            out.push(quote! {
                #av: #p::Buf<<#ty as #p::Layer>::Out>,
                #dv: #p::Buf<<#ty as #p::Layer>::Out>,
                #cv: <#ty as #p::Layer>::Cache,
            });
        }
        out
    };

    // --- construction ---
    let init_fields = net.layers.iter().map(|l| {
        let f = &l.name;
        let ty = layer_type(l, &generic_phase);
        let value = match &l.kind {
            Kind::Dense { .. } => quote!(<#ty as #p::Init>::init(rng)),
            Kind::Dropout { rate, .. } => {
                let rate = Literal::f32_unsuffixed(*rate as f32);
                quote!(<#ty>::new(#rate, #p::next_seed(rng)))
            }
            Kind::BatchNorm => quote!(<#ty>::new()),
            Kind::Activation(_) | Kind::StopGradient | Kind::Flatten => {
                quote!(::core::default::Default::default())
            }
            Kind::Custom(path) => {
                let ph = match l.pinned {
                    Some(_) => phase_tokens(l.pinned),
                    None => generic_phase.clone(),
                };
                quote!(#p::Layer::into_phase::<#ph>(<#path as #p::Init>::init(rng), #p::next_seed(rng)))
            }
        };
        quote!(#f: #value,)
    });
    let phase_fields = net.layers.iter().enumerate().map(|(i, l)| {
        let f = &l.name;
        let index = i as u64;
        let value = if l.pinned.is_some() || !l.kind.is_phased() {
            quote!(self.#f)
        } else if let Kind::Custom(_) = l.kind {
            quote!(#p::Layer::into_phase::<Q>(self.#f, #p::derive_seed(seed, #index)))
        } else {
            quote!(self.#f.into_phase::<Q>(#p::derive_seed(seed, #index)))
        };
        quote!(#f: #value,)
    });

    // --- consts ---
    let param_terms = net.layers.iter().map(|l| {
        let ty = layer_type(l, &generic_phase);
        quote!(+ <#ty as #p::Layer>::PARAM_COUNT)
    });
    let trainable_terms = net.layers.iter().filter(|l| !l.frozen).map(|l| {
        let ty = layer_type(l, &generic_phase);
        quote!(+ <#ty as #p::Layer>::TRAINABLE_COUNT)
    });
    let state_terms = net.layers.iter().map(|l| {
        let ty = layer_type(l, &generic_phase);
        quote!(+ <#ty as #p::Layer>::STATE_COUNT)
    });

    // Compile-time checks the macro cannot do itself, and noise-shape markers.
    let mut assertions = Vec::new();
    for l in &net.layers {
        if let Kind::Dropout { noise: Some(shared), .. } = &l.kind {
            let marker = noise_marker(l);
            let dims = l.in_shape.iter().map(dim_expr);
            let doc = format!("The noise shape of `{name}::{}`.", l.name);
            assertions.push(quote! {
                #[doc = #doc]
                #[doc(hidden)]
                #[derive(Clone, Copy, Debug, Default)]
                #vis struct #marker;
                impl ::typenet::NoiseShape for #marker {
                    const DIMS: &'static [usize] = &[#(#dims),*];
                    const SHARED: &'static [bool] = &[#(#shared),*];
                }
            });
        }
    }
    for path in &net.const_widths {
        let text = crate::check::path_text(path);
        let message = format!("`{text}` is used as a width in `{name}` and must be at least 1");
        assertions.push(
            quote_spanned!(path.segments.last().map(|s| s.ident.span()).unwrap_or_else(Span::call_site)=>
                const _: () = ::core::assert!(#path > 0, #message);
            ),
        );
    }
    let mut previous = "input".to_string();
    for l in &net.layers {
        if let Kind::Custom(path) = &l.kind {
            let expected = dim_expr(&flat(&l.in_shape));
            let given = match flat(&l.in_shape).literal() {
                Some(v) => format!("the {v} outputs of `{previous}`"),
                None => format!("the outputs of `{previous}`"),
            };
            let message = format!(
                "layer `{}` ({}) does not take {given}: its `Layer::In` width differs",
                l.name,
                crate::check::path_text(path)
            );
            let span = l.span;
            assertions.push(quote_spanned!(span=>
                const _: () = ::core::assert!(#p::width::<<#path as #p::Layer>::In>() == #expected, #message);
            ));
        }
        previous = l.name.to_string();
    }

    // --- forward through &self: ping-pong between two buffers ---
    let widths: Vec<TokenStream> = actives.iter().map(|act| dim_expr(&flat(&act.layer.out_shape))).collect();
    let infer_chain = |source: TokenStream, sink: TokenStream| -> TokenStream {
        if actives.is_empty() {
            return quote!(#sink.copy_from_slice(&#source[..#sink.len()]););
        }
        let count = actives.len();
        let steps = actives.iter().enumerate().map(|(k, act)| {
            let f = &act.layer.name;
            let mode = if act.layer.pinned.is_some() { quote!(false) } else { quote!(AS_EVAL) };
            let from = if k == 0 {
                quote!(&#source[..])
            } else if k % 2 == 1 {
                quote!(&*s0)
            } else {
                quote!(&*s1)
            };
            let to = if k + 1 == count {
                quote!(&mut #sink[..])
            } else if k % 2 == 0 {
                quote!(&mut *s0)
            } else {
                quote!(&mut *s1)
            };
            quote!(#p::infer::<#mode, _>(&self.#f, #from, #to, cols);)
        });
        quote!(#(#steps)*)
    };
    let shared_body = infer_chain(quote!(x), quote!(y));
    let predict_body = infer_chain(quote!(x), quote!(out));

    // --- training forward ---
    let train_steps = actives.iter().map(|act| {
        let f = &act.layer.name;
        let (ai, ao, ci) = (a(act.input_slot), a(act.output_slot), c(act.index));
        quote!(#p::train_forward(&mut self.#f, &state.#ai, &mut state.#ao, &mut state.#ci);)
    });
    let last_a = a(last_slot);
    let last_d = d(last_slot);

    // --- backward ---
    let mut need_lets = vec![quote!(let need_0: bool = dx.is_some();)];
    for (k, act) in actives.iter().enumerate().take(actives.len().saturating_sub(1)) {
        let next = format_ident!("need_{}", k + 1);
        let here = format_ident!("need_{}", k);
        let t = trainable(act.layer);
        let passes = !matches!(act.layer.kind, Kind::StopGradient);
        let through = if passes { quote!(|| #here) } else { quote!() };
        need_lets.push(quote!(let #next: bool = (has_grads && #t) #through;));
    }
    let mut backward_steps = Vec::new();
    let mut alive = true;
    for (k, act) in actives.iter().enumerate().rev() {
        let l = act.layer;
        let f = &l.name;
        let grads_of = if has_grads(l) {
            quote!(grads.as_deref_mut().map(|g| &mut g.#f))
        } else {
            quote!(::core::option::Option::None)
        };
        if !alive {
            if has_grads(l) {
                backward_steps.push(quote!(#p::zero_grads(#grads_of);));
            }
            continue;
        }
        let need = format_ident!("need_{}", k);
        let t = trainable(l);
        let (ai, ao, dout, ci) = (a(act.input_slot), a(act.output_slot), d(act.output_slot), c(act.index));
        let target = if act.input_slot == 0 {
            quote!(if #need { dx.take() } else { ::core::option::Option::None })
        } else {
            let din = d(act.input_slot);
            quote!(#p::gradient_target(#need, &mut state.#din, cols))
        };
        let l2 = match l.l2 {
            Some(lambda) if has_grads(l) => {
                let lambda = Literal::f32_unsuffixed(lambda as f32);
                quote!(if let ::core::option::Option::Some(g) = grads.as_deref_mut() { self.#f.add_l2_gradient(#lambda, &mut g.#f); })
            }
            _ => quote!(),
        };
        backward_steps.push(quote! {
            if (has_grads && #t) || #need {
                let target = #target;
                #p::Layer::train_backward(
                    &mut self.#f,
                    state.#ai.view(),
                    state.#ao.view(),
                    state.#dout.view_mut(),
                    &mut state.#ci,
                    target,
                    #grads_of,
                );
                #l2
            }
        });
        if matches!(l.kind, Kind::StopGradient) {
            alive = false;
        }
    }
    let input_unreached = if actives.is_empty() {
        quote!(if let ::core::option::Option::Some(mut dx) = dx {
            dx.as_mut_slice().copy_from_slice(dy);
        })
    } else {
        quote!(if let ::core::option::Option::Some(mut dx) = dx {
            dx.fill(0.0);
        })
    };

    // --- L2 penalty ---
    let l2_terms = net.layers.iter().filter_map(|l| {
        let f = &l.name;
        match (&l.kind, l.l2) {
            (Kind::Dense { .. }, Some(lambda)) => {
                let lambda = Literal::f32_unsuffixed(lambda as f32);
                Some(quote!(+ self.#f.l2_penalty(#lambda)))
            }
            (Kind::Custom(_), _) => Some(quote!(+ #p::Layer::l2_penalty(&self.#f))),
            _ => None,
        }
    });

    // --- optimiser and IO visits ---
    let visit_trainable = net.layers.iter().filter(|l| has_grads(l)).map(|l| {
        let f = &l.name;
        quote!(#p::Layer::visit_trainable(&mut self.#f, &grads.#f, f);)
    });
    let visit_tensors = net.layers.iter().map(|l| {
        let f = &l.name;
        let prefix = format!("{f}.");
        quote!(#p::Layer::visit_tensors(&self.#f, &::std::format!("{}{}", prefix, #prefix), f);)
    });
    let visit_tensors_mut = net.layers.iter().map(|l| {
        let f = &l.name;
        let prefix = format!("{f}.");
        quote!(#p::Layer::visit_tensors_mut(&mut self.#f, &::std::format!("{}{}", prefix, #prefix), f);)
    });

    // --- summary ---
    let rows = net.layers.iter().map(|l| {
        let ty = layer_type(l, &generic_phase);
        let row_name = l.name.to_string();
        let kind = &l.declared;
        let dims = l.out_shape.iter().map(dim_expr);
        let frozen = l.frozen;
        let phase = match l.pinned {
            Some(Pinned::Train) => quote!(::core::option::Option::Some("Train")),
            Some(Pinned::Eval) => quote!(::core::option::Option::Some("Eval")),
            None => quote!(::core::option::Option::None),
        };
        quote!(#p::SummaryRow {
            name: ::std::string::String::from(#row_name),
            kind: ::std::string::String::from(#kind),
            output_shape: #p::shape_text(&[#(#dims),*]),
            params: <#ty as #p::Layer>::PARAM_COUNT,
            state: <#ty as #p::Layer>::STATE_COUNT,
            trainable: !#frozen && <#ty as #p::Layer>::TRAINABLE_COUNT > 0,
            phase: #phase,
        })
    });
    let input_dims = net.input.iter().map(dim_expr);
    let name_text = name.to_string();
    let max_width = quote!(#p::max_width(&[#(#widths),*]));

    let doc_grads = format!(
        "Gradients of [`{name}`]'s trainable layers (frozen and parameter-free layers have no field)."
    );
    let doc_state = format!("What a training forward of [`{name}`] keeps for backward.");

    quote! {
        #(#assertions)*

        #(#attrs)*
        #vis struct #name<P: ::typenet::Phase = ::typenet::Eval> {
            #(#fields)*
            #[doc(hidden)]
            pub __state: #state_name<P>,
        }

        #[doc = #doc_state]
        #[doc(hidden)]
        #[derive(Clone, Debug, Default)]
        #vis struct #state_name<P: ::typenet::Phase> {
            #(#state_fields)*
            phase: #p::PhantomData<P>,
        }

        #[doc = #doc_grads]
        #[derive(Clone, Debug)]
        #vis struct #grads_name {
            #(#grads_fields)*
        }

        impl #grads_name {
            /// All-zero gradients (allocate once, reuse with `backward_into`).
            pub fn zeros() -> Self {
                Self { #(#grads_idents: #p::Grads::zeros(),)* }
            }
        }

        impl #p::Grads for #grads_name {
            fn zeros() -> Self {
                #grads_name::zeros()
            }
            fn accumulate(&mut self, _other: &Self) {
                #(#p::Grads::accumulate(&mut self.#grads_idents, &_other.#grads_idents);)*
            }
            fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
                #(#p::Grads::visit(&self.#grads_idents, _f);)*
            }
            fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
                #(#p::Grads::visit_mut(&mut self.#grads_idents, _f);)*
            }
        }

        impl ::core::ops::AddAssign<&#grads_name> for #grads_name {
            fn add_assign(&mut self, other: &#grads_name) {
                #p::Grads::accumulate(self, other);
            }
        }

        impl ::core::ops::AddAssign for #grads_name {
            fn add_assign(&mut self, other: #grads_name) {
                #p::Grads::accumulate(self, &other);
            }
        }

    }
    .into_iter()
    .chain(rest(RestInputs {
        name,
        grads_name: &grads_name,
        input_arg: &input_arg,
        input_expr: &input_expr,
        output_arg: &output_arg,
        output_expr: &output_expr,
        init_fields: quote!(#(#init_fields)*),
        phase_fields: quote!(#(#phase_fields)*),
        param_terms: quote!(#(#param_terms)*),
        trainable_terms: quote!(#(#trainable_terms)*),
        state_terms: quote!(#(#state_terms)*),
        shared_body,
        predict_body,
        max_width,
        train_steps: quote!(#(#train_steps)*),
        last_a: &last_a,
        last_d: &last_d,
        need_lets: quote!(#(#need_lets)*),
        backward_steps: quote!(#(#backward_steps)*),
        input_unreached,
        input_reached: actives
            .first()
            .map(|act| alive_at_input(&actives) && act.input_slot == 0)
            .unwrap_or(false),
        l2_terms: quote!(#(#l2_terms)*),
        visit_trainable: quote!(#(#visit_trainable)*),
        visit_tensors: quote!(#(#visit_tensors)*),
        visit_tensors_mut: quote!(#(#visit_tensors_mut)*),
        rows: quote!(#(#rows),*),
        input_dims: quote!(#(#input_dims),*),
        name_text,
        debug_fields: net.layers.iter().map(|l| l.name.clone()).collect(),
        clone_fields: net.layers.iter().map(|l| l.name.clone()).collect(),
    }))
    .collect()
}

/// Whether a gradient reaches the network input (no StopGradient anywhere).
fn alive_at_input(actives: &[Active<'_>]) -> bool {
    !actives.iter().any(|a| matches!(a.layer.kind, Kind::StopGradient))
}

struct RestInputs<'a> {
    name: &'a Ident,
    grads_name: &'a Ident,
    input_arg: &'a TokenStream,
    input_expr: &'a TokenStream,
    output_arg: &'a TokenStream,
    output_expr: &'a TokenStream,
    init_fields: TokenStream,
    phase_fields: TokenStream,
    param_terms: TokenStream,
    trainable_terms: TokenStream,
    state_terms: TokenStream,
    shared_body: TokenStream,
    predict_body: TokenStream,
    max_width: TokenStream,
    train_steps: TokenStream,
    last_a: &'a Ident,
    last_d: &'a Ident,
    need_lets: TokenStream,
    backward_steps: TokenStream,
    input_unreached: TokenStream,
    input_reached: bool,
    l2_terms: TokenStream,
    visit_trainable: TokenStream,
    visit_tensors: TokenStream,
    visit_tensors_mut: TokenStream,
    rows: TokenStream,
    input_dims: TokenStream,
    name_text: String,
    debug_fields: Vec<Ident>,
    clone_fields: Vec<Ident>,
}

/// The impls: construction, phases, forward/backward, the traits.
fn rest(r: RestInputs<'_>) -> TokenStream {
    let p = private();
    let RestInputs {
        name,
        grads_name,
        input_arg,
        input_expr,
        output_arg,
        output_expr,
        init_fields,
        phase_fields,
        param_terms,
        trainable_terms,
        state_terms,
        shared_body,
        predict_body,
        max_width,
        train_steps,
        last_a,
        last_d,
        need_lets,
        backward_steps,
        input_unreached,
        input_reached,
        l2_terms,
        visit_trainable,
        visit_tensors,
        visit_tensors_mut,
        rows,
        input_dims,
        name_text,
        debug_fields,
        clone_fields,
    } = r;
    let debug_names: Vec<String> = debug_fields.iter().map(|f| f.to_string()).collect();
    let unreached = if input_reached { quote!() } else { input_unreached };
    quote! {
        impl<P: ::typenet::Phase> #name<P> {
            /// A network with Glorot-uniform weights and zero biases drawn
            /// from `seed`: the same seed gives the same network, bit for bit.
            pub fn seeded(seed: u64) -> Self {
                Self::init(&mut #p::init_rng(seed))
            }

            /// A network with Glorot-uniform weights and zero biases drawn
            /// from `rng`.
            pub fn init<R: #p::Rng + ?Sized>(rng: &mut R) -> Self {
                Self { #init_fields __state: ::core::default::Default::default() }
            }

            /// The same network for inference; no weights are copied.
            pub fn into_eval(self) -> #name<::typenet::Eval> {
                self.__into_phase::<::typenet::Eval>(0)
            }

            /// The same network for training; no weights are copied, and
            /// `seed` drives the dropout masks.
            pub fn into_train(self, seed: u64) -> #name<::typenet::Train> {
                self.__into_phase::<::typenet::Train>(seed)
            }

            #[doc(hidden)]
            pub fn __into_phase<Q: ::typenet::Phase>(self, seed: u64) -> #name<Q> {
                let _ = seed;
                #name { #phase_fields __state: ::core::default::Default::default() }
            }

            /// The Keras-like table of layers; print it with `{}`.
            pub fn summary(&self) -> ::typenet::Summary {
                ::typenet::Summary {
                    name: ::std::string::String::from(#name_text),
                    input_shape: #p::shape_text(&[#input_dims]),
                    rows: ::std::vec![#rows],
                }
            }

            /// Loss (with the L2 penalty) and accuracy on `data`, with every
            /// layer that is not pinned to a phase behaving as in `Eval`.
            pub fn evaluate<L: ::typenet::Loss>(
                &self,
                data: &::typenet::Dataset<#input_arg, #output_arg>,
                loss: &L,
            ) -> ::typenet::Metrics {
                #p::evaluate(self, data, loss)
            }

            /// The L2 penalty of the `#[l2]` layers, `sum(lambda * sum(w^2))`,
            /// to add to the loss in hand-written loops.
            pub fn l2_penalty(&self) -> f32 {
                0.0 #l2_terms
            }

            /// Forward through `&self`; `AS_EVAL` runs every layer that is
            /// not pinned to a phase as it runs in `Eval`.
            #[doc(hidden)]
            pub fn __shared_pass<const AS_EVAL: bool>(&self, x: &[f32], y: &mut [f32], cols: usize) {
                const MAX_WIDTH: usize = #max_width;
                #p::with_scratch(MAX_WIDTH * cols, |s0, s1| {
                    let _ = (&s0, &s1);
                    #shared_body
                });
            }

            #[doc(hidden)]
            pub fn __forward_pass(&mut self, x: &[f32], y: &mut [f32], cols: usize) {
                let state = &mut self.__state;
                state.a0.copy_from(&#p::view::<#p::Const<#input_arg>>(x, cols));
                #train_steps
                y[..#output_expr * cols].copy_from_slice(state.#last_a.as_slice());
            }

            #[doc(hidden)]
            pub fn __backward_pass(
                &mut self,
                dy: &[f32],
                dx: ::core::option::Option<::typenet::ViewMut<'_, #p::Const<#input_arg>>>,
                mut grads: ::core::option::Option<&mut #grads_name>,
            ) {
                let state = &mut self.__state;
                let cols = state.a0.cols();
                #p::check_backward_batch(cols, dy.len() / #output_expr);
                let has_grads = grads.is_some();
                let mut dx = dx;
                #need_lets
                state.#last_d.resize(cols);
                state.#last_d.as_mut_slice().copy_from_slice(dy);
                #backward_steps
                let _ = (&mut grads, has_grads);
                #unreached
            }
        }

        impl #name<::typenet::Eval> {
            /// Input features.
            pub const INPUT: usize = #input_expr;
            /// Output features.
            pub const OUTPUT: usize = #output_expr;
            /// Every weight and bias, frozen ones included (running
            /// statistics excluded).
            pub const PARAMS: usize = <Self as #p::Layer>::PARAM_COUNT;
            /// The parameters an optimiser updates.
            pub const TRAINABLE_PARAMS: usize = <Self as #p::Layer>::TRAINABLE_COUNT;

            /// Inference on a batch; dropout is the identity.
            pub fn forward(&self, x: &::typenet::Batch<#input_arg>) -> ::typenet::Batch<#output_arg> {
                let mut out = ::typenet::Batch::<#output_arg>::zeros(x.ncols());
                self.forward_into(x, &mut out);
                out
            }

            /// [`forward`](Self::forward) into an existing batch (resized
            /// only if its batch size differs); allocation-free once warmed.
            pub fn forward_into(&self, x: &::typenet::Batch<#input_arg>, out: &mut ::typenet::Batch<#output_arg>) {
                if out.ncols() != x.ncols() {
                    *out = ::typenet::Batch::<#output_arg>::zeros(x.ncols());
                }
                self.__shared_pass::<true>(x.as_slice(), out.as_mut_slice(), x.ncols());
            }

            /// Inference on one sample, entirely on the stack.
            pub fn predict(&self, x: &#p::SVector<f32, #input_arg>) -> #p::SVector<f32, #output_arg> {
                const MAX_WIDTH: usize = #max_width;
                const AS_EVAL: bool = true;
                let mut out = #p::SVector::<f32, #output_arg>::zeros();
                let (mut s0, mut s1) = ([0.0f32; MAX_WIDTH], [0.0f32; MAX_WIDTH]);
                let _ = (&mut s0, &mut s1);
                let (x, cols) = (x.as_slice(), 1usize);
                {
                    let out = out.as_mut_slice();
                    let (s0, s1) = (&mut s0[..], &mut s1[..]);
                    let _ = (&s0, &s1);
                    #predict_body
                }
                out
            }
        }

        impl #name<::typenet::Train> {
            /// Training forward: dropout masks are drawn and what backward
            /// needs is kept.
            pub fn forward(&mut self, x: &::typenet::Batch<#input_arg>) -> ::typenet::Batch<#output_arg> {
                let mut out = ::typenet::Batch::<#output_arg>::zeros(x.ncols());
                self.forward_into(x, &mut out);
                out
            }

            /// [`forward`](Self::forward) into an existing batch;
            /// allocation-free once warmed.
            pub fn forward_into(&mut self, x: &::typenet::Batch<#input_arg>, out: &mut ::typenet::Batch<#output_arg>) {
                if out.ncols() != x.ncols() {
                    *out = ::typenet::Batch::<#output_arg>::zeros(x.ncols());
                }
                self.__forward_pass(x.as_slice(), out.as_mut_slice(), x.ncols());
            }

            /// Gradients of the last forward, summed over the batch as given
            /// (the losses' `grad` already divides by the batch size).
            ///
            /// # Panics
            /// If `grad_out` holds a different number of samples than the
            /// last forward.
            pub fn backward(&mut self, grad_out: &::typenet::Batch<#output_arg>) -> #grads_name {
                let mut grads = #grads_name::zeros();
                self.backward_into(grad_out, &mut grads);
                grads
            }

            /// Trains on `data` (Keras' `model.fit`): mini-batches, optional
            /// validation split (evaluated with dropout off), early stopping,
            /// gradient clipping, learning-rate schedules, callbacks.
            ///
            /// # Errors
            /// A batch size of 0, a split outside [0, 1) or an empty training
            /// part, before any weight changes; `Error::NonFinite` when the
            /// loss stops being finite (the weights of the last finite step
            /// are kept).
            pub fn fit<O: ::typenet::Optimizer, L: ::typenet::Loss>(
                &mut self,
                data: &::typenet::Dataset<#input_arg, #output_arg>,
                opt: &mut O,
                loss: &L,
                settings: ::typenet::Fit<'_>,
            ) -> ::core::result::Result<::typenet::History, ::typenet::Error> {
                #p::fit(self, data, opt, loss, settings)
            }

            /// [`backward`](Self::backward) into existing gradients
            /// (overwritten); allocation-free once warmed.
            pub fn backward_into(&mut self, grad_out: &::typenet::Batch<#output_arg>, grads: &mut #grads_name) {
                self.__backward_pass(grad_out.as_slice(), ::core::option::Option::None, ::core::option::Option::Some(grads));
            }
        }

        impl<P: ::typenet::Phase> #p::Layer for #name<P> {
            type In = #p::Const<#input_arg>;
            type Out = #p::Const<#output_arg>;
            type Cache = ();
            type Grads = #grads_name;
            type InPhase<Q: ::typenet::Phase> = #name<Q>;

            const PARAM_COUNT: usize = 0 #param_terms;
            const TRAINABLE_COUNT: usize = 0 #trainable_terms;
            const STATE_COUNT: usize = 0 #state_terms;

            fn infer(&self, x: ::typenet::View<'_, Self::In>, mut y: ::typenet::ViewMut<'_, Self::Out>) {
                self.__shared_pass::<false>(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn infer_eval(&self, x: ::typenet::View<'_, Self::In>, mut y: ::typenet::ViewMut<'_, Self::Out>) {
                self.__shared_pass::<true>(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn train_forward(&mut self, x: ::typenet::View<'_, Self::In>, mut y: ::typenet::ViewMut<'_, Self::Out>, _cache: &mut ()) {
                self.__forward_pass(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn train_backward(
                &mut self,
                _x: ::typenet::View<'_, Self::In>,
                _y: ::typenet::View<'_, Self::Out>,
                dy: ::typenet::ViewMut<'_, Self::Out>,
                _cache: &mut (),
                dx: ::core::option::Option<::typenet::ViewMut<'_, Self::In>>,
                grads: ::core::option::Option<&mut #grads_name>,
            ) {
                self.__backward_pass(dy.as_slice(), dx, grads);
            }

            fn into_phase<Q: ::typenet::Phase>(self, seed: u64) -> #name<Q> {
                self.__into_phase::<Q>(seed)
            }

            fn visit_trainable(&mut self, grads: &#grads_name, f: &mut dyn FnMut(&mut [f32], &[f32])) {
                let _ = (&grads, &f);
                #visit_trainable
            }

            fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, ::typenet::Tensor<'_>)) {
                #visit_tensors
            }

            fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, ::typenet::TensorMut<'_>)) {
                #visit_tensors_mut
            }

            fn l2_penalty(&self) -> f32 {
                #name::l2_penalty(self)
            }
        }

        impl<P: ::typenet::Phase> #p::Init for #name<P> {
            fn init<R: #p::Rng + ?Sized>(rng: &mut R) -> Self {
                #name::init(rng)
            }
        }

        impl<P: ::typenet::Phase> ::typenet::Network for #name<P> {
            const INPUT: usize = #input_expr;
            const OUTPUT: usize = #output_expr;
            const PARAMS: usize = <Self as #p::Layer>::PARAM_COUNT;
            const TRAINABLE_PARAMS: usize = <Self as #p::Layer>::TRAINABLE_COUNT;

            fn summary(&self) -> ::typenet::Summary {
                #name::summary(self)
            }
        }

        impl<P: ::typenet::Phase> ::core::fmt::Debug for #name<P> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#name_text)
                    #(.field(#debug_names, &self.#debug_fields))*
                    .finish_non_exhaustive()
            }
        }

        impl<P: ::typenet::Phase> ::core::clone::Clone for #name<P> {
            fn clone(&self) -> Self {
                Self {
                    #(#clone_fields: ::core::clone::Clone::clone(&self.#clone_fields),)*
                    __state: ::core::clone::Clone::clone(&self.__state),
                }
            }
        }
    }
}

/// What is emitted when the declaration has errors: the errors, and a
/// placeholder struct so uses of the name do not add errors of their own.
pub fn fallback(vis: &syn::Visibility, name: &Ident, errors: TokenStream) -> TokenStream {
    quote! {
        #errors
        #vis struct #name<P = ::typenet::Eval>(::core::marker::PhantomData<P>);
    }
}
