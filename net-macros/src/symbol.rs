//! The words of the `network!` language, in one place.

pub const INPUT: &str = "input";

pub const DENSE: &str = "Dense";
pub const DROPOUT: &str = "Dropout";
pub const STOP_GRADIENT: &str = "StopGradient";
pub const FLATTEN: &str = "Flatten";
pub const BATCH_NORM: &str = "BatchNorm";

/// Activations usable inside `Dense<N, Act>`.
pub const DENSE_ACTIVATIONS: &[&str] = &["Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Gelu"];
/// Activations usable as standalone layers.
pub const STANDALONE_ACTIVATIONS: &[&str] = &["Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Gelu"];

/// Every built-in layer name, for "did you mean" suggestions.
pub const BUILT_INS: &[&str] = &[
    DENSE,
    DROPOUT,
    STOP_GRADIENT,
    FLATTEN,
    BATCH_NORM,
    "Relu",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LeakyRelu",
    "Gelu",
];

pub const ATTR_FROZEN: &str = "frozen";
pub const ATTR_PHASE: &str = "phase";
pub const ATTR_L2: &str = "l2";
pub const ATTR_DOC: &str = "doc";

pub const PHASE_TRAIN: &str = "Train";
pub const PHASE_EVAL: &str = "Eval";

pub const NOISE_SHAPE: &str = "noise_shape";
