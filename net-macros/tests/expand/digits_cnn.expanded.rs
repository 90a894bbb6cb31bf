/// the reference digits CNN.
#[allow(non_snake_case, non_camel_case_types)]
pub struct DigitsCnn<P: ::typenet::Phase = ::typenet::Eval> {
    pub conv1: ::typenet::Conv2d<
        ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 0, 0, 6, 6>,
        16,
        ::typenet::Relu,
        true,
    >,
    pub conv2: ::typenet::Conv2d<
        ::typenet::Grid2d<6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6>,
        32,
        ::typenet::Relu,
        true,
    >,
    pub pool: ::typenet::layers::Pool<
        ::typenet::Grid2d<6, 6, 32, 2, 2, 2, 2, 1, 1, 0, 0, 3, 3>,
        ::typenet::layers::Max,
    >,
    pub drop: ::typenet::SpatialDropout<9, 32, P>,
    pub flat: ::typenet::Flatten<288, true>,
    pub out: ::typenet::Dense<288, 10, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __DigitsCnnLayers<P>>,
}
///The layers of [`DigitsCnn`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __DigitsCnnLayers<P> = (
    ::typenet::Conv2d<
        ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 0, 0, 6, 6>,
        16,
        ::typenet::Relu,
        true,
    >,
    (
        ::typenet::Conv2d<
            ::typenet::Grid2d<6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6>,
            32,
            ::typenet::Relu,
            true,
        >,
        (
            ::typenet::layers::Pool<
                ::typenet::Grid2d<6, 6, 32, 2, 2, 2, 2, 1, 1, 0, 0, 3, 3>,
                ::typenet::layers::Max,
            >,
            (
                ::typenet::SpatialDropout<9, 32, P>,
                (
                    ::typenet::Flatten<288, true>,
                    (::typenet::Dense<288, 10, ::typenet::Linear>, ()),
                ),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for DigitsCnn<P> {
    fn clone(&self) -> Self {
        DigitsCnn {
            conv1: ::core::clone::Clone::clone(&self.conv1),
            conv2: ::core::clone::Clone::clone(&self.conv2),
            pool: ::core::clone::Clone::clone(&self.pool),
            drop: ::core::clone::Clone::clone(&self.drop),
            flat: ::core::clone::Clone::clone(&self.flat),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for DigitsCnn<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`DigitsCnn`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct DigitsCnnGrads {
    pub conv1: ::typenet::GradsOf<
        ::typenet::Conv2d<
            ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 0, 0, 6, 6>,
            16,
            ::typenet::Relu,
            true,
        >,
    >,
    pub conv2: ::typenet::GradsOf<
        ::typenet::Conv2d<
            ::typenet::Grid2d<6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6>,
            32,
            ::typenet::Relu,
            true,
        >,
    >,
    pub out: ::typenet::GradsOf<::typenet::Dense<288, 10, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for DigitsCnnGrads {
    fn zeros() -> Self {
        DigitsCnnGrads {
            conv1: ::typenet::__private::Grads::zeros(),
            conv2: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        DigitsCnnGrads {
            conv1: ::typenet::__private::Grads::recycled(),
            conv2: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.conv1, _f);
        ::typenet::__private::Grads::visit(&self.conv2, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.conv1, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.conv2, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.conv1, &_other.conv1, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.conv2, &_other.conv2, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&DigitsCnnGrads> for DigitsCnnGrads {
    fn add_assign(&mut self, other: &DigitsCnnGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for DigitsCnnGrads {
    fn add_assign(&mut self, other: DigitsCnnGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for DigitsCnn<P> {
    type Phase = P;
    type Layers = __DigitsCnnLayers<P>;
    type Grads = DigitsCnnGrads;
    type ToPhase<Q: ::typenet::Phase> = DigitsCnn<Q>;
    type Input = ::typenet::__private::Const<64>;
    type Output = ::typenet::__private::Const<10>;
    type StepInput = ::typenet::__private::Const<1>;
    type StepOutput = ::typenet::__private::Const<10>;
    const NAME: &'static str = "DigitsCnn";
    const INPUT_SHAPE: &'static [usize] = &[8, 8, 1];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new("conv1", "Conv2d<16, 3, Relu>", &[6, 6, 16]),
        ::typenet::__private::Entry::new(
            "conv2",
            "Conv2d<32, 3, Relu, padding = Same>",
            &[6, 6, 32],
        ),
        ::typenet::__private::Entry::new("pool", "MaxPool2d<2>", &[3, 3, 32]),
        ::typenet::__private::Entry::new("drop", "SpatialDropout(0.2)", &[3, 3, 32]),
        ::typenet::__private::Entry::new("flat", "Flatten", &[288]),
        ::typenet::__private::Entry::new("out", "Dense<10>", &[10]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        DigitsCnn {
            conv1: ::typenet::__private::Init::init(rng),
            conv2: ::typenet::__private::Init::init(rng),
            pool: ::typenet::__private::Init::init(rng),
            drop: ::typenet::SpatialDropout::new(
                0.2,
                ::typenet::__private::next_seed(rng),
            ),
            flat: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> DigitsCnn<Q> {
        DigitsCnn {
            conv1: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.conv1, ::typenet::__private::derive_seed(seed, 0u64)),
            conv2: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.conv2, ::typenet::__private::derive_seed(seed, 1u64)),
            pool: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.pool, ::typenet::__private::derive_seed(seed, 2u64)),
            drop: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop, ::typenet::__private::derive_seed(seed, 3u64)),
            flat: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.flat, ::typenet::__private::derive_seed(seed, 4u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 5u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (
            &self.conv1,
            (&self.conv2, (&self.pool, (&self.drop, (&self.flat, (&self.out, ()))))),
        )
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (
                &mut self.conv1,
                (
                    &mut self.conv2,
                    (
                        &mut self.pool,
                        (&mut self.drop, (&mut self.flat, (&mut self.out, ()))),
                    ),
                ),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &DigitsCnnGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.conv1),
            (
                ::core::option::Option::Some(&grads.conv2),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::None,
                        (
                            ::core::option::Option::None,
                            (::core::option::Option::Some(&grads.out), ()),
                        ),
                    ),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut DigitsCnnGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.conv1),
            (
                ::core::option::Option::Some(&mut grads.conv2),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::None,
                        (
                            ::core::option::Option::None,
                            (::core::option::Option::Some(&mut grads.out), ()),
                        ),
                    ),
                ),
            ),
        )
    }
}
impl DigitsCnn {
    /// Input features.
    pub const INPUT: usize = 64;
    /// Output features.
    pub const OUTPUT: usize = 10;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(DigitsCnn, P);
const _: () = ::typenet::__private::assert_table_grads::<DigitsCnn>(35, 63);
