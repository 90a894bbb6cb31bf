//! Training: `fit` with its settings ([`Fit`]), the [`History`] it returns,
//! learning-rate [`Schedule`]s, and `evaluate`'s [`Metrics`].
//!
//! `fit` is in parts: the settings and their checks (`settings`), one
//! epoch of steps (`epoch`), evaluation (`evaluate`), early stopping as a
//! component asked after each epoch (`early_stopping`), and the loop that
//! joins them (`fit`).

mod early_stopping;
mod epoch;
mod evaluate;
mod fit;
mod history;
mod progress;
mod schedule;
mod settings;

pub use evaluate::{evaluate, Metrics};
pub use fit::fit;
pub use history::History;
pub use schedule::{Control, Schedule};
pub use settings::{EpochCallback, Fit};
