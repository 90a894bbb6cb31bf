//! [`Fit`]: the settings of `fit`, Keras' `model.fit` arguments as a builder.

use std::collections::BTreeMap;
use std::io::Write;

use super::callbacks::{Callback, Context, OnBatchEnd, OnEpoch, OnEpochEnd};
use super::{Control, History, Schedule, Verbosity};
use crate::error::{Error, Result};
use crate::metrics::{MetricList, MetricSet};

/// A per-epoch callback: the (1-based) epoch and the history so far.
pub type EpochCallback<'a> = Box<dyn FnMut(usize, &History) -> Control + 'a>;

/// The settings of `fit`, Keras' `model.fit` arguments as a builder.
///
/// ```
/// use typenet::metrics::{Precision, Recall};
/// use typenet::train::{Fit, Schedule, Verbosity};
/// let settings = Fit::epochs(5)
///     .batch_size(32)
///     .validation_split(0.1)
///     .shuffle(true)
///     .seed(7)
///     .early_stopping(3)
///     .clip_norm(1.0)
///     .schedule(Schedule::Cosine { epochs: 5, min_lr: 1e-5 })
///     .metrics((Precision::binary(), Recall::binary()))
///     .class_weight([(0, 1.0), (1, 4.0)])
///     .verbose(Verbosity::Lines);
/// assert_eq!(settings.epoch_count(), 5);
/// ```
pub struct Fit<'a> {
    pub(super) epochs: usize,
    pub(super) batch_size: usize,
    pub(super) validation_split: f32,
    pub(super) shuffle: bool,
    pub(super) seed: u64,
    pub(super) verbose: Verbosity,
    pub(super) log: Option<Box<dyn Write + 'a>>,
    pub(super) patience: Option<usize>,
    pub(super) clip_norm: Option<f32>,
    pub(super) schedule: Option<Schedule>,
    pub(super) callbacks: Vec<Box<dyn Callback + 'a>>,
    pub(super) metrics: MetricSet<'a>,
    pub(super) sample_weight: Option<&'a [f32]>,
    pub(super) class_weight: Option<BTreeMap<usize, f32>>,
}

