//! The runtime of typenet: layers, phases, losses, optimisers, training,
//! data and weight IO. Users depend on the `typenet` facade, which
//! re-exports all of this together with the `network!` macro.

#![warn(missing_docs)]

pub mod data;
pub mod error;
pub mod io;
pub mod layers;
mod linalg;
pub mod loss;
pub mod network;
pub mod optim;
pub mod phase;
pub mod rng;
pub mod tensor;
pub mod testing;
pub mod train;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use data::{CsvOptions, Dataset, Standardizer};
pub use error::{Error, Result};
pub use layers::batch_norm::BatchNormGrads;
pub use layers::dropout::{Independent, NoiseShape};
pub use layers::{
    Activation, ActivationFn, BatchNorm, Dense, DenseGrads, Dropout, Flatten, Gelu, Grads, Init, Layer,
    LeakyRelu, Linear, NoGrads, Parameterized, Relu, Sigmoid, Softmax, StopGradient, Tanh, Tensor,
    TensorKind, TensorMut, Weights,
};
#[doc(hidden)]
pub use linalg::matmul_cols as __matmul_cols;
pub use linalg::{num_threads, set_num_threads};
pub use loss::{
    Accuracy, BinaryCrossEntropy, BinaryCrossEntropyFromLogits, CrossEntropy, CrossEntropyFromProbs, Loss,
    Mse,
};
pub use network::{Network, Summary, SummaryRow};
pub use optim::{Adam, AdamW, Optimizer, RmsProp, Sgd};
pub use phase::{Eval, Phase, Train};
pub use tensor::{view, view_mut, width, Batch, Buf, View, ViewMut};
pub use train::{Control, Fit, History, Metrics, Schedule};

pub use nalgebra;
pub use rand;
