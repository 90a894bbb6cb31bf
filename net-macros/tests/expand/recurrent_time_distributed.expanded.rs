#[allow(non_snake_case, non_camel_case_types)]
pub struct Rows<P: ::typenet::Phase = ::typenet::Eval> {
    pub lstm: ::typenet::Lstm<8, 8, 32, true, P, true>,
    pub gru: ::typenet::Gru<8, 32, 16, false, P, false>,
    pub drop: ::typenet::Dropout<16, P>,
    pub out: ::typenet::Dense<16, 10, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __RowsLayers<P>>,
}
///The layers of [`Rows`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __RowsLayers<P> = (
    ::typenet::Lstm<8, 8, 32, true, P, true>,
    (
        ::typenet::__private::Frozen<::typenet::Gru<8, 32, 16, false, P, false>>,
        (::typenet::Dropout<16, P>, (::typenet::Dense<16, 10, ::typenet::Linear>, ())),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Rows<P> {
    fn clone(&self) -> Self {
        Rows {
            lstm: ::core::clone::Clone::clone(&self.lstm),
            gru: ::core::clone::Clone::clone(&self.gru),
            drop: ::core::clone::Clone::clone(&self.drop),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Rows<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Rows`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct RowsGrads {
    pub lstm: ::typenet::GradsOf<::typenet::Lstm<8, 8, 32, true, ::typenet::Eval, true>>,
    pub out: ::typenet::GradsOf<::typenet::Dense<16, 10, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for RowsGrads {
    fn zeros() -> Self {
        RowsGrads {
            lstm: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        RowsGrads {
            lstm: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.lstm, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.lstm, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.lstm, &_other.lstm, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&RowsGrads> for RowsGrads {
    fn add_assign(&mut self, other: &RowsGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for RowsGrads {
    fn add_assign(&mut self, other: RowsGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Rows<P> {
    type Phase = P;
    type Layers = __RowsLayers<P>;
    type Grads = RowsGrads;
    type ToPhase<Q: ::typenet::Phase> = Rows<Q>;
    type Input = ::typenet::__private::Const<64>;
    type Output = ::typenet::__private::Const<10>;
    type StepInput = ::typenet::__private::Const<8>;
    type StepOutput = ::typenet::__private::Const<10>;
    const NAME: &'static str = "Rows";
    const INPUT_SHAPE: &'static [usize] = &[8, 8];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
                "lstm",
                "Lstm<32, return_sequences = true, recurrent_dropout = 0.2>",
                &[8, 32],
            )
            .l2(0.01),
        ::typenet::__private::Entry::new("gru", "Gru<16>", &[16]),
        ::typenet::__private::Entry::new("drop", "Dropout(0.2)", &[16]),
        ::typenet::__private::Entry::new("out", "Dense<10>", &[10]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Rows {
            lstm: ::typenet::Recurrent::keras(rng)
                .with_dropout(0.0, 0.2, ::typenet::__private::next_seed(rng)),
            gru: ::typenet::__private::Init::init(rng),
            drop: ::typenet::Dropout::new(0.2, ::typenet::__private::next_seed(rng)),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Rows<Q> {
        Rows {
            lstm: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.lstm, ::typenet::__private::derive_seed(seed, 0u64)),
            gru: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.gru, ::typenet::__private::derive_seed(seed, 1u64)),
            drop: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop, ::typenet::__private::derive_seed(seed, 2u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 3u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.lstm, (&self.gru, (&self.drop, (&self.out, ()))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (&mut self.lstm, (&mut self.gru, (&mut self.drop, (&mut self.out, ())))),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &RowsGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.lstm),
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
        grads: &mut RowsGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.lstm),
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
impl Rows {
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
///The state of [`Rows`] running one time step at a time: see `net.stream()`.
pub type RowsStream = ::typenet::Stream<Rows<::typenet::Eval>>;
::typenet::__private::impl_streamable_network!(Rows, P);
const _: () = ::core::assert!(
    < ::typenet::Lstm < 8, 8, 32, true, ::typenet::Eval, true > as
    ::typenet::__private::Tensors > ::HAS_KERNEL,
    "`#[l2]` on `lstm`: the L2 kernel regulariser applies to layers with a kernel, and Lstm<32, return_sequences = true, recurrent_dropout = 0.2> has none"
);
const _: () = ::core::assert!(
    < ::typenet::Gru < 8, 32, 16, false, ::typenet::Eval, false > as
    ::typenet::__private::Tensors > ::PARAMS > 0,
    "`#[frozen]` on `gru`: Gru<16> has no parameters, so there is nothing to freeze"
);
const _: () = ::typenet::__private::assert_table_grads::<Rows>(11, 15);
