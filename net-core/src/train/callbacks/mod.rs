//! Callbacks: code `fit` runs between epochs and between batches, with the
//! network and the optimiser in hand, so it can save, change the learning
//! rate or stop. Built in: [`Checkpoint`], [`ReduceLrOnPlateau`],
//! [`Warmup`] and [`CsvLogger`], with Keras' semantics and argument names.
//!
//! ```
//! use typenet::prelude::*;
//! use typenet::train::{Checkpoint, ReduceLrOnPlateau};
//! network! { struct Tiny { input: 2, out: Dense<1, Sigmoid> } }
//! let data = Dataset::<2, 1>::from_iter_rows((0..40).map(|i| {
//!     let x = i as f32 / 40.0;
//!     ([x, 1.0 - x], [f32::from(x > 0.5)])
//! }))?;
//! let dir = std::env::temp_dir().join(format!("typenet-callbacks-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
//! let settings = Fit::epochs(5)
//!     .validation_split(0.25)
//!     .verbose(false)
//!     .callback(Checkpoint::best(dir.join("best.safetensors")))
//!     .callback(ReduceLrOnPlateau::new().patience(2).factor(0.5))
//!     .on_epoch_end(|ctx| {
//!         // Any closure sees the network too.
//!         if ctx.epoch() == 3 {
//!             ctx.save(dir.join("epoch3.safetensors"))?;
//!         }
//!         Ok(())
//!     });
//! let mut net = Tiny::<Train>::seeded(1);
//! net.fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, settings)?;
//! let best = Tiny::<Eval>::load(dir.join("best.safetensors"))?;
//! let third = Tiny::<Eval>::load(dir.join("epoch3.safetensors"))?;
//! # let _ = (best, third);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), typenet::Error>(())
//! ```

mod checkpoint;
mod csv_logger;
mod monitor;
mod reduce_lr;
mod warmup;

use std::any::Any;
use std::path::Path;

pub use checkpoint::Checkpoint;
pub use csv_logger::CsvLogger;
pub use monitor::Mode;
pub(crate) use monitor::Monitor;
pub use reduce_lr::ReduceLrOnPlateau;
pub use warmup::Warmup;

use super::{Control, History};
use crate::error::Result;
use crate::network::NetworkDef;
use crate::optim::Optimizer;

/// Code `fit` runs at fixed points of training. Every method has a default
/// that does nothing; an `Err` ends `fit` with that error (the network
/// keeps the weights of its last step).
///
/// The order within an epoch: `on_epoch_begin` (after a `Schedule` set the
/// epoch's rate), then per batch `on_batch_begin`, the step,
/// `on_batch_end`; after the last batch, validation, then `on_epoch_end`
/// (the epoch's values are in the history by then). Callbacks run in the
/// order they were added. `on_train_end` runs when training ends without
/// an error, after early stopping restored the best weights.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::{Callback, Context};
///
/// /// Stops once the training loss is below a bound.
/// struct StopBelow(f32);
///
/// impl Callback for StopBelow {
///     fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> typenet::Result<()> {
///         if ctx.value("loss").is_some_and(|loss| loss < self.0) {
///             ctx.stop_training();
///         }
///         Ok(())
///     }
/// }
///
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..32).map(|i| ([i as f32 / 32.0], [2.0 * i as f32 / 32.0])))?;
/// let mut net = Line::<Train>::seeded(3);
/// let history = net.fit(&data, &mut Adam::new(0.05), &Mse, Fit::epochs(500).verbose(false).callback(StopBelow(0.01)))?;
/// assert!(history.epochs() < 500 && *history.loss.last().unwrap() < 0.01);
/// # Ok::<(), typenet::Error>(())
/// ```
pub trait Callback {
    /// Before the first epoch.
    fn on_train_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// At the start of each epoch.
    fn on_epoch_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// Before each step.
    fn on_batch_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// After each step; [`Context::batch_loss`] is the batch's loss.
    fn on_batch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// After each epoch and its validation.
    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// After the last epoch.
    fn on_train_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
}

