//! One epoch of training: mini-batches, forward, loss, backward, clipping
//! and the optimiser step, stopping at the first non-finite number, with
//! the callbacks' batch hooks around each step.

use nalgebra::Const;

use super::progress::Reporter;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::{Grads, Layer};
use crate::loss::{AccuracyKind, Loss};
use crate::metrics::{MetricSet, Predictions};
use crate::network::{l2_penalty, NetworkDef};
use crate::optim::Optimizer;
use crate::rng::derive_seed;
use crate::tensor::{Batch, Cols, ColsMut};

/// The mini-batch buffers of a training part, made once and reused every
/// epoch (the last batch of an epoch may be smaller).
pub(super) struct Batches<const IN: usize, const OUT: usize> {
    order: Vec<usize>,
    size: usize,
    /// Inputs, targets, outputs and output gradients of a full batch.
    full: (Batch<IN>, Batch<OUT>, Batch<OUT>, Batch<OUT>),
    /// The same for the smaller last batch.
    tail: (Batch<IN>, Batch<OUT>, Batch<OUT>, Batch<OUT>),
    /// The sample weights of the batch.
    weights: Vec<f32>,
}

impl<const IN: usize, const OUT: usize> Batches<IN, OUT> {
    pub(super) fn new(samples: usize, batch_size: usize) -> Self {
        let size = batch_size.min(samples);
        let rest = samples % size;
        let buffers = |n: usize| (Batch::zeros(n), Batch::zeros(n), Batch::zeros(n), Batch::zeros(n));
        Batches {
            order: (0..samples).collect(),
            size,
            full: buffers(size),
            tail: buffers(rest),
            weights: Vec::with_capacity(size),
        }
    }

    /// Steps per epoch.
    pub(super) fn steps(&self) -> usize {
        self.order.len().div_ceil(self.size)
    }

    /// Shuffles the sample order for (1-based) `epoch`, the same way for the
    /// same seed whatever came before.
    pub(super) fn shuffle(&mut self, seed: u64, epoch: usize) {
        use rand::seq::SliceRandom;
        self.order.sort_unstable();
        self.order.shuffle(&mut crate::rng::init_rng(derive_seed(seed, epoch as u64)));
    }
}

/// Copies the samples `order` into `x` and `t`.
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

/// What an epoch measured.
pub(super) struct EpochStats {
    pub loss: f32,
    pub accuracy: Option<f32>,
    /// The learning rate of the last step.
    pub learning_rate: f32,
}

/// How an epoch ended early.
pub(super) enum Halt {
    /// A batch's loss (or the clipped gradients' norm) was not finite, or a
    /// callback failed; no step was taken with it, so the weights are those
    /// of the last step.
    BeforeStep(Error),
    /// The optimiser step wrote a non-finite weight: the network and the
    /// optimiser must be put back as they were.
    AfterStep(Error),
}

/// Everything one epoch needs besides the network and the optimiser.
pub(super) struct EpochPlan<'a, L, const IN: usize, const OUT: usize> {
    pub epoch: usize,
    pub data: &'a Dataset<IN, OUT>,
    /// One weight per sample of `data`, if the loss is weighted.
    pub weights: Option<&'a [f32]>,
    pub loss: &'a L,
    pub clip_norm: Option<f32>,
}

/// When the batch hooks are called.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum BatchEvent {
    /// Before the step with this 1-based index.
    Begin(usize),
    /// After the step with this index, with the batch's loss.
    End(usize, f32),
}

/// The batch hooks: run the callbacks, say whether to stop the epoch.
pub(super) type BatchHooks<'h, N, O> = dyn FnMut(&mut N, &mut O, BatchEvent) -> Result<bool> + 'h;

/// Runs one epoch over `batches` (already shuffled).
#[allow(clippy::too_many_arguments)]
pub(super) fn run_epoch<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    opt: &mut O,
    plan: &EpochPlan<'_, L, IN, OUT>,
    batches: &mut Batches<IN, OUT>,
    state: &mut (N::Grads, <N as Layer>::Cache),
    reporter: &mut Reporter<'_>,
    metrics: &mut MetricSet<'_>,
    hooks: &mut BatchHooks<'_, N, O>,
) -> Result<EpochStats, Halt>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    O: Optimizer,
    L: Loss,
{
    let accuracy_kind = plan.loss.accuracy();
    let (mut loss_sum, mut correct, mut counted, mut seen) = (0.0f64, 0usize, 0usize, 0usize);
    let mut learning_rate = opt.learning_rate();
    let (grads, cache) = state;
    let size = batches.size;
    metrics.reset();
    for (index, chunk) in batches.order.chunks(size).enumerate() {
        let step = index + 1;
        let non_finite = Error::NonFinite { epoch: plan.epoch, step };
        // A stop asked for here takes effect after this batch, as Keras
        // checks `stop_training` after each batch.
        hooks(net, opt, BatchEvent::Begin(step)).map_err(Halt::BeforeStep)?;
        let (x, t, y, dy) = if chunk.len() == size { &mut batches.full } else { &mut batches.tail };
        gather(plan.data, chunk, x, t);
        let weights = plan.weights.map(|all| {
            batches.weights.clear();
            batches.weights.extend(chunk.iter().map(|&i| all[i]));
            &batches.weights[..]
        });
        let cols = chunk.len();
        net.train_forward(Cols::new(x.as_slice(), IN), ColsMut::new(y.as_mut_slice(), OUT), cache);
        let data_loss = match weights {
            Some(w) => plan.loss.weighted_loss_slices(OUT, y.as_slice(), t.as_slice(), w),
            None => plan.loss.loss_slices(OUT, y.as_slice(), t.as_slice()),
        };
        let value = data_loss + l2_penalty(net);
        if !value.is_finite() {
            return Err(Halt::BeforeStep(non_finite));
        }
        match weights {
            Some(w) => plan.loss.weighted_grad_slices(OUT, y.as_slice(), t.as_slice(), w, dy.as_mut_slice()),
            None => plan.loss.grad_slices(OUT, y.as_slice(), t.as_slice(), dy.as_mut_slice()),
        }
        net.train_backward(
            Cols::new(x.as_slice(), IN),
            Cols::new(y.as_slice(), OUT),
            ColsMut::new(dy.as_mut_slice(), OUT),
            cache,
            None,
            Some(grads),
        );
        if let Some(max_norm) = plan.clip_norm {
            let norm = grads.global_norm();
            if !norm.is_finite() {
                return Err(Halt::BeforeStep(non_finite));
            }
            if norm > max_norm {
                let scale = max_norm / norm;
                grads.visit_mut(&mut |g| g.iter_mut().for_each(|v| *v *= scale));
            }
        }
        learning_rate = opt.learning_rate();
        if !opt.step_finite(net, grads) {
            return Err(Halt::AfterStep(non_finite));
        }
        loss_sum += value as f64 * cols as f64;
        seen += cols;
        let (c, n) = accuracy_kind.count(OUT, y.as_slice(), t.as_slice());
        correct += c;
        counted += n;
        metrics.update(&Predictions { outputs: OUT, kind: accuracy_kind, y: y.as_slice(), t: t.as_slice() });
        reporter.step((loss_sum / seen as f64) as f32);
        if hooks(net, opt, BatchEvent::End(step, value)).map_err(Halt::BeforeStep)? {
            break;
        }
    }
    let accuracy = (accuracy_kind != AccuracyKind::None).then(|| correct as f32 / counted.max(1) as f32);
    Ok(EpochStats { loss: (loss_sum / seen.max(1) as f64) as f32, accuracy, learning_rate })
}
