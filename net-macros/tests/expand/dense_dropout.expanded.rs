/// The README's network.
#[allow(non_snake_case, non_camel_case_types)]
pub struct Mnist<P: ::typenet::Phase = ::typenet::Eval> {
    pub fc1: ::typenet::Dense<784, 256, ::typenet::Relu>,
    pub drop1: ::typenet::Dropout<256, P>,
    pub fc2: ::typenet::Dense<256, 128, ::typenet::Relu>,
    pub drop2: ::typenet::Dropout<128, P>,
    pub out: ::typenet::Dense<128, 10, ::typenet::Linear>,
    /// What a `Train` network keeps between `forward` and `backward`
    /// (nothing in `Eval`).
    #[doc(hidden)]
    pub __train: ::typenet::__private::TrainState<P, __MnistLayers<P>>,
}
///The layers of [`Mnist`], in order.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub type __MnistLayers<P> = (
    ::typenet::Dense<784, 256, ::typenet::Relu>,
    (
        ::typenet::Dropout<256, P>,
        (
            ::typenet::Dense<256, 128, ::typenet::Relu>,
            (
                ::typenet::Dropout<128, P>,
                (::typenet::Dense<128, 10, ::typenet::Linear>, ()),
            ),
        ),
    ),
);
impl<P: ::typenet::Phase> ::core::clone::Clone for Mnist<P> {
    fn clone(&self) -> Self {
        Mnist {
            fc1: ::core::clone::Clone::clone(&self.fc1),
            drop1: ::core::clone::Clone::clone(&self.drop1),
            fc2: ::core::clone::Clone::clone(&self.fc2),
            drop2: ::core::clone::Clone::clone(&self.drop2),
            out: ::core::clone::Clone::clone(&self.out),
            __train: ::core::clone::Clone::clone(&self.__train),
        }
    }
}
impl<P: ::typenet::Phase> ::core::fmt::Debug for Mnist<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::typenet::__private::debug_network(self, f)
    }
}
///Gradients of [`Mnist`]'s trainable layers (frozen and parameter-free layers have no field).
#[allow(non_snake_case, non_camel_case_types)]
#[derive(Clone, Debug)]
pub struct MnistGrads {
    pub fc1: ::typenet::GradsOf<::typenet::Dense<784, 256, ::typenet::Relu>>,
    pub fc2: ::typenet::GradsOf<::typenet::Dense<256, 128, ::typenet::Relu>>,
    pub out: ::typenet::GradsOf<::typenet::Dense<128, 10, ::typenet::Linear>>,
}
impl ::typenet::__private::Grads for MnistGrads {
    fn zeros() -> Self {
        MnistGrads {
            fc1: ::typenet::__private::Grads::zeros(),
            fc2: ::typenet::__private::Grads::zeros(),
            out: ::typenet::__private::Grads::zeros(),
        }
    }
    fn recycled() -> Self {
        MnistGrads {
            fc1: ::typenet::__private::Grads::recycled(),
            fc2: ::typenet::__private::Grads::recycled(),
            out: ::typenet::__private::Grads::recycled(),
        }
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
        ::typenet::__private::Grads::visit(&self.fc1, _f);
        ::typenet::__private::Grads::visit(&self.fc2, _f);
        ::typenet::__private::Grads::visit(&self.out, _f);
    }
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
        ::typenet::__private::Grads::visit_mut(&mut self.fc1, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.fc2, _f);
        ::typenet::__private::Grads::visit_mut(&mut self.out, _f);
    }
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
        ::typenet::__private::Grads::visit_pairs(&mut self.fc1, &_other.fc1, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.fc2, &_other.fc2, _f);
        ::typenet::__private::Grads::visit_pairs(&mut self.out, &_other.out, _f);
    }
}
impl ::core::ops::AddAssign<&MnistGrads> for MnistGrads {
    fn add_assign(&mut self, other: &MnistGrads) {
        ::typenet::__private::Grads::accumulate(self, other);
    }
}
impl ::core::ops::AddAssign for MnistGrads {
    fn add_assign(&mut self, other: MnistGrads) {
        ::typenet::__private::Grads::accumulate(self, &other);
    }
}
impl<P: ::typenet::Phase> ::typenet::__private::NetworkDef for Mnist<P> {
    type Phase = P;
    type Layers = __MnistLayers<P>;
    type Grads = MnistGrads;
    type ToPhase<Q: ::typenet::Phase> = Mnist<Q>;
    type Input = ::typenet::__private::Const<784>;
    type Output = ::typenet::__private::Const<10>;
    type StepInput = ::typenet::__private::Const<784>;
    type StepOutput = ::typenet::__private::Const<10>;
    const NAME: &'static str = "Mnist";
    const INPUT_SHAPE: &'static [usize] = &[784];
    const ENTRIES: &'static [::typenet::__private::Entry] = &[
        ::typenet::__private::Entry::new("fc1", "Dense<256, Relu>", &[256]),
        ::typenet::__private::Entry::new("drop1", "Dropout(0.2)", &[256]),
        ::typenet::__private::Entry::new("fc2", "Dense<128, Relu>", &[128]),
        ::typenet::__private::Entry::new("drop2", "Dropout(0.2)", &[128]),
        ::typenet::__private::Entry::new("out", "Dense<10>", &[10]),
    ];
    fn build<R: ::typenet::__private::Rng + ?Sized>(rng: &mut R) -> Self {
        Mnist {
            fc1: ::typenet::__private::Init::init(rng),
            drop1: ::typenet::Dropout::new(0.2, ::typenet::__private::next_seed(rng)),
            fc2: ::typenet::__private::Init::init(rng),
            drop2: ::typenet::Dropout::new(0.2, ::typenet::__private::next_seed(rng)),
            out: ::typenet::__private::Init::init(rng),
            __train: ::core::default::Default::default(),
        }
    }
    fn convert_phase<Q: ::typenet::Phase>(self, seed: u64) -> Mnist<Q> {
        Mnist {
            fc1: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.fc1, ::typenet::__private::derive_seed(seed, 0u64)),
            drop1: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop1, ::typenet::__private::derive_seed(seed, 1u64)),
            fc2: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.fc2, ::typenet::__private::derive_seed(seed, 2u64)),
            drop2: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.drop2, ::typenet::__private::derive_seed(seed, 3u64)),
            out: ::typenet::__private::Layer::into_phase::<
                Q,
            >(self.out, ::typenet::__private::derive_seed(seed, 4u64)),
            __train: ::core::default::Default::default(),
        }
    }
    fn layers(&self) -> <Self::Layers as ::typenet::__private::Chain>::Refs<'_> {
        (&self.fc1, (&self.drop1, (&self.fc2, (&self.drop2, (&self.out, ())))))
    }
    fn layers_mut(
        &mut self,
    ) -> (
        <Self::Layers as ::typenet::__private::Chain>::Muts<'_>,
        &mut ::typenet::__private::TrainState<P, Self::Layers>,
    ) {
        (
            (
                &mut self.fc1,
                (
                    &mut self.drop1,
                    (&mut self.fc2, (&mut self.drop2, (&mut self.out, ()))),
                ),
            ),
            &mut self.__train,
        )
    }
    fn grads(
        grads: &MnistGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsRef<'_> {
        (
            ::core::option::Option::Some(&grads.fc1),
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::Some(&grads.fc2),
                    (
                        ::core::option::Option::None,
                        (::core::option::Option::Some(&grads.out), ()),
                    ),
                ),
            ),
        )
    }
    fn grads_mut(
        grads: &mut MnistGrads,
    ) -> <Self::Layers as ::typenet::__private::Chain>::GradsMut<'_> {
        (
            ::core::option::Option::Some(&mut grads.fc1),
            (
                ::core::option::Option::None,
                (
                    ::core::option::Option::Some(&mut grads.fc2),
                    (
                        ::core::option::Option::None,
                        (::core::option::Option::Some(&mut grads.out), ()),
                    ),
                ),
            ),
        )
    }
}
impl Mnist {
    /// Input features.
    pub const INPUT: usize = 784;
    /// Output features.
    pub const OUTPUT: usize = 10;
    /// Every weight and bias, frozen ones included (running
    /// statistics excluded, as PyTorch's `parameters()` counts).
    pub const PARAMS: usize = <Self as ::typenet::__private::Tensors>::PARAMS;
    /// The parameters an optimiser updates.
    pub const TRAINABLE_PARAMS: usize = <Self as ::typenet::__private::Tensors>::TRAINABLE_PARAMS;
}
::typenet::__private::impl_streamable_network!(Mnist, P);
const _: () = ::typenet::__private::assert_table_grads::<Mnist>(21, 31);
