//! # typenet
//!
//! Neural networks declared once with [`network!`] and turned into statically
//! shaped nalgebra structs with generated forward and backward code. Widths
//! are checked when the code compiles; the phase (`Train`/`Eval`) is a type
//! parameter, so an inference network cannot drop units by accident; layers
//! without parameters have no weights to ask for.
//!
//! ```
//! use typenet::prelude::*;
//!
//! network! {
//!     /// A small classifier.
//!     pub struct Mnist {
//!         input: 784,
//!         fc1: Dense<256, Relu>,
//!         drop1: Dropout(0.2),
//!         fc2: Dense<128, Relu>,
//!         drop2: Dropout(0.2),
//!         out: Dense<10>,
//!     }
//! }
//!
//! let mut net = Mnist::<Train>::seeded(42);
//! let mut opt = Adam::new(1e-3);
//! let x = Batch::<784>::from_element(32, 0.5);
//! let mut t = Batch::<10>::zeros(32);
//! t.row_mut(3).fill(1.0);
//! let y = net.forward(&x);
//! let loss = CrossEntropy.loss(&y, &t);
//! let grads = net.backward(&CrossEntropy.grad(&y, &t));
//! opt.step(&mut net, &grads);
//! assert!(loss.is_finite());
//! assert_eq!(Mnist::PARAMS, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
//!
//! let net = net.into_eval();
//! let p = net.predict(&SVector::<f32, 784>::from_element(0.5));
//! assert_eq!(p.len(), 10);
//! ```
//!
//! See the README for the declaration syntax, the generated items, training
//! with `fit`, and weight IO.

#![cfg_attr(not(feature = "std"), no_std)]

pub use net_core::*;

/// Declares a network: a struct with one public field per layer, generic over
/// its phase, with forward, backward, `summary`, construction, phase
/// conversion and weight IO generated.
///
/// # Syntax
///
/// ```text
/// network! {
///     #[attributes and doc comments pass through]
///     VIS struct NAME {
///         input: WIDTH | [D1, D2, ..],      // first entry, required
///         #[entry attributes]
///         FIELD: LAYER,
///         ...
///     }
/// }
/// ```
///
/// Widths are integer literals or `const` items. Layers:
///
/// | written | field type | notes |
/// |---|---|---|
/// | `Dense<N>`, `Dense<N, Act>` | `Dense<IN, N, Act>` | Act: `Linear` (default), `Relu`, `Sigmoid`, `Tanh`, `Softmax`, `LeakyRelu`, `Gelu` |
/// | `Relu`, `Sigmoid`, `Tanh`, `Softmax` (also `LeakyRelu`, `Gelu`) | `Activation<IN, Act>` | standalone activation |
/// | `Dropout(rate)`, `Dropout(rate, noise_shape = [..])` | `Dropout<IN, P>` | rate checked in [0, 1] at compile time |
/// | `StopGradient` | `StopGradient<IN>` | identity forward, zero gradient |
/// | `Flatten` | `Flatten<IN>` | no run-time cost |
/// | `BatchNorm` | `BatchNorm<IN, P>` | Keras defaults |
/// | `LayerNorm`, `LayerNorm(eps = E)` | `LayerNorm<F, POSITIONS>` | PyTorch's `nn.LayerNorm(F)` over the last axis (each sample, or each step); eps 1e-5 by default |
/// | `Embedding<V, D>` | `Embedding<T, V, D>` | `[T]` token ids (integral `f32`) -> `[T, D]`; `weight` `[V, D]` as PyTorch |
/// | `Bidirectional(Lstm<U, ..>)`, `Bidirectional(Gru<U, ..>)` | `Bidirectional<Lstm<T, F, U, ..>, T>` | `[2U]` (`[T, 2U]` with `return_sequences`), forward first; `_reverse` tensors as PyTorch; not streamable |
/// | `Conv2dTranspose<F, K>`, `Conv2dTranspose<F, K, Act>` | `Conv2dTranspose<G, C, F, Act, BIAS>` | `nn.ConvTranspose2d` on `[H, W, C]`; options `stride`, `padding`, `output_padding` (below the stride), `bias = false`; weight `[C, F, KH, KW]` |
/// | `UpSampling2d<S>`, `UpSampling2d<[SH, SW]>` | `UpSampling2d<H, W, C, SH, SW>` | nearest neighbour, `[H, W, C]` -> `[SH·H, SW·W, C]` |
/// | `GaussianNoise(stddev)` | `GaussianNoise<IN, P>` | adds N(0, stddev²) in `Train`, the identity in `Eval`; stddev checked positive |
/// | `GaussianDropout(rate)` | `GaussianDropout<IN, P>` | multiplies by N(1, rate/(1-rate)) in `Train`, the identity in `Eval`; rate in [0, 1) |
/// | `RandomFlip`, `RandomFlip(horizontal)`, `RandomFlip(vertical)` | `RandomFlip<H, W, C, P, HORIZONTAL, VERTICAL>` | `[H, W, C]` images mirrored at random per sample in `Train`, the identity in `Eval`; both directions by default |
/// | `RandomTranslation(fraction)` | `RandomTranslation<H, W, C, P>` | `[H, W, C]` images shifted by whole pixels, up to `fraction` of each side, zeros filling, in `Train`; the identity in `Eval` |
/// | any other path, e.g. `Backbone` or `MyGate` | `<Path as Layer>::InPhase<P>` | a nested network or a custom [`Layer`] |
///
/// Entry attributes: `#[frozen]` (layers with parameters), `#[phase(Train)]`
/// / `#[phase(Eval)]` (Dropout, BatchNorm, nested networks), `#[l2(λ)]`
/// (Dense), doc comments.
///
/// # Generated, for `struct Net`
///
/// - `Net<P: Phase = Eval>` with the layers as pub fields, `NetGrads` with a
///   field per trainable layer (`zeros()`, `+=`, `Clone`, `Debug`).
/// - `Net::INPUT`, `OUTPUT`, `PARAMS`, `TRAINABLE_PARAMS` (also on every
///   phase through [`Network`]).
/// - `seeded(seed)`, `init(rng)`, `into_eval()`, `into_train(seed)`,
///   `summary()`, `l2_penalty()`, `evaluate(&data, &loss)`, `state_dict()`,
///   `save(path)`, `load(path)`, `load_into(path)`.
/// - On `Net<Eval>`: `forward(&self, x)`, `forward_into`, `predict(&sample)`.
/// - On `Net<Train>`: `forward(&mut self, x)`, `forward_into`,
///   `backward(&grad_out)`, `backward_into`, `fit(&data, &mut opt, &loss, Fit)`.
///
/// Mistakes are compile errors on the offending token, all reported
/// together:
///
/// ```compile_fail
/// use typenet::prelude::*;
/// network! { struct Net { input: 4, fc: Denes<3>, drop: Dropout(1.5) } }
/// ```
///
/// ```
/// use typenet::prelude::*;
///
/// const HIDDEN: usize = 32;
///
/// network! {
///     /// A backbone, reused below.
///     pub struct Backbone {
///         input: [4, 4],
///         flat: Flatten,
///         fc: Dense<HIDDEN, Relu>,
///         bn: BatchNorm,
///     }
/// }
///
/// network! {
///     pub struct Classifier {
///         input: [4, 4],
///         #[frozen]
///         base: Backbone,
///         drop: Dropout(0.3),
///         #[l2(1e-4)]
///         out: Dense<3>,
///     }
/// }
///
/// let mut net = Classifier::<Train>::seeded(0);
/// let x = Batch::<16>::from_element(8, 0.1);
/// let y = net.forward(&x);
/// let mut t = Batch::<3>::zeros(8);
/// t.row_mut(0).fill(1.0);
/// let grads = net.backward(&CrossEntropy.grad(&y, &t));
/// Adam::new(1e-3).step(&mut net, &grads);
/// assert_eq!(Classifier::TRAINABLE_PARAMS, HIDDEN * 3 + 3);
/// ```
pub use net_macros::network;

