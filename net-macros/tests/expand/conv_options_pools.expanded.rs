#[allow(non_snake_case, non_camel_case_types)]
struct Options<P: ::typenet::Phase = ::typenet::Eval> {
    pub conv: ::typenet::Conv1d<
        ::typenet::Causal1d<{ T }, 3, 3, 2>,
        8,
        ::typenet::Tanh,
        false,
    >,
    pub bn: ::typenet::BatchNorm<8, P, { T }>,
    pub pool: ::typenet::layers::Pool<
        ::typenet::Grid1d<{ T }, 8, 2, 1, 1, 0, { ((T - 2) + 1) }>,
        ::typenet::layers::Average,
    >,
    pub global: ::typenet::GlobalMaxPool<{ ((T - 2) + 1) }, 8>,
    pub out: ::typenet::Dense<8, 1, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __OptionsLayers<P>>,
}
///The layers of [`Options`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
type __OptionsLayers<P> = (
    ::typenet::Conv1d<::typenet::Causal1d<{ T }, 3, 3, 2>, 8, ::typenet::Tanh, false>,
    (
        ::typenet::BatchNorm<8, P, { T }>,
        (
            ::typenet::layers::Pool<
                ::typenet::Grid1d<{ T }, 8, 2, 1, 1, 0, { ((T - 2) + 1) }>,
                ::typenet::layers::Average,
            >,
            (
                ::typenet::GlobalMaxPool<{ ((T - 2) + 1) }, 8>,
                (::typenet::Dense<8, 1, ::typenet::Linear>, ()),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Options<P> {
    fn clone(&self) -> Self {
        Options {
            conv: ::core::clone::Clone::clone(&self.conv),
            bn: ::core::clone::Clone::clone(&self.bn),
            pool: ::core::clone::Clone::clone(&self.pool),
            global: ::core::clone::Clone::clone(&self.global),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Options<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Options`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
struct OptionsGrads {
    pub conv: ::typenet::GradsOf<
        ::typenet::Conv1d<::typenet::Causal1d<{ T }, 3, 3, 2>, 8, ::typenet::Tanh, false>,
    >,
    pub bn: ::typenet::GradsOf<::typenet::BatchNorm<8, ::typenet::Eval, { T }>>,
    pub out: ::typenet::GradsOf<::typenet::Dense<8, 1, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for OptionsGrads {
    fn zeros() -> Self {
        OptionsGrads {
            conv: ::typenet::__private::Grads::zeros(),
            bn: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        OptionsGrads {
            conv: ::typenet::__private::Grads::recycled(),
            bn: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.conv, _f);
        ::typenet::__private::Grads::visit(&self.bn, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.conv, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.bn, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.conv, &_other.conv, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.bn, &_other.bn, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&OptionsGrads> for OptionsGrads {
    fn add_assign(&mut self, other: &OptionsGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for OptionsGrads {
    fn add_assign(&mut self, other: OptionsGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Options<P> {
    type Phase = P;
    type Layers = __OptionsLayers<P>;
    type Grads = OptionsGrads;
    type ToPhase<Q: ::typenet::Phase> = Options<Q>;
    type Input = ::typenet::__private::Const<{ (T * 3) }>;
    type Output = ::typenet::__private::Const<1>;
    type StepInput = ::typenet::__private::Const<3>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Options";
    const INPUT_SHAPE: &'static [usize] = &[T, 3];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "conv",
            "Conv1d<8, 3, Tanh, padding = Causal, dilation = 2, bias = false>",
            {
                const SHAPE: &[usize] = &[T, 8];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "bn",
            "BatchNorm(eps = 0.00001, momentum = 0.9)",
            {
                const SHAPE: &[usize] = &[T, 8];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "pool",
            "AvgPool1d<2, stride = 1>",
            {
                const SHAPE: &[usize] = &[((T - 2) + 1), 8];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new("global", "GlobalMaxPool", &[8]),
        ::typenet::__private::Entry::new("out", "Dense<1>", &[1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Options {
            conv: ::typenet::__private::Init::init(rng),
            bn: ::typenet::BatchNorm::with(0.00001, 0.9),
            pool: ::typenet::__private::Init::init(rng),
            global: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Options<Q> {
        Options {
            conv: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.conv, ::typenet::__private::derive_seed(seed, 0u64)),
            bn: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.bn, ::typenet::__private::derive_seed(seed, 1u64)),
            pool: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.pool, ::typenet::__private::derive_seed(seed, 2u64)),
            global: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.global, ::typenet::__private::derive_seed(seed, 3u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 4u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.conv, (&self.bn, (&self.pool, (&self.global, (&self.out, ())))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (
                &mut self.conv,
                (&mut self.bn, (&mut self.pool, (&mut self.global, (&mut self.out, ())))),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &OptionsGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.conv),
            (
                ::core::option::Option::Some(&grads.bn),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::None,
                        (::core::option::Option::Some(&grads.out), ()),
                    ),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut OptionsGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.conv),
            (
                ::core::option::Option::Some(&mut grads.bn),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::None,
                        (::core::option::Option::Some(&mut grads.out), ()),
                    ),
                ),
            ),
        )
    }
}
impl Options {
    /// Input features.
    pub const INPUT: usize = (T * 3);
    /// Output features.
    pub const OUTPUT: usize = 1;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
///The state of [`Options`] running one time step at a time: see `net.stream()`.
type OptionsStream = ::typenet::Stream<Options<::typenet::Eval>>;
::typenet::__private::impl_streamable_network!(Options, P);
const _: () = ::core::assert!(
    T > 0, "`T` is used as a width in `Options` and must be at least 1"
);
const _: () = ::typenet::__private::assert_table_grads::<Options>(19, 31);
const _: () = ::core::assert!(
    (T + 4) >= 5,
    "Conv1d's kernel (3, spanning 5 with dilation 2) is larger than its input along the time axis ((T + 4) with padding): the input is shaped [T, 3]"
);
const _: () = ::core::assert!(
    T >= 2,
    "AvgPool1d's window (2) is larger than its input along the time axis: the input is shaped [T, 8]"
);
