//! `BatchNorm<C, P, POSITIONS>`: batch normalisation per channel.

// Per-channel arithmetic reads several parallel arrays; indexing by channel
// says that more plainly than zipping four iterators.
#![allow(clippy::needless_range_loop)]

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};
use core::marker::PhantomData;

use nalgebra::SVector;
use rand::Rng;

use super::grads::WeightBiasGrads;
use super::{Heap, Init, Layer, StepWidth, StepWise, Tensors};
use crate::phase::{Eval, Phase, PhaseKind};
use crate::tensor::{Cols, ColsMut};

/// Keras' default momentum of the running statistics.
pub const MOMENTUM: f32 = 0.99;
/// Keras' default epsilon.
pub const EPSILON: f32 = 1e-3;

/// Batch normalisation of `C` channels, each seen at `POSITIONS` places per
/// sample (Keras defaults: momentum 0.99, epsilon 1e-3).
///
/// On a flat input `POSITIONS` is 1 and every feature is a channel; on a
/// shaped input (`[H, W, C]`, channels last) the statistics of a channel
/// are taken over the batch and every position, as Keras' `axis=-1` and
/// PyTorch's `BatchNorm2d` do.
///
/// `gamma` and `beta` are trained; like every parameterised layer's they
/// are [`weights()`](crate::Weights::weights) and
/// [`bias()`](crate::Weights::bias), saved as PyTorch's `weight` and
/// `bias`. The running mean and variance are state, saved and loaded but
/// not trained.
/// In [`Train`](crate::Train) it normalises with the batch's statistics and
/// updates the running ones (`running = momentum * running + (1 -
/// momentum) * batch`, with the biased batch variance, as Keras does); in
/// [`Eval`] it uses the running statistics.
///
/// Freezing is not a phase: a `#[frozen]` BatchNorm keeps gamma and beta
/// fixed but, in a Train network, still normalises with batch statistics and
/// updates its running statistics (PyTorch's behaviour). For Keras'
/// frozen-BatchNorm behaviour, pin it: `#[phase(Eval)] #[frozen] bn: BatchNorm`.
///
/// ```
/// use typenet::prelude::*;
/// let bn = BatchNorm::<3, Eval>::new();
/// assert_eq!(bn.weights().as_slice(), &[1.0, 1.0, 1.0]); // gamma
/// assert_eq!(bn.bias().as_slice(), &[0.0, 0.0, 0.0]); // beta
/// assert_eq!(BatchNorm::<3, Eval>::PARAMS, 6);
/// // PyTorch's BatchNorm2d(16) defaults, over a 4x4 map:
/// let bn = BatchNorm::<16, Eval, 16>::with(1e-5, 0.9);
/// assert_eq!((bn.epsilon(), bn.momentum()), (1e-5, 0.9));
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct BatchNorm<const C: usize, P: Phase = Eval, const POSITIONS: usize = 1> {
    #[param("weight", shape = [C], weights)]
    gamma: Heap<SVector<f32, C>>,
    #[param("bias", shape = [C], bias)]
    beta: Heap<SVector<f32, C>>,
    #[state("running_mean", shape = [C])]
    running_mean: Heap<SVector<f32, C>>,
    #[state("running_var", shape = [C], range = NonNegative)]
    running_var: Heap<SVector<f32, C>>,
    epsilon: f32,
    momentum: f32,
    phase: PhantomData<P>,
}

impl<const C: usize, P: Phase, const POSITIONS: usize> BatchNorm<C, P, POSITIONS> {
    /// gamma 1, beta 0, running mean 0, running variance 1, Keras' epsilon
    /// and momentum.
    pub fn new() -> Self {
        Self::with(EPSILON, MOMENTUM)
    }

    /// Like [`new`](Self::new) with the given epsilon and momentum (in
    /// Keras' convention: PyTorch's `momentum=0.1` is `0.9` here).
    ///
    /// # Panics
    /// If `epsilon` is not positive and finite or `momentum` is outside
    /// [0, 1] (`network!` checks literals at compile time).
    pub fn with(epsilon: f32, momentum: f32) -> Self {
        assert!(epsilon > 0.0 && epsilon.is_finite(), "BatchNorm epsilon {epsilon} must be positive");
        assert!((0.0..=1.0).contains(&momentum), "BatchNorm momentum {momentum} is outside [0, 1]");
        BatchNorm {
            gamma: Heap::filled(1.0),
            beta: Heap::zeroed(),
            running_mean: Heap::zeroed(),
            running_var: Heap::filled(1.0),
            epsilon,
            momentum,
            phase: PhantomData,
        }
    }

