//! Watching one measured value for improvement, as Keras'
//! `MonitorCallback` does for `ModelCheckpoint` and `ReduceLROnPlateau`.

use super::Context;
use crate::error::{Error, Result};
use crate::optim::decimal;

/// Which way a monitored value improves (Keras' `mode`: `"auto"`, `"min"`,
/// `"max"`).
///
/// ```
/// use typenet::train::{Checkpoint, Mode};
/// let keep_most_accurate = Checkpoint::best("best.safetensors").monitor("val_accuracy").mode(Mode::Maximize);
/// # let _ = keep_most_accurate;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// From the name: losses go down; `accuracy` and metrics go the way
    /// their [`Metric::higher_is_better`](crate::metrics::Metric::higher_is_better)
    /// says. `fit` refuses a name whose direction it cannot tell.
    #[default]
    Auto,
    /// Lower is better.
    Minimize,
    /// Higher is better.
    Maximize,
}

/// The best value so far of a monitored quantity, and whether a new one
/// improves on it.
#[derive(Clone, Debug)]
pub(crate) struct Monitor {
    pub name: String,
    pub mode: Mode,
    /// Keras' `min_delta`, as given (its absolute value is used).
    pub min_delta: f32,
    pub best: Option<f32>,
    /// Resolved at the start of training: whether lower is better.
    lower_is_better: bool,
}

impl Monitor {
    pub(crate) fn new(name: &str, min_delta: f32) -> Self {
        Monitor { name: name.into(), mode: Mode::Auto, min_delta, best: None, lower_is_better: true }
    }

    /// Checks the monitored name against what `fit` measures and settles
    /// the direction; `owner` names the callback in the error.
    pub(crate) fn start(&mut self, ctx: &Context<'_>, owner: &str) -> Result<()> {
        if !ctx.measured.has(&self.name) {
            let hint = if self.name.starts_with("val_") { " (is there a validation split?)" } else { "" };
            return Err(Error::InvalidArgument(format!(
                "{owner} monitors `{}`, which this fit does not measure{hint}; it measures: {}",
                self.name,
                ctx.measured.list()
            )));
        }
        self.lower_is_better = match self.mode {
            Mode::Minimize => true,
            Mode::Maximize => false,
            Mode::Auto => match ctx.measured.higher_is_better(&self.name) {
                Some(up) => !up,
                None => {
                    return Err(Error::InvalidArgument(format!(
                        "{owner} cannot tell whether `{}` should go up or down: set .mode(Mode::Maximize) or .mode(Mode::Minimize)",
                        self.name
                    )))
                }
            },
        };
        Ok(())
    }

    /// The monitored value of the epoch just ended.
    ///
    /// # Errors
    /// `Error::InvalidArgument` if it has no number (a confusion matrix).
    pub(crate) fn current(&self, ctx: &Context<'_>, owner: &str) -> Result<f32> {
        ctx.value(&self.name).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "{owner} monitors `{}`, which has no number to compare",
                self.name
            ))
        })
    }

    /// Sets the direction without a context (tests replaying Keras).
    #[cfg(test)]
    pub(crate) fn start_with(&mut self, lower_is_better: bool) {
        self.lower_is_better = lower_is_better;
    }

    /// Keras' `_is_improvement`: `current - min_delta < best` (lower is
    /// better) or `current + min_delta > best`, the shifted value computed
    /// in double precision and both compared as f32, as Keras' ops do; the
    /// first value always improves. A NaN never does, and a NaN best is
    /// never beaten.
    pub(crate) fn is_improvement(&self, current: f32) -> bool {
        let Some(best) = self.best else { return true };
        let delta = decimal(self.min_delta).abs();
        if self.lower_is_better {
            ((current as f64 + delta) as f32) < best
        } else {
            ((current as f64 - delta) as f32) > best
        }
    }
}