/// A callback lent to `fit` (`.callback(&mut checkpoint)`), to read what it
/// recorded afterwards.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::Checkpoint;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..8).map(|i| ([i as f32 / 8.0], [1.0])))?;
/// let dir = std::env::temp_dir().join(format!("typenet-lent-doc-{}", std::process::id()));
/// let mut checkpoint = Checkpoint::best(dir.join("best.safetensors")).monitor("loss");
/// Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.1), &Mse, Fit::epochs(3).verbose(false).callback(&mut checkpoint))?;
/// assert_eq!(checkpoint.saved_epochs(), [1, 2, 3]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), typenet::Error>(())
/// ```
impl<C: Callback + ?Sized> Callback for &mut C {
    fn on_train_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_train_begin(ctx)
    }
    fn on_epoch_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_epoch_begin(ctx)
    }
    fn on_batch_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_batch_begin(ctx)
    }
    fn on_batch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_batch_end(ctx)
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_epoch_end(ctx)
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (**self).on_train_end(ctx)
    }
}

/// The network, seen through what callbacks need whatever its type.
pub(crate) trait DynNetwork {
    fn save(&self, path: &Path) -> Result<()>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<N: NetworkDef> DynNetwork for N {
    fn save(&self, path: &Path) -> Result<()> {
        crate::io::save(self, path)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The optimiser, seen the same way.
pub(crate) trait DynOptimizer {
    fn learning_rate(&self) -> f32;
    fn set_learning_rate(&mut self, lr: f32);
    fn iterations(&self) -> u64;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<O: Optimizer + 'static> DynOptimizer for O {
    fn learning_rate(&self) -> f32 {
        Optimizer::learning_rate(self)
    }
    fn set_learning_rate(&mut self, lr: f32) {
        Optimizer::set_learning_rate(self, lr);
    }
    fn iterations(&self) -> u64 {
        Optimizer::iterations(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The values a `fit` measures each epoch, and which way is better.
#[derive(Clone, Debug, Default)]
pub(crate) struct Measured {
    /// `(name, higher is better)`; `None` for the learning rate.
    pub names: Vec<(String, Option<bool>)>,
}

impl Measured {
    pub(crate) fn higher_is_better(&self, name: &str) -> Option<bool> {
        self.names.iter().find(|(n, _)| n == name).and_then(|(_, up)| *up)
    }
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|(n, _)| n == name)
    }
    pub(crate) fn list(&self) -> String {
        self.names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Where training is.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Position {
    pub epoch: usize,
    pub epochs: usize,
    /// The 1-based step within the epoch, in batch hooks.
    pub step: Option<usize>,
    pub steps: usize,
    /// Steps taken since `fit` started.
    pub global_step: usize,
    pub batch_loss: Option<f32>,
}

/// What a callback sees and can change: the network, the optimiser, the
/// history so far and where training is.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..8).map(|i| ([i as f32 / 8.0], [1.0])))?;
/// let settings = Fit::epochs(10).batch_size(4).verbose(false).on_batch_end(|ctx| {
///     assert_eq!(ctx.steps_per_epoch(), 2);
///     if ctx.batch_loss().is_some_and(|loss| loss < 0.05) {
///         ctx.stop_training(); // this epoch ends after this batch
///     }
///     Ok(())
/// });
/// let history = Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.3), &Mse, settings)?;
/// assert!(history.epochs() <= 10);
/// # Ok::<(), typenet::Error>(())
/// ```
pub struct Context<'c> {
    pub(crate) net: &'c mut dyn DynNetwork,
    pub(crate) opt: &'c mut dyn DynOptimizer,
    pub(crate) history: &'c History,
    pub(crate) measured: &'c Measured,
    pub(crate) position: Position,
    pub(crate) stop: &'c mut bool,
}

impl Context<'_> {
    /// The current epoch, from 1 (0 in `on_train_begin`).
    pub fn epoch(&self) -> usize {
        self.position.epoch
    }
    /// The epochs asked for.
    pub fn epochs(&self) -> usize {
        self.position.epochs
    }
    /// In batch hooks, the step within the epoch, from 1.
    pub fn step(&self) -> Option<usize> {
        self.position.step
    }
    /// Steps per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.position.steps
    }
    /// Steps taken since `fit` started (in `on_batch_begin`, the 0-based
    /// index of the step about to run).
    pub fn global_step(&self) -> usize {
        self.position.global_step
    }
    /// In `on_batch_end`, the batch's loss (with the L2 penalty and sample
    /// weights).
    pub fn batch_loss(&self) -> Option<f32> {
        self.position.batch_loss
    }
    /// The history so far; in `on_epoch_end` it holds this epoch's values.
    pub fn history(&self) -> &History {
        self.history
    }
    /// The latest value of a measured quantity (`loss`, `val_loss`,
    /// `accuracy`, a metric's name, `val_` + a metric's name,
    /// `learning_rate`).
    pub fn value(&self, name: &str) -> Option<f32> {
        self.history.last(name)
    }
    /// The names of everything this `fit` measures each epoch.
    pub fn measured(&self) -> Vec<&str> {
        self.measured.names.iter().map(|(n, _)| n.as_str()).collect()
    }
    /// Whether a larger value of `name` is better (`None` for names this
    /// `fit` does not measure, and for the learning rate).
    pub fn higher_is_better(&self, name: &str) -> Option<bool> {
        self.measured.higher_is_better(name)
    }
    /// The optimiser's learning rate.
    pub fn learning_rate(&self) -> f32 {
        self.opt.learning_rate()
    }
    /// Sets the optimiser's learning rate.
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite (as the optimisers do).
    pub fn set_learning_rate(&mut self, lr: f32) {
        self.opt.set_learning_rate(lr);
    }
    /// Steps the optimiser has applied (over every `fit` it served).
    pub fn iterations(&self) -> u64 {
        self.opt.iterations()
    }
    /// Ends training after this epoch (from a batch hook: after this batch,
    /// then the epoch is validated and ends).
    pub fn stop_training(&mut self) {
        *self.stop = true;
    }
    /// Whether something asked training to stop.
    pub fn stopping(&self) -> bool {
        *self.stop
    }
    /// Saves the network as it is now with its `save` (safetensors,
    /// atomic: the file at `path` is either the old one or the new one).
    ///
    /// # Errors
    /// `Error::Io` if writing fails.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.net.save(path.as_ref())
    }
    /// The network, if it is an `N`.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Tiny { input: 1, out: Dense<1> } }
    /// let data = Dataset::<1, 1>::from_rows(&[[0.0], [1.0]], &[[0.0], [1.0]])?;
    /// let mut biases = Vec::new();
    /// let settings = Fit::epochs(2).verbose(false).on_epoch_end(|ctx| {
    ///     let net = ctx.network::<Tiny<Train>>().expect("the network fit trains");
    ///     biases.push(net.out.bias()[0]);
    ///     Ok(())
    /// });
    /// Tiny::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.1), &Mse, settings)?;
    /// assert_eq!(biases.len(), 2);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn network<N: 'static>(&self) -> Option<&N> {
        self.net.as_any().downcast_ref()
    }
    /// The network, mutably, if it is an `N`.
    pub fn network_mut<N: 'static>(&mut self) -> Option<&mut N> {
        self.net.as_any_mut().downcast_mut()
    }
    /// The optimiser, if it is an `O`.
    pub fn optimizer<O: 'static>(&self) -> Option<&O> {
        self.opt.as_any().downcast_ref()
    }
    /// The optimiser, mutably, if it is an `O`.
    pub fn optimizer_mut<O: 'static>(&mut self) -> Option<&mut O> {
        self.opt.as_any_mut().downcast_mut()
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("epoch", &self.position.epoch)
            .field("step", &self.position.step)
            .field("learning_rate", &self.learning_rate())
            .finish_non_exhaustive()
    }
}

