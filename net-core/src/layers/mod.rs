//! Layers: the [`Layer`] trait that built-in layers, custom layers and
//! nested networks all implement, and the built-in layers, one per file.
//!
//! Everything the `network!` macro and the training code need to know about
//! a layer is answered here, by its type: its widths, whether it has
//! parameters, whether it depends on the phase, whether it has a kernel an
//! L2 penalty applies to. The macro only wires layers together.

use crate::no_std_prelude::*;
use core::fmt::Debug;

use rand::Rng;

use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

pub mod activation;
pub mod batch_norm;
pub mod bidirectional;
pub mod conv;
pub mod conv_transpose;
pub mod dense;
pub mod dropout;
pub mod embedding;
pub mod export;
pub mod flatten;
pub mod gaussian_dropout;
pub mod gaussian_noise;
pub mod grads;
pub mod gru;
pub mod layer_norm;
pub mod lstm;
pub mod noise;
pub mod pool;
pub mod random_flip;
pub mod random_translation;
pub mod recurrent;
mod scratch;
pub mod spatial_dropout;
pub mod stop_gradient;
pub mod streaming;
pub mod tensors;
pub mod time_distributed;
pub mod upsampling;

/// A layer: what `network!` chains together.
///
/// Built-in layers, nested networks and your own layers implement this one
/// trait. A layer maps `INPUT` values per sample to `OUTPUT` values per
/// sample; batches come as [`Cols`] (column-major, one column per sample).
/// A training forward may keep what backward needs in `Cache`, which the
/// network owns and hands back to `train_backward`. Its tensors are
/// described once by [`Tensors`] (derived), from which their saving,
/// loading, training and counting follow.
///
/// A custom layer that halves its input (no parameters, same in every phase):
///
/// ```
/// use typenet::prelude::*;
/// use typenet::{Cols, ColsMut, NoGrads};
///
/// #[derive(Clone, Debug, Default, Tensors)]
/// pub struct Halve;
///
/// impl Layer for Halve {
///     const INPUT: usize = 4;
///     const OUTPUT: usize = 4;
///     type Cache = ();
///     type Grads = NoGrads;
///     type InPhase<Q: Phase> = Self;
///
///     fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
///         for (y, x) in y.as_mut_slice().iter_mut().zip(x.as_slice()) {
///             *y = 0.5 * x;
///         }
///     }
///     fn train_backward(
///         &mut self,
///         _x: Cols<'_>,
///         _y: Cols<'_>,
///         dy: ColsMut<'_>,
///         _cache: &mut (),
///         dx: Option<ColsMut<'_>>,
///         _grads: Option<&mut NoGrads>,
///     ) {
///         if let Some(mut dx) = dx {
///             for (dx, dy) in dx.as_mut_slice().iter_mut().zip(dy.as_slice()) {
///                 *dx = 0.5 * dy;
///             }
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
/// typenet::testing::check_layer_gradients(Halve, 3);
/// ```
pub trait Layer: Tensors + Clone + Debug + Send + Sync + 'static {
    /// Values per input sample (the product of the input shape).
    const INPUT: usize;
    /// Values per output sample.
    const OUTPUT: usize;
    /// The shape of one output sample (a network's last entry's shape; a
    /// flat `[OUTPUT]` for other layers): what lets a layer after a nested
    /// network see the map it outputs.
    const OUTPUT_SHAPE: &'static [usize] = &[Self::OUTPUT];
    /// Whether the output is the input and the input gradient the output
    /// gradient (`Flatten`): a network keeps no buffer for it and skips it.
    const PASSES_THROUGH: bool = false;
    /// Whether no gradient reaches the layers before it (`StopGradient`): a
    /// network then runs no backward below it.
    const STOPS_GRADIENT: bool = false;
    /// Whether the layer behaves differently in `Train` and `Eval`
    /// (dropout, batch normalisation, networks holding either), so that
    /// `#[phase(..)]` means something on it.
    const PHASED: bool = false;

    /// What a training forward keeps for backward (masks, pre-activations).
    type Cache: Default + Clone + Debug + Send + Sync + 'static;
    /// Gradients of the trainable parameters, block for block as
    /// [`Tensors::visit_parameters`] visits them; [`NoGrads`] when there
    /// are none.
    type Grads: Grads;
    /// This layer in phase `Q`: `Self` for layers whose behaviour does not
    /// depend on the phase.
    type InPhase<Q: Phase>: Layer<Grads = Self::Grads>;

    /// Forward through a shared reference, as the layer's own phase behaves
    /// (a `Dropout<N, Train>` draws masks: Monte-Carlo dropout).
    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>);

    /// Forward as the layer behaves in an `Eval` network (dropout off,
    /// running statistics), whatever its own phase: what validation uses.
    fn infer_eval(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.infer(x, y);
    }

    /// Training forward: may keep in `cache` what backward needs.
    fn train_forward(&mut self, x: Cols<'_>, y: ColsMut<'_>, cache: &mut Self::Cache) {
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
        x: Cols<'_>,
        y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut Self::Cache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut Self::Grads>,
    );

    /// Converts the layer to phase `Q`; `seed` seeds any random state the
    /// new phase needs (dropout masks).
    fn into_phase<Q: Phase>(self, seed: u64) -> Self::InPhase<Q>;

    /// Checks a batch of inputs the layer will be given (`x`, one sample
    /// per column) for values it cannot take although they are finite (an
    /// `Embedding`'s token ids): what `fit` asks of a network's first layer
    /// before any weight changes, so a bad sample is an error rather than
    /// the panic `infer` gives. Every input is accepted by default.
    ///
    /// # Errors
    /// `Error::InvalidData` naming the first sample and input position
    /// that does not fit.
    fn check_inputs(&self, x: Cols<'_>) -> crate::error::Result<()> {
        let _ = x;
        Ok(())
    }

    /// Calls `f` with each trainable block and its gradient, in the order
    /// of [`Grads::visit`] (what optimisers iterate over). Derived from
    /// [`Tensors`]: a layer does not write it.
    fn visit_trainable(&mut self, grads: &Self::Grads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        tensors::pair_with_gradients(self, grads, f);
    }

    /// The L2 penalty `lambda * sum(w^2)` over the kernels (0 without
    /// one); a network returns the penalty of its own `#[l2]` layers.
    fn l2_term(&self, lambda: f32) -> f32 {
        tensors::l2_term(self, lambda)
    }

    /// Adds the gradient of [`l2_term`](Self::l2_term), `2 lambda w`,
    /// to the kernels' gradients.
    fn add_l2_gradient(&self, lambda: f32, grads: &mut Self::Grads) {
        tensors::add_l2_gradient(self, lambda, grads);
    }

    /// The summary rows of what the layer holds, at `depth` (a block's
    /// layers, under its own row); nothing for a single layer.
    fn nested_summary_rows(depth: usize, rows: &mut Vec<crate::summary::SummaryRow>) {
        let _ = (depth, rows);
    }

    /// What the layer computes at inference, for the ONNX and PyTorch
    /// exporters; [`Op::Unsupported`](export::Op::Unsupported) (naming the
    /// type) unless the layer says.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// use typenet::layers::export::Op;
    /// assert_eq!(StopGradient::<4>::default().export_op(), Op::Identity);
    /// ```
    fn export_op(&self) -> export::Op {
        export::Op::Unsupported(core::any::type_name::<Self>().to_string())
    }
}

