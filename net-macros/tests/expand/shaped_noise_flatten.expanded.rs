///The noise shape of `Sequence::drop`.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
struct __SequenceDropNoise;
impl ::typenet::NoiseShape for __SequenceDropNoise {
    const DIMS: &'static [usize] = &[3, 4];
    const SHARED: &'static [bool] = &[false, true, false];
}
struct Sequence<P: ::typenet::Phase = ::typenet::Eval> {
    pub drop: ::typenet::Dropout<12, P, __SequenceDropNoise>,
    pub flat: ::typenet::Flatten<12>,
    pub act: ::typenet::Activation<12, ::typenet::Tanh>,
    pub out: ::typenet::Dense<12, 1, ::typenet::Sigmoid>,
    #[doc(hidden)]
    pub __state: __SequenceTrainState<P>,
}
/// What a training forward keeps for backward.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
struct __SequenceTrainState<P: ::typenet::Phase> {
    a0: ::typenet::__private::Buf<::typenet::__private::Const<12>>,
    cols: usize,
    a1: ::typenet::__private::Buf<
        <::typenet::Dropout<
            12,
            P,
            __SequenceDropNoise,
        > as ::typenet::__private::Layer>::Out,
    >,
    d1: ::typenet::__private::Buf<
        <::typenet::Dropout<
            12,
            P,
            __SequenceDropNoise,
        > as ::typenet::__private::Layer>::Out,
    >,
    c0: <::typenet::Dropout<
        12,
        P,
        __SequenceDropNoise,
    > as ::typenet::__private::Layer>::Cache,
    a2: ::typenet::__private::Buf<
        <::typenet::Activation<12, ::typenet::Tanh> as ::typenet::__private::Layer>::Out,
    >,
    d2: ::typenet::__private::Buf<
        <::typenet::Activation<12, ::typenet::Tanh> as ::typenet::__private::Layer>::Out,
    >,
    c2: <::typenet::Activation<
        12,
        ::typenet::Tanh,
    > as ::typenet::__private::Layer>::Cache,
    a3: ::typenet::__private::Buf<
        <::typenet::Dense<12, 1, ::typenet::Sigmoid> as ::typenet::__private::Layer>::Out,
    >,
    d3: ::typenet::__private::Buf<
        <::typenet::Dense<12, 1, ::typenet::Sigmoid> as ::typenet::__private::Layer>::Out,
    >,
    c3: <::typenet::Dense<
        12,
        1,
        ::typenet::Sigmoid,
    > as ::typenet::__private::Layer>::Cache,
    phase: ::typenet::__private::PhantomData<P>,
}
///Gradients of [`Sequence`]'s trainable layers (frozen and parameter-free layers have no field).
#[derive(Clone, Debug)]
struct SequenceGrads {
    pub out: ::typenet::DenseGrads<12, 1>,
}
impl<P: ::typenet::Phase> Sequence<P> {
    const __MAX_WIDTH: usize = ::typenet::__private::max_width(&[12, 12, 1]);
    const __PARAMS: usize = 0
        + <::typenet::Dropout<
            12,
            P,
            __SequenceDropNoise,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Flatten<12> as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Activation<
            12,
            ::typenet::Tanh,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dense<
            12,
            1,
            ::typenet::Sigmoid,
        > as ::typenet::__private::Layer>::PARAM_COUNT;
    const __TRAINABLE: usize = 0
        + <::typenet::Dropout<
            12,
            P,
            __SequenceDropNoise,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Flatten<12> as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Activation<
            12,
            ::typenet::Tanh,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dense<
            12,
            1,
            ::typenet::Sigmoid,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT;
    const __STATE: usize = 0
        + <::typenet::Dropout<
            12,
            P,
            __SequenceDropNoise,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Flatten<12> as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Activation<
            12,
            ::typenet::Tanh,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dense<
            12,
            1,
            ::typenet::Sigmoid,
        > as ::typenet::__private::Layer>::STATE_COUNT;
    fn __init<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Self {
            drop: <::typenet::Dropout<
                12,
                P,
                __SequenceDropNoise,
            >>::new(0.5, ::typenet::__private::next_seed(rng)),
            flat: ::core::default::Default::default(),
            act: ::core::default::Default::default(),
            out: <::typenet::Dense<
                12,
                1,
                ::typenet::Sigmoid,
            > as ::typenet::__private::Init>::init(rng),
            __state: ::core::default::Default::default(),
        }
    }
    fn __into_phase<Q: ::typenet::Phase>(self, seed: u64) -> Sequence<Q> {
        let _ = seed;
        Sequence {
            drop: self
                .drop
                .into_phase::<Q>(::typenet::__private::derive_seed(seed, 0u64)),
            flat: self.flat,
            act: self.act,
            out: self.out,
            __state: ::core::default::Default::default(),
        }
    }
    /// The Keras-like table of layers; print it with `{}`.
    pub fn summary(&self) -> ::typenet::Summary {
        ::typenet::Summary {
            name: ::std::string::String::from("Sequence"),
            input_shape: ::typenet::__private::shape_text(&[3, 4]),
            rows: ::std::vec![
                ::typenet::__private::SummaryRow { name :
                ::std::string::String::from("drop"), kind :
                ::std::string::String::from("Dropout(0.5)"), output_shape :
                ::typenet::__private::shape_text(& [3, 4]), params : < ::typenet::Dropout
                < 12, P, __SequenceDropNoise > as ::typenet::__private::Layer >
                ::PARAM_COUNT, state : < ::typenet::Dropout < 12, P, __SequenceDropNoise
                > as ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false &&
                < ::typenet::Dropout < 12, P, __SequenceDropNoise > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("flat"), kind :
                ::std::string::String::from("Flatten"), output_shape :
                ::typenet::__private::shape_text(& [12]), params : < ::typenet::Flatten <
                12 > as ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::Flatten < 12 > as ::typenet::__private::Layer > ::STATE_COUNT,
                trainable : ! false && < ::typenet::Flatten < 12 > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("act"), kind :
                ::std::string::String::from("Tanh"), output_shape :
                ::typenet::__private::shape_text(& [12]), params : <
                ::typenet::Activation < 12, ::typenet::Tanh > as
                ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::Activation < 12, ::typenet::Tanh > as
                ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::Activation < 12, ::typenet::Tanh > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("out"), kind :
                ::std::string::String::from("Dense<1, Sigmoid>"), output_shape :
                ::typenet::__private::shape_text(& [1]), params : < ::typenet::Dense <
                12, 1, ::typenet::Sigmoid > as ::typenet::__private::Layer >
                ::PARAM_COUNT, state : < ::typenet::Dense < 12, 1, ::typenet::Sigmoid >
                as ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::Dense < 12, 1, ::typenet::Sigmoid > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }
            ],
        }
    }
    /// The L2 penalty of the `#[l2]` layers, `sum(lambda * sum(w^2))`,
    /// to add to the loss in hand-written loops.
    pub fn l2_penalty(&self) -> f32 {
        0.0
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
        ::typenet::__private::infer::<AS_EVAL, _>(&self.drop, x, &mut *s0, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.act, &*s0, &mut *s1, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.out, &*s1, &mut *y, cols);
    }
    /// Training forward of `cols` samples `x`; backward must be given
    /// the same `x`.
    fn __forward_pass(&mut self, x: &[f32], y: &mut [f32], cols: usize) {
        let state = &mut self.__state;
        state.cols = cols;
        ::typenet::__private::train_forward_from(
            &mut self.drop,
            x,
            cols,
            &mut state.a1,
            &mut state.c0,
        );
        ::typenet::__private::train_forward(
            &mut self.act,
            &state.a1,
            &mut state.a2,
            &mut state.c2,
        );
        ::typenet::__private::train_forward(
            &mut self.out,
            &state.a2,
            &mut state.a3,
            &mut state.c3,
        );
        y[..1 * cols].copy_from_slice(state.a3.as_slice());
    }
    /// Backward of the last training forward, whose input was `x`.
    fn __backward_pass(
        &mut self,
        x: &[f32],
        dy: &[f32],
        dx: ::core::option::Option<
            ::typenet::ViewMut<'_, ::typenet::__private::Const<12>>,
        >,
        mut grads: ::core::option::Option<&mut SequenceGrads>,
    ) {
        let state = &mut self.__state;
        let cols = state.cols;
        ::typenet::__private::check_backward_batch(cols, dy.len() / 1);
        let _ = x;
        let has_grads = grads.is_some();
        let mut dx = dx;
        let need_0: bool = dx.is_some();
        let need_1: bool = (has_grads && false) || need_0;
        let need_2: bool = (has_grads && false) || need_1;
        state.d3.resize(cols);
        state.d3.as_mut_slice().copy_from_slice(dy);
        if (has_grads && true) || need_2 {
            let target = ::typenet::__private::gradient_target(
                need_2,
                &mut state.d2,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.out,
                state.a2.view(),
                state.a3.view(),
                state.d3.view_mut(),
                &mut state.c3,
                target,
                grads.as_deref_mut().map(|g| &mut g.out),
            );
        }
        if (has_grads && false) || need_1 {
            let target = ::typenet::__private::gradient_target(
                need_1,
                &mut state.d1,
                cols,
            );
            ::typenet::__private::Layer::train_backward(
                &mut self.act,
                state.a1.view(),
                state.a2.view(),
                state.d2.view_mut(),
                &mut state.c2,
                target,
                ::core::option::Option::None,
            );
        }
        if (has_grads && false) || need_0 {
            let target = if need_0 { dx.take() } else { ::core::option::Option::None };
            ::typenet::__private::Layer::train_backward(
                &mut self.drop,
                ::typenet::__private::view(x, cols),
                state.a1.view(),
                state.d1.view_mut(),
                &mut state.c0,
                target,
                ::core::option::Option::None,
            );
        }
        let _ = (&mut grads, has_grads, &mut dx);
    }
}
::typenet::__network_api! {
    network : Sequence, grads : SequenceGrads, input : 12, output : 1, layers : [drop,
    flat, act, out], trainable : [out],
}
