//! `BatchNorm<N, P>`: batch normalisation over features.

// Per-feature arithmetic reads several parallel arrays; indexing by feature
// says that more plainly than zipping four iterators.
#![allow(clippy::needless_range_loop)]

use std::fmt::{self, Debug};

use nalgebra::{Const, SVector};
use rand::Rng;

use super::{Grads, Init, Layer, Parameterized, Tensor, TensorKind, TensorMut};
use crate::phase::{Eval, Phase};
use crate::tensor::{boxed_clone, boxed_zeros, View, ViewMut};

/// Keras' default momentum of the running statistics.
pub const MOMENTUM: f32 = 0.99;
/// Keras' default epsilon.
pub const EPSILON: f32 = 1e-3;

/// Batch normalisation over `N` features (Keras defaults: momentum 0.99,
/// epsilon 1e-3).
///
/// `gamma` and `beta` (PyTorch's `weight` and `bias`) are trained; the
/// running mean and variance are state, saved and loaded but not trained.
/// In [`Train`](crate::Train) it normalises with the batch's statistics and
/// updates the running ones (with the biased batch variance, as Keras
/// does); in [`Eval`] it uses the running statistics.
///
/// Freezing is not a phase: a `#[frozen]` BatchNorm keeps gamma and beta
/// fixed but, in a Train network, still normalises with batch statistics and
/// updates its running statistics (PyTorch's behaviour). For Keras'
/// frozen-BatchNorm behaviour, pin it: `#[phase(Eval)] #[frozen] bn: BatchNorm`.
///
/// ```
/// use typenet::prelude::*;
/// let bn = BatchNorm::<3, Eval>::new();
/// assert_eq!(bn.gamma().as_slice(), &[1.0, 1.0, 1.0]);
/// assert_eq!(BatchNorm::<3, Eval>::PARAMS, 6);
/// ```
pub struct BatchNorm<const N: usize, P: Phase = Eval> {
    gamma: Box<SVector<f32, N>>,
    beta: Box<SVector<f32, N>>,
    running_mean: Box<SVector<f32, N>>,
    running_var: Box<SVector<f32, N>>,
    phase: std::marker::PhantomData<P>,
}

impl<const N: usize, P: Phase> BatchNorm<N, P> {
    /// Trainable parameters: gamma and beta.
    pub const PARAMS: usize = 2 * N;

    /// gamma 1, beta 0, running mean 0, running variance 1.
    pub fn new() -> Self {
        let mut gamma = boxed_zeros::<N, 1>();
        gamma.fill(1.0);
        let mut running_var = boxed_zeros::<N, 1>();
        running_var.fill(1.0);
        BatchNorm {
            gamma,
            beta: boxed_zeros(),
            running_mean: boxed_zeros(),
            running_var,
            phase: std::marker::PhantomData,
        }
    }

    /// The scale (PyTorch's `weight`).
    pub fn gamma(&self) -> &SVector<f32, N> {
        &self.gamma
    }
    /// The shift (PyTorch's `bias`).
    pub fn beta(&self) -> &SVector<f32, N> {
        &self.beta
    }
    /// The running mean.
    pub fn running_mean(&self) -> &SVector<f32, N> {
        &self.running_mean
    }
    /// The running variance.
    pub fn running_var(&self) -> &SVector<f32, N> {
        &self.running_var
    }
    /// The running mean, mutably.
    pub fn running_mean_mut(&mut self) -> &mut SVector<f32, N> {
        &mut self.running_mean
    }
    /// The running variance, mutably.
    pub fn running_var_mut(&mut self) -> &mut SVector<f32, N> {
        &mut self.running_var
    }

    /// The same layer in phase `Q`.
    pub fn into_phase<Q: Phase>(self, _seed: u64) -> BatchNorm<N, Q> {
        BatchNorm {
            gamma: self.gamma,
            beta: self.beta,
            running_mean: self.running_mean,
            running_var: self.running_var,
            phase: std::marker::PhantomData,
        }
    }

    /// Forward through `&self` with the statistics `S` picks.
    fn infer_with<S: NormStatistics>(&self, x: View<'_, Const<N>>, mut y: ViewMut<'_, Const<N>>) {
        let mut mean = [0.0f32; N];
        let mut inv_std = [0.0f32; N];
        S::statistics(self, x.as_slice(), &mut mean, &mut inv_std);
        for v in inv_std.iter_mut() {
            *v = 1.0 / (*v + EPSILON).sqrt();
        }
        self.normalise(x.as_slice(), y.as_mut_slice(), &mean, &inv_std);
    }

