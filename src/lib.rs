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

pub use net_core::*;

/// Declares a network: a struct with one public field per layer, generic over
/// its phase, with forward, backward, `summary`, construction and phase
/// conversion generated. See the crate documentation and the README.
pub use net_macros::network;

/// Everything a user of typenet needs in one import.
pub mod prelude {
    pub use crate::network;
    pub use net_core::nalgebra::{SMatrix, SVector};
    pub use net_core::rand::Rng;
    pub use net_core::{
        Activation, Adam, AdamW, Batch, BatchNorm, BinaryCrossEntropy, BinaryCrossEntropyFromLogits, Control,
        CrossEntropy, CrossEntropyFromProbs, Dataset, Dense, DenseGrads, Dropout, Error, Eval, Fit, Flatten,
        Gelu, Grads, History, Init, Layer, LeakyRelu, Linear, Loss, Metrics, Mse, Network, Optimizer,
        Parameterized, Phase, Relu, RmsProp, Schedule, Sgd, Sigmoid, Softmax, StopGradient, Tanh, Train,
        Weights,
    };
}