/// A network with the weights of a safetensors file baked into the program:
/// the file is read when the crate compiles (its path relative to the
/// crate's `Cargo.toml`), its values become `static` arrays, and the
/// expression builds the network from them — no file, no parsing at run
/// time, so it also serves `no_std` targets.
///
/// Checked when the crate compiles, each error naming the tensor or layer:
/// every tensor is F32 and finite, every tensor belongs to a layer of the
/// network, and each layer's tensors hold as many values as the layer.
/// Names and shapes within a layer are checked again when the expression
/// runs (a panic naming the tensor), as is the sign of a running variance.
///
/// ```
/// use typenet::prelude::*;
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
///
/// let net: Tiny = typenet::include_weights!(Tiny, "tests/fixtures/baked/tiny.safetensors");
/// // The fixture holds the weights of `Tiny::seeded(7)`, bit for bit.
/// assert_eq!(net.state_dict(), Tiny::<Eval>::seeded(7).state_dict());
/// ```
///
/// A file that does not fit the network does not compile:
///
/// ```compile_fail
/// use typenet::prelude::*;
/// network! { pub struct Wider { input: 3, fc: Dense<4> } }
/// // error: layer `Wider.fc` holds 16 values, the file's tensors hold 8
/// let net: Wider = typenet::include_weights!(Wider, "tests/fixtures/baked/tiny.safetensors");
/// ```
pub use net_macros::include_weights;

/// Everything a user of typenet needs in one import.
pub mod prelude {
    pub use crate::network;
    pub use net_core::nalgebra::{SMatrix, SVector};
    pub use net_core::rand::Rng;
    pub use net_core::{
        Activation, Batch, BatchNorm, Dense, DenseGrads, Dropout, Error, Eval, EvalNetwork, Flatten, Gelu,
        Grads, HeapTensor, Init, Layer, LeakyRelu, Linear, Network, Parameterized, Phase, Relu, Sigmoid,
        Softmax, StopGradient, Tanh, Tensors, Train, TrainNetwork, Weights,
    };
    #[cfg(feature = "std")]
    pub use net_core::{
        Adam, AdamW, BinaryCrossEntropy, BinaryCrossEntropyFromLogits, Control, CrossEntropy,
        CrossEntropyFromProbs, Dataset, Fit, History, Loss, Metrics, Mse, Optimizer, RmsProp, Schedule, Sgd,
        Verbosity,
    };
}
