#[allow(non_snake_case, non_camel_case_types)]
pub struct Tagger<P: ::typenet::Phase = ::typenet::Eval> {
    pub emb: ::typenet::Embedding<{ T }, { VOCABULARY }, 16>,
    pub norm: ::typenet::LayerNorm<16, { T }>,
    pub rnn: ::typenet::Bidirectional<
        ::typenet::Lstm<{ T }, 16, 8, true, P, true>,
        { T },
    >,
    pub last: ::typenet::Bidirectional<
        ::typenet::Gru<{ T }, 16, 4, false, P, false>,
        { T },
    >,
    pub out: ::typenet::Dense<8, 3, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __TaggerLayers<P>>,
}
///The layers of [`Tagger`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __TaggerLayers<P> = (
    ::typenet::Embedding<{ T }, { VOCABULARY }, 16>,
    (
        ::typenet::LayerNorm<16, { T }>,
        (
            ::typenet::Bidirectional<
                ::typenet::Lstm<{ T }, 16, 8, true, P, true>,
                { T },
            >,
            (
                ::typenet::Bidirectional<
                    ::typenet::Gru<{ T }, 16, 4, false, P, false>,
                    { T },
                >,
                (::typenet::Dense<8, 3, ::typenet::Linear>, ()),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Tagger<P> {
    fn clone(&self) -> Self {
        Tagger {
            emb: ::core::clone::Clone::clone(&self.emb),
            norm: ::core::clone::Clone::clone(&self.norm),
            rnn: ::core::clone::Clone::clone(&self.rnn),
            last: ::core::clone::Clone::clone(&self.last),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Tagger<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Tagger`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct TaggerGrads {
    pub emb: ::typenet::GradsOf<::typenet::Embedding<{ T }, { VOCABULARY }, 16>>,
    pub norm: ::typenet::GradsOf<::typenet::LayerNorm<16, { T }>>,
    pub rnn: ::typenet::GradsOf<
        ::typenet::Bidirectional<
            ::typenet::Lstm<{ T }, 16, 8, true, ::typenet::Eval, true>,
            { T },
        >,
    >,
    pub last: ::typenet::GradsOf<
        ::typenet::Bidirectional<
            ::typenet::Gru<{ T }, 16, 4, false, ::typenet::Eval, false>,
            { T },
        >,
    >,
    pub out: ::typenet::GradsOf<::typenet::Dense<8, 3, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for TaggerGrads {
    fn zeros() -> Self {
        TaggerGrads {
            emb: ::typenet::__private::Grads::zeros(),
            norm: ::typenet::__private::Grads::zeros(),
            rnn: ::typenet::__private::Grads::zeros(),
            last: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        TaggerGrads {
            emb: ::typenet::__private::Grads::recycled(),
            norm: ::typenet::__private::Grads::recycled(),
            rnn: ::typenet::__private::Grads::recycled(),
            last: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.emb, _f);
        ::typenet::__private::Grads::visit(&self.norm, _f);
        ::typenet::__private::Grads::visit(&self.rnn, _f);
        ::typenet::__private::Grads::visit(&self.last, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.emb, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.norm, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.rnn, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.last, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.emb, &_other.emb, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.norm, &_other.norm, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.rnn, &_other.rnn, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.last, &_other.last, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&TaggerGrads> for TaggerGrads {
    fn add_assign(&mut self, other: &TaggerGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for TaggerGrads {
    fn add_assign(&mut self, other: TaggerGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Tagger<P> {
    type Phase = P;
    type Layers = __TaggerLayers<P>;
    type Grads = TaggerGrads;
    type ToPhase<Q: ::typenet::Phase> = Tagger<Q>;
    type Input = ::typenet::__private::Const<{ T }>;
    type Output = ::typenet::__private::Const<3>;
    type StepInput = ::typenet::__private::Const<{ T }>;
    type StepOutput = ::typenet::__private::Const<3>;
    const NAME: &'static str = "Tagger";
    const INPUT_SHAPE: &'static [usize] = &[T];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "emb",
            "Embedding<VOCABULARY, 16>",
            {
                const SHAPE: &[usize] = &[T, 16];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "norm",
            "LayerNorm(eps = 0.000001)",
            {
                const SHAPE: &[usize] = &[T, 16];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "rnn",
            "Bidirectional(Lstm<8, return_sequences = true, dropout = 0.1>)",
            {
                const SHAPE: &[usize] = &[T, 16];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new("last", "Bidirectional(Gru<4>)", &[8]),
        ::typenet::__private::Entry::new("out", "Dense<3>", &[3]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Tagger {
            emb: ::typenet::__private::Init::init(rng),
            norm: ::typenet::LayerNorm::with(0.000001),
            rnn: ::typenet::Bidirectional::new(
                ::typenet::Recurrent::keras(rng)
                    .with_dropout(0.1, 0.0, ::typenet::__private::next_seed(rng)),
                ::typenet::Recurrent::keras(rng)
                    .with_dropout(0.1, 0.0, ::typenet::__private::next_seed(rng)),
            ),
            last: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Tagger<Q> {
        Tagger {
            emb: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.emb, ::typenet::__private::derive_seed(seed, 0u64)),
            norm: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.norm, ::typenet::__private::derive_seed(seed, 1u64)),
            rnn: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.rnn, ::typenet::__private::derive_seed(seed, 2u64)),
            last: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.last, ::typenet::__private::derive_seed(seed, 3u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 4u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.emb, (&self.norm, (&self.rnn, (&self.last, (&self.out, ())))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (
                &mut self.emb,
                (&mut self.norm, (&mut self.rnn, (&mut self.last, (&mut self.out, ())))),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &TaggerGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.emb),
            (
                ::core::option::Option::Some(&grads.norm),
                (
                    ::core::option::Option::Some(&grads.rnn),
                    (
                        ::core::option::Option::Some(&grads.last),
                        (::core::option::Option::Some(&grads.out), ()),
                    ),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut TaggerGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.emb),
            (
                ::core::option::Option::Some(&mut grads.norm),
                (
                    ::core::option::Option::Some(&mut grads.rnn),
                    (
                        ::core::option::Option::Some(&mut grads.last),
                        (::core::option::Option::Some(&mut grads.out), ()),
                    ),
                ),
            ),
        )
    }
}
impl Tagger {
    /// Input features.
    pub const INPUT: usize = T;
    /// Output features.
    pub const OUTPUT: usize = 3;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(Tagger, P);
const _: () = ::core::assert!(
    T > 0, "`T` is used as a width in `Tagger` and must be at least 1"
);
const _: () = ::core::assert!(
    VOCABULARY > 0, "`VOCABULARY` is used as a width in `Tagger` and must be at least 1"
);
const _: () = ::typenet::__private::assert_table_grads::<Tagger>(31, 31);