impl<'a> Fit<'a> {
    /// Train for `epochs` epochs; Keras' defaults for the rest (batch size
    /// 32, no validation, shuffling on, a progress bar).
    pub fn epochs(epochs: usize) -> Self {
        Fit {
            epochs,
            batch_size: 32,
            validation_split: 0.0,
            shuffle: true,
            seed: 0,
            verbose: Verbosity::Bar,
            log: None,
            patience: None,
            clip_norm: None,
            schedule: None,
            callbacks: Vec::new(),
            metrics: MetricSet::default(),
            sample_weight: None,
            class_weight: None,
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
    /// What to show while training: a [`Verbosity`], or `true` (a bar on a
    /// terminal, one line per epoch otherwise) / `false` (nothing).
    ///
    /// ```
    /// use typenet::train::{Fit, Verbosity};
    /// let in_a_ci_log = Fit::epochs(10).verbose(Verbosity::Lines);
    /// let quiet = Fit::epochs(10).verbose(false);
    /// # let _ = (in_a_ci_log, quiet);
    /// ```
    pub fn verbose(mut self, verbosity: impl Into<Verbosity>) -> Self {
        self.verbose = verbosity.into();
        self
    }
    /// Writes the per-epoch lines to `sink` instead of standard error (a
    /// log file, a buffer); a `Bar` verbosity then writes lines too.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Line { input: 1, out: Dense<1> } }
    /// let data = Dataset::<1, 1>::from_rows(&[[0.0], [1.0]], &[[0.0], [1.0]])?;
    /// let mut log = Vec::new();
    /// Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.1), &Mse, Fit::epochs(2).log_to(&mut log))?;
    /// let text = String::from_utf8(log).unwrap();
    /// assert!(text.lines().nth(1).unwrap().starts_with("epoch 2/2 - "));
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn log_to(mut self, sink: impl Write + 'a) -> Self {
        self.log = Some(Box::new(sink));
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
    /// Metrics measured each epoch on the training part (as the batches go)
    /// and on the validation part, kept in [`History`] by name (`val_` in
    /// front for validation): one metric, a tuple, or an array. See
    /// [`metrics`](crate::metrics).
    ///
    /// ```
    /// use typenet::metrics::{AucRoc, F1, Precision};
    /// use typenet::train::Fit;
    /// let settings = Fit::epochs(10).metrics((Precision::binary(), F1::binary(), AucRoc));
    /// # let _ = settings;
    /// ```
    pub fn metrics(mut self, metrics: impl MetricList<'a>) -> Self {
        metrics.add_to(&mut self.metrics);
        self
    }
    /// A weight per sample of the data given to `fit` (Keras'
    /// `sample_weight`): each sample's loss is multiplied by its weight,
    /// and the loss of a batch is the sum divided by the batch's size (not
    /// by the weights' sum), as Keras does. The weights of the samples a
    /// validation split holds out weigh the validation loss. Metrics are
    /// not weighted. `fit` refuses a weight that is negative or not finite,
    /// a count other than the data's, and weights given with `class_weight`
    /// (as Keras does).
    pub fn sample_weight(mut self, weights: &'a [f32]) -> Self {
        self.sample_weight = Some(weights);
        self
    }
    /// A weight per class (Keras' `class_weight` dict): each training
    /// sample's loss is multiplied by the weight of its class (the arg-max
    /// of its target, or the rounded target of a single output); classes
    /// not given weigh 1. Only the training loss is weighted, not the
    /// validation loss (as in Keras). `fit` refuses a weight that is
    /// negative or not finite.
    ///
    /// ```
    /// use typenet::train::Fit;
    /// use std::collections::HashMap;
    /// let settings = Fit::epochs(10).class_weight([(0, 1.0), (1, 5.0)]);
    /// let from_a_map = Fit::epochs(10).class_weight(HashMap::from([(1, 5.0)]));
    /// # let _ = (settings, from_a_map);
    /// ```
    pub fn class_weight(mut self, weights: impl IntoIterator<Item = (usize, f32)>) -> Self {
        self.class_weight = Some(weights.into_iter().collect());
        self
    }
    /// A callback: code run between epochs and batches with the network
    /// and the optimiser in hand ([`Checkpoint`](super::Checkpoint),
    /// [`ReduceLrOnPlateau`](super::ReduceLrOnPlateau),
    /// [`Warmup`](super::Warmup), [`CsvLogger`](super::CsvLogger), or your
    /// own [`Callback`]). Callbacks run in the order added.
    pub fn callback(mut self, callback: impl Callback + 'a) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }
    /// A callback after every epoch with the epoch and the history;
    /// returning [`Control::Stop`] ends training. (To save the network or
    /// change the learning rate, use [`on_epoch_end`](Self::on_epoch_end).)
    pub fn on_epoch(self, callback: impl FnMut(usize, &History) -> Control + 'a) -> Self {
        self.callback(OnEpoch(callback))
    }
    /// A callback after every epoch with the whole [`Context`]: the
    /// network (`ctx.save(path)`, `ctx.network::<Net<Train>>()`), the
    /// learning rate, the history, `ctx.stop_training()`. An `Err` ends
    /// `fit` with it.
    ///
    /// ```
    /// use typenet::train::Fit;
    /// let settings = Fit::epochs(10).on_epoch_end(|ctx| {
    ///     if ctx.epoch() % 5 == 0 {
    ///         ctx.save(format!("epoch{}.safetensors", ctx.epoch()))?;
    ///     }
    ///     Ok(())
    /// });
    /// # let _ = settings;
    /// ```
    pub fn on_epoch_end(self, callback: impl FnMut(&mut Context<'_>) -> Result<()> + 'a) -> Self {
        self.callback(OnEpochEnd(callback))
    }
    /// A callback after every step with the whole [`Context`]
    /// (`ctx.batch_loss()`, `ctx.step()`); `ctx.stop_training()` ends the
    /// epoch after this batch, and training after that epoch.
    pub fn on_batch_end(self, callback: impl FnMut(&mut Context<'_>) -> Result<()> + 'a) -> Self {
        self.callback(OnBatchEnd(callback))
    }
    /// The number of epochs asked for.
    pub fn epoch_count(&self) -> usize {
        self.epochs
    }

    /// Checks every setting; what `fit` does before any weight changes.
    ///
    /// # Errors
    /// `Error::InvalidArgument` for a batch size of 0, a validation split
    /// outside [0, 1), a clip norm that is not positive and finite, invalid
    /// schedule parameters, a sample or class weight that is negative or not
    /// finite, or sample weights given with class weights.
    ///
    /// ```
    /// use typenet::train::Fit;
    /// assert!(Fit::epochs(1).validate().is_ok());
    /// assert!(Fit::epochs(1).clip_norm(-1.0).validate().is_err());
    /// assert!(Fit::epochs(1).validation_split(f32::NAN).validate().is_err());
    /// assert!(Fit::epochs(1).class_weight([(1, -2.0)]).validate().is_err());
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
        check_weights(self.sample_weight, self.class_weight.as_ref())
    }
}

/// Refuses weights that are negative or not finite, and both kinds at once.
pub(super) fn check_weights(sample: Option<&[f32]>, class: Option<&BTreeMap<usize, f32>>) -> Result<()> {
    let invalid = |message: String| Err(Error::InvalidArgument(message));
    if sample.is_some() && class.is_some() {
        return invalid(
            "sample weights and class weights cannot be given together (as in Keras): \
             multiply each sample's weight by its class weight and give the products as sample weights"
                .into(),
        );
    }
    if let Some((i, w)) =
        sample.into_iter().flatten().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return invalid(format!("sample weight {w} of sample {i} (0-based) must be finite and not negative"));
    }
    if let Some((class, w)) = class.into_iter().flatten().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
        return invalid(format!("the weight {w} of class {class} must be finite and not negative"));
    }
    Ok(())
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
            .field("log_to", &self.log.is_some())
            .field("early_stopping", &self.patience)
            .field("clip_norm", &self.clip_norm)
            .field("schedule", &self.schedule)
            .field("metrics", &self.metrics)
            .field("callbacks", &self.callbacks.len())
            .field("sample_weight", &self.sample_weight.map(<[f32]>::len))
            .field("class_weight", &self.class_weight)
            .finish()
    }
}
