//! Layers: the [`Layer`] trait that built-in layers, custom layers and
//! nested networks all implement, and the built-in layers, one per file.

use std::fmt::Debug;

use nalgebra::DimName;
use rand::Rng;

use crate::phase::Phase;
use crate::tensor::{View, ViewMut};

pub mod activation;
pub mod batch_norm;
pub mod dense;
pub mod dropout;
pub mod flatten;
pub mod stop_gradient;

/// A layer: what `network!` chains together.
///
/// Built-in layers, nested networks and your own layers implement this one
/// trait. Widths are type-level (`Const<N>`), batches are column-major views
/// with one column per sample. A training forward may keep what backward
/// needs in `Cache`, which the network owns and hands back to `train_backward`.
///
/// A custom layer that scales its input by a learned-free constant gate:
///
/// ```
/// use typenet::prelude::*;
/// use typenet::{nalgebra::Const, NoGrads, View, ViewMut};
///
/// /// Halves every value: a fixed gate with no parameters.
/// #[derive(Clone, Debug, Default)]
/// pub struct Halve;
///
/// impl Layer for Halve {
///     type In = Const<4>;
///     type Out = Const<4>;
///     type Cache = ();
///     type Grads = NoGrads;
///     type InPhase<Q: Phase> = Self;
///
///     fn infer(&self, x: View<'_, Const<4>>, mut y: ViewMut<'_, Const<4>>) {
///         y.copy_from(&(x * 0.5));
///     }
///     fn train_backward(
///         &mut self,
///         _x: View<'_, Const<4>>,
///         _y: View<'_, Const<4>>,
///         dy: ViewMut<'_, Const<4>>,
///         _cache: &mut (),
///         dx: Option<ViewMut<'_, Const<4>>>,
///         _grads: Option<&mut NoGrads>,
///     ) {
///         if let Some(mut dx) = dx {
///             dx.copy_from(&(dy * 0.5));
///         }
///     }
///     fn into_phase<Q: Phase>(self, _seed: u64) -> Self { self }
/// }
///
/// impl Init for Halve {
///     fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self { Halve }
/// }
///
/// network! {
///     pub struct Gated {
///         input: 4,
///         gate: Halve,
///         out: Dense<2>,
///     }
/// }
///
/// let net = Gated::<Eval>::seeded(1);
/// let y = net.forward(&Batch::<4>::from_element(3, 1.0));
/// assert_eq!(y.shape(), (2, 3));
/// ```
pub trait Layer: Clone + Debug + Send + Sync + 'static {
    /// Input width, `Const<N>`.
    type In: DimName;
    /// Output width, `Const<N>`.
    type Out: DimName;
    /// What a training forward keeps for backward (masks, pre-activations).
    type Cache: Default + Clone + Debug + Send + Sync + 'static;
    /// Gradients of the trainable parameters; [`NoGrads`] when there are none.
    type Grads: Grads;
    /// This layer in phase `Q`: `Self` for layers whose behaviour does not
    /// depend on the phase.
    type InPhase<Q: Phase>: Layer<In = Self::In, Out = Self::Out, Grads = Self::Grads>;

    /// Number of parameters (weights and biases), frozen ones included.
    const PARAM_COUNT: usize = 0;
    /// Number of parameters an optimiser updates.
    const TRAINABLE_COUNT: usize = Self::PARAM_COUNT;
    /// Number of non-trained state values (batch normalisation statistics).
    const STATE_COUNT: usize = 0;

    /// Forward through a shared reference, as the layer's phase behaves
    /// (a `Dropout<N, Train>` draws masks: Monte-Carlo dropout).
    fn infer(&self, x: View<'_, Self::In>, y: ViewMut<'_, Self::Out>);

    /// Forward as the layer behaves in an `Eval` network (dropout off,
    /// running statistics), whatever its own phase: what validation uses.
    fn infer_eval(&self, x: View<'_, Self::In>, y: ViewMut<'_, Self::Out>) {
        self.infer(x, y);
    }

    /// Training forward: may keep in `cache` what backward needs.
    fn train_forward(&mut self, x: View<'_, Self::In>, y: ViewMut<'_, Self::Out>, cache: &mut Self::Cache) {
        let _ = cache;
        self.infer(x, y);
    }

    /// Backward of the last training forward. `x` and `y` are its input and
    /// output, `dy` the gradient of the loss with respect to `y` (the layer
    /// may overwrite it). Writes the input gradient into `dx` when asked for
    /// and the parameter gradients into `grads` when asked for, replacing
    /// what was there.
    fn train_backward(
        &mut self,
        x: View<'_, Self::In>,
        y: View<'_, Self::Out>,
        dy: ViewMut<'_, Self::Out>,
        cache: &mut Self::Cache,
        dx: Option<ViewMut<'_, Self::In>>,
        grads: Option<&mut Self::Grads>,
    );

    /// Converts the layer to phase `Q`; `seed` seeds any random state the
    /// new phase needs (dropout masks).
    fn into_phase<Q: Phase>(self, seed: u64) -> Self::InPhase<Q>;

    /// Calls `f` with each trainable tensor and its gradient, in a fixed
    /// order (what optimisers iterate over).
    fn visit_trainable(&mut self, grads: &Self::Grads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        let _ = (grads, f);
    }

    /// The L2 penalty this layer adds to the loss (networks sum their
    /// `#[l2]` entries).
    fn l2_penalty(&self) -> f32 {
        0.0
    }

    /// Calls `f` with every tensor the layer saves, under its PyTorch-style
    /// name prefixed by `prefix`.
    fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, Tensor<'_>)) {
        let _ = (prefix, f);
    }

    /// Calls `f` with every tensor the layer loads, mutably.
    fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, TensorMut<'_>)) {
        let _ = (prefix, f);
    }
}

