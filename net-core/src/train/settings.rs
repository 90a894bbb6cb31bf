//! [`Fit`]: the settings of `fit`, Keras' `model.fit` arguments as a builder.

use super::{Control, History, Schedule};
use crate::error::{Error, Result};

/// A per-epoch callback: the (1-based) epoch and the history so far.
pub type EpochCallback<'a> = Box<dyn FnMut(usize, &History) -> Control + 'a>;

/// The settings of `fit`, Keras' `model.fit` arguments as a builder.
///
/// ```
/// use typenet::train::{Fit, Schedule};
/// let settings = Fit::epochs(5)
///     .batch_size(32)
///     .validation_split(0.1)
///     .shuffle(true)
///     .seed(7)
///     .early_stopping(3)
///     .clip_norm(1.0)
///     .schedule(Schedule::Cosine { epochs: 5, min_lr: 1e-5 })
///     .verbose(false);
/// assert_eq!(settings.epoch_count(), 5);
/// ```
pub struct Fit<'a> {
    pub(super) epochs: usize,
    pub(super) batch_size: usize,
    pub(super) validation_split: f32,
    pub(super) shuffle: bool,
    pub(super) seed: u64,
    pub(super) verbose: bool,
    pub(super) patience: Option<usize>,
    pub(super) clip_norm: Option<f32>,
    pub(super) schedule: Option<Schedule>,
    pub(super) on_epoch: Option<EpochCallback<'a>>,
}

impl<'a> Fit<'a> {
    /// Train for `epochs` epochs; Keras' defaults for the rest (batch size
    /// 32, no validation, shuffling on).
    pub fn epochs(epochs: usize) -> Self {
        Fit {
            epochs,
            batch_size: 32,
            validation_split: 0.0,
            shuffle: true,
            seed: 0,
            verbose: true,
            patience: None,
            clip_norm: None,
            schedule: None,
            on_epoch: None,
        }
    }
    /// Samples per gradient step (the last batch of an epoch may be smaller).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// The fraction of samples held out for validation: the last ones,
    /// taken before any shuffling (Keras' semantics).
    pub fn validation_split(mut self, fraction: f32) -> Self {
        self.validation_split = fraction;
        self
    }
    /// Whether to shuffle the training part every epoch.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// The seed of the shuffling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Whether to show progress (a bar on a terminal; nothing otherwise).
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }
    /// Stop when the validation loss (the training loss without a validation
    /// part) has not improved for `patience` epochs, and restore the weights
    /// of the best epoch: Keras' `EarlyStopping(patience=patience,
    /// restore_best_weights=True)`, epoch for epoch (an improvement is a
    /// strictly lower loss; patience 0 behaves as 1, as in Keras; the best
    /// weights are restored whether or not training stopped early).
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }
    /// Scale the gradients down so their global norm is at most `max_norm`
    /// (positive and finite; `fit` refuses anything else).
    pub fn clip_norm(mut self, max_norm: f32) -> Self {
        self.clip_norm = Some(max_norm);
        self
    }
    /// A learning-rate schedule over epochs.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }
    /// A callback after every epoch; returning [`Control::Stop`] ends training.
    pub fn on_epoch(mut self, callback: impl FnMut(usize, &History) -> Control + 'a) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }
    /// The number of epochs asked for.
    pub fn epoch_count(&self) -> usize {
        self.epochs
    }

    /// Checks every setting; what `fit` does before any weight changes.
    ///
    /// # Errors
    /// `Error::InvalidArgument` for a batch size of 0, a validation split
    /// outside [0, 1), a clip norm that is not positive and finite, or
    /// invalid schedule parameters.
    ///
    /// ```
    /// use typenet::train::Fit;
    /// assert!(Fit::epochs(1).validate().is_ok());
    /// assert!(Fit::epochs(1).clip_norm(-1.0).validate().is_err());
    /// assert!(Fit::epochs(1).validation_split(f32::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidArgument(message));
        if self.batch_size == 0 {
            return invalid("batch size must be at least 1".into());
        }
        if !(0.0..1.0).contains(&self.validation_split) {
            return invalid(format!("validation split {} is outside [0, 1)", self.validation_split));
        }
        if let Some(max) = self.clip_norm {
            if !(max.is_finite() && max > 0.0) {
                return invalid(format!("clip norm {max} must be positive and finite"));
            }
        }
        if let Some(problem) = self.schedule.as_ref().and_then(Schedule::problem) {
            return invalid(problem);
        }
        Ok(())
    }
}

impl std::fmt::Debug for Fit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fit")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("validation_split", &self.validation_split)
            .field("shuffle", &self.shuffle)
            .field("seed", &self.seed)
            .field("verbose", &self.verbose)
            .field("early_stopping", &self.patience)
            .field("clip_norm", &self.clip_norm)
            .field("schedule", &self.schedule)
            .field("on_epoch", &self.on_epoch.is_some())
            .finish()
    }
}