    /// The running mean.
    pub fn running_mean(&self) -> &SVector<f32, C> {
        &self.running_mean
    }
    /// The running variance.
    pub fn running_var(&self) -> &SVector<f32, C> {
        &self.running_var
    }
    /// The running mean, mutably.
    pub fn running_mean_mut(&mut self) -> &mut SVector<f32, C> {
        &mut self.running_mean
    }
    /// The running variance, mutably.
    pub fn running_var_mut(&mut self) -> &mut SVector<f32, C> {
        &mut self.running_var
    }
    /// The epsilon added to the variance.
    pub fn epsilon(&self) -> f32 {
        self.epsilon
    }
    /// The momentum of the running statistics.
    pub fn momentum(&self) -> f32 {
        self.momentum
    }

    /// The same layer in phase `Q`.
    pub fn into_phase<Q: Phase>(self, _seed: u64) -> BatchNorm<C, Q, POSITIONS> {
        BatchNorm {
            gamma: self.gamma,
            beta: self.beta,
            running_mean: self.running_mean,
            running_var: self.running_var,
            epsilon: self.epsilon,
            momentum: self.momentum,
            phase: PhantomData,
        }
    }

    /// Per-channel mean and biased variance of `x` over the batch and the
    /// positions, in f64: no scratch space, so the forward stays
    /// allocation-free whatever the width. A variance beyond f32's range
    /// (finite values more than ~3.7e19 apart) is taken as `f32::MAX`, for
    /// normalising the batch and for the running variance alike: the
    /// running statistics must be what training used, or the Eval network
    /// would normalise that channel differently from every training step.
    fn batch_statistics(x: &[f32], mean: &mut [f32], variance: &mut [f32]) {
        // Channels a block at a time, each pass reading the block's values
        // of every row, which are contiguous: one pass per channel read
        // every cache line C times (4 % of a ResNet-18 training step).
        // Each channel still sums its values in order, so the bits are
        // those of the plain per-channel loop.
        const BLOCK: usize = 64;
        let count = (x.len() / C).max(1) as f64;
        for first in (0..C).step_by(BLOCK) {
            let width = BLOCK.min(C - first);
            let rows = || x.chunks_exact(C).map(|row| &row[first..first + width]);
            let mut sums = [0.0f64; BLOCK];
            for row in rows() {
                sums.iter_mut().zip(row).for_each(|(sum, &v)| *sum += v as f64);
            }
            let means = sums.map(|sum| sum / count);
            let mut squares = [0.0f64; BLOCK];
            for row in rows() {
                squares.iter_mut().zip(row).zip(&means).for_each(|((square, &v), m)| {
                    let deviation = v as f64 - m;
                    *square += deviation * deviation;
                });
            }
            for i in 0..width {
                mean[first + i] = means[i] as f32;
                variance[first + i] = (squares[i] / count).min(f32::MAX as f64) as f32;
            }
        }
    }

    /// `1 / sqrt(variance + epsilon)`, in place.
    fn invert(&self, variance: &mut [f32]) {
        for v in variance.iter_mut() {
            *v = 1.0 / (*v + self.epsilon).sqrt();
        }
    }

    /// Forward through `&self`, with the batch's statistics or the running ones.
    fn infer_with(&self, statistics: PhaseKind, x: Cols<'_>, mut y: ColsMut<'_>) {
        let (mut mean, mut inv_std) = ([0.0f32; C], [0.0f32; C]);
        match statistics {
            PhaseKind::Train => Self::batch_statistics(x.as_slice(), &mut mean, &mut inv_std),
            PhaseKind::Eval => {
                mean.copy_from_slice(self.running_mean.as_slice());
                inv_std.copy_from_slice(self.running_var.as_slice());
            }
        }
        self.invert(&mut inv_std);
        for (xc, yc) in x.as_slice().chunks_exact(C).zip(y.as_mut_slice().chunks_exact_mut(C)) {
            for c in 0..C {
                yc[c] = self.gamma[c] * (xc[c] - mean[c]) * inv_std[c] + self.beta[c];
            }
        }
    }
}

