#[allow(non_snake_case, non_camel_case_types)]
struct Head<P: ::typenet::Phase = ::typenet::Eval> {
    pub base: <Backbone as ::typenet::__private::Layer>::InPhase<P>,
    pub flat: ::typenet::FlattenChannelsFirst<
        {
            (<Backbone as ::typenet::__private::Layer>::OUTPUT
                / {
                    let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                    shape[shape.len() - 1]
                })
        },
        {
            {
                let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                shape[shape.len() - 1]
            }
        },
    >,
    pub fc: ::typenet::Dense<
        { <Backbone as ::typenet::__private::Layer>::OUTPUT },
        64,
        ::typenet::Relu,
    >,
    pub out: ::typenet::Dense<64, 1, ::typenet::Sigmoid>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __HeadLayers<P>>,
}
///The layers of [`Head`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
type __HeadLayers<P> = (
    ::typenet::__private::Frozen<<Backbone as ::typenet::__private::Layer>::InPhase<P>>,
    (
        ::typenet::FlattenChannelsFirst<
            {
                (<Backbone as ::typenet::__private::Layer>::OUTPUT
                    / {
                        let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                        shape[shape.len() - 1]
                    })
            },
            {
                {
                    let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                    shape[shape.len() - 1]
                }
            },
        >,
        (
            ::typenet::Dense<
                { <Backbone as ::typenet::__private::Layer>::OUTPUT },
                64,
                ::typenet::Relu,
            >,
            (::typenet::Dense<64, 1, ::typenet::Sigmoid>, ()),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Head<P> {
    fn clone(&self) -> Self {
        Head {
            base: ::core::clone::Clone::clone(&self.base),
            flat: ::core::clone::Clone::clone(&self.flat),
            fc: ::core::clone::Clone::clone(&self.fc),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Head<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Head`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
struct HeadGrads {
    pub fc: ::typenet::GradsOf<
        ::typenet::Dense<
            { <Backbone as ::typenet::__private::Layer>::OUTPUT },
            64,
            ::typenet::Relu,
        >,
    >,
    pub out: ::typenet::GradsOf<::typenet::Dense<64, 1, ::typenet::Sigmoid>>,
}
impl ::typenet::__private::Grads for HeadGrads {
    fn zeros() -> Self {
        HeadGrads {
            fc: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        HeadGrads {
            fc: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.fc, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.fc, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.fc, &_other.fc, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&HeadGrads> for HeadGrads {
    fn add_assign(&mut self, other: &HeadGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for HeadGrads {
    fn add_assign(&mut self, other: HeadGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Head<P> {
    type Phase = P;
    type Layers = __HeadLayers<P>;
    type Grads = HeadGrads;
    type ToPhase<Q: ::typenet::Phase> = Head<Q>;
    type Input = ::typenet::__private::Const<64>;
    type Output = ::typenet::__private::Const<1>;
    type StepInput = ::typenet::__private::Const<1>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Head";
    const INPUT_SHAPE: &'static [usize] = &[8, 8, 1];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "base",
            "Backbone",
            <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE,
        ),
        ::typenet::__private::Entry::new(
            "flat",
            "Flatten(channels_first)",
            {
                const SHAPE: &[usize] = &[
                    <Backbone as ::typenet::__private::Layer>::OUTPUT,
                ];
                SHAPE
            },
        ),
        ::typenet::__private::Entry::new("fc", "Dense<64, Relu>", &[64]).l2(0.001),
        ::typenet::__private::Entry::new("out", "Dense<1, Sigmoid>", &[1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Head {
            base: ::typenet::__private::Layer::into_phase::<
                P,
            >(
                <Backbone as ::typenet::__private::Init>::init(rng),
                ::typenet::__private::next_seed(rng),
            ),
            flat: ::typenet::__private::Init::init(rng),
            fc: ::typenet::__private::Init::init(rng),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Head<Q> {
        Head {
            base: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.base, ::typenet::__private::derive_seed(seed, 0u64)),
            flat: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.flat, ::typenet::__private::derive_seed(seed, 1u64)),
            fc: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.fc, ::typenet::__private::derive_seed(seed, 2u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 3u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.base, (&self.flat, (&self.fc, (&self.out, ()))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (&mut self.base, (&mut self.flat, (&mut self.fc, (&mut self.out, ())))),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &HeadGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::Some(&grads.fc),
                    (::core::option::Option::Some(&grads.out), ()),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut HeadGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::Some(&mut grads.fc),
                    (::core::option::Option::Some(&mut grads.out), ()),
                ),
            ),
        )
    }
}
impl Head {
    /// Input features.
    pub const INPUT: usize = 64;
    /// Output features.
    pub const OUTPUT: usize = 1;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(Head, P);
const _: () = ::core::assert!(
    < Backbone as ::typenet::__private::Layer > ::INPUT == 64,
    "layer `base` (Backbone) does not take the 64 outputs of `input`: its `Layer::INPUT` width differs"
);
const _: () = ::core::assert!(
    ::typenet::__private::shape_len(< Backbone as ::typenet::__private::Layer >
    ::OUTPUT_SHAPE) == < Backbone as ::typenet::__private::Layer > ::OUTPUT,
    "layer `base` (Backbone): its `Layer::OUTPUT_SHAPE` does not hold its `Layer::OUTPUT` values"
);
const _: () = ::core::assert!(
    < < Backbone as ::typenet::__private::Layer > ::InPhase < ::typenet::Eval > as
    ::typenet::__private::Tensors > ::PARAMS > 0,
    "`#[frozen]` on `base`: Backbone has no parameters, so there is nothing to freeze"
);
const _: () = ::core::assert!(
    < ::typenet::Dense < { < Backbone as ::typenet::__private::Layer > ::OUTPUT }, 64,
    ::typenet::Relu > as ::typenet::__private::Tensors > ::HAS_KERNEL,
    "`#[l2]` on `fc`: the L2 kernel regulariser applies to layers with a kernel, and Dense<64, Relu> has none"
);
const _: () = ::typenet::__private::assert_table_grads::<Head>(12, 14);
const _: () = ::core::assert!(
    < Backbone as ::typenet::__private::Layer > ::OUTPUT_SHAPE.len() > 1,
    "`flat` (Flatten(channels_first)) reorders a shaped map channels first, but the network before it outputs a flat vector; write Flatten"
);
