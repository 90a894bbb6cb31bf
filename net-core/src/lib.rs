//! The runtime of typenet: layers, phases, losses, optimisers, training,
//! data and weight IO. Users depend on the `typenet` facade, which
//! re-exports all of this together with the `network!` macro.

//!
//! Without the default `std` feature the crate is `no_std` (it needs
//! `alloc`): layers, networks' inference (`forward_into`, `predict_into`),
//! streaming, baked weights (`include_weights!`) and the portable kernels
//! remain; training, optimisers, losses, metrics, weight files, data sets
//! and threads need `std`.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

/// What `std` gives every module and `core` alone does not, imported by the
/// modules that build without `std`: the heap types of `std`'s prelude, and
/// without `std` the float functions (`sqrt`, `exp`, ...) from `libm`
/// through nalgebra's `ComplexField`.
mod no_std_prelude {
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
    pub(crate) use alloc::{format, vec};
    #[cfg(not(feature = "std"))]
    pub(crate) use nalgebra::ComplexField as _;
}

mod api;
#[cfg(feature = "std")]
pub mod data;
pub mod error;
pub mod init;
#[cfg(feature = "std")]
pub mod io;
pub mod layers;
mod linalg;
#[cfg(feature = "std")]
pub mod loss;
pub mod math;
#[cfg(feature = "std")]
pub mod metrics;
pub mod network;
#[cfg(feature = "std")]
pub mod optim;
pub mod phase;
pub mod rng;
pub mod summary;
pub mod tensor;
#[cfg(feature = "std")]
pub mod testing;
#[cfg(feature = "std")]
pub mod train;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use api::{EvalNetwork, Network, TrainNetwork, Training};
#[cfg(feature = "std")]
pub use data::{CsvOptions, Dataset, Standardizer};
pub use error::{Error, Result};
pub use layers::{
    Activation, ActivationFn, AvgPool1d, AvgPool2d, BatchNorm, BatchNormGrads, Causal1d, Cell, Conv, Conv1d,
    Conv2d, Dense, DenseGrads, Dropout, Flatten, FlattenChannelsFirst, GateBiases, GateKernels, Gelu,
    Geometry, GlobalAvgPool, GlobalMaxPool, Grads, GradsOf, Grid1d, Grid2d, Gru, HeapTensor, Independent,
    Init, Layer, LeakyRelu, Linear, Lstm, MaxPool1d, MaxPool2d, NoGrads, NoiseShape, Parameterized,
    Recurrent, RecurrentGrads, Relu, Sigmoid, Softmax, SpatialDropout, StopGradient, Tanh, TensorKind,
    TensorMut, TensorRef, Tensors, TimeDistributed, ValueRange, WeightBiasGrads, Weights,
};
pub use layers::{Bidirectional, BidirectionalGrads};
pub use layers::{Conv2dTranspose, UpSampling2d};
pub use layers::{Embedding, EmbeddingGrads};
pub use layers::{GaussianDropout, GaussianNoise};
pub use layers::{LayerNorm, LayerNormGrads};
pub use layers::{RandomFlip, RandomTranslation};
pub use layers::{StepWidth, StepWise, Streamable};
#[doc(hidden)]
pub use linalg::matmul_cols as __matmul_cols;
pub use linalg::{num_threads, set_num_threads};
#[cfg(feature = "std")]
pub use loss::{
    AccuracyKind, BinaryCrossEntropy, BinaryCrossEntropyFromLogits, CrossEntropy, CrossEntropyFromProbs,
    Loss, Mse,
};
pub use network::{Stream, StreamChain};
#[cfg(feature = "std")]
pub use optim::{Adam, AdamW, Descent, Optimizer, RmsProp, Rule, Sgd};
pub use phase::{Eval, Phase, PhaseData, PhaseKind, PhaseMut, PhaseRef, Train, TrainOnly};
pub use summary::{Summary, SummaryRow};
pub use tensor::{Batch, Cols, ColsMut};
#[cfg(feature = "std")]
pub use train::{
    Callback, Checkpoint, Context, Control, CsvLogger, Evaluate, Fit, History, Metrics, Mode,
    ReduceLrOnPlateau, Schedule, Verbosity, Warmup,
};

pub use nalgebra;
pub use rand;
