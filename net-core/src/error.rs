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