/// Constructs a layer with fresh parameters: what `seeded`/`init` call for
/// every layer, nested networks and custom layers included.
pub trait Init: Sized {
    /// A new layer, drawing any random parameters from `rng`.
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self;

    /// A new layer whose parameters come from `seed`: the same seed gives
    /// the same layer, bit for bit.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let a = Dense::<3, 2, Relu>::seeded(7);
    /// assert_eq!(a.weights(), Dense::<3, 2, Relu>::seeded(7).weights());
    /// ```
    fn seeded(seed: u64) -> Self {
        Self::init(&mut crate::rng::init_rng(seed))
    }
}

/// Gradients of a layer's or network's trainable parameters.
pub trait Grads: Clone + Debug + Send + Sync + 'static {
    /// All-zero gradients, allocated once (reuse them with `backward_into`).
    fn zeros() -> Self;
    /// Gradients whose values are unspecified (but finite), for a backward
    /// that overwrites every one: storage of dropped gradients is reused,
    /// so `backward`, which returns new gradients every step, does not
    /// allocate and fault in fresh memory each time. Defaults to `zeros`.
    fn recycled() -> Self {
        Self::zeros()
    }
    /// Calls `f` with each gradient tensor, in the order of `visit_trainable`.
    fn visit(&self, f: &mut dyn FnMut(&[f32]));
    /// Calls `f` with each gradient tensor, mutably.
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32]));
    /// Calls `f` with each tensor of `self` and the same tensor of `other`.
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32]));

    /// Adds `other` element-wise (gradient accumulation).
    fn accumulate(&mut self, other: &Self) {
        self.visit_pairs(other, &mut |a, b| a.iter_mut().zip(b).for_each(|(a, b)| *a += b));
    }
    /// Sets every gradient to zero.
    fn fill_zero(&mut self) {
        self.visit_mut(&mut |g| g.fill(0.0));
    }
    /// The Euclidean norm over all gradients together (NaN if any is NaN).
    fn global_norm(&self) -> f32 {
        let mut sum = 0.0f64;
        self.visit(&mut |g| sum += g.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>());
        sum.sqrt() as f32
    }
}