    /// `y = gamma * (x - mean) * inv_std + beta`, per feature.
    fn normalise(&self, x: &[f32], y: &mut [f32], mean: &[f32], inv_std: &[f32]) {
        for (xc, yc) in x.chunks_exact(N).zip(y.chunks_exact_mut(N)) {
            for f in 0..N {
                yc[f] = self.gamma[f] * (xc[f] - mean[f]) * inv_std[f] + self.beta[f];
            }
        }
    }
}

impl<const N: usize, P: Phase> Default for BatchNorm<N, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, P: Phase> Clone for BatchNorm<N, P> {
    fn clone(&self) -> Self {
        BatchNorm {
            gamma: boxed_clone(&self.gamma),
            beta: boxed_clone(&self.beta),
            running_mean: boxed_clone(&self.running_mean),
            running_var: boxed_clone(&self.running_var),
            phase: std::marker::PhantomData,
        }
    }
}

impl<const N: usize, P: Phase> Debug for BatchNorm<N, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BatchNorm<{N}, {}>", P::NAME)
    }
}

impl<const N: usize, P: Phase> Init for BatchNorm<N, P> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Self::new()
    }
}

impl<const N: usize, P: Phase> Parameterized for BatchNorm<N, P> {
    const PARAMS: usize = 2 * N;
    type Weights = SVector<f32, N>;
    type Bias = SVector<f32, N>;
    fn weight_tensor(&self) -> &Self::Weights {
        &self.gamma
    }
    fn bias_tensor(&self) -> &Self::Bias {
        &self.beta
    }
    fn weight_tensor_mut(&mut self) -> &mut Self::Weights {
        &mut self.gamma
    }
    fn bias_tensor_mut(&mut self) -> &mut Self::Bias {
        &mut self.beta
    }
}

/// What a training forward keeps: normalised inputs and per-feature inverse
/// standard deviations.
#[derive(Clone, Debug, Default)]
pub struct NormCache {
    x_hat: Vec<f32>,
    mean: Vec<f32>,
    inv_std: Vec<f32>,
    batch_statistics: bool,
}

/// Which statistics a phase normalises with: [`BatchStatistics`] in Train,
/// [`RunningStatistics`] in Eval.
#[doc(hidden)]
pub trait NormStatistics: Copy + Debug + Default + Send + Sync + 'static {
    /// Mean and inverse standard deviation to normalise `x` with.
    fn statistics<const N: usize>(
        bn: &BatchNorm<N, impl Phase>,
        x: &[f32],
        mean: &mut [f32],
        inv_std: &mut [f32],
    ) -> bool;
    /// Whether a training forward updates the running statistics.
    const UPDATES_RUNNING: bool;
}

/// Normalise with the batch's own mean and (biased) variance.
#[derive(Clone, Copy, Debug, Default)]
pub struct BatchStatistics;

/// Normalise with the running mean and variance.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunningStatistics;

impl NormStatistics for BatchStatistics {
    const UPDATES_RUNNING: bool = true;
    fn statistics<const N: usize>(
        _bn: &BatchNorm<N, impl Phase>,
        x: &[f32],
        mean: &mut [f32],
        inv_std: &mut [f32],
    ) -> bool {
        // Feature by feature, two passes in f64: no scratch space, so the
        // forward stays allocation-free whatever N is.
        let cols = x.len() / N;
        let n = cols.max(1) as f64;
        for f in 0..N {
            let column = || (0..cols).map(|c| x[c * N + f] as f64);
            let m = column().sum::<f64>() / n;
            let var = column().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
            mean[f] = m as f32;
            // inv_std carries the biased variance until the caller inverts it.
            inv_std[f] = var as f32;
        }
        true
    }
}

impl NormStatistics for RunningStatistics {
    const UPDATES_RUNNING: bool = false;
    fn statistics<const N: usize>(
        bn: &BatchNorm<N, impl Phase>,
        _x: &[f32],
        mean: &mut [f32],
        inv_std: &mut [f32],
    ) -> bool {
        mean.copy_from_slice(bn.running_mean.as_slice());
        inv_std.copy_from_slice(bn.running_var.as_slice());
        false
    }
}

/// Gradients of a `BatchNorm<N, _>`: gamma and beta.
#[derive(Clone, Debug)]
pub struct BatchNormGrads<const N: usize> {
    gamma: Box<SVector<f32, N>>,
    beta: Box<SVector<f32, N>>,
}

