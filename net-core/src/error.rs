//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong at run time in typenet. Shape mistakes are
/// compile errors and never reach here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A CSV or data field could not be parsed.
    #[error("row {row}, column {column}: {message}")]
    Parse {
        /// 1-based row (line) number.
        row: usize,
        /// 1-based column number.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A row has a different number of fields from the first.
    #[error("row {row} has {found} fields, expected {expected}")]
    RaggedRow {
        /// 1-based row number.
        row: usize,
        /// Fields expected.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A class label is not below the number of classes.
    #[error("row {row}: label {label} is out of range for {classes} classes")]
    LabelOutOfRange {
        /// 1-based row number.
        row: usize,
        /// The label.
        label: i64,
        /// Number of classes.
        classes: usize,
    },
    /// A data set (or the part needed) is empty.
    #[error("empty data set: {0}")]
    Empty(String),
    /// An argument is outside its valid range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Drawing a plot failed.
    #[error("plotting failed: {0}")]
    Plot(String),
    /// The file is not a safetensors file at all (its first bytes cannot
    /// start one).
    #[error("not a safetensors file: {0}")]
    NotSafetensors(String),
    /// The file starts like safetensors but its JSON header is unreadable
    /// or describes tensors that do not fit the file.
    #[error("invalid safetensors header: {0}")]
    InvalidHeader(String),
    /// The file ends before the data its header announces.
    #[error("truncated safetensors file: {found} bytes, the header needs {expected}")]
    Truncated {
        /// Bytes the header says the file holds.
        expected: u64,
        /// Bytes actually there.
        found: u64,
    },
    /// The network has a tensor the file does not.
    #[error("tensor `{name}` is missing from the file")]
    MissingTensor {
        /// PyTorch-style name, e.g. `fc1.weight`.
        name: String,
    },
    /// The file has a tensor the network does not (allowed with
    /// `LoadOptions::allow_extra`).
    #[error("the file has tensor `{name}`, which the network does not")]
    UnexpectedTensor {
        /// PyTorch-style name.
        name: String,
    },
    /// A tensor's shape differs from the network's.
    #[error("tensor `{name}` has shape {found:?} in the file, the network expects {expected:?}")]
    ShapeMismatch {
        /// PyTorch-style name.
        name: String,
        /// Shape the network needs (PyTorch order, `[out, in]` for a weight).
        expected: Vec<usize>,
        /// Shape in the file.
        found: Vec<usize>,
    },
    /// A tensor is not f32 and may not be converted (F16, BF16 and F64
    /// convert with `LoadOptions::convert_dtypes`; other types never do).
    #[error("tensor `{name}` is {found}, expected F32{hint}", hint = if *.convertible { " (set LoadOptions::convert_dtypes to convert it)" } else { "" })]
    DtypeMismatch {
        /// PyTorch-style name.
        name: String,
        /// The file's dtype, as safetensors spells it (`F64`, `I64`, ...).
        found: String,
        /// Whether `LoadOptions::convert_dtypes` would have converted it.
        convertible: bool,
    },
    /// An optimiser checkpoint does not fit the optimiser it is loaded into.
    #[error("optimiser checkpoint: {0}")]
    OptimizerState(String),
    /// The loss became NaN or infinite.
    #[error("loss is not finite at epoch {epoch}, step {step}")]
    NonFinite {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within the epoch.
        step: usize,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
