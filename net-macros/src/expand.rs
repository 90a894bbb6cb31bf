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

    // --- structs ---
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
    let layer_idents: Vec<&Ident> = net.layers.iter().map(|l| &l.name).collect();
    let grads_idents: Vec<&Ident> = net.layers.iter().filter(|l| has_grads(l)).map(|l| &l.name).collect();
    // `a0` keeps a copy of the input only for `forward_into`/`backward_into`,
    // whose backward is not given the input again; the `Layer` path (`fit`,
    // nested networks) passes it to both and copies nothing.
    let mut state_fields = vec![quote!(a0: #p::Buf<#p::Const<#input_arg>>, cols: usize,)];
    for act in &actives {
        let ty = layer_type(act.layer, &generic_phase);
        let (av, dv, cv) = (a(act.output_slot), d(act.output_slot), c(act.index));
        state_fields.push(quote! {
            #av: #p::Buf<<#ty as #p::Layer>::Out>,
            #dv: #p::Buf<<#ty as #p::Layer>::Out>,
            #cv: <#ty as #p::Layer>::Cache,
        });
    }

    // --- construction and phase changes ---
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

    // --- sizes ---
    let count = |pick: fn(&Layer) -> bool, item: &str| {
        let item = format_ident!("{}", item);
        let terms = net.layers.iter().filter(|l| pick(l)).map(|l| {
            let ty = layer_type(l, &generic_phase);
            quote!(+ <#ty as #p::Layer>::#item)
        });
        quote!(0 #(#terms)*)
    };
    let params = count(|_| true, "PARAM_COUNT");
    let trainable_params = count(|l| !l.frozen, "TRAINABLE_COUNT");
    let state_count = count(|_| true, "STATE_COUNT");
    let widths = actives.iter().map(|act| dim_expr(&flat(&act.layer.out_shape)));
    let max_width = quote!(#p::max_width(&[#(#widths),*]));

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
        let span = path.segments.last().map(|s| s.ident.span()).unwrap_or_else(Span::call_site);
        assertions.push(quote_spanned!(span=> const _: () = ::core::assert!(#path > 0, #message);));
    }
    let mut previous = "input".to_string();
    for l in &net.layers {
        if let Kind::Custom(path) = &l.kind {
            let span = l.span;
            let expected = dim_expr(&flat(&l.in_shape));
            let given = match flat(&l.in_shape).literal() {
                Some(v) => format!("the {v} outputs of `{previous}`"),
                None => format!("the outputs of `{previous}`"),
            };
            let layer_text = crate::check::path_text(path);
            let message = format!(
                "layer `{}` ({layer_text}) does not take {given}: its `Layer::In` width differs",
                l.name
            );
            assertions.push(quote_spanned!(span=>
                const _: () = ::core::assert!(#p::width::<<#path as #p::Layer>::In>() == #expected, #message);
            ));
            if l.frozen {
                let message = format!(
                    "`#[frozen]` on `{}`: {layer_text} has no parameters, so there is nothing to freeze",
                    l.name
                );
                assertions.push(quote_spanned!(span=>
                    const _: () = ::core::assert!(<#path as #p::Layer>::PARAM_COUNT > 0, #message);
                ));
            }
        }
        previous = l.name.to_string();
    }

    // --- forward through &self: ping-pong between two scratch buffers ---
    let shared_steps = actives.iter().enumerate().map(|(k, act)| {
        let f = &act.layer.name;
        let mode = if act.layer.pinned.is_some() { quote!(false) } else { quote!(AS_EVAL) };
        let from = match k {
            0 => quote!(x),
            k if k % 2 == 1 => quote!(&*s0),
            _ => quote!(&*s1),
        };
        let to = match k {
            k if k + 1 == actives.len() => quote!(&mut *y),
            k if k % 2 == 0 => quote!(&mut *s0),
            _ => quote!(&mut *s1),
        };
        quote!(#p::infer::<#mode, _>(&self.#f, #from, #to, cols);)
    });

    // --- training forward ---
    // Custom layers read their input through views of their own declared
    // width, so a width mismatch is the const assertion's one clear error.
    let custom = |l: &Layer| matches!(l.kind, Kind::Custom(_));
    let train_steps = actives.iter().map(|act| {
        let f = &act.layer.name;
        let (ai, ao, ci) = (a(act.input_slot), a(act.output_slot), c(act.index));
        if act.input_slot == 0 {
            quote!(#p::train_forward_from(&mut self.#f, x, cols, &mut state.#ao, &mut state.#ci);)
        } else if custom(act.layer) {
            quote!(#p::train_forward_checked(&mut self.#f, &state.#ai, &mut state.#ao, &mut state.#ci);)
        } else {
            quote!(#p::train_forward(&mut self.#f, &state.#ai, &mut state.#ao, &mut state.#ci);)
        }
    });
    let (last_a, last_d) = (a(last_slot), d(last_slot));

    // --- backward: who needs a gradient, then the layers top-down ---
    let mut need_lets = vec![quote!(let need_0: bool = dx.is_some();)];
    for (k, act) in actives.iter().enumerate().take(actives.len().saturating_sub(1)) {
        let (next, here) = (format_ident!("need_{}", k + 1), format_ident!("need_{}", k));
        let t = trainable(act.layer);
        let through = if matches!(act.layer.kind, Kind::StopGradient) { quote!() } else { quote!(|| #here) };
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
        let target = if act.input_slot == 0 && !custom(l) {
            quote!(if #need { dx.take() } else { ::core::option::Option::None })
        } else if act.input_slot == 0 {
            quote!(if #need { dx.take().map(#p::retype_mut) } else { ::core::option::Option::None })
        } else if custom(l) {
            let din = d(act.input_slot);
            quote!(#p::gradient_target_as(#need, &mut state.#din, cols))
        } else {
            let din = d(act.input_slot);
            quote!(#p::gradient_target(#need, &mut state.#din, cols))
        };
        let input_view = if act.input_slot == 0 {
            quote!(#p::view(x, cols))
        } else if custom(l) {
            quote!(#p::view_as(&state.#ai))
        } else {
            quote!(state.#ai.view())
        };
        let l2 = match l.l2 {
            Some(lambda) if has_grads(l) => {
                let lambda = Literal::f32_unsuffixed(lambda as f32);
                quote!(if let ::core::option::Option::Some(g) = grads.as_deref_mut() {
                    self.#f.add_l2_gradient(#lambda, &mut g.#f);
                })
            }
            _ => quote!(),
        };
        backward_steps.push(quote! {
            if (has_grads && #t) || #need {
                let target = #target;
                #p::Layer::train_backward(
                    &mut self.#f,
                    #input_view,
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
    // A StopGradient anywhere means no layer writes the input gradient.
    let unreached_input = if alive {
        quote!()
    } else {
        quote!(if let ::core::option::Option::Some(mut dx) = dx {
            dx.fill(0.0);
        })
    };

    // --- L2 penalty and summary ---
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
    let rows = net.layers.iter().map(|l| {
        let ty = layer_type(l, &generic_phase);
        let (row_name, kind, frozen) = (l.name.to_string(), &l.declared, l.frozen);
        let dims = l.out_shape.iter().map(dim_expr);
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
    let doc_grads = format!(
        "Gradients of [`{name}`]'s trainable layers (frozen and parameter-free layers have no field)."
    );

    quote! {
        #(#assertions)*

        #(#attrs)*
        #vis struct #name<P: ::typenet::Phase = ::typenet::Eval> {
            #(#fields)*
            #[doc(hidden)]
            pub __state: #state_name<P>,
        }

        /// What a training forward keeps for backward.
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

        impl<P: ::typenet::Phase> #name<P> {
            const __MAX_WIDTH: usize = #max_width;
            const __PARAMS: usize = #params;
            const __TRAINABLE: usize = #trainable_params;
            const __STATE: usize = #state_count;

            fn __init<R: #p::Rng + ?Sized>(rng: &mut R) -> Self {
                Self { #(#init_fields)* __state: ::core::default::Default::default() }
            }

            fn __into_phase<Q: ::typenet::Phase>(self, seed: u64) -> #name<Q> {
                let _ = seed;
                #name { #(#phase_fields)* __state: ::core::default::Default::default() }
            }

            /// The Keras-like table of layers; print it with `{}`.
            pub fn summary(&self) -> ::typenet::Summary {
                ::typenet::Summary {
                    name: ::std::string::String::from(#name_text),
                    input_shape: #p::shape_text(&[#(#input_dims),*]),
                    rows: ::std::vec![#(#rows),*],
                }
            }

            /// The L2 penalty of the `#[l2]` layers, `sum(lambda * sum(w^2))`,
            /// to add to the loss in hand-written loops.
            pub fn l2_penalty(&self) -> f32 {
                0.0 #(#l2_terms)*
            }

            /// Forward through `&self`, ping-ponging between `s0` and `s1`;
            /// `AS_EVAL` runs the layers not pinned to a phase as in `Eval`.
            fn __shared_pass<const AS_EVAL: bool>(
                &self,
                x: &[f32],
                y: &mut [f32],
                cols: usize,
                s0: &mut [f32],
                s1: &mut [f32],
            ) {
                let _ = (&s0, &s1);
                #(#shared_steps)*
            }

            /// Training forward of `cols` samples `x`; backward must be given
            /// the same `x`.
            fn __forward_pass(&mut self, x: &[f32], y: &mut [f32], cols: usize) {
                let state = &mut self.__state;
                state.cols = cols;
                #(#train_steps)*
                y[..#output_expr * cols].copy_from_slice(state.#last_a.as_slice());
            }

            /// Backward of the last training forward, whose input was `x`.
            fn __backward_pass(
                &mut self,
                x: &[f32],
                dy: &[f32],
                dx: ::core::option::Option<::typenet::ViewMut<'_, #p::Const<#input_arg>>>,
                mut grads: ::core::option::Option<&mut #grads_name>,
            ) {
                let state = &mut self.__state;
                let cols = state.cols;
                #p::check_backward_batch(cols, dy.len() / #output_expr);
                let _ = x;
                let has_grads = grads.is_some();
                let mut dx = dx;
                #(#need_lets)*
                state.#last_d.resize(cols);
                state.#last_d.as_mut_slice().copy_from_slice(dy);
                #(#backward_steps)*
                let _ = (&mut grads, has_grads, &mut dx);
                #unreached_input
            }
        }

        ::typenet::__network_api! {
            network: #name,
            grads: #grads_name,
            input: #input_arg,
            output: #output_arg,
            layers: [#(#layer_idents),*],
            trainable: [#(#grads_idents),*],
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
