//! Training: `fit` with its settings ([`Fit`]), the [`History`] it returns,
//! learning-rate [`Schedule`]s, [`Callback`]s, and `evaluate`'s
//! [`Metrics`].
//!
//! `fit` is in parts: the settings and their checks (`settings`), one
//! epoch of steps (`epoch`), evaluation (`evaluate`), early stopping as a
//! component asked after each epoch (`early_stopping`), callbacks and their
//! context (`callbacks`), what is shown while training (`progress`), the
//! notice of an unoptimised build (`notice`), and the loop that joins them
//! (`fit`).

mod callbacks;
mod early_stopping;
mod epoch;
mod evaluate;
mod fit;
mod history;
pub mod notice;
mod progress;
mod schedule;
mod settings;

pub use callbacks::{Callback, Checkpoint, Context, CsvLogger, Mode, ReduceLrOnPlateau, Warmup};
pub use evaluate::{evaluate, evaluate_with, try_evaluate, Evaluate, Metrics};
pub use fit::fit;
pub use history::History;
pub use progress::Verbosity;
pub use schedule::{Control, Schedule};
pub use settings::{EpochCallback, Fit};
