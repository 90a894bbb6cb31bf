//! Training: `fit` with its settings ([`Fit`]), the [`History`] it returns,
//! learning-rate [`Schedule`]s, and `evaluate`'s [`Metrics`].

mod history;
mod progress;

use std::io::IsTerminal;

use nalgebra::Const;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::{Grads, Layer};
use crate::loss::{Accuracy, Loss};
use crate::network::Network;
use crate::optim::Optimizer;
use crate::rng::derive_seed;
use crate::tensor::{view, view_mut, Batch};

pub use history::History;

/// What a per-epoch callback tells `fit` to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// A learning-rate schedule, applied at the start of each epoch to the
/// optimiser's base rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// Multiply the rate by `factor` every `every` epochs.
    Step {
        /// Epochs between drops.
        every: usize,
        /// Factor per drop.
        factor: f32,
    },
    /// Multiply the rate by `rate` every epoch.
    Exponential {
        /// Factor per epoch.
        rate: f32,
    },
    /// Cosine decay from the base rate to `min_lr` over `epochs` epochs.
    Cosine {
        /// Length of the decay.
        epochs: usize,
        /// The final rate.
        min_lr: f32,
    },
}

impl Schedule {
    /// The rate for (0-based) `epoch` given the base rate.
    pub fn rate(&self, base: f32, epoch: usize) -> f32 {
        match *self {
            Schedule::Step { every, factor } => base * factor.powi((epoch / every.max(1)) as i32),
            Schedule::Exponential { rate } => base * rate.powi(epoch as i32),
            Schedule::Cosine { epochs, min_lr } => {
                let progress = (epoch as f32 / epochs.max(1) as f32).min(1.0);
                min_lr + (base - min_lr) * 0.5 * (1.0 + (std::f32::consts::PI * progress).cos())
            }
        }
    }
}

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
    epochs: usize,
    batch_size: usize,
    validation_split: f32,
    shuffle: bool,
    seed: u64,
    verbose: bool,
    patience: Option<usize>,
    clip_norm: Option<f32>,
    schedule: Option<Schedule>,
    on_epoch: Option<EpochCallback<'a>>,
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
    /// of the best epoch.
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }
    /// Scale the gradients down so their global norm is at most `max_norm`.
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

/// Loss and accuracy of a network on a data set, as `evaluate` reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Mean loss, plus the L2 penalty of `#[l2]` layers.
    pub loss: f32,
    /// Fraction correct; `None` for losses without accuracy (`Mse`).
    pub accuracy: Option<f32>,
}

/// Loss (with the L2 penalty) and accuracy of `net` in Eval behaviour.
pub fn evaluate<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
) -> Metrics
where
    N: Network + Layer<In = Const<IN>, Out = Const<OUT>>,
    L: Loss,
{
    let mut y = Batch::<OUT>::zeros(data.len());
    net.infer_eval(view(data.x().as_slice(), data.len()), view_mut(y.as_mut_slice(), data.len()));
    let value = loss.loss_slices(OUT, y.as_slice(), data.y().as_slice()) + net.l2_penalty();
    let accuracy = match loss.accuracy() {
        Accuracy::None => None,
        kind => {
            let (correct, total) = kind.count(OUT, y.as_slice(), data.y().as_slice());
            Some(correct as f32 / total.max(1) as f32)
        }
    };
    Metrics { loss: value, accuracy }
}

/// Copies the samples `order[range]` into `x` and `t`.
fn gather<const IN: usize, const OUT: usize>(
    data: &Dataset<IN, OUT>,
    order: &[usize],
    x: &mut Batch<IN>,
    t: &mut Batch<OUT>,
) {
    for (to, &from) in order.iter().enumerate() {
        x.column_mut(to).copy_from(&data.x().column(from));
        t.column_mut(to).copy_from(&data.y().column(from));
    }
}

