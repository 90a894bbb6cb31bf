pub struct Mnist<P: ::typenet::Phase = ::typenet::Eval> {
    pub fc1: ::typenet::Dense<784, 256, ::typenet::Relu>,
    pub drop1: ::typenet::Dropout<256, P>,
    pub out: ::typenet::Dense<256, 10, ::typenet::Linear>,
    #[doc(hidden)]
    pub __state: __MnistTrainState<P>,
}
/// What a training forward keeps for backward.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct __MnistTrainState<P: ::typenet::Phase> {
    a0: ::typenet::__private::Buf<::typenet::__private::Const<784>>,
    cols: usize,
    a1: ::typenet::__private::Buf<
        <::typenet::Dense<784, 256, ::typenet::Relu> as ::typenet::__private::Layer>::Out,
    >,
    d1: ::typenet::__private::Buf<
        <::typenet::Dense<784, 256, ::typenet::Relu> as ::typenet::__private::Layer>::Out,
    >,
    c0: <::typenet::Dense<
        784,
        256,
        ::typenet::Relu,
    > as ::typenet::__private::Layer>::Cache,
    a2: ::typenet::__private::Buf<
        <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::Out,
    >,
    d2: ::typenet::__private::Buf<
        <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::Out,
    >,
    c1: <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::Cache,
    a3: ::typenet::__private::Buf<
        <::typenet::Dense<
            256,
            10,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::Out,
    >,
    d3: ::typenet::__private::Buf<
        <::typenet::Dense<
            256,
            10,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::Out,
    >,
    c2: <::typenet::Dense<
        256,
        10,
        ::typenet::Linear,
    > as ::typenet::__private::Layer>::Cache,
    phase: ::typenet::__private::PhantomData<P>,
}
///Gradients of [`Mnist`]'s trainable layers (frozen and parameter-free layers have no field).
#[derive(Clone, Debug)]
pub struct MnistGrads {
    pub fc1: ::typenet::DenseGrads<784, 256>,
    pub out: ::typenet::DenseGrads<256, 10>,
}
impl<P: ::typenet::Phase> Mnist<P> {
    const __MAX_WIDTH: usize = ::typenet::__private::max_width(&[256, 256, 10]);
    const __PARAMS: usize = 0
        + <::typenet::Dense<
            784,
            256,
            ::typenet::Relu,
        > as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::PARAM_COUNT
        + <::typenet::Dense<
            256,
            10,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::PARAM_COUNT;
    const __TRAINABLE: usize = 0
        + <::typenet::Dense<
            784,
            256,
            ::typenet::Relu,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::TRAINABLE_COUNT
        + <::typenet::Dense<
            256,
            10,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::TRAINABLE_COUNT;
    const __STATE: usize = 0
        + <::typenet::Dense<
            784,
            256,
            ::typenet::Relu,
        > as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dropout<256, P> as ::typenet::__private::Layer>::STATE_COUNT
        + <::typenet::Dense<
            256,
            10,
            ::typenet::Linear,
        > as ::typenet::__private::Layer>::STATE_COUNT;
    fn __init<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Self {
            fc1: <::typenet::Dense<
                784,
                256,
                ::typenet::Relu,
            > as ::typenet::__private::Init>::init(rng),
            drop1: <::typenet::Dropout<
                256,
                P,
            >>::new(0.2, ::typenet::__private::next_seed(rng)),
            out: <::typenet::Dense<
                256,
                10,
                ::typenet::Linear,
            > as ::typenet::__private::Init>::init(rng),
            __state: ::core::default::Default::default(),
        }
    }
    fn __into_phase<Q: ::typenet::Phase>(self, seed: u64) -> Mnist<Q> {
        let _ = seed;
        Mnist {
            fc1: self.fc1,
            drop1: self
                .drop1
                .into_phase::<Q>(::typenet::__private::derive_seed(seed, 1u64)),
            out: self.out,
            __state: ::core::default::Default::default(),
        }
    }
    /// The Keras-like table of layers; print it with `{}`.
    pub fn summary(&self) -> ::typenet::Summary {
        ::typenet::Summary {
            name: ::std::string::String::from("Mnist"),
            input_shape: ::typenet::__private::shape_text(&[784]),
            rows: ::std::vec![
                ::typenet::__private::SummaryRow { name :
                ::std::string::String::from("fc1"), kind :
                ::std::string::String::from("Dense<256, Relu>"), output_shape :
                ::typenet::__private::shape_text(& [256]), params : < ::typenet::Dense <
                784, 256, ::typenet::Relu > as ::typenet::__private::Layer >
                ::PARAM_COUNT, state : < ::typenet::Dense < 784, 256, ::typenet::Relu >
                as ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::Dense < 784, 256, ::typenet::Relu > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("drop1"), kind :
                ::std::string::String::from("Dropout(0.2)"), output_shape :
                ::typenet::__private::shape_text(& [256]), params : < ::typenet::Dropout
                < 256, P > as ::typenet::__private::Layer > ::PARAM_COUNT, state : <
                ::typenet::Dropout < 256, P > as ::typenet::__private::Layer >
                ::STATE_COUNT, trainable : ! false && < ::typenet::Dropout < 256, P > as
                ::typenet::__private::Layer > ::TRAINABLE_COUNT > 0, phase :
                ::core::option::Option::None, }, ::typenet::__private::SummaryRow { name
                : ::std::string::String::from("out"), kind :
                ::std::string::String::from("Dense<10>"), output_shape :
                ::typenet::__private::shape_text(& [10]), params : < ::typenet::Dense <
                256, 10, ::typenet::Linear > as ::typenet::__private::Layer >
                ::PARAM_COUNT, state : < ::typenet::Dense < 256, 10, ::typenet::Linear >
                as ::typenet::__private::Layer > ::STATE_COUNT, trainable : ! false && <
                ::typenet::Dense < 256, 10, ::typenet::Linear > as
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
        ::typenet::__private::infer::<AS_EVAL, _>(&self.fc1, x, &mut *s0, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.drop1, &*s0, &mut *s1, cols);
        ::typenet::__private::infer::<AS_EVAL, _>(&self.out, &*s1, &mut *y, cols);
    }
    /// Training forward of `cols` samples `x`; backward must be given
    /// the same `x`.
    fn __forward_pass(&mut self, x: &[f32], y: &mut [f32], cols: usize) {
        let state = &mut self.__state;
        state.cols = cols;
        ::typenet::__private::train_forward_from(
            &mut self.fc1,
            x,
            cols,
            &mut state.a1,
            &mut state.c0,
        );
        ::typenet::__private::train_forward(
            &mut self.drop1,
            &state.a1,
            &mut state.a2,
            &mut state.c1,
        );
        ::typenet::__private::train_forward(
            &mut self.out,
            &state.a2,
            &mut state.a3,
            &mut state.c2,
        );
        y[..10 * cols].copy_from_slice(state.a3.as_slice());
    }
    /// Backward of the last training forward, whose input was `x`.
    fn __backward_pass(
        &mut self,
        x: &[f32],
        dy: &[f32],
        dx: ::core::option::Option<
            ::typenet::ViewMut<'_, ::typenet::__private::Const<784>>,
        >,
        mut grads: ::core::option::Option<&mut MnistGrads>,
    ) {
        let state = &mut self.__state;
        let cols = state.cols;
        ::typenet::__private::check_backward_batch(cols, dy.len() / 10);
        let _ = x;
        let has_grads = grads.is_some();
        let mut dx = dx;
        let need_0: bool = dx.is_some();
        let need_1: bool = (has_grads && true) || need_0;
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
                &mut state.c2,
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
                &mut self.drop1,
                state.a1.view(),
                state.a2.view(),
                state.d2.view_mut(),
                &mut state.c1,
                target,
                ::core::option::Option::None,
            );
        }
        if (has_grads && true) || need_0 {
            let target = if need_0 { dx.take() } else { ::core::option::Option::None };
            ::typenet::__private::Layer::train_backward(
                &mut self.fc1,
                ::typenet::__private::view(x, cols),
                state.a1.view(),
                state.d1.view_mut(),
                &mut state.c0,
                target,
                grads.as_deref_mut().map(|g| &mut g.fc1),
            );
        }
        let _ = (&mut grads, has_grads, &mut dx);
    }
}
::typenet::__network_api! {
    network : Mnist, grads : MnistGrads, input : 784, output : 10, layers : [fc1, drop1,
    out], trainable : [fc1, out],
}
