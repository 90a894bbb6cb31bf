//! The library's error type.

use crate::no_std_prelude::*;
#[cfg(feature = "std")]
use std::path::PathBuf;

/// Everything that can go wrong at run time in typenet. Shape mistakes are
/// compile errors and never reach here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[cfg(feature = "std")]
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
    /// A class label is not a class index below the number of classes.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let x = Batch::<1>::from_column_slice(&[0.5]);
    /// let err = Dataset::<1, 3>::from_class_labels(x, &[usize::MAX]).unwrap_err();
    /// assert!(matches!(&err, Error::LabelOutOfRange { row: 1, label, classes: 3 }
    ///     if label == "18446744073709551615"));
    /// ```
    #[error("row {row}: label {label} is out of range for {classes} classes")]
    LabelOutOfRange {
        /// 1-based row number: the CSV line (counting a header), or the
        /// sample's position counted from 1 for
        /// [`Dataset::from_class_labels`](crate::Dataset::from_class_labels).
        row: usize,
        /// The label as given, never rounded or clamped: the CSV field's text
        /// (`1.5`, `-1`, `1e30`), or the decimal form of the integer passed
        /// to `from_class_labels`.
        label: String,
        /// Number of classes.
        classes: usize,
    },
    /// A data set (or the part needed) is empty.
    #[error("empty data set: {0}")]
    Empty(String),
    /// An argument is outside its valid range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A layer has no counterpart in the format a network is exported to
    /// (ONNX, PyTorch source).
    ///
    /// ```
    /// let err = typenet::Error::Export { layer: "emb".into(), reason: "no ONNX form".into() };
    /// assert_eq!(err.to_string(), "cannot export layer `emb`: no ONNX form");
    /// ```
    #[error("cannot export layer `{layer}`: {reason}")]
    Export {
        /// The entry's path in the network (`base.fc1`).
        layer: String,
        /// Why.
        reason: String,
    },
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
    /// A load found several problems (missing, unexpected, misshapen or
    /// unconvertible tensors, bad values): every one, in the network's
    /// order and then the file's extra tensors. A load with one problem
    /// returns that problem itself. Nothing was loaded.
    ///
    /// ```
    /// use typenet::Error;
    /// let err = Error::LoadProblems {
    ///     problems: vec![
    ///         Error::MissingTensor { name: "fc1.weight".into() },
    ///         Error::UnexpectedTensor { name: "conv.weight".into() },
    ///     ],
    /// };
    /// assert_eq!(
    ///     err.to_string(),
    ///     "the file does not fit the network in 2 ways:\n  \
    ///      tensor `fc1.weight` is missing from the file\n  \
    ///      the file has tensor `conv.weight`, which the network does not"
    /// );
    /// ```
    #[error(
        "the file does not fit the network in {} ways:{}",
        problems.len(),
        problems.iter().map(|p| format!("\n  {p}")).collect::<String>()
    )]
    LoadProblems {
        /// Each problem, as the error a load with only it would return.
        problems: Vec<Error>,
    },
    /// A network's load failed on which tensors the file holds or their
    /// shapes, and the file records another architecture: it was saved
    /// from another network. `row` is the first layer row (0-based) where
    /// the two summaries differ.
    ///
    /// ```
    /// let err = typenet::Error::OtherArchitecture {
    ///     saved_from: "Other".into(),
    ///     row: 1,
    ///     file: "out: Dense<3> -> [3]".into(),
    ///     network: "fc2: Dense<5, Relu> -> [5]".into(),
    ///     problems: Box::new(typenet::Error::MissingTensor { name: "fc2.weight".into() }),
    /// };
    /// assert_eq!(
    ///     err.to_string(),
    ///     "tensor `fc2.weight` is missing from the file\n\
    ///      the file was saved from another network, `Other`; the summaries differ first at layer row 1: \
    ///      the file's `out: Dense<3> -> [3]`, this network's `fc2: Dense<5, Relu> -> [5]`"
    /// );
    /// ```
    #[error(
        "{problems}\nthe file was saved from another network, `{saved_from}`; the summaries differ first at \
         layer row {row}: the file's `{file}`, this network's `{network}`"
    )]
    OtherArchitecture {
        /// The name of the network the file was saved from.
        saved_from: String,
        /// First differing row of the summaries' layers (0-based).
        row: usize,
        /// That row of the file's recorded summary.
        file: String,
        /// That row of this network's summary.
        network: String,
        /// What the load found.
        problems: Box<Error>,
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
    /// An F64 tensor converted with `LoadOptions::convert_dtypes` holds a
    /// finite value beyond f32's range, which would become infinite.
    ///
    /// ```
    /// let err = typenet::Error::OutOfF32Range { name: "fc.weight".into(), index: 3, value: 1e300 };
    /// assert_eq!(
    ///     err.to_string(),
    ///     "tensor `fc.weight` holds 1e300 (F64) at index 3, beyond f32's range of ±3.4028235e38 \
    ///      (set LoadOptions::allow_non_finite to load it as infinity)"
    /// );
    /// ```
    #[error(
        "tensor `{name}` holds {value:e} (F64) at index {index}, beyond f32's range of ±{max:e} \
         (set LoadOptions::allow_non_finite to load it as infinity)",
        max = f32::MAX
    )]
    OutOfF32Range {
        /// PyTorch-style name.
        name: String,
        /// Index of the first such value, in PyTorch's row-major order.
        index: usize,
        /// The file's value.
        value: f64,
    },
    /// An optimiser checkpoint does not fit the optimiser it is loaded into.
    #[error("optimiser checkpoint: {0}")]
    OptimizerState(String),
    /// Training stopped producing finite numbers: the loss of a batch, the
    /// gradients or the updated weights became NaN or infinite. `fit` then
    /// leaves the network with finite weights (see `fit`'s documentation
    /// for which).
    #[error("training stopped producing finite numbers at epoch {epoch}, step {step}")]
    NonFinite {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within the epoch.
        step: usize,
    },
    /// A data set holds a NaN or infinite input or target. Every
    /// [`Dataset`](crate::Dataset) constructor refuses one, and
    /// [`Dataset::check_finite`](crate::Dataset::check_finite) checks a set
    /// however it was made. (CSV files report a non-finite field as
    /// [`Error::Parse`] instead, naming its line and column.)
    ///
    /// ```
    /// use typenet::error::DataPart;
    /// use typenet::prelude::*;
    /// let err = Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [2.0, f32::NAN]], &[[0.0], [1.0]]).unwrap_err();
    /// assert!(matches!(err, Error::NonFiniteData { sample: 1, part: DataPart::Input, index: 1, value }
    ///     if value.is_nan()));
    /// assert_eq!(err.to_string(), "non-finite data: sample 1 (0-based), input feature 1 is NaN");
    /// ```
    #[error("non-finite data: sample {sample} (0-based), {part} {index} is {value}")]
    NonFiniteData {
        /// 0-based index of the sample (its column in the batches).
        sample: usize,
        /// Whether the value is one of the sample's inputs or its targets.
        part: DataPart,
        /// 0-based index of the feature (in the input) or of the target.
        index: usize,
        /// The offending value: NaN, `inf` or `-inf`.
        value: f32,
    },
    /// A NaN or infinite value in a stream's step, reported by
    /// [`Stream::try_step`](crate::network::Stream::try_step). An input is
    /// refused before the stream's state changes; an output means the
    /// state may hold the value too (a step overflowed), so the stream
    /// gives non-finite values until `reset()`.
    ///
    /// ```
    /// let err = typenet::Error::NonFiniteStep { step: 4, output: false, index: 1, value: f32::NAN };
    /// assert_eq!(err.to_string(), "stream step 4 (0-based, since the last reset): input 1 is NaN");
    /// ```
    #[error(
        "stream step {step} (0-based, since the last reset): {which} {index} is {value}{advice}",
        which = if *.output { "output" } else { "input" },
        advice = if *.output { "; the state may hold it too: reset() the stream to start again" } else { "" }
    )]
    NonFiniteStep {
        /// Steps taken since the stream was made or reset before this one.
        step: usize,
        /// Whether the value is the step's output (else its input).
        output: bool,
        /// 0-based index of the value within the step.
        index: usize,
        /// The offending value: NaN, `inf` or `-inf`.
        value: f32,
    },
    /// An input a layer cannot take although it is finite: a token id that
    /// is not an integer below an `Embedding`'s vocabulary size. `fit`
    /// refuses such a data set before any weight changes (a forward on it
    /// panics, naming the same place).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tagger { input: [3], emb: Embedding<10, 4>, flat: Flatten, out: Dense<1> } }
    /// let data = Dataset::<3, 1>::from_rows(&[[1.0, 2.0, 3.0], [4.0, 2.5, 0.0]], &[[0.0], [1.0]])?;
    /// let mut net = Tagger::<Train>::seeded(1);
    /// let err = net.fit(&data, &mut Adam::new(1e-3), &Mse, Fit::epochs(1)).unwrap_err();
    /// assert!(matches!(err, Error::InvalidData { sample: 1, index: 1, value: 2.5, .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid data: sample 1 (0-based), input 1 is 2.5: Embedding<10, 4> takes token ids, integers in 0..10"
    /// );
    /// # Ok::<(), typenet::Error>(())
    /// ```
    #[error("invalid data: sample {sample} (0-based), input {index} is {value}: {reason}")]
    InvalidData {
        /// 0-based index of the sample (its column in the batches).
        sample: usize,
        /// 0-based index of the value within the sample.
        index: usize,
        /// The value.
        value: f32,
        /// What the layer takes.
        reason: String,
    },
    /// The validation loss of an epoch is NaN or infinite (the weights are
    /// finite, but the network's outputs on the validation part are not).
    #[error("the validation loss is {loss} after epoch {epoch}")]
    NonFiniteValidation {
        /// 1-based epoch.
        epoch: usize,
        /// The loss.
        loss: f32,
    },
    /// A weight file holds a NaN or infinite value, or a negative value in
    /// a tensor that is never negative (a BatchNorm's running variance).
    /// Loading refuses it unless `LoadOptions::allow_non_finite` is set;
    /// saving such a network is allowed (to inspect a diverged run).
    ///
    /// ```
    /// let err = typenet::Error::InvalidValue { name: "bn.running_var".into(), index: 2, value: -1.0 };
    /// assert_eq!(
    ///     err.to_string(),
    ///     "tensor `bn.running_var` holds -1 at index 2, but its values are never negative \
    ///      (set LoadOptions::allow_non_finite to load it anyway)"
    /// );
    /// ```
    #[error(
        "tensor `{name}` holds {value} at index {index}{why} (set LoadOptions::allow_non_finite to load it anyway)",
        why = if .value.is_finite() { ", but its values are never negative" } else { "" }
    )]
    InvalidValue {
        /// PyTorch-style name.
        name: String,
        /// Index of the first bad value, in PyTorch's row-major order.
        index: usize,
        /// The value.
        value: f32,
    },
}

/// Which half of a sample a value belongs to, in [`Error::NonFiniteData`].
///
/// ```
/// use typenet::error::DataPart;
/// assert_eq!(DataPart::Input.to_string(), "input feature");
/// assert_eq!(DataPart::Target.to_string(), "target");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataPart {
    /// The inputs (features), `x` of a [`Dataset`](crate::Dataset).
    Input,
    /// The targets, `y` of a [`Dataset`](crate::Dataset).
    Target,
}

impl core::fmt::Display for DataPart {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DataPart::Input => "input feature",
            DataPart::Target => "target",
        })
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
