const _: () = ::core::assert!(
    HIDDEN > 0, "`HIDDEN` is used as a width in `Transfer` and must be at least 1"
);
const _: () = ::core::assert!(
    ::typenet::__private::width:: << Backbone as ::typenet::__private::Layer > ::In > ()
    == 6,
    "layer `base` (Backbone) does not take the 6 outputs of `input`: its `Layer::In` width differs"
);
const _: () = ::core::assert!(
    < Backbone as ::typenet::__private::Layer > ::PARAM_COUNT > 0,
    "`#[frozen]` on `base`: Backbone has no parameters, so there is nothing to freeze"
);
pub struct Transfer<P: ::typenet::Phase = ::typenet::Eval> {
    pub base: <Backbone as ::typenet::__private::Layer>::InPhase<P>,
    pub bn: ::typenet::BatchNorm<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
        ::typenet::Eval,
    >,
    pub stop: ::typenet::StopGradient<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
    >,
    pub head: ::typenet::Dense<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
        { HIDDEN },
        ::typenet::Gelu,
    >,
    pub mc: ::typenet::Dropout<{ HIDDEN }, ::typenet::Train>,
    pub out: ::typenet::Dense<{ HIDDEN }, 1, ::typenet::Linear>,
    #[doc(hidden)]
    pub __state: __TransferTrainState<P>,
}
/// What a training forward keeps for backward.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct __TransferTrainState<P: ::typenet::Phase> {
    a0: ::typenet::__private::Buf<::typenet::__private::Const<6>>,
    cols: usize,
    a1: ::typenet::__private::Buf<
        <<Backbone as ::typenet::__private::Layer>::InPhase<
            P,
        > as ::typenet::__private::Layer>::Out,
    >,
    d1: ::typenet::__private::Buf<
        <<Backbone as ::typenet::__private::Layer>::InPhase<
            P,
        > as ::typenet::__private::Layer>::Out,
    >,
    c0: <<Backbone as ::typenet::__private::Layer>::InPhase<
        P,
    > as ::typenet::__private::Layer>::Cache,
    a2: ::typenet::__private::Buf<
        <::typenet::BatchNorm<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            ::typenet::Eval,
        > as ::typenet::__private::Layer>::Out,
    >,
    d2: ::typenet::__private::Buf<
        <::typenet::BatchNorm<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            ::typenet::Eval,
        > as ::typenet::__private::Layer>::Out,
    >,
    c1: <::typenet::BatchNorm<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
        ::typenet::Eval,
    > as ::typenet::__private::Layer>::Cache,
    a3: ::typenet::__private::Buf<
        <::typenet::StopGradient<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
        > as ::typenet::__private::Layer>::Out,
    >,
    d3: ::typenet::__private::Buf<
        <::typenet::StopGradient<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
        > as ::typenet::__private::Layer>::Out,
    >,
    c2: <::typenet::StopGradient<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
    > as ::typenet::__private::Layer>::Cache,
    a4: ::typenet::__private::Buf<
        <::typenet::Dense<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            { HIDDEN },
            ::typenet::Gelu,
        > as ::typenet::__private::Layer>::Out,
    >,
    d4: ::typenet::__private::Buf<
        <::typenet::Dense<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            { HIDDEN },
            ::typenet::Gelu,
        > as ::typenet::__private::Layer>::Out,
    >,
    c3: <::typenet::Dense<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
        { HIDDEN },
        ::typenet::Gelu,
    > as ::typenet::__private::Layer>::Cache,
    a5: ::typenet::__private::Buf<
        <::typenet::Dropout<
            { HIDDEN },
            ::typenet::Train,
        > as ::typenet::__private::Layer>::Out,
    >,
    d5: ::typenet::__private::Buf<
        <::typenet::Dropout<
            { HIDDEN },
            ::typenet::Train,
        > as ::typenet::__private::Layer>::Out,
    >,
    c4: <::typenet::Dropout<
        { HIDDEN },
        ::typenet::Train,
    > as ::typenet::__private::Layer>::Cache,
    a6: ::typenet::__private::Buf<
        <::typenet::Dense<
            { HIDDEN },
            1,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::Out,
    >,
    d6: ::typenet::__private::Buf<
        <::typenet::Dense<
            { HIDDEN },
            1,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::Out,
    >,
    c5: <::typenet::Dense<
        { HIDDEN },
        1,
        ::typenet::Linear,
    > as ::typenet::__private::Layer>::Cache,
    phase: ::typenet::__private::PhantomData<P>,
}
///Gradients of [`Transfer`]'s trainable layers (frozen and parameter-free layers have no field).
#[derive(Clone, Debug)]
pub struct TransferGrads {
    pub bn: ::typenet::BatchNormGrads<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
    >,
    pub head: ::typenet::DenseGrads<
        {
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >()
        },
        { HIDDEN },
    >,
    pub out: ::typenet::DenseGrads<{ HIDDEN }, 1>,
}
impl<P: ::typenet::Phase> Transfer<P> {
    const __MAX_WIDTH: usize = ::typenet::__private::max_width(
        &[
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >(),
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >(),
            ::typenet::__private::width::<
                <Backbone as ::typenet::__private::Layer>::Out,
            >(),
            HIDDEN,
            HIDDEN,
            1,
        ],
    );
    const __PARAMS: usize = 0
        + <<Backbone as ::typenet::__private::Layer>::InPhase<
            P,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::BatchNorm<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            ::typenet::Eval,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::StopGradient<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dense<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            { HIDDEN },
            ::typenet::Gelu,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dropout<
            { HIDDEN },
            ::typenet::Train,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dense<
            { HIDDEN },
            1,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::PARAM_COUNT;
    const __TRAINABLE: usize = 0
        + <::typenet::BatchNorm<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            ::typenet::Eval,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::StopGradient<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dense<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            { HIDDEN },
            ::typenet::Gelu,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dropout<
            { HIDDEN },
            ::typenet::Train,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dense<
            { HIDDEN },
            1,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT;
    const __STATE: usize = 0
        + <<Backbone as ::typenet::__private::Layer>::InPhase<
            P,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::BatchNorm<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            ::typenet::Eval,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::StopGradient<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dense<
            {
                ::typenet::__private::width::<
                    <Backbone as ::typenet::__private::Layer>::Out,
                >()
            },
            { HIDDEN },
            ::typenet::Gelu,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dropout<
            { HIDDEN },
            ::typenet::Train,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dense<
            { HIDDEN },
            1,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::STATE_COUNT;
    fn __init<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Self {
            base: ::typenet::__private::Layer::into_phase::<
                P,
            >(
                <Backbone as ::typenet::__private::Init>::init(rng),
                ::typenet::__private::next_seed(rng),
            ),
            bn: <::typenet::BatchNorm<
                {
                    ::typenet::__private::width::<
                        <Backbone as ::typenet::__private::Layer>::Out,
                    >()
                },
                ::typenet::Eval,
            >>::new(),
            stop: ::core::default::Default::default(),
            head: <::typenet::Dense<
                {
                    ::typenet::__private::width::<
                        <Backbone as ::typenet::__private::Layer>::Out,
                    >()
                },
                { HIDDEN },
                ::typenet::Gelu,
            > as ::typenet::__private::Init>::init(rng),
            mc: <::typenet::Dropout<
                { HIDDEN },
                ::typenet::Train,
            >>::new(0.1, ::typenet::__private::next_seed(rng)),
            out: <::typenet::Dense<
                { HIDDEN },
                1,
                ::typenet::Linear,
            > as ::typenet::__private::Init>::init(rng),
            __state: ::core::default::Default::default(),
        }
    }
    fn __into_phase<Q: ::typenet::Phase>(self, seed: u64) -> Transfer<Q> {
        let _ = seed;
        Transfer {
            base: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.base, ::typenet::__private::derive_seed(seed, 0u64)),
            bn: self.bn,
            stop: self.stop,
            head: self.head,
            mc: self.mc,
            out: self.out,
            __state: ::core::default::Default::default(),
        }
    }
    /// The Keras-like table of layers; print it with `{}`.
    pub fn summary(&self) -> ::typenet::Summary {
        ::typenet::Summary {
            name: ::std::string::String::from("Transfer"),
            input_shape: ::typenet::__private::shape_text(&[6]),
            rows: ::std::vec![
                ::typenet::__private::SummaryRow { name :
                ::std::string::String::from("base"), kind :
                ::std::string::String::from("Backbone"), output_shape :
                ::typenet::__private::shape_text(& [::typenet::__private::width:: <<
                Backbone as ::typenet::__private::Layer > ::Out > ()]), params : < <
                Backbone as ::typenet::__private::Layer > ::InPhase < P > as
                ::typenet::__private::Layer > ::PARAM_COUNT, state : < < Backbone as
                ::typenet::__private::Layer > ::InPhase < P > as
                ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! true && < <
                Backbone as ::typenet::__private::Layer > ::InPhase < P > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("bn"), kind :
                ::std::string::String::from("BatchNorm"), output_shape :
                ::typenet::__private::shape_text(& [::typenet::__private::width:: <<
                Backbone as ::typenet::__private::Layer > ::Out > ()]), params : <
                ::typenet::BatchNorm < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, ::typenet::Eval > as
                ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::BatchNorm < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, ::typenet::Eval > as
                ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::BatchNorm < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, ::typenet::Eval > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::Some("Eval"), }, ::typenet::__private::SummaryRow
                { name : ::std::string::String::from("stop"), kind :
                ::std::string::String::from("StopGradient"), output_shape :
                ::typenet::__private::shape_text(& [::typenet::__private::width:: <<
                Backbone as ::typenet::__private::Layer > ::Out > ()]), params : <
                ::typenet::StopGradient < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () } > as
                ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::StopGradient < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () } > as
                ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::StopGradient < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () } > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("head"), kind :
                ::std::string::String::from("Dense<HIDDEN, Gelu>"), output_shape :
                ::typenet::__private::shape_text(& [HIDDEN]), params : < ::typenet::Dense
                < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, { HIDDEN }, ::typenet::Gelu >
                as ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::Dense < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, { HIDDEN }, ::typenet::Gelu >
                as ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::Dense < { ::typenet::__private::width:: << Backbone as
                ::typenet::__private::Layer > ::Out > () }, { HIDDEN }, ::typenet::Gelu >
                as ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("mc"), kind :
                ::std::string::String::from("Dropout(0.1)"), output_shape :
                ::typenet::__private::shape_text(& [HIDDEN]), params : <
                ::typenet::Dropout < { HIDDEN }, ::typenet::Train > as
                ::typenet::__private::Layer > ::PARAM_COUNT, state : < ::typenet::Dropout
                < { HIDDEN }, ::typenet::Train > as ::typenet::__private::Layer >
                ::STATE_COUNT, trainable : ! false && < ::typenet::Dropout < { HIDDEN },
                ::typenet::Train > as ::typenet::__private::Layer > ::TRAINABLE_COUNT >
                0, phase : ::core::option::Option::Some("Train"), },
                ::typenet::__private::SummaryRow { name :
                ::std::string::String::from("out"), kind :
                ::std::string::String::from("Dense<1>"), output_shape :
                ::typenet::__private::shape_text(& [1]), params : < ::typenet::Dense < {
                HIDDEN }, 1, ::typenet::Linear > as ::typenet::__private::Layer >
                ::PARAM_COUNT, state : < ::typenet::Dense < { HIDDEN }, 1,
                ::typenet::Linear > as ::typenet::__private::Layer > ::STATE_COUNT,
                trainable : ! false && < ::typenet::Dense < { HIDDEN }, 1,
                ::typenet::Linear > as ::typenet::__private::Layer > ::TRAINABLE_COUNT >
                0, phase : ::core::option::Option::None, }
            ],
        }
    }
    /// The L2 penalty of the `#[l2]` layers, `sum(lambda * sum(w^2))`,
    /// to add to the loss in hand-written loops.
    pub fn l2_penalty(&self) -> f32 {
        0.0 + ::typenet::__private::Layer::l2_penalty(&self.base)
            + self.head.l2_penalty(0.001)
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
        ::typenet::__private::infer::<AS_EVAL, _>(&self.base, x, &mut *s0, cols);
        ::typenet::__private::infer::<false, _>(&self.bn, &*s0, &mut *s1, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.stop, &*s1, &mut *s0, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.head, &*s0, &mut *s1, cols);
        ::typenet::__private::infer::<false, _>(&self.mc, &*s1, &mut *s0, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.out, &*s0, &mut *y, cols);
    }
    /// Training forward of `cols` samples `x`; backward must be given
    /// the same `x`.
    fn __forward_pass(&mut self, x: &[f32], y: &mut [f32], cols: usize) {
        let state = &mut self.__state;
        state.cols = cols;
        ::typenet::__private::train_forward_from(
            &mut self.base,
            x,
            cols,
            &mut state.a1,
            &mut state.c0,
        );
        ::typenet::__private::train_forward(
            &mut self.bn,
            &state.a1,
            &mut state.a2,
            &mut state.c1,
        );
        ::typenet::__private::train_forward(
            &mut self.stop,
            &state.a2,
            &mut state.a3,
            &mut state.c2,
        );
        ::typenet::__private::train_forward(
            &mut self.head,
            &state.a3,
            &mut state.a4,
            &mut state.c3,
        );
        ::typenet::__private::train_forward(
            &mut self.mc,
            &state.a4,
            &mut state.a5,
            &mut state.c4,
        );
        ::typenet::__private::train_forward(
            &mut self.out,
            &state.a5,
            &mut state.a6,
            &mut state.c5,
        );
        y[..1 * cols].copy_from_slice(state.a6.as_slice());
    }
    /// Backward of the last training forward, whose input was `x`.
    fn __backward_pass(
        &mut self,
        x: &[f32],
        dy: &[f32],
        dx: ::core::option::Option<
            ::typenet::ViewMut<'_, ::typenet::__private::Const<6>>,
        >,
        mut grads: ::core::option::Option<&mut TransferGrads>,
    ) {
        let state = &mut self.__state;
        let cols = state.cols;
        ::typenet::__private::check_backward_batch(cols, dy.len() / 1);
        let _ = x;
        let has_grads = grads.is_some();
        let mut dx = dx;
        let need_0: bool = dx.is_some();
        let need_1: bool = (has_grads && false) || need_0;
        let need_2: bool = (has_grads && true) || need_1;
        let need_3: bool = (has_grads && false);
        let need_4: bool = (has_grads && true) || need_3;
        let need_5: bool = (has_grads && false) || need_4;
        state.d6.resize(cols);
        state.d6.as_mut_slice().copy_from_slice(dy);
        if (has_grads && true) || need_5 {
            let target = ::typenet::__private::gradient_target(
                need_5,
                &mut state.d5,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.out,
                state.a5.view(),
                state.a6.view(),
                state.d6.view_mut(),
                &mut state.c5,
                target,
                grads.as_deref_mut().map(|g| &mut g.out),
            );
        }
        if (has_grads && false) || need_4 {
            let target = ::typenet::__private::gradient_target(
                need_4,
                &mut state.d4,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.mc,
                state.a4.view(),
                state.a5.view(),
                state.d5.view_mut(),
                &mut state.c4,
                target,
                ::core::option::Option::None,
            );
        }
        if (has_grads && true) || need_3 {
            let target = ::typenet::__private::gradient_target(
                need_3,
                &mut state.d3,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.head,
                state.a3.view(),
                state.a4.view(),
                state.d4.view_mut(),
                &mut state.c3,
                target,
                grads.as_deref_mut().map(|g| &mut g.head),
            );
            if let ::core::option::Option::Some(g) = grads.as_deref_mut() {
                self.head.add_l2_gradient(0.001, &mut g.head);
            }
        }
        if (has_grads && false) || need_2 {
            let target = ::typenet::__private::gradient_target(
                need_2,
                &mut state.d2,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.stop,
                state.a2.view(),
                state.a3.view(),
                state.d3.view_mut(),
                &mut state.c2,
                target,
                ::core::option::Option::None,
            );
        }
        ::typenet::__private::zero_grads(grads.as_deref_mut().map(|g| &mut g.bn));
        let _ = (&mut grads, has_grads, &mut dx);
        if let ::core::option::Option::Some(mut dx) = dx {
            dx.fill(0.0);
        }
    }
}
::typenet::__network_api! {
    network : Transfer, grads : TransferGrads, input : 6, output : 1, layers : [base, bn,
    stop, head, mc, out], trainable : [bn, head, out],
}