impl<const N: usize> BatchNormGrads<N> {
    /// The gradient of gamma.
    pub fn gamma(&self) -> &SVector<f32, N> {
        &self.gamma
    }
    /// The gradient of beta.
    pub fn beta(&self) -> &SVector<f32, N> {
        &self.beta
    }
}

impl<const N: usize> Grads for BatchNormGrads<N> {
    fn zeros() -> Self {
        BatchNormGrads { gamma: boxed_zeros(), beta: boxed_zeros() }
    }
    fn accumulate(&mut self, other: &Self) {
        *self.gamma += &*other.gamma;
        *self.beta += &*other.beta;
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.gamma.as_slice());
        f(self.beta.as_slice());
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(self.gamma.as_mut_slice());
        f(self.beta.as_mut_slice());
    }
}

impl<const N: usize> std::ops::AddAssign<&BatchNormGrads<N>> for BatchNormGrads<N> {
    fn add_assign(&mut self, other: &BatchNormGrads<N>) {
        self.accumulate(other);
    }
}

impl<const N: usize, P: Phase> Layer for BatchNorm<N, P> {
    type In = Const<N>;
    type Out = Const<N>;
    type Cache = NormCache;
    type Grads = BatchNormGrads<N>;
    type InPhase<Q: Phase> = BatchNorm<N, Q>;

    const PARAM_COUNT: usize = 2 * N;
    const STATE_COUNT: usize = 2 * N;

    fn infer(&self, x: View<'_, Const<N>>, y: ViewMut<'_, Const<N>>) {
        self.infer_with::<P::Norm>(x, y);
    }

    fn infer_eval(&self, x: View<'_, Const<N>>, y: ViewMut<'_, Const<N>>) {
        self.infer_with::<RunningStatistics>(x, y);
    }

    fn train_forward(&mut self, x: View<'_, Const<N>>, mut y: ViewMut<'_, Const<N>>, cache: &mut NormCache) {
        cache.mean.resize(N, 0.0);
        cache.inv_std.resize(N, 0.0);
        let mean = &mut cache.mean;
        let batch = P::Norm::statistics(self, x.as_slice(), mean, &mut cache.inv_std);
        if batch && <P::Norm as NormStatistics>::UPDATES_RUNNING {
            for f in 0..N {
                self.running_mean[f] = MOMENTUM * self.running_mean[f] + (1.0 - MOMENTUM) * mean[f];
                self.running_var[f] = MOMENTUM * self.running_var[f] + (1.0 - MOMENTUM) * cache.inv_std[f];
            }
        }
        for v in cache.inv_std.iter_mut() {
            *v = 1.0 / (*v + EPSILON).sqrt();
        }
        cache.batch_statistics = batch;
        cache.x_hat.resize(x.len(), 0.0);
        for (xc, hc) in x.as_slice().chunks_exact(N).zip(cache.x_hat.chunks_exact_mut(N)) {
            for f in 0..N {
                hc[f] = (xc[f] - mean[f]) * cache.inv_std[f];
            }
        }
        for (hc, yc) in cache.x_hat.chunks_exact(N).zip(y.as_mut_slice().chunks_exact_mut(N)) {
            for f in 0..N {
                yc[f] = self.gamma[f] * hc[f] + self.beta[f];
            }
        }
    }

