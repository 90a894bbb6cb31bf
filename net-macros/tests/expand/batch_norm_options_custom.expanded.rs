#[allow(non_snake_case, non_camel_case_types)]
struct Normed<P: ::typenet::Phase = ::typenet::Eval> {
    pub bn: ::typenet::BatchNorm<3, P, 4>,
    pub gate: <my::Gate<f32> as ::typenet::__private::Layer>::InPhase<P>,
    pub flat: ::typenet::Flatten<
        { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT },
        { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT_SHAPE.len() > 1 },
    >,
    pub out: ::typenet::Dense<
        { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT },
        1,
        ::typenet::Linear,
    >,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __NormedLayers<P>>,
}
///The layers of [`Normed`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
type __NormedLayers<P> = (
    ::typenet::BatchNorm<3, P, 4>,
    (
        <my::Gate<f32> as ::typenet::__private::Layer>::InPhase<P>,
        (
            ::typenet::Flatten<
                { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT },
                {
                    <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT_SHAPE.len()
                        > 1
                },
            >,
            (
                ::typenet::Dense<
                    { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT },
                    1,
                    ::typenet::Linear,
                >,
                (),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Normed<P> {
    fn clone(&self) -> Self {
        Normed {
            bn: ::core::clone::Clone::clone(&self.bn),
            gate: ::core::clone::Clone::clone(&self.gate),
            flat: ::core::clone::Clone::clone(&self.flat),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Normed<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Normed`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
struct NormedGrads {
    pub bn: ::typenet::GradsOf<::typenet::BatchNorm<3, ::typenet::Eval, 4>>,
    pub gate: ::typenet::GradsOf<
        <my::Gate<f32> as ::typenet::__private::Layer>::InPhase<::typenet::Eval>,
    >,
    pub out: ::typenet::GradsOf<
        ::typenet::Dense<
            { <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT },
            1,
            ::typenet::Linear,
        >,
    >,
}
impl ::typenet::__private::Grads for NormedGrads {
    fn zeros() -> Self {
        NormedGrads {
            bn: ::typenet::__private::Grads::zeros(),
            gate: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        NormedGrads {
            bn: ::typenet::__private::Grads::recycled(),
            gate: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.bn, _f);
        ::typenet::__private::Grads::visit(&self.gate, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.bn, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.gate, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.bn, &_other.bn, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.gate, &_other.gate, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&NormedGrads> for NormedGrads {
    fn add_assign(&mut self, other: &NormedGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for NormedGrads {
    fn add_assign(&mut self, other: NormedGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Normed<P> {
    type Phase = P;
    type Layers = __NormedLayers<P>;
    type Grads = NormedGrads;
    type ToPhase<Q: ::typenet::Phase> = Normed<Q>;
    type Input = ::typenet::__private::Const<12>;
    type Output = ::typenet::__private::Const<1>;
    type StepInput = ::typenet::__private::Const<3>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Normed";
    const INPUT_SHAPE: &'static [usize] = &[4, 3];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "bn",
            "BatchNorm(eps = 0.00001, momentum = 0.9)",
            &[4, 3],
        ),
        ::typenet::__private::Entry::new(
            "gate",
            "my::Gate",
            <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT_SHAPE,
        ),
        ::typenet::__private::Entry::new(
            "flat",
            "Flatten",
            {
                const SHAPE: &[usize] = &[
                    <my::Gate<f32> as ::typenet::__private::Layer>::OUTPUT,
                ];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new("out", "Dense<1>", &[1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Normed {
            bn: ::typenet::BatchNorm::with(0.00001, 0.9),
            gate: ::typenet::__private::Layer::into_phase::<
                P,
            >(
                <my::Gate<f32> as ::typenet::__private::Init>::init(rng),
                ::typenet::__private::next_seed(rng),
            ),
            flat: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Normed<Q> {
        Normed {
            bn: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.bn, ::typenet::__private::derive_seed(seed, 0u64)),
            gate: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.gate, ::typenet::__private::derive_seed(seed, 1u64)),
            flat: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.flat, ::typenet::__private::derive_seed(seed, 2u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 3u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.bn, (&self.gate, (&self.flat, (&self.out, ()))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (&mut self.bn, (&mut self.gate, (&mut self.flat, (&mut self.out, ())))),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &NormedGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.bn),
            (
                ::core::option::Option::Some(&grads.gate),
                (
                    ::core::option::Option::None,
                    (::core::option::Option::Some(&grads.out), ()),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut NormedGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.bn),
            (
                ::core::option::Option::Some(&mut grads.gate),
                (
                    ::core::option::Option::None,
                    (::core::option::Option::Some(&mut grads.out), ()),
                ),
            ),
        )
    }
}
impl Normed {
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
///The state of [`Normed`] running one time step at a time: see `net.stream()`.
type NormedStream = ::typenet::Stream<Normed<::typenet::Eval>>;
::typenet::__private::impl_streamable_network!(Normed, P);
const _: () = ::core::assert!(
    < my::Gate < f32 > as ::typenet::__private::Layer > ::INPUT == 12,
    "layer `gate` (my::Gate) does not take the 12 outputs of `bn`: its `Layer::INPUT` width differs"
);
const _: () = ::core::assert!(
    ::typenet::__private::shape_len(< my::Gate < f32 > as ::typenet::__private::Layer >
    ::OUTPUT_SHAPE) == < my::Gate < f32 > as ::typenet::__private::Layer > ::OUTPUT,
    "layer `gate` (my::Gate): its `Layer::OUTPUT_SHAPE` does not hold its `Layer::OUTPUT` values"
);
const _: () = ::typenet::__private::assert_table_grads::<Normed>(9, 13);
