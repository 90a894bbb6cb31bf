#[allow(non_snake_case, non_camel_case_types)]
pub struct Transfer<P: ::typenet::Phase = ::typenet::Eval> {
    pub base: <Backbone as ::typenet::__private::Layer>::InPhase<P>,
    pub bn: ::typenet::BatchNorm<
        {
            {
                let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                shape[shape.len() - 1]
            }
        },
        ::typenet::Eval,
        {
            (<Backbone as ::typenet::__private::Layer>::OUTPUT
                / {
                    let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                    shape[shape.len() - 1]
                })
        },
    >,
    pub stop: ::typenet::StopGradient<
        { <Backbone as ::typenet::__private::Layer>::OUTPUT },
    >,
    pub head: ::typenet::Dense<
        { <Backbone as ::typenet::__private::Layer>::OUTPUT },
        { HIDDEN },
        ::typenet::Gelu,
    >,
    pub mc: ::typenet::Dropout<{ HIDDEN }, ::typenet::Train>,
    pub out: ::typenet::Dense<{ HIDDEN }, 1, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __TransferLayers<P>>,
}
///The layers of [`Transfer`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __TransferLayers<P> = (
    ::typenet::__private::Frozen<<Backbone as ::typenet::__private::Layer>::InPhase<P>>,
    (
        ::typenet::BatchNorm<
            {
                {
                    let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                    shape[shape.len() - 1]
                }
            },
            ::typenet::Eval,
            {
                (<Backbone as ::typenet::__private::Layer>::OUTPUT
                    / {
                        let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                        shape[shape.len() - 1]
                    })
            },
        >,
        (
            ::typenet::StopGradient<
                { <Backbone as ::typenet::__private::Layer>::OUTPUT },
            >,
            (
                ::typenet::Dense<
                    { <Backbone as ::typenet::__private::Layer>::OUTPUT },
                    { HIDDEN },
                    ::typenet::Gelu,
                >,
                (
                    ::typenet::Dropout<{ HIDDEN }, ::typenet::Train>,
                    (::typenet::Dense<{ HIDDEN }, 1, ::typenet::Linear>, ()),
                ),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Transfer<P> {
    fn clone(&self) -> Self {
        Transfer {
            base: ::core::clone::Clone::clone(&self.base),
            bn: ::core::clone::Clone::clone(&self.bn),
            stop: ::core::clone::Clone::clone(&self.stop),
            head: ::core::clone::Clone::clone(&self.head),
            mc: ::core::clone::Clone::clone(&self.mc),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Transfer<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Transfer`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct TransferGrads {
    pub bn: ::typenet::GradsOf<
        ::typenet::BatchNorm<
            {
                {
                    let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                    shape[shape.len() - 1]
                }
            },
            ::typenet::Eval,
            {
                (<Backbone as ::typenet::__private::Layer>::OUTPUT
                    / {
                        let shape = <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE;
                        shape[shape.len() - 1]
                    })
            },
        >,
    >,
    pub head: ::typenet::GradsOf<
        ::typenet::Dense<
            { <Backbone as ::typenet::__private::Layer>::OUTPUT },
            { HIDDEN },
            ::typenet::Gelu,
        >,
    >,
    pub out: ::typenet::GradsOf<::typenet::Dense<{ HIDDEN }, 1, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for TransferGrads {
    fn zeros() -> Self {
        TransferGrads {
            bn: ::typenet::__private::Grads::zeros(),
            head: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        TransferGrads {
            bn: ::typenet::__private::Grads::recycled(),
            head: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.bn, _f);
        ::typenet::__private::Grads::visit(&self.head, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.bn, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.head, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.bn, &_other.bn, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.head, &_other.head, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&TransferGrads> for TransferGrads {
    fn add_assign(&mut self, other: &TransferGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for TransferGrads {
    fn add_assign(&mut self, other: TransferGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Transfer<P> {
    type Phase = P;
    type Layers = __TransferLayers<P>;
    type Grads = TransferGrads;
    type ToPhase<Q: ::typenet::Phase> = Transfer<Q>;
    type Input = ::typenet::__private::Const<6>;
    type Output = ::typenet::__private::Const<1>;
    type StepInput = ::typenet::__private::Const<6>;
    type StepOutput = ::typenet::__private::Const<1>;
    const NAME: &'static str = "Transfer";
    const INPUT_SHAPE: &'static [usize] = &[6];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new(
            "base",
            "Backbone",
            <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE,
        ),
        ::typenet::__private::Entry::new(
                "bn",
                "BatchNorm",
                <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE,
            )
            .pinned(::typenet::__private::PhaseKind::Eval),
        ::typenet::__private::Entry::new(
            "stop",
            "StopGradient",
            <Backbone as ::typenet::__private::Layer>::OUTPUT_SHAPE,
        ),
        ::typenet::__private::Entry::new(
                "head",
                "Dense<HIDDEN, Gelu>",
                {
                    const SHAPE: &[usize] = &[HIDDEN];
                    SHAPE
                },
            )
            .l2(0.001),
        ::typenet::__private::Entry::new(
                "mc",
                "Dropout(0.1)",
                {
                    const SHAPE: &[usize] = &[HIDDEN];
                    SHAPE
                },
            )
            .pinned(::typenet::__private::PhaseKind::Train),
        ::typenet::__private::Entry::new("out", "Dense<1>", &[1]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Transfer {
            base: ::typenet::__private::Layer::into_phase::<
                P,
            >(
                <Backbone as ::typenet::__private::Init>::init(rng),
                ::typenet::__private::next_seed(rng),
            ),
            bn: ::typenet::__private::Init::init(rng),
            stop: ::typenet::__private::Init::init(rng),
            head: ::typenet::__private::Init::init(rng),
            mc: ::typenet::Dropout::new(0.1, ::typenet::__private::next_seed(rng)),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Transfer<Q> {
        Transfer {
            base: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.base, ::typenet::__private::derive_seed(seed, 0u64)),
            bn: self.bn,
            stop: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.stop, ::typenet::__private::derive_seed(seed, 2u64)),
            head: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.head, ::typenet::__private::derive_seed(seed, 3u64)),
            mc: self.mc,
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 5u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.base, (&self.bn, (&self.stop, (&self.head, (&self.mc, (&self.out, ()))))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (
                &mut self.base,
                (
                    &mut self.bn,
                    (
                        &mut self.stop,
                        (&mut self.head, (&mut self.mc, (&mut self.out, ()))),
                    ),
                ),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &TransferGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::Some(&grads.bn),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::Some(&grads.head),
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
        grads: &mut TransferGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::None,
            (
                ::core::option::Option::Some(&mut grads.bn),
                (
                    ::core::option::Option::None,
                    (
                        ::core::option::Option::Some(&mut grads.head),
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
impl Transfer {
    /// Input features.
    pub const INPUT: usize = 6;
    /// Output features.
    pub const OUTPUT: usize = 1;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(Transfer, P);
const _: () = ::core::assert!(
    HIDDEN > 0, "`HIDDEN` is used as a width in `Transfer` and must be at least 1"
);
const _: () = ::core::assert!(
    < Backbone as ::typenet::__private::Layer > ::INPUT == 6,
    "layer `base` (Backbone) does not take the 6 outputs of `input`: its `Layer::INPUT` width differs"
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
    < ::typenet::BatchNorm < { { let shape = < Backbone as ::typenet::__private::Layer >
    ::OUTPUT_SHAPE; shape[shape.len() - 1] } }, ::typenet::Eval, { (< Backbone as
    ::typenet::__private::Layer > ::OUTPUT / { let shape = < Backbone as
    ::typenet::__private::Layer > ::OUTPUT_SHAPE; shape[shape.len() - 1] }) } > as
    ::typenet::__private::Layer > ::PHASED,
    "`#[phase]` on `bn`: BatchNorm behaves the same in Train and Eval, so there is nothing to pin (it applies to layers with dropout or noise, BatchNorm and networks holding them)"
);
const _: () = ::core::assert!(
    < ::typenet::Dense < { < Backbone as ::typenet::__private::Layer > ::OUTPUT }, {
    HIDDEN }, ::typenet::Gelu > as ::typenet::__private::Tensors > ::HAS_KERNEL,
    "`#[l2]` on `head`: the L2 kernel regulariser applies to layers with a kernel, and Dense<HIDDEN, Gelu> has none"
);
const _: () = ::core::assert!(
    < ::typenet::Dropout < { HIDDEN }, ::typenet::Train > as ::typenet::__private::Layer
    > ::PHASED,
    "`#[phase]` on `mc`: Dropout(0.1) behaves the same in Train and Eval, so there is nothing to pin (it applies to layers with dropout or noise, BatchNorm and networks holding them)"
);
const _: () = ::typenet::__private::assert_table_grads::<Transfer>(42, 62);
const _: () = ::core::assert!(
    < Backbone as ::typenet::__private::Layer > ::OUTPUT_SHAPE.len() == 1,
    "`head` (Dense) needs a flat input, but the network before it outputs a shaped map: add a `Flatten` layer before it"
);