/// `Fit::on_epoch`: the epoch and the history, answering [`Control`].
pub(crate) struct OnEpoch<F>(pub F);

impl<F: FnMut(usize, &History) -> Control> Callback for OnEpoch<F> {
    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        if (self.0)(ctx.epoch(), ctx.history()) == Control::Stop {
            ctx.stop_training();
        }
        Ok(())
    }
}

/// `Fit::on_epoch_end`.
pub(crate) struct OnEpochEnd<F>(pub F);

impl<F: FnMut(&mut Context<'_>) -> Result<()>> Callback for OnEpochEnd<F> {
    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (self.0)(ctx)
    }
}

/// `Fit::on_batch_end`.
pub(crate) struct OnBatchEnd<F>(pub F);

impl<F: FnMut(&mut Context<'_>) -> Result<()>> Callback for OnBatchEnd<F> {
    fn on_batch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        (self.0)(ctx)
    }
}

/// A [`Context`] over stand-ins, for the callbacks' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// An optimiser that only holds a rate.
    #[derive(Clone, Debug)]
    pub struct Rate(pub f32);

    impl DynOptimizer for Rate {
        fn learning_rate(&self) -> f32 {
            self.0
        }
        fn set_learning_rate(&mut self, lr: f32) {
            assert!(lr.is_finite() && lr >= 0.0);
            self.0 = lr;
        }
        fn iterations(&self) -> u64 {
            0
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    /// A network that records the paths it is saved to.
    #[derive(Debug, Default)]
    pub struct Saves(pub std::cell::RefCell<Vec<String>>);

    impl DynNetwork for Saves {
        fn save(&self, path: &Path) -> Result<()> {
            self.0.borrow_mut().push(path.display().to_string());
            Ok(())
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    /// Runs `f` with a context over these parts.
    pub fn with_context<T>(
        net: &mut Saves,
        opt: &mut Rate,
        history: &History,
        measured: &Measured,
        position: Position,
        f: impl FnOnce(&mut Context<'_>) -> T,
    ) -> (T, bool) {
        let mut stop = false;
        let mut ctx = Context { net, opt, history, measured, position, stop: &mut stop };
        let out = f(&mut ctx);
        (out, stop)
    }
}

/// The cases of `tests/fixtures/keras_callbacks.json`, for the callbacks'
/// unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    /// One case: a JSON object with typed getters.
    pub struct Case(serde_json::Value);

    impl Case {
        pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
            self.0.get(key)
        }
        pub fn name(&self) -> &str {
            self.0["name"].as_str().expect("a name")
        }
        pub fn string(&self, key: &str) -> &str {
            self.0[key].as_str().unwrap_or_else(|| panic!("{key} is a string"))
        }
        pub fn flag(&self, key: &str) -> bool {
            self.0[key].as_bool().unwrap_or_else(|| panic!("{key} is a bool"))
        }
        pub fn f64(&self, key: &str) -> f64 {
            self.0[key].as_f64().unwrap_or_else(|| panic!("{key} is a number"))
        }
        pub fn u64(&self, key: &str) -> u64 {
            self.0[key].as_u64().unwrap_or_else(|| panic!("{key} is a count"))
        }
        /// Numbers as f32, "NaN" as NaN.
        pub fn values(&self, key: &str) -> Vec<f32> {
            let list = self.0[key].as_array().unwrap_or_else(|| panic!("{key} is a list"));
            list.iter().map(|v| v.as_f64().map_or(f32::NAN, |v| v as f32)).collect()
        }
        pub fn epochs(&self, key: &str) -> Vec<u64> {
            let list = self.0[key].as_array().unwrap_or_else(|| panic!("{key} is a list"));
            list.iter().map(|v| v.as_u64().expect("an epoch")).collect()
        }
    }

    /// The cases of one callback.
    pub fn cases(callback: &str) -> Vec<Case> {
        let text = include_str!("../../../../tests/fixtures/keras_callbacks.json");
        let fixture: serde_json::Value = serde_json::from_str(text).expect("the fixture is JSON");
        let cases = fixture[callback].as_array().unwrap_or_else(|| panic!("the fixture has {callback}"));
        cases.iter().cloned().map(Case).collect()
    }
}