impl<const C: usize, P: Phase, const POSITIONS: usize> Default for BatchNorm<C, P, POSITIONS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const C: usize, P: Phase, const POSITIONS: usize> Debug for BatchNorm<C, P, POSITIONS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BatchNorm<{C}, {}>", P::NAME)
    }
}

impl<const C: usize, P: Phase, const POSITIONS: usize> Init for BatchNorm<C, P, POSITIONS> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Self::new()
    }
}

/// What a training forward keeps: the normalised input and, per channel,
/// the mean and inverse standard deviation it was normalised with.
#[derive(Clone, Debug, Default)]
pub struct NormCache {
    x_hat: Vec<f32>,
    mean: Vec<f32>,
    inv_std: Vec<f32>,
    /// Whether the batch's own statistics were used (their gradient then
    /// flows back through the mean and variance).
    batch_statistics: bool,
}

/// Gradients of a `BatchNorm<C, ..>`: gamma's in `weights()`, beta's in
/// `bias()`, as the layer's own tensors.
pub type BatchNormGrads<const C: usize> = WeightBiasGrads<SVector<f32, C>, SVector<f32, C>>;

impl<const C: usize, P: Phase, const POSITIONS: usize> Layer for BatchNorm<C, P, POSITIONS> {
    const INPUT: usize = C * POSITIONS;
    const OUTPUT: usize = C * POSITIONS;
    const PHASED: bool = true;
    type Cache = NormCache;
    type Grads = BatchNormGrads<C>;
    type InPhase<Q: Phase> = BatchNorm<C, Q, POSITIONS>;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::BatchNorm { channels: C, epsilon: self.epsilon, momentum: self.momentum }
    }

    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.infer_with(P::KIND, x, y);
    }

    fn infer_eval(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.infer_with(PhaseKind::Eval, x, y);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut NormCache) {
        cache.mean.resize(C, 0.0);
        cache.inv_std.resize(C, 0.0);
        cache.batch_statistics = P::KIND == PhaseKind::Train;
        if cache.batch_statistics {
            // `inv_std` holds the batch variance until it is inverted below.
            Self::batch_statistics(x.as_slice(), &mut cache.mean, &mut cache.inv_std);
            let keep = self.momentum;
            // Blended in f64: the mean of two values near f32::MAX
            // overflows in f32 (`keep * a` and `(1 - keep) * b` do not).
            let blend = |running: f32, batch: f32| {
                (keep as f64 * running as f64 + (1.0 - keep as f64) * batch as f64).min(f32::MAX as f64)
                    as f32
            };
            for c in 0..C {
                let mean = blend(self.running_mean[c], cache.mean[c]);
                let var = blend(self.running_var[c], cache.inv_std[c]);
                // Finite inputs give finite statistics (see
                // `batch_statistics`); a NaN in the batch leaves the
                // running ones as they were, rather than poisoning them.
                if mean.is_finite() && var.is_finite() {
                    self.running_mean[c] = mean;
                    self.running_var[c] = var;
                }
            }
        } else {
            cache.mean.copy_from_slice(self.running_mean.as_slice());
            cache.inv_std.copy_from_slice(self.running_var.as_slice());
        }
        self.invert(&mut cache.inv_std);
        cache.x_hat.resize(x.as_slice().len(), 0.0);
        for (xc, hc) in x.as_slice().chunks_exact(C).zip(cache.x_hat.chunks_exact_mut(C)) {
            for c in 0..C {
                hc[c] = (xc[c] - cache.mean[c]) * cache.inv_std[c];
            }
        }
        for (hc, yc) in cache.x_hat.chunks_exact(C).zip(y.as_mut_slice().chunks_exact_mut(C)) {
            for c in 0..C {
                yc[c] = self.gamma[c] * hc[c] + self.beta[c];
            }
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut NormCache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut BatchNormGrads<C>>,
    ) {
        let dy = dy.as_slice();
        let count = (dy.len() / C) as f32;
        let (mut sum_dy, mut sum_dy_xhat) = ([0.0f32; C], [0.0f32; C]);
        for (dc, hc) in dy.chunks_exact(C).zip(cache.x_hat.chunks_exact(C)) {
            for c in 0..C {
                sum_dy[c] += dc[c];
                sum_dy_xhat[c] += dc[c] * hc[c];
            }
        }
        if let Some(grads) = grads {
            let (gamma, beta) = grads.both_mut();
            gamma.as_mut_slice().copy_from_slice(&sum_dy_xhat);
            beta.as_mut_slice().copy_from_slice(&sum_dy);
        }
        if let Some(mut dx) = dx {
            let dx = dx.as_mut_slice();
            for ((dxc, dc), hc) in
                dx.chunks_exact_mut(C).zip(dy.chunks_exact(C)).zip(cache.x_hat.chunks_exact(C))
            {
                for c in 0..C {
                    let scale = self.gamma[c] * cache.inv_std[c];
                    dxc[c] = if cache.batch_statistics {
                        scale * (dc[c] - sum_dy[c] / count - hc[c] * sum_dy_xhat[c] / count)
                    } else {
                        scale * dc[c]
                    };
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> BatchNorm<C, Q, POSITIONS> {
        BatchNorm::into_phase(self, seed)
    }
}

/// Each step's channels normalised with the running statistics.
impl<const C: usize, P: Phase, const POSITIONS: usize> StepWise for BatchNorm<C, P, POSITIONS> {
    const STEP: StepWidth = StepWidth::in_eval::<P>(StepWidth::Fixed { input: C, output: C });

    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        self.infer_with(PhaseKind::Eval, Cols::new(x, C), ColsMut::new(y, C));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::Train;
    use crate::testing::check_layer_gradients;

    fn randomised<P: Phase, const POSITIONS: usize>() -> BatchNorm<4, P, POSITIONS> {
        let mut bn = BatchNorm::<4, P, POSITIONS>::new();
        bn.gamma.copy_from_slice(&[1.5, 0.5, -1.0, 2.0]);
        bn.beta.copy_from_slice(&[0.1, -0.2, 0.3, 0.0]);
        bn.running_mean.copy_from_slice(&[0.5, -0.5, 1.0, 0.0]);
        bn.running_var.copy_from_slice(&[2.0, 0.5, 1.0, 3.0]);
        bn
    }

    #[test]
    fn backward_matches_finite_differences_in_both_phases() {
        check_layer_gradients(randomised::<Train, 1>(), 5);
        check_layer_gradients(randomised::<Eval, 1>(), 5);
    }

    #[test]
    fn per_channel_backward_matches_finite_differences() {
        check_layer_gradients(randomised::<Train, 3>(), 2);
        check_layer_gradients(randomised::<Eval, 3>(), 2);
    }

    #[test]
    fn train_normalises_the_batch_and_updates_running_statistics() {
        let mut bn = BatchNorm::<2, Train>::new();
        let x = [1.0f32, 10.0, 3.0, 20.0, 5.0, 30.0];
        let mut y = [0.0f32; 6];
        let mut cache = NormCache::default();
        bn.train_forward(Cols::new(&x, 2), ColsMut::new(&mut y, 2), &mut cache);
        let mean0: f32 = (y[0] + y[2] + y[4]) / 3.0;
        assert!(mean0.abs() < 1e-6);
        assert!((bn.running_mean()[0] - 0.03).abs() < 1e-6);
        let var0 = 8.0 / 3.0;
        assert!((bn.running_var()[0] - (0.99 + 0.01 * var0)).abs() < 1e-6);
    }

    #[test]
    fn channels_share_statistics_over_positions() {
        // Two positions of one channel per sample: both count for its mean.
        let mut bn = BatchNorm::<1, Train, 2>::with(1e-5, 0.0);
        let x = [1.0f32, 3.0, 5.0, 7.0];
        let mut y = [0.0f32; 4];
        bn.train_forward(Cols::new(&x, 2), ColsMut::new(&mut y, 2), &mut NormCache::default());
        assert_eq!(bn.running_mean()[0], 4.0);
        assert_eq!(bn.running_var()[0], 5.0);
    }

    #[test]
    fn eval_uses_running_statistics_and_changes_nothing() {
        let mut bn = randomised::<Eval, 1>();
        let before = bn.running_mean().clone_owned();
        let x = [1.0f32, 2.0, 3.0, 4.0];
        let mut y = [0.0f32; 4];
        bn.train_forward(Cols::new(&x, 4), ColsMut::new(&mut y, 4), &mut NormCache::default());
        assert_eq!(bn.running_mean(), &before);
        let want = 1.5 * (1.0 - 0.5) / (2.0f32 + EPSILON).sqrt() + 0.1;
        assert!((y[0] - want).abs() < 1e-6);
    }
}
