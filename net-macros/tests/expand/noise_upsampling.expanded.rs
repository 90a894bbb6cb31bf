#[allow(non_snake_case, non_camel_case_types)]
pub struct Denoiser<P: ::typenet::Phase = ::typenet::Eval> {
    pub flip: ::typenet::RandomFlip<8, 8, 1, P, true, false>,
    pub shift: ::typenet::RandomTranslation<8, 8, 1, P>,
    pub noise: ::typenet::GaussianNoise<64, P>,
    pub conv: ::typenet::Conv2d<
        ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8>,
        8,
        ::typenet::Relu,
        true,
    >,
    pub pool: ::typenet::layers::Pool<
        ::typenet::Grid2d<8, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 4, 4>,
        ::typenet::layers::Max,
    >,
    pub drop: ::typenet::GaussianDropout<128, P>,
    pub decode: ::typenet::Conv2dTranspose<
        ::typenet::Grid2d<8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4>,
        8,
        4,
        ::typenet::Relu,
        false,
    >,
    pub up: ::typenet::UpSampling2d<8, 8, 4, 2, 2>,
    pub out: ::typenet::Conv2d<
        ::typenet::Grid2d<16, 16, 4, 1, 1, 1, 1, 1, 1, 0, 0, 16, 16>,
        1,
        ::typenet::Sigmoid,
        true,
    >,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __DenoiserLayers<P>>,
}
///The layers of [`Denoiser`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __DenoiserLayers<P> = (
    ::typenet::RandomFlip<8, 8, 1, P, true, false>,
    (
        ::typenet::RandomTranslation<8, 8, 1, P>,
        (
            ::typenet::GaussianNoise<64, P>,
            (
                ::typenet::Conv2d<
                    ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8>,
                    8,
                    ::typenet::Relu,
                    true,
                >,
                (
                    ::typenet::layers::Pool<
                        ::typenet::Grid2d<8, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 4, 4>,
                        ::typenet::layers::Max,
                    >,
                    (
                        ::typenet::GaussianDropout<128, P>,
                        (
                            ::typenet::Conv2dTranspose<
                                ::typenet::Grid2d<8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4>,
                                8,
                                4,
                                ::typenet::Relu,
                                false,
                            >,
                            (
                                ::typenet::UpSampling2d<8, 8, 4, 2, 2>,
                                (
                                    ::typenet::Conv2d<
                                        ::typenet::Grid2d<
                                            16,
                                            16,
                                            4,
                                            1,
                                            1,
                                            1,
                                            1,
                                            1,
                                            1,
                                            0,
                                            0,
                                            16,
                                            16,
                                        >,
                                        1,
                                        ::typenet::Sigmoid,
                                        true,
                                    >,
                                    (),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Denoiser<P> {
    fn clone(&self) -> Self {
        Denoiser {
            flip: ::core::clone::Clone::clone(&self.flip),
            shift: ::core::clone::Clone::clone(&self.shift),
            noise: ::core::clone::Clone::clone(&self.noise),
            conv: ::core::clone::Clone::clone(&self.conv),
            pool: ::core::clone::Clone::clone(&self.pool),
            drop: ::core::clone::Clone::clone(&self.drop),
            decode: ::core::clone::Clone::clone(&self.decode),
            up: ::core::clone::Clone::clone(&self.up),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Denoiser<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Denoiser`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct DenoiserGrads {
    pub conv: ::typenet::GradsOf<
        ::typenet::Conv2d<
            ::typenet::Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8>,
            8,
            ::typenet::Relu,
            true,
        >,
    >,
    pub decode: ::typenet::GradsOf<
        ::typenet::Conv2dTranspose<
            ::typenet::Grid2d<8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4>,
            8,
            4,
            ::typenet::Relu,
            false,
        >,
    >,
    pub out: ::typenet::GradsOf<
        ::typenet::Conv2d<
            ::typenet::Grid2d<16, 16, 4, 1, 1, 1, 1, 1, 1, 0, 0, 16, 16>,
            1,
            ::typenet::Sigmoid,
            true,
        >,
    >,
}
impl ::typenet::__private::Grads for DenoiserGrads {
    fn zeros() -> Self {
        DenoiserGrads {
            conv: ::typenet::__private::Grads::zeros(),
            decode: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        DenoiserGrads {
            conv: ::typenet::__private::Grads::recycled(),
            decode: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.conv, _f);
        ::typenet::__private::Grads::visit(&self.decode, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.conv, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.decode, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.conv, &_other.conv, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.decode, &_other.decode, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&DenoiserGrads> for DenoiserGrads {
    fn add_assign(&mut self, other: &DenoiserGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for DenoiserGrads {
    fn add_assign(&mut self, other: DenoiserGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Denoiser<P> {
    type Phase = P;
    type Layers = __DenoiserLayers<P>;
    type Grads = DenoiserGrads;
    type ToPhase<Q: ::typenet::Phase> = Denoiser<Q>;
    type Input = ::typenet::__private::Const<64>;
    type Output = ::typenet::__private::Const<256>;
    type StepInput = ::typenet::__private::Const<1>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Denoiser";
    const INPUT_SHAPE: &'static [usize] = &[8, 8, 1];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new("flip", "RandomFlip(horizontal)", &[8, 8, 1]),
        ::typenet::__private::Entry::new("shift", "RandomTranslation(0.1)", &[8, 8, 1]),
        ::typenet::__private::Entry::new("noise", "GaussianNoise(0.1)", &[8, 8, 1]),
        ::typenet::__private::Entry::new(
            "conv",
            "Conv2d<8, 3, Relu, padding = Same>",
            &[8, 8, 8],
        ),
        ::typenet::__private::Entry::new("pool", "MaxPool2d<2>", &[4, 4, 8]),
        ::typenet::__private::Entry::new("drop", "GaussianDropout(0.2)", &[4, 4, 8]),
        ::typenet::__private::Entry::new(
            "decode",
            "Conv2dTranspose<4, 3, Relu, stride = 2, padding = 1, output_padding = 1, bias = false>",
            &[8, 8, 4],
        ),
        ::typenet::__private::Entry::new("up", "UpSampling2d<2>", &[16, 16, 4]),
        ::typenet::__private::Entry::new("out", "Conv2d<1, 1, Sigmoid>", &[16, 16, 1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Denoiser {
            flip: ::typenet::__private::Init::init(rng),
            shift: ::typenet::layers::Noisy::new(
                ::typenet::layers::Shifts::new(0.1),
                ::typenet::__private::next_seed(rng),
            ),
            noise: ::typenet::layers::Noisy::new(
                ::typenet::layers::AdditiveGaussian::new(0.1),
                ::typenet::__private::next_seed(rng),
            ),
            conv: ::typenet::__private::Init::init(rng),
            pool: ::typenet::__private::Init::init(rng),
            drop: ::typenet::layers::Noisy::new(
                ::typenet::layers::NormalFactors::new(0.2),
                ::typenet::__private::next_seed(rng),
            ),
            decode: ::typenet::__private::Init::init(rng),
            up: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Denoiser<Q> {
        Denoiser {
            flip: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.flip, ::typenet::__private::derive_seed(seed, 0u64)),
            shift: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.shift, ::typenet::__private::derive_seed(seed, 1u64)),
            noise: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.noise, ::typenet::__private::derive_seed(seed, 2u64)),
            conv: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.conv, ::typenet::__private::derive_seed(seed, 3u64)),
            pool: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.pool, ::typenet::__private::derive_seed(seed, 4u64)),
            drop: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop, ::typenet::__private::derive_seed(seed, 5u64)),
            decode: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.decode, ::typenet::__private::derive_seed(seed, 6u64)),
            up: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.up, ::typenet::__private::derive_seed(seed, 7u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 8u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (
            &self.flip,
            (
                &self.shift,
                (
                    &self.noise,
                    (
                        &self.conv,
                        (
                            &self.pool,
                            (&self.drop, (&self.decode, (&self.up, (&self.out, ())))),
                        ),
                    ),
                ),
            ),
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
                &mut self.flip,
                (
                    &mut self.shift,
                    (
                        &mut self.noise,
                        (
                            &mut self.conv,
                            (
                                &mut self.pool,
                                (
                                    &mut self.drop,
                                    (&mut self.decode, (&mut self.up, (&mut self.out, ()))),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &DenoiserGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::Some(&grads.conv),
                        (
                            ::core::option::Option::None,
                            (
                                ::core::option::Option::None,
                                (
                                    ::core::option::Option::Some(&grads.decode),
                                    (
                                        ::core::option::Option::None,
                                        (::core::option::Option::Some(&grads.out), ()),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut DenoiserGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::Some(&mut grads.conv),
                        (
                            ::core::option::Option::None,
                            (
                                ::core::option::Option::None,
                                (
                                    ::core::option::Option::Some(&mut grads.decode),
                                    (
                                        ::core::option::Option::None,
                                        (::core::option::Option::Some(&mut grads.out), ()),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        )
    }
}
impl Denoiser {
    /// Input features.
    pub const INPUT: usize = 64;
    /// Output features.
    pub const OUTPUT: usize = 256;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(Denoiser, P);
const _: () = ::typenet::__private::assert_table_grads::<Denoiser>(328, 511);
