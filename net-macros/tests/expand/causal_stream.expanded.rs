#[allow(non_snake_case, non_camel_case_types)]
pub struct Amp<P: ::typenet::Phase = ::typenet::Eval> {
    pub conv: ::typenet::Conv1d<
        ::typenet::Causal1d<{ T }, 1, 3, 2>,
        8,
        ::typenet::Tanh,
        true,
    >,
    pub rnn: ::typenet::Gru<{ T }, 8, 8, true, P, false>,
    pub out: ::typenet::TimeDistributed<
        ::typenet::Dense<8, 1, ::typenet::Linear>,
        { T },
    >,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __AmpLayers<P>>,
}
///The layers of [`Amp`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __AmpLayers<P> = (
    ::typenet::Conv1d<::typenet::Causal1d<{ T }, 1, 3, 2>, 8, ::typenet::Tanh, true>,
    (
        ::typenet::Gru<{ T }, 8, 8, true, P, false>,
        (
            ::typenet::TimeDistributed<::typenet::Dense<8, 1, ::typenet::Linear>, { T }>,
            (),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Amp<P> {
    fn clone(&self) -> Self {
        Amp {
            conv: ::core::clone::Clone::clone(&self.conv),
            rnn: ::core::clone::Clone::clone(&self.rnn),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Amp<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Amp`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct AmpGrads {
    pub conv: ::typenet::GradsOf<
        ::typenet::Conv1d<::typenet::Causal1d<{ T }, 1, 3, 2>, 8, ::typenet::Tanh, true>,
    >,
    pub rnn: ::typenet::GradsOf<
        ::typenet::Gru<{ T }, 8, 8, true, ::typenet::Eval, false>,
    >,
    pub out: ::typenet::GradsOf<
        ::typenet::TimeDistributed<::typenet::Dense<8, 1, ::typenet::Linear>, { T }>,
    >,
}
impl ::typenet::__private::Grads for AmpGrads {
    fn zeros() -> Self {
        AmpGrads {
            conv: ::typenet::__private::Grads::zeros(),
            rnn: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        AmpGrads {
            conv: ::typenet::__private::Grads::recycled(),
            rnn: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.conv, _f);
        ::typenet::__private::Grads::visit(&self.rnn, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.conv, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.rnn, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.conv, &_other.conv, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.rnn, &_other.rnn, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&AmpGrads> for AmpGrads {
    fn add_assign(&mut self, other: &AmpGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for AmpGrads {
    fn add_assign(&mut self, other: AmpGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Amp<P> {
    type Phase = P;
    type Layers = __AmpLayers<P>;
    type Grads = AmpGrads;
    type ToPhase<Q: ::typenet::Phase> = Amp<Q>;
    type Input = ::typenet::__private::Const<{ T }>;
    type Output = ::typenet::__private::Const<{ T }>;
    type StepInput = ::typenet::__private::Const<1>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Amp";
    const INPUT_SHAPE: &'static [usize] = &[T, 1];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "conv",
            "Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>",
            {
                const SHAPE: &[usize] = &[T, 8];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "rnn",
            "Gru<8, return_sequences = true>",
            {
                const SHAPE: &[usize] = &[T, 8];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new(
            "out",
            "TimeDistributed(Dense<1>)",
            {
                const SHAPE: &[usize] = &[T, 1];
                SHAPE
            },
        ),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Amp {
            conv: ::typenet::__private::Init::init(rng),
            rnn: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Amp<Q> {
        Amp {
            conv: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.conv, ::typenet::__private::derive_seed(seed, 0u64)),
            rnn: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.rnn, ::typenet::__private::derive_seed(seed, 1u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 2u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.conv, (&self.rnn, (&self.out, ())))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        ((&mut self.conv, (&mut self.rnn, (&mut self.out, ()))), &mut self.__train)
    }
    fn grads(
        grads: &AmpGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.conv),
            (
                ::core::option::Option::Some(&grads.rnn),
                (::core::option::Option::Some(&grads.out), ()),
            ),
        )
    }
    fn grads_mut(
        grads: &mut AmpGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.conv),
            (
                ::core::option::Option::Some(&mut grads.rnn),
                (::core::option::Option::Some(&mut grads.out), ()),
            ),
        )
    }
}
impl Amp {
    /// Input features.
    pub const INPUT: usize = T;
    /// Output features.
    pub const OUTPUT: usize = T;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
///The state of [`Amp`] running one time step at a time: see `net.stream()`.
pub type AmpStream = ::typenet::Stream<Amp<::typenet::Eval>>;
::typenet::__private::impl_streamable_network!(Amp, P);
const _: () = ::core::assert!(
    T > 0, "`T` is used as a width in `Amp` and must be at least 1"
);
const _: () = ::typenet::__private::assert_table_grads::<Amp>(7, 7);
const _: () = ::core::assert!(
    (T + 4) >= 5,
    "Conv1d's kernel (3, spanning 5 with dilation 2) is larger than its input along the time axis ((T + 4) with padding): the input is shaped [T, 1]"
);
