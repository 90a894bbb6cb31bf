//! One epoch of training: mini-batches, forward, loss, backward, clipping
//! and the optimiser step, stopping at the first non-finite number.

use nalgebra::Const;

use super::progress::Progress;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::{Grads, Layer};
use crate::loss::{Accuracy, Loss};
use crate::network::{Network, NetworkDef};
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
}

impl<const IN: usize, const OUT: usize> Batches<IN, OUT> {
    pub(super) fn new(samples: usize, batch_size: usize) -> Self {
        let size = batch_size.min(samples);
        let rest = samples % size;
        let buffers = |n: usize| (Batch::zeros(n), Batch::zeros(n), Batch::zeros(n), Batch::zeros(n));
        Batches { order: (0..samples).collect(), size, full: buffers(size), tail: buffers(rest) }
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
}

/// How an epoch ended early.
pub(super) enum Halt {
    /// A batch's loss (or the clipped gradients' norm) was not finite; no
    /// step was taken with it, so the weights are those of the last step.
    BeforeStep(Error),
    /// The optimiser step wrote a non-finite weight: the network and the
    /// optimiser must be put back as they were.
    AfterStep(Error),
}

/// Everything one epoch needs besides the network and the optimiser.
pub(super) struct EpochPlan<'a, L, const IN: usize, const OUT: usize> {
    pub epoch: usize,
    pub data: &'a Dataset<IN, OUT>,
    pub loss: &'a L,
    pub clip_norm: Option<f32>,
}

/// Runs one epoch over `batches` (already shuffled).
pub(super) fn run_epoch<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    opt: &mut O,
    plan: &EpochPlan<'_, L, IN, OUT>,
    batches: &mut Batches<IN, OUT>,
    state: &mut (N::Grads, <N as Layer>::Cache),
    bar: &mut Progress,
) -> Result<EpochStats, Halt>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    O: Optimizer,
    L: Loss,
{
    let accuracy_kind = plan.loss.accuracy();
    let (mut loss_sum, mut correct, mut counted, mut seen) = (0.0f64, 0usize, 0usize, 0usize);
    let (grads, cache) = state;
    let size = batches.size;
    for (step, chunk) in batches.order.chunks(size).enumerate() {
        let non_finite = Error::NonFinite { epoch: plan.epoch, step: step + 1 };
        let (x, t, y, dy) = if chunk.len() == size { &mut batches.full } else { &mut batches.tail };
        gather(plan.data, chunk, x, t);
        let cols = chunk.len();
        net.train_forward(Cols::new(x.as_slice(), IN), ColsMut::new(y.as_mut_slice(), OUT), cache);
        let value = plan.loss.loss_slices(OUT, y.as_slice(), t.as_slice()) + net.l2_penalty();
        if !value.is_finite() {
            return Err(Halt::BeforeStep(non_finite));
        }
        plan.loss.grad_slices(OUT, y.as_slice(), t.as_slice(), dy.as_mut_slice());
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
        if !opt.step_finite(net, grads) {
            return Err(Halt::AfterStep(non_finite));
        }
        loss_sum += value as f64 * cols as f64;
        seen += cols;
        let (c, n) = accuracy_kind.count(OUT, y.as_slice(), t.as_slice());
        correct += c;
        counted += n;
        bar.step((loss_sum / seen as f64) as f32);
    }
    let accuracy = (accuracy_kind != Accuracy::None).then(|| correct as f32 / counted.max(1) as f32);
    Ok(EpochStats { loss: (loss_sum / seen.max(1) as f64) as f32, accuracy })
}
