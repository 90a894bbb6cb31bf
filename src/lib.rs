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
//! The [`guide`] walks through typenet chapter by chapter, from a first
//! trained network to graphs, PyTorch weights and performance;
//! [`network!`] lists every layer and attribute.

#![cfg_attr(not(feature = "std"), no_std)]

pub use net_core::*;

/// The guide, one module per chapter: the pages of `docs/guide/` in the
/// repository, rendered here so that every Rust example in them is compiled
/// and run by `cargo test --doc` (examples that train for long are compiled
/// only). It exists only in documentation and doctest builds, not in the
/// crate's API.
#[cfg(any(doc, doctest))]
pub mod guide {
    #[doc = include_str!("../docs/guide/01-getting-started.md")]
    pub mod getting_started {}
    #[doc = include_str!("../docs/guide/02-declaring-networks.md")]
    pub mod declaring_networks {}
    #[doc = include_str!("../docs/guide/03-training.md")]
    pub mod training {}
    #[doc = include_str!("../docs/guide/04-images.md")]
    pub mod images {}
    #[doc = include_str!("../docs/guide/05-sequences-and-streaming.md")]
    pub mod sequences_and_streaming {}
    #[doc = include_str!("../docs/guide/06-graphs.md")]
    pub mod graphs {}
    #[doc = include_str!("../docs/guide/07-weights.md")]
    pub mod weights {}
    #[doc = include_str!("../docs/guide/08-custom-layers.md")]
    pub mod custom_layers {}
    #[doc = include_str!("../docs/guide/09-performance.md")]
    pub mod performance {}
    #[doc = include_str!("../docs/guide/10-deployment.md")]
    pub mod deployment {}
}