/// `fit` as the generated `Net<Train>::fit` calls it.
pub fn fit<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    data: &Dataset<IN, OUT>,
    opt: &mut O,
    loss: &L,
    mut settings: Fit<'_>,
) -> Result<History>
where
    N: Network + Layer<In = Const<IN>, Out = Const<OUT>>,
    O: Optimizer,
    L: Loss,
{
    if settings.batch_size == 0 {
        return Err(Error::InvalidArgument("batch size must be at least 1".into()));
    }
    if !(0.0..1.0).contains(&settings.validation_split) {
        return Err(Error::InvalidArgument(format!(
            "validation split {} is outside [0, 1)",
            settings.validation_split
        )));
    }
    // Keras: int(n * (1 - split)) in double precision. The split goes
    // through its shortest decimal form so `0.3` means 0.3, not the f32
    // nearest to it (which would hold out one sample more).
    let split: f64 =
        settings.validation_split.to_string().parse().unwrap_or(settings.validation_split as f64);
    let split_at = (data.len() as f64 * (1.0 - split)) as usize;
    if split_at == 0 {
        return Err(Error::Empty("no training samples are left after the validation split".into()));
    }
    let train = data.slice(0, split_at);
    let validation = data.slice(split_at, data.len());

    let batch_size = settings.batch_size.min(train.len());
    let remainder = train.len() % batch_size;
    let (mut x, mut t, mut y, mut dy) = (
        Batch::<IN>::zeros(batch_size),
        Batch::<OUT>::zeros(batch_size),
        Batch::<OUT>::zeros(batch_size),
        Batch::<OUT>::zeros(batch_size),
    );
    let mut tail = (Batch::<IN>::zeros(remainder), Batch::<OUT>::zeros(remainder));
    let (mut tail_y, mut tail_dy) = (Batch::<OUT>::zeros(remainder), Batch::<OUT>::zeros(remainder));
    let mut grads = N::Grads::zeros();
    let mut cache = N::Cache::default();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let accuracy_kind = loss.accuracy();
    let base_lr = opt.learning_rate();
    let mut history = History::default();
    let mut best: Option<(f32, N)> = None;
    let mut since_best = 0usize;
    let show = settings.verbose && std::io::stderr().is_terminal();
    let steps_per_epoch = train.len().div_ceil(batch_size);

    for epoch in 1..=settings.epochs {
        if let Some(schedule) = &settings.schedule {
            opt.set_learning_rate(schedule.rate(base_lr, epoch - 1));
        }
        if settings.shuffle {
            use rand::seq::SliceRandom;
            order.sort_unstable();
            order.shuffle(&mut crate::rng::init_rng(derive_seed(settings.seed, epoch as u64)));
        }
        let mut bar = progress::Progress::new(show, epoch, settings.epochs, steps_per_epoch);
        let (mut loss_sum, mut correct, mut counted) = (0.0f64, 0usize, 0usize);
        for (step, chunk) in order.chunks(batch_size).enumerate() {
            let (xb, tb, yb, dyb) = if chunk.len() == batch_size {
                (&mut x, &mut t, &mut y, &mut dy)
            } else {
                (&mut tail.0, &mut tail.1, &mut tail_y, &mut tail_dy)
            };
            gather(&train, chunk, xb, tb);
            let cols = chunk.len();
            net.train_forward(view(xb.as_slice(), cols), view_mut(yb.as_mut_slice(), cols), &mut cache);
            let value = loss.loss_slices(OUT, yb.as_slice(), tb.as_slice()) + net.l2_penalty();
            if !value.is_finite() {
                bar.finish_quietly();
                return Err(Error::NonFinite { epoch, step: step + 1 });
            }
            loss.grad_slices(OUT, yb.as_slice(), tb.as_slice(), dyb.as_mut_slice());
            net.train_backward(
                view(xb.as_slice(), cols),
                view(yb.as_slice(), cols),
                view_mut(dyb.as_mut_slice(), cols),
                &mut cache,
                None,
                Some(&mut grads),
            );
            if let Some(max_norm) = settings.clip_norm {
                let norm = grads.global_norm();
                if norm > max_norm {
                    let scale = max_norm / norm;
                    grads.visit_mut(&mut |g| g.iter_mut().for_each(|v| *v *= scale));
                }
            }
            opt.step(net, &grads);
            loss_sum += value as f64 * cols as f64;
            let (c, n) = accuracy_kind.count(OUT, yb.as_slice(), tb.as_slice());
            correct += c;
            counted += n;
            bar.step((loss_sum / (step * batch_size + cols) as f64) as f32);
        }
        history.loss.push((loss_sum / train.len() as f64) as f32);
        if accuracy_kind != Accuracy::None {
            history.accuracy.push(correct as f32 / counted.max(1) as f32);
        }
        if !validation.is_empty() {
            let metrics = evaluate(net, &validation, loss);
            history.val_loss.push(metrics.loss);
            if let Some(a) = metrics.accuracy {
                history.val_accuracy.push(a);
            }
        }
        history.learning_rate.push(opt.learning_rate());
        bar.finish(&history);

        if let Some(patience) = settings.patience {
            let monitored = *history.val_loss.last().unwrap_or(&history.loss[history.loss.len() - 1]);
            let improved = best.as_ref().is_none_or(|(b, _)| monitored < *b);
            if improved {
                best = Some((monitored, net.clone()));
                history.best_epoch = Some(epoch);
                since_best = 0;
            } else {
                since_best += 1;
                if since_best > patience {
                    break;
                }
            }
        }
        if let Some(callback) = settings.on_epoch.as_mut() {
            if callback(epoch, &history) == Control::Stop {
                break;
            }
        }
    }
    if let Some((_, weights)) = best {
        *net = weights;
    }
    if settings.schedule.is_some() {
        opt.set_learning_rate(base_lr);
    }
    Ok(history)
}
