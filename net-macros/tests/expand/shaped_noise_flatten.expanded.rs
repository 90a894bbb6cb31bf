#[allow(non_snake_case, non_camel_case_types)]
struct Sequence<P: ::typenet::Phase = ::typenet::Eval> {
    pub drop: ::typenet::Dropout<12, P, __SequenceDropNoise>,
    pub flat: ::typenet::Flatten<12, true>,
    pub act: ::typenet::Activation<12, ::typenet::Tanh>,
    pub out: ::typenet::Dense<12, 1, ::typenet::Sigmoid>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __SequenceLayers<P>>,
}
///The layers of [`Sequence`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
type __SequenceLayers<P> = (
    ::typenet::Dropout<12, P, __SequenceDropNoise>,
    (
        ::typenet::Flatten<12, true>,
        (
            ::typenet::Activation<12, ::typenet::Tanh>,
            (::typenet::Dense<12, 1, ::typenet::Sigmoid>, ()),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Sequence<P> {
    fn clone(&self) -> Self {
        Sequence {
            drop: ::core::clone::Clone::clone(&self.drop),
            flat: ::core::clone::Clone::clone(&self.flat),
            act: ::core::clone::Clone::clone(&self.act),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Sequence<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Sequence`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
struct SequenceGrads {
    pub out: ::typenet::GradsOf<::typenet::Dense<12, 1, ::typenet::Sigmoid>>,
}
impl ::typenet::__private::Grads for SequenceGrads {
    fn zeros() -> Self {
        SequenceGrads {
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        SequenceGrads {
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&SequenceGrads> for SequenceGrads {
    fn add_assign(&mut self, other: &SequenceGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for SequenceGrads {
    fn add_assign(&mut self, other: SequenceGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Sequence<P> {
    type Phase = P;
    type Layers = __SequenceLayers<P>;
    type Grads = SequenceGrads;
    type ToPhase<Q: ::typenet::Phase> = Sequence<Q>;
    type Input = ::typenet::__private::Const<12>;
    type Output = ::typenet::__private::Const<1>;
    type StepInput = ::typenet::__private::Const<4>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Sequence";
    const INPUT_SHAPE: &'static [usize] = &[3, 4];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new("drop", "Dropout(0.5)", &[3, 4]),
        ::typenet::__private::Entry::new("flat", "Flatten", &[12]),
        ::typenet::__private::Entry::new("act", "Tanh", &[12]),
        ::typenet::__private::Entry::new("out", "Dense<1, Sigmoid>", &[1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Sequence {
            drop: ::typenet::Dropout::new(0.5, ::typenet::__private::next_seed(rng)),
            flat: ::typenet::__private::Init::init(rng),
            act: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Sequence<Q> {
        Sequence {
            drop: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop, ::typenet::__private::derive_seed(seed, 0u64)),
            flat: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.flat, ::typenet::__private::derive_seed(seed, 1u64)),
            act: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.act, ::typenet::__private::derive_seed(seed, 2u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 3u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.drop, (&self.flat, (&self.act, (&self.out, ()))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (&mut self.drop, (&mut self.flat, (&mut self.act, (&mut self.out, ())))),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &SequenceGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::None,
                    (::core::option::Option::Some(&grads.out), ()),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut SequenceGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::None,
                    (::core::option::Option::Some(&mut grads.out), ()),
                ),
            ),
        )
    }
}
impl Sequence {
    /// Input features.
    pub const INPUT: usize = 12;
    /// Output features.
    pub const OUTPUT: usize = 1;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
///The state of [`Sequence`] running one time step at a time: see `net.stream()`.
type SequenceStream = ::typenet::Stream<Sequence<::typenet::Eval>>;
::typenet::__private::impl_streamable_network!(Sequence, P);
const _: () = ::typenet::__private::assert_table_grads::<Sequence>(8, 15);
///The noise shape of `Sequence::drop`.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
struct __SequenceDropNoise;
impl ::typenet::NoiseShape for __SequenceDropNoise {
    const DIMS: &'static [usize] = &[3, 4];
    const SHARED: &'static [bool] = &[false, true, false];
}