/// The gradients of `L`: what `network!` declares a trainable entry's
/// gradient field as.
pub type GradsOf<L> = <L as Layer>::Grads;

/// The gradients of a layer without trainable parameters: nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoGrads;

impl Grads for NoGrads {
    fn zeros() -> Self {
        NoGrads
    }
    fn visit(&self, _f: &mut dyn FnMut(&[f32])) {}
    fn visit_mut(&mut self, _f: &mut dyn FnMut(&mut [f32])) {}
    fn visit_pairs(&mut self, _other: &Self, _f: &mut dyn FnMut(&mut [f32], &[f32])) {}
}

/// A layer with weights and a bias.
///
/// Parameter-free layers (`Dropout`, `StopGradient`, `Flatten`,
/// activations) do not implement it, so asking one for its weights is a
/// compile error. The accessors users call live on [`Weights`] (in the
/// prelude), which every `Parameterized` layer has; the parameter count is
/// [`Layer::PARAMS`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no weights",
    label = "this layer has no parameters",
    note = "Dropout, StopGradient, Flatten and activation layers have no weights: Dropout only masks its input while training, the others only transform it; the weights live in the Dense (or BatchNorm) layers around them"
)]
pub trait Parameterized: Layer {
    /// The weight tensor's type.
    type Weights;
    /// The bias tensor's type.
    type Bias;
    /// The weights and the bias.
    fn parameters(&self) -> (&Self::Weights, &Self::Bias);
    /// The weights and the bias, mutably.
    fn parameters_mut(&mut self) -> (&mut Self::Weights, &mut Self::Bias);
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
        self.parameters().0
    }
    /// The bias.
    fn bias(&self) -> &Self::Bias {
        self.parameters().1
    }
    /// The weights, mutably.
    fn weights_mut(&mut self) -> &mut Self::Weights {
        self.parameters_mut().0
    }
    /// The bias, mutably.
    fn bias_mut(&mut self) -> &mut Self::Bias {
        self.parameters_mut().1
    }
}

impl<T: Parameterized> Weights for T {}

pub use activation::{Activation, ActivationFn, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh};
pub use batch_norm::{BatchNorm, BatchNormGrads};
pub use bidirectional::{Bidirectional, BidirectionalGrads};
pub use conv::{Causal1d, Conv, Conv1d, Conv2d, Geometry, Grid1d, Grid2d};
pub use conv_transpose::Conv2dTranspose;
pub use dense::{Dense, DenseGrads};
pub use dropout::{Dropout, Independent, NoiseShape};
pub use embedding::{Embedding, EmbeddingGrads};
pub use flatten::{Flatten, FlattenChannelsFirst};
pub use gaussian_dropout::{GaussianDropout, NormalFactors};
pub use gaussian_noise::{AdditiveGaussian, GaussianNoise};
pub use grads::WeightBiasGrads;
pub use gru::{Gru, GruCell};
pub use layer_norm::{LayerNorm, LayerNormGrads};
pub use lstm::{Lstm, LstmCell};
/// `#[derive(Tensors)]`: see [`Tensors`].
pub use net_macros::Tensors;
pub use noise::{pass_gradient, Draws, MaskStream, Noise, Noisy};
pub use pool::{
    Average, AverageOfInputs, AvgPool1d, AvgPool2d, GlobalAvgPool, GlobalMaxPool, GlobalPool, Max, MaxPool1d,
    MaxPool2d, Pool, Reduction,
};
pub use random_flip::{Flips, RandomFlip};
pub use random_translation::{RandomTranslation, Shifts};
pub use recurrent::{Cell, GateBiases, GateKernels, Recurrent, RecurrentGrads};
pub use scratch::{with_scratch, with_small_scratch};
pub use spatial_dropout::SpatialDropout;
pub use stop_gradient::StopGradient;
pub use streaming::{StepMismatch, StepWidth, StepWise, Streamable};
pub use tensors::{
    boxed_copy, check_block, identity_axes, shape_len, Heap, HeapTensor, NoBias, TensorKind, TensorMut,
    TensorRef, TensorStorage, Tensors, ValueRange,
};
pub use time_distributed::TimeDistributed;
pub use upsampling::UpSampling2d;
