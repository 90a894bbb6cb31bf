//! The part of every `network!` expansion that is the same for all networks.
//!
//! The proc macro writes what depends on the declaration (the structs, the
//! layer chain, the summary rows) as hidden `__` items and then invokes
//! [`__network_api!`](crate::__network_api) for the public surface, which is
//! plain delegation. Keeping it here keeps expansions short and lets this
//! code be read as code.

/// Generates the public API of a network from its hidden per-network items.
#[doc(hidden)]
#[macro_export]
macro_rules! __network_api {
    (
        network: $name:ident,
        grads: $grads:ident,
        input: $input:tt,
        output: $output:tt,
        layers: [$($layer:ident),* $(,)?],
        trainable: [$($trainable:ident),* $(,)?] $(,)?
    ) => {
        impl $grads {
            /// All-zero gradients (allocate once, reuse with `backward_into`).
            pub fn zeros() -> Self {
                Self { $($trainable: $crate::__private::Grads::zeros(),)* }
            }
        }

        impl $crate::__private::Grads for $grads {
            fn zeros() -> Self {
                $grads::zeros()
            }
            fn accumulate(&mut self, _other: &Self) {
                $($crate::__private::Grads::accumulate(&mut self.$trainable, &_other.$trainable);)*
            }
            fn visit(&self, _f: &mut dyn FnMut(&[f32])) {
                $($crate::__private::Grads::visit(&self.$trainable, _f);)*
            }
            fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {
                $($crate::__private::Grads::visit_mut(&mut self.$trainable, _f);)*
            }
        }

        impl ::core::ops::AddAssign<&$grads> for $grads {
            fn add_assign(&mut self, other: &$grads) {
                $crate::__private::Grads::accumulate(self, other);
            }
        }

        impl ::core::ops::AddAssign for $grads {
            fn add_assign(&mut self, other: $grads) {
                $crate::__private::Grads::accumulate(self, &other);
            }
        }

        impl<P: $crate::Phase> $name<P> {
            /// A network with Glorot-uniform weights and zero biases drawn
            /// from `seed`: the same seed gives the same network, bit for bit.
            pub fn seeded(seed: u64) -> Self {
                Self::init(&mut $crate::__private::init_rng(seed))
            }

            /// A network with Glorot-uniform weights and zero biases drawn
            /// from `rng`.
            pub fn init<R: $crate::__private::Rng + ?Sized>(rng: &mut R) -> Self {
                Self::__init(rng)
            }

            /// The same network for inference; no weights are copied.
            pub fn into_eval(self) -> $name<$crate::Eval> {
                self.__into_phase::<$crate::Eval>(0)
            }

            /// The same network for training; no weights are copied, and
            /// `seed` drives the dropout masks.
            pub fn into_train(self, seed: u64) -> $name<$crate::Train> {
                self.__into_phase::<$crate::Train>(seed)
            }

            /// Loss (with the L2 penalty) and accuracy on `data`, with every
            /// layer that is not pinned to a phase behaving as in `Eval`.
            pub fn evaluate<L: $crate::Loss>(
                &self,
                data: &$crate::Dataset<$input, $output>,
                loss: &L,
            ) -> $crate::Metrics {
                $crate::__private::evaluate(self, data, loss)
            }

            /// Every saved tensor under its PyTorch-style name (`fc1.weight`
            /// `[out, in]` row-major, `fc1.bias`, `bn.running_mean`,
            /// `base.fc1.weight`), with the architecture and the typenet
            /// version as metadata: what `save` writes, owned, for other formats.
            pub fn state_dict(&self) -> $crate::io::StateDict {
                $crate::io::state_dict(self)
            }

            /// Saves the weights (and BatchNorm running statistics) as
            /// safetensors that PyTorch's `load_state_dict` takes; atomic:
            /// the file at `path` is either the old one or the new one.
            ///
            /// # Errors
            /// `Error::Io` if writing fails; the previous file is then intact.
            pub fn save(
                &self,
                path: impl ::core::convert::AsRef<::std::path::Path>,
            ) -> ::core::result::Result<(), $crate::Error> {
                $crate::io::save(self, path)
            }

            /// A network with the tensors of the safetensors file at `path`
            /// (a typenet or PyTorch `state_dict` file), strictly: exact
            /// names, shapes and f32.
            ///
            /// # Errors
            /// See [`typenet::io::load_into`]($crate::io::load_into).
            pub fn load(
                path: impl ::core::convert::AsRef<::std::path::Path>,
            ) -> ::core::result::Result<Self, $crate::Error> {
                $crate::io::load(path, &$crate::io::LoadOptions::default())
            }

            /// [`load`](Self::load) with options (extra tensors, dtype conversion).
            ///
            /// # Errors
            /// See [`typenet::io::load_into`]($crate::io::load_into).
            pub fn load_with(
                path: impl ::core::convert::AsRef<::std::path::Path>,
                options: &$crate::io::LoadOptions,
            ) -> ::core::result::Result<Self, $crate::Error> {
                $crate::io::load(path, options)
            }

            /// Replaces this network's tensors with the file's; on any error
            /// the network is left bit for bit as it was.
            ///
            /// # Errors
            /// See [`typenet::io::load_into`]($crate::io::load_into).
            pub fn load_into(
                &mut self,
                path: impl ::core::convert::AsRef<::std::path::Path>,
            ) -> ::core::result::Result<(), $crate::Error> {
                $crate::io::load_into(self, path, &$crate::io::LoadOptions::default())
            }

            /// [`load_into`](Self::load_into) with options.
            ///
            /// # Errors
            /// See [`typenet::io::load_into`]($crate::io::load_into).
            pub fn load_into_with(
                &mut self,
                path: impl ::core::convert::AsRef<::std::path::Path>,
                options: &$crate::io::LoadOptions,
            ) -> ::core::result::Result<(), $crate::Error> {
                $crate::io::load_into(self, path, options)
            }

            /// Forward through `&self` with per-thread scratch space.
            fn __infer<const AS_EVAL: bool>(&self, x: &[f32], y: &mut [f32], cols: usize) {
                $crate::__private::with_scratch(Self::__MAX_WIDTH * cols, |s0, s1| {
                    self.__shared_pass::<AS_EVAL>(x, y, cols, s0, s1)
                });
            }
        }

        impl $name<$crate::Eval> {
            /// Input features.
            pub const INPUT: usize = $input;
            /// Output features.
            pub const OUTPUT: usize = $output;
            /// Every weight and bias, frozen ones included (running
            /// statistics excluded, as PyTorch's `parameters()` counts).
            pub const PARAMS: usize = Self::__PARAMS;
            /// The parameters an optimiser updates.
            pub const TRAINABLE_PARAMS: usize = Self::__TRAINABLE;

            /// Inference on a batch; dropout is the identity.
            pub fn forward(&self, x: &$crate::Batch<$input>) -> $crate::Batch<$output> {
                let mut out = $crate::Batch::<$output>::zeros(x.ncols());
                self.forward_into(x, &mut out);
                out
            }

            /// [`forward`](Self::forward) into an existing batch (resized
            /// only if its batch size differs); allocation-free once warmed.
            pub fn forward_into(&self, x: &$crate::Batch<$input>, out: &mut $crate::Batch<$output>) {
                if out.ncols() != x.ncols() {
                    *out = $crate::Batch::<$output>::zeros(x.ncols());
                }
                self.__infer::<true>(x.as_slice(), out.as_mut_slice(), x.ncols());
            }

            /// Inference on one sample, entirely on the stack.
            pub fn predict(
                &self,
                x: &$crate::__private::SVector<f32, $input>,
            ) -> $crate::__private::SVector<f32, $output> {
                let mut out = $crate::__private::SVector::<f32, $output>::zeros();
                let mut s0 = [0.0f32; Self::__MAX_WIDTH];
                let mut s1 = [0.0f32; Self::__MAX_WIDTH];
                self.__shared_pass::<true>(x.as_slice(), out.as_mut_slice(), 1, &mut s0, &mut s1);
                out
            }
        }

        impl $name<$crate::Train> {
            /// Training forward: dropout masks are drawn and what backward
            /// needs is kept.
            pub fn forward(&mut self, x: &$crate::Batch<$input>) -> $crate::Batch<$output> {
                let mut out = $crate::Batch::<$output>::zeros(x.ncols());
                self.forward_into(x, &mut out);
                out
            }

            /// [`forward`](Self::forward) into an existing batch;
            /// allocation-free once warmed.
            pub fn forward_into(&mut self, x: &$crate::Batch<$input>, out: &mut $crate::Batch<$output>) {
                if out.ncols() != x.ncols() {
                    *out = $crate::Batch::<$output>::zeros(x.ncols());
                }
                // `backward_into` is not given the input again: keep a copy.
                let mut input = ::core::mem::take(&mut self.__state.a0);
                input.copy_from(&$crate::__private::view(x.as_slice(), x.ncols()));
                self.__forward_pass(input.as_slice(), out.as_mut_slice(), x.ncols());
                self.__state.a0 = input;
            }

            /// Gradients of the last forward, summed over the batch as given
            /// (the losses' `grad` already divides by the batch size).
            ///
            /// # Panics
            /// If `grad_out` holds a different number of samples than the
            /// last forward.
            pub fn backward(&mut self, grad_out: &$crate::Batch<$output>) -> $grads {
                let mut grads = $grads::zeros();
                self.backward_into(grad_out, &mut grads);
                grads
            }

            /// [`backward`](Self::backward) into existing gradients
            /// (overwritten); allocation-free once warmed.
            pub fn backward_into(&mut self, grad_out: &$crate::Batch<$output>, grads: &mut $grads) {
                let input = ::core::mem::take(&mut self.__state.a0);
                self.__backward_pass(input.as_slice(), grad_out.as_slice(), None, Some(grads));
                self.__state.a0 = input;
            }

            /// Trains on `data` (Keras' `model.fit`): mini-batches, optional
            /// validation split (evaluated with dropout off), early stopping,
            /// gradient clipping, learning-rate schedules, callbacks.
            ///
            /// # Errors
            /// A batch size of 0, a split outside [0, 1) or an empty training
            /// part, before any weight changes; `Error::NonFinite` when the
            /// loss stops being finite (the weights of the last finite step
            /// are kept).
            pub fn fit<O: $crate::Optimizer, L: $crate::Loss>(
                &mut self,
                data: &$crate::Dataset<$input, $output>,
                opt: &mut O,
                loss: &L,
                settings: $crate::Fit<'_>,
            ) -> ::core::result::Result<$crate::History, $crate::Error> {
                $crate::__private::fit(self, data, opt, loss, settings)
            }
        }

        impl<P: $crate::Phase> $crate::Layer for $name<P> {
            type In = $crate::__private::Const<$input>;
            type Out = $crate::__private::Const<$output>;
            type Cache = ();
            type Grads = $grads;
            type InPhase<Q: $crate::Phase> = $name<Q>;

            const PARAM_COUNT: usize = Self::__PARAMS;
            const TRAINABLE_COUNT: usize = Self::__TRAINABLE;
            const STATE_COUNT: usize = Self::__STATE;

            fn infer(&self, x: $crate::View<'_, Self::In>, mut y: $crate::ViewMut<'_, Self::Out>) {
                self.__infer::<false>(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn infer_eval(&self, x: $crate::View<'_, Self::In>, mut y: $crate::ViewMut<'_, Self::Out>) {
                self.__infer::<true>(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn train_forward(
                &mut self,
                x: $crate::View<'_, Self::In>,
                mut y: $crate::ViewMut<'_, Self::Out>,
                _cache: &mut (),
            ) {
                self.__forward_pass(x.as_slice(), y.as_mut_slice(), x.ncols());
            }

            fn train_backward(
                &mut self,
                x: $crate::View<'_, Self::In>,
                _y: $crate::View<'_, Self::Out>,
                dy: $crate::ViewMut<'_, Self::Out>,
                _cache: &mut (),
                dx: Option<$crate::ViewMut<'_, Self::In>>,
                grads: Option<&mut $grads>,
            ) {
                self.__backward_pass(x.as_slice(), dy.as_slice(), dx, grads);
            }

            fn into_phase<Q: $crate::Phase>(self, seed: u64) -> $name<Q> {
                self.__into_phase::<Q>(seed)
            }

            fn visit_trainable(&mut self, _grads: &$grads, _f: &mut dyn FnMut(&mut [f32], &[f32])) {
                $($crate::Layer::visit_trainable(&mut self.$trainable, &_grads.$trainable, _f);)*
            }

            fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, $crate::Tensor<'_>)) {
                $($crate::Layer::visit_tensors(
                    &self.$layer,
                    &::std::format!("{}{}.", prefix, ::core::stringify!($layer)),
                    f,
                );)*
            }

            fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, $crate::TensorMut<'_>)) {
                $($crate::Layer::visit_tensors_mut(
                    &mut self.$layer,
                    &::std::format!("{}{}.", prefix, ::core::stringify!($layer)),
                    f,
                );)*
            }

            fn l2_penalty(&self) -> f32 {
                $name::l2_penalty(self)
            }
        }

        impl<P: $crate::Phase> $crate::Init for $name<P> {
            fn init<R: $crate::__private::Rng + ?Sized>(rng: &mut R) -> Self {
                $name::init(rng)
            }
        }

        impl<P: $crate::Phase> $crate::Network for $name<P> {
            const INPUT: usize = $input;
            const OUTPUT: usize = $output;
            const PARAMS: usize = Self::__PARAMS;
            const TRAINABLE_PARAMS: usize = Self::__TRAINABLE;

            fn summary(&self) -> $crate::Summary {
                $name::summary(self)
            }
        }

        impl<P: $crate::Phase> ::core::fmt::Debug for $name<P> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!($name))
                    $(.field(::core::stringify!($layer), &self.$layer))*
                    .finish_non_exhaustive()
            }
        }

        impl<P: $crate::Phase> ::core::clone::Clone for $name<P> {
            fn clone(&self) -> Self {
                Self {
                    $($layer: ::core::clone::Clone::clone(&self.$layer),)*
                    __state: ::core::clone::Clone::clone(&self.__state),
                }
            }
        }
    };
}