/// Constructs a layer with fresh parameters; what `seeded`/`init` call for
/// custom layers and nested networks.
pub trait Init: Sized {
    /// A new layer, drawing any random parameters from `rng`.
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self;
}

/// Gradients of a layer's or network's trainable parameters.
pub trait Grads: Clone + Debug + Send + Sync + 'static {
    /// All-zero gradients, allocated once (reuse them with `backward_into`).
    fn zeros() -> Self;
    /// Adds `other` element-wise (gradient accumulation).
    fn accumulate(&mut self, other: &Self);
    /// Calls `f` with each gradient tensor, in the order of `visit_trainable`.
    fn visit(&self, f: &mut dyn FnMut(&[f32]));
    /// Calls `f` with each gradient tensor, mutably.
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32]));

    /// Sets every gradient to zero.
    fn fill_zero(&mut self) {
        self.visit_mut(&mut |g| g.fill(0.0));
    }
    /// The Euclidean norm over all gradients together.
    fn global_norm(&self) -> f32 {
        let mut sum = 0.0f64;
        self.visit(&mut |g| sum += g.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>());
        sum.sqrt() as f32
    }
}

/// The gradients of a layer without trainable parameters: nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoGrads;

impl Grads for NoGrads {
    fn zeros() -> Self {
        NoGrads
    }
    fn accumulate(&mut self, _other: &Self) {}
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {}
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {}
}

/// Whether a tensor is a trained parameter or state kept beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    /// Trained by optimisers (weights, biases, gamma, beta).
    Parameter,
    /// Saved and loaded but not trained (running statistics).
    State,
}

/// A tensor as a layer stores it: `rows x cols`, column-major; vectors have
/// `cols == 1` and `is_vector`.
#[derive(Clone, Copy, Debug)]
pub struct Tensor<'a> {
    /// Rows (PyTorch's first axis: `out` for a weight).
    pub rows: usize,
    /// Columns (PyTorch's second axis: `in` for a weight); 1 for a vector.
    pub cols: usize,
    /// Whether the tensor is rank 1 in PyTorch's shape.
    pub is_vector: bool,
    /// Column-major values.
    pub data: &'a [f32],
    /// Parameter or state.
    pub kind: TensorKind,
}

/// A mutable [`Tensor`], for loading.
#[derive(Debug)]
pub struct TensorMut<'a> {
    /// Rows.
    pub rows: usize,
    /// Columns; 1 for a vector.
    pub cols: usize,
    /// Whether the tensor is rank 1.
    pub is_vector: bool,
    /// Column-major values.
    pub data: &'a mut [f32],
    /// Parameter or state.
    pub kind: TensorKind,
}

/// A layer with weights and a bias.
///
/// Parameter-free layers (`Dropout`, `StopGradient`, activations) do not
/// implement it, so asking one for its weights is a compile error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no weights",
    label = "this layer has no parameters",
    note = "Dropout, StopGradient, Flatten and activation layers have no weights: Dropout only masks its input while training, the others only transform it; the weights live in the Dense (or BatchNorm) layers around them"
)]
pub trait Parameterized {
    /// Number of parameters.
    const PARAMS: usize;
    /// The weight tensor's type.
    type Weights;
    /// The bias tensor's type.
    type Bias;
    /// The weights.
    fn weight_tensor(&self) -> &Self::Weights;
    /// The bias.
    fn bias_tensor(&self) -> &Self::Bias;
    /// The weights, mutably.
    fn weight_tensor_mut(&mut self) -> &mut Self::Weights;
    /// The bias, mutably.
    fn bias_tensor_mut(&mut self) -> &mut Self::Bias;
}

/// `weights()` and `bias()` on every [`Parameterized`] layer (in the prelude).
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Tiny { input: 3, fc: Dense<2> } }
/// let net = Tiny::<Eval>::seeded(0);
/// assert_eq!(net.fc.weights().shape(), (2, 3));
/// assert_eq!(net.fc.bias().len(), 2);
/// ```
pub trait Weights: Parameterized {
    /// The weights.
    fn weights(&self) -> &Self::Weights {
        self.weight_tensor()
    }
    /// The bias.
    fn bias(&self) -> &Self::Bias {
        self.bias_tensor()
    }
    /// The weights, mutably.
    fn weights_mut(&mut self) -> &mut Self::Weights {
        self.weight_tensor_mut()
    }
    /// The bias, mutably.
    fn bias_mut(&mut self) -> &mut Self::Bias {
        self.bias_tensor_mut()
    }
}

impl<T: Parameterized> Weights for T {}

pub use activation::{Activation, ActivationFn, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh};
pub use batch_norm::BatchNorm;
pub use dense::{Dense, DenseGrads};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use stop_gradient::StopGradient;