/// Declares a network: a struct with one public field per layer, generic over
/// its phase, with forward, backward, `summary`, construction, phase
/// conversion and weight IO generated.
///
/// # Syntax
///
/// ```text
/// network! {
///     /// Blocks: entries written once, used as layers with arguments.
///     block NAME(PARAM, .., OPTION = DEFAULT, ..) {
///         FIELD: LAYER,
///         ...
///     }
///
///     #[attributes and doc comments pass through]
///     VIS struct NAME {
///         input: WIDTH | [D1, D2, ..],      // first entry, required
///         #[entry attributes]
///         FIELD: LAYER,
///         ...
///     }
///     ... more structs and blocks
/// }
/// ```
///
/// Widths are integer literals or `const` items. A shaped input keeps one
/// sample flat, last axis fastest: `[H, W, C]` is an image (channels last),
/// `[T, F]` a sequence of `T` steps, `[T]` token ids. Layers (`Act` is an
/// optional activation: `Linear` (default), `Relu`, `Sigmoid`, `Tanh`,
/// `Softmax`, `LeakyRelu`, `Gelu`; `K`, strides, windows and scales are a
/// number or `[H, W]`):
///
/// | written | field type | notes |
/// |---|---|---|
/// | `Dense<N>`, `Dense<N, Act>` | `Dense<IN, N, Act>` | on a flat input |
/// | `Relu`, `Sigmoid`, `Tanh`, `Softmax`, `LeakyRelu`, `Gelu` | `Activation<IN, Act>` | standalone activation, any shape |
/// | `Dropout(rate)`, `Dropout(rate, noise_shape = [..])` | `Dropout<IN, P>` | rate checked in [0, 1] at compile time; Keras' `noise_shape` (batch axis first, `_` or `1` per axis) |
/// | `SpatialDropout(rate)` | `SpatialDropout<POSITIONS, C, P>` | drops whole channels of `[.., C]` |
/// | `GaussianNoise(stddev)` | `GaussianNoise<IN, P>` | adds N(0, stddev²) in `Train`, the identity in `Eval`; stddev checked positive |
/// | `GaussianDropout(rate)` | `GaussianDropout<IN, P>` | multiplies by N(1, rate/(1-rate)) in `Train`, the identity in `Eval`; rate in [0, 1) |
/// | `RandomFlip`, `RandomFlip(horizontal)`, `RandomFlip(vertical)` | `RandomFlip<H, W, C, P, HORIZONTAL, VERTICAL>` | `[H, W, C]` images mirrored at random per sample in `Train`, the identity in `Eval`; both directions by default |
/// | `RandomTranslation(fraction)` | `RandomTranslation<H, W, C, P>` | `[H, W, C]` images shifted by whole pixels, up to `fraction` of each side, zeros filling, in `Train`; the identity in `Eval` |
/// | `StopGradient` | `StopGradient<IN>` | identity forward, zero gradient |
/// | `Flatten`, `Flatten(channels_first)` | `Flatten<IN>`, `FlattenChannelsFirst<POSITIONS, C>` | no run-time cost; `channels_first` flattens in PyTorch's NCHW order |
/// | `BatchNorm`, `BatchNorm(eps = E, momentum = M)` | `BatchNorm<C, P>` | Keras defaults (1e-3, 0.99); per channel (last axis) on a shaped input |
/// | `LayerNorm`, `LayerNorm(eps = E)` | `LayerNorm<F, POSITIONS>` | PyTorch's `nn.LayerNorm(F)` over the last axis (each sample, or each step); eps 1e-5 by default |
/// | `Conv2d<F, K>`, `Conv2d<F, K, Act>` | `Conv2d<Grid2d<..>, F, Act, BIAS>` | on `[H, W, C]`; options `stride`, `padding = Valid \| Same \| P \| [PH, PW]`, `dilation`, `bias = false`; weight `[F, C, KH, KW]` as PyTorch |
/// | `Conv1d<F, K>`, `Conv1d<F, K, Act>` | `Conv1d<Grid1d<..>, F, Act, BIAS>` (`Causal1d` when causal) | on `[T, C]`; options `stride`, `padding` (also `Causal`: zeros on the left; streams), `dilation`, `bias = false`; weight `[F, C, K]` |
/// | `Conv2dTranspose<F, K>`, `Conv2dTranspose<F, K, Act>` | `Conv2dTranspose<G, C, F, Act, BIAS>` | `nn.ConvTranspose2d` on `[H, W, C]`; options `stride`, `padding`, `output_padding` (below the stride), `bias = false`; weight `[C, F, KH, KW]` |
/// | `UpSampling2d<S>`, `UpSampling2d<[SH, SW]>` | `UpSampling2d<H, W, C, SH, SW>` | nearest neighbour, `[H, W, C]` -> `[SH·H, SW·W, C]` |
/// | `MaxPool2d<P>`, `AvgPool2d<P>` | `MaxPool2d<Grid2d<..>>`, `AvgPool2d<Grid2d<..>>` | window `P`, stride `P` unless `stride = S`; `padding = P` (PyTorch's, at most half the window) or `Same` (Keras') |
/// | `MaxPool1d<P>`, `AvgPool1d<P>` | `MaxPool1d<Grid1d<..>>`, `AvgPool1d<Grid1d<..>>` | on `[T, C]`; options `stride`, `padding` |
/// | `GlobalAvgPool`, `GlobalMaxPool` | `GlobalAvgPool<POSITIONS, C>`, `GlobalMaxPool<POSITIONS, C>` | `[.., C]` -> `[C]` |
/// | `Lstm<U>`, `Gru<U>` | `Lstm<T, F, U, ..>`, `Gru<T, F, U, ..>` | on `[T, F]` -> `[U]` (the last step), `[T, U]` with `return_sequences = true`; options `dropout`, `recurrent_dropout` (in [0, 1), Keras 3's masks); PyTorch's tensors `weight_ih_l0`, .. |
/// | `TimeDistributed(LAYER)` | `TimeDistributed<L, T>` | `Dense`, an activation, `Dropout` or `StopGradient` on every step of `[T, F]`, shared weights |
/// | `Bidirectional(Lstm<U, ..>)`, `Bidirectional(Gru<U, ..>)` | `Bidirectional<Lstm<T, F, U, ..>, T>` | `[2U]` (`[T, 2U]` with `return_sequences`), forward first; `_reverse` tensors as PyTorch; not streamable |
/// | `Embedding<V, D>` | `Embedding<T, V, D>` | `[T]` token ids (integral `f32`) -> `[T, D]`; `weight` `[V, D]` as PyTorch |
/// | `Concat([..], [..], ..)` | (fields of the struct) | graph: runs each path (a bracketed list of entries, or `[]` for the input itself) from the same input and joins the outputs on the last axis; the path's entries are fields of the struct |
/// | `Add([..], [..], ..)` | (fields of the struct) | graph: the same, summing paths of one shape (`[]` is an identity shortcut) |
/// | a block's name, `Block(args)` | a generated network | the block's entries with the arguments substituted, checked from the input it gets |
/// | any other path, e.g. `Backbone` or `MyGate` | `<Path as Layer>::InPhase<P>` | a nested network or a custom [`Layer`] |
///
/// Entry attributes:
///
/// - `#[frozen]`: layers with parameters, nested networks, block uses; the
///   weights stay as they are (no gradient field), gradients still flow
///   through.
/// - `#[phase(Train)]` / `#[phase(Eval)]`: layers that behave differently in
///   the two phases (dropouts, noise, augmentation, BatchNorm, recurrent
///   layers with dropout) and networks holding them.
/// - `#[l2(λ)]`: any layer with a kernel (`Dense`, `Conv1d`, `Conv2d`,
///   `Conv2dTranspose`, `Lstm`, `Gru`, where it covers both kernels), in
///   paths too; adds `2λw` to the kernel's gradient and `λΣw²` to the
///   loss `fit` reports.
/// - `#[rename = "NAME"]`: saves the entry's tensors under `NAME` (PyTorch's
///   `nn.Sequential` indices: `#[rename = "0"]`).
/// - Doc comments.
///
/// Merges (`Concat`, `Add`) take no attribute. `net.stream()` exists for
/// networks over a time axis whose layers are all causal (recurrent layers,
/// causal `Conv1d`, per-step layers, graphs of those); on another network it
/// is a compile error naming the layer that is not.
///
/// The chapters of the [`guide`] show each family at work.
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
/// - On `Net<Eval>`: `forward(&self, x)`, `forward_into`, `predict(&sample)`,
///   `predict_slice`, and for networks over a time axis whose layers are
///   causal, `stream()` returning a `NetStream` (`step`, `reset`, `Clone`).
/// - On `Net<Train>`: `forward(&mut self, x)`, `forward_into`,
///   `backward(&grad_out)`, `backward_into`, `backward_with_input`,
///   `fit(&data, &mut opt, &loss, Fit)`.
/// - Both: `evaluate_with(&data, &loss, Evaluate)`.
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
///
/// Images, sequences and graphs:
///
/// ```
/// use typenet::prelude::*;
///
/// network! {
///     /// Two convolutions added to their input.
///     block Residual(F) {
///         sum: Add([conv1: Conv2d<F, 3, Relu, padding = Same>, conv2: Conv2d<F, 3, padding = 1>], []),
///         relu: Relu,
///     }
///
///     pub struct Cnn {
///         input: [8, 8, 1],
///         flip: RandomFlip(horizontal),
///         #[l2(1e-4)]
///         stem: Conv2d<8, 3, Relu, padding = 1>,             // -> [8, 8, 8]
///         res: Residual(8),
///         cat: Concat([max: MaxPool2d<2>], [avg: AvgPool2d<2>]),  // -> [4, 4, 16]
///         drop: SpatialDropout(0.1),
///         gap: GlobalAvgPool,                                 // -> [16]
///         out: Dense<10>,
///     }
///
///     pub struct Reader {
///         input: [16, 3],
///         conv: Conv1d<8, 3, Tanh, padding = Causal>,         // -> [16, 8]
///         rnn: Gru<4, return_sequences = true, dropout = 0.1>, // -> [16, 4]
///         out: TimeDistributed(Dense<1>),                     // -> [16, 1]
///     }
/// }
///
/// let cnn = Cnn::<Eval>::seeded(1);
/// assert_eq!(cnn.forward(&Batch::<64>::from_element(2, 0.5)).shape(), (10, 2));
///
/// let reader = Reader::<Eval>::seeded(2);
/// let mut stream: ReaderStream = reader.stream();
/// let y = stream.step(&reader, &SVector::<f32, 3>::new(0.1, 0.2, 0.3));
/// assert_eq!(y.len(), 1);
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