    fn train_backward(
        &mut self,
        _x: View<'_, Const<N>>,
        _y: View<'_, Const<N>>,
        dy: ViewMut<'_, Const<N>>,
        cache: &mut NormCache,
        dx: Option<ViewMut<'_, Const<N>>>,
        grads: Option<&mut BatchNormGrads<N>>,
    ) {
        let dy = dy.as_slice();
        let cols = dy.len() / N;
        // The per-feature sums reuse the statistics' buffer: the mean is no
        // longer needed once x_hat is kept.
        cache.mean.resize(2 * N, 0.0);
        let (sum_dy, sum_dy_xhat) = cache.mean.split_at_mut(N);
        sum_dy.fill(0.0);
        sum_dy_xhat.fill(0.0);
        for (dc, hc) in dy.chunks_exact(N).zip(cache.x_hat.chunks_exact(N)) {
            for f in 0..N {
                sum_dy[f] += dc[f];
                sum_dy_xhat[f] += dc[f] * hc[f];
            }
        }
        if let Some(grads) = grads {
            grads.gamma.as_mut_slice().copy_from_slice(sum_dy_xhat);
            grads.beta.as_mut_slice().copy_from_slice(sum_dy);
        }
        if let Some(mut dx) = dx {
            let n = cols as f32;
            let dx = dx.as_mut_slice();
            for ((dxc, dc), hc) in
                dx.chunks_exact_mut(N).zip(dy.chunks_exact(N)).zip(cache.x_hat.chunks_exact(N))
            {
                for f in 0..N {
                    let scale = self.gamma[f] * cache.inv_std[f];
                    dxc[f] = if cache.batch_statistics {
                        scale * (dc[f] - sum_dy[f] / n - hc[f] * sum_dy_xhat[f] / n)
                    } else {
                        scale * dc[f]
                    };
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> BatchNorm<N, Q> {
        BatchNorm::into_phase(self, seed)
    }

    fn visit_trainable(&mut self, grads: &Self::Grads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(self.gamma.as_mut_slice(), grads.gamma.as_slice());
        f(self.beta.as_mut_slice(), grads.beta.as_slice());
    }

    fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, Tensor<'_>)) {
        let tensors = [
            ("weight", self.gamma.as_slice(), TensorKind::Parameter),
            ("bias", self.beta.as_slice(), TensorKind::Parameter),
            ("running_mean", self.running_mean.as_slice(), TensorKind::State),
            ("running_var", self.running_var.as_slice(), TensorKind::State),
        ];
        for (name, data, kind) in tensors {
            f(&format!("{prefix}{name}"), Tensor { rows: N, cols: 1, is_vector: true, data, kind });
        }
    }

    fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, TensorMut<'_>)) {
        let tensors = [
            ("weight", self.gamma.as_mut_slice(), TensorKind::Parameter),
            ("bias", self.beta.as_mut_slice(), TensorKind::Parameter),
            ("running_mean", self.running_mean.as_mut_slice(), TensorKind::State),
            ("running_var", self.running_var.as_mut_slice(), TensorKind::State),
        ];
        for (name, data, kind) in tensors {
            f(&format!("{prefix}{name}"), TensorMut { rows: N, cols: 1, is_vector: true, data, kind });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::Train;
    use crate::tensor::{view, view_mut};
    use crate::testing::check_layer_gradients;

    fn randomised<P: Phase>() -> BatchNorm<4, P> {
        let mut bn = BatchNorm::<4, P>::new();
        bn.gamma.copy_from_slice(&[1.5, 0.5, -1.0, 2.0]);
        bn.beta.copy_from_slice(&[0.1, -0.2, 0.3, 0.0]);
        bn.running_mean.copy_from_slice(&[0.5, -0.5, 1.0, 0.0]);
        bn.running_var.copy_from_slice(&[2.0, 0.5, 1.0, 3.0]);
        bn
    }

    #[test]
    fn backward_matches_finite_differences_in_both_phases() {
        check_layer_gradients(randomised::<Train>(), 5);
        check_layer_gradients(randomised::<Eval>(), 5);
    }

    #[test]
    fn train_normalises_the_batch_and_updates_running_statistics() {
        let mut bn = BatchNorm::<2, Train>::new();
        let x = [1.0f32, 10.0, 3.0, 20.0, 5.0, 30.0];
        let mut y = [0.0f32; 6];
        let mut cache = NormCache::default();
        bn.train_forward(view(&x, 3), view_mut(&mut y, 3), &mut cache);
        let mean0: f32 = (y[0] + y[2] + y[4]) / 3.0;
        assert!(mean0.abs() < 1e-6);
        assert!((bn.running_mean()[0] - 0.03).abs() < 1e-6);
        let var0 = 8.0 / 3.0;
        assert!((bn.running_var()[0] - (0.99 + 0.01 * var0)).abs() < 1e-6);
    }

    #[test]
    fn eval_uses_running_statistics_and_changes_nothing() {
        let mut bn = randomised::<Eval>();
        let before = bn.running_mean().clone_owned();
        let x = [1.0f32, 2.0, 3.0, 4.0];
        let mut y = [0.0f32; 4];
        bn.train_forward(view(&x, 1), view_mut(&mut y, 1), &mut NormCache::default());
        assert_eq!(bn.running_mean(), &before);
        let want = 1.5 * (1.0 - 0.5) / (2.0f32 + EPSILON).sqrt() + 0.1;
        assert!((y[0] - want).abs() < 1e-6);
    }
}
