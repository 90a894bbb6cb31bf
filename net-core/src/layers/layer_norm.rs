//! `LayerNorm<F, POSITIONS>`: layer normalisation over the last axis.

use crate::no_std_prelude::*;
use core::fmt;

use nalgebra::SVector;
use rand::Rng;

use super::grads::WeightBiasGrads;
use super::{Heap, Init, Layer, StepWidth, StepWise, Tensors};
use crate::linalg::simd;
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// PyTorch's default epsilon.
pub const EPSILON: f32 = 1e-5;

/// Layer normalisation over the last axis of `F` features, seen at
/// `POSITIONS` places per sample: PyTorch's `nn.LayerNorm(F)`.
///
/// On a flat input `POSITIONS` is 1 and each sample is normalised on its
/// own; on a sequence (`[T, F]`) each time step is, and so on any shape
/// whose last axis is `F`. Each group of `F` values is shifted by its mean
/// and divided by `sqrt(variance + eps)` (the biased variance, as PyTorch),
/// then scaled by `weight` and shifted by `bias`, both `[F]` and trained
/// (1 and 0 at first). The same in `Train` and `Eval`: no running
/// statistics, and it streams step by step.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::{Cols, ColsMut, LayerNorm};
/// network! {
///     struct Normed { input: [5, 4], norm: LayerNorm(eps = 1e-6), rnn: Gru<3>, out: Dense<1> }
/// }
/// let net = Normed::<Eval>::seeded(1);
/// assert_eq!(net.norm.weights().as_slice(), &[1.0; 4]);
/// assert_eq!(net.norm.epsilon(), 1e-6);
/// assert_eq!(LayerNorm::<4, 5>::PARAMS, 8);
/// let step = LayerNorm::<4>::new();
/// let mut y = [0.0; 4];
/// step.infer(Cols::new(&[1.0, 2.0, 3.0, 4.0], 4), ColsMut::new(&mut y, 4));
/// assert!(y.iter().sum::<f32>().abs() < 1e-6);
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct LayerNorm<const F: usize, const POSITIONS: usize = 1> {
    #[param("weight", shape = [F], weights)]
    weight: Heap<SVector<f32, F>>,
    #[param("bias", shape = [F], bias)]
    bias: Heap<SVector<f32, F>>,
    epsilon: f32,
}

/// Gradients of a `LayerNorm<F, ..>`: its weight and bias.
pub type LayerNormGrads<const F: usize> = WeightBiasGrads<SVector<f32, F>, SVector<f32, F>>;

impl<const F: usize, const POSITIONS: usize> LayerNorm<F, POSITIONS> {
    /// Weight 1, bias 0, PyTorch's epsilon (1e-5).
    pub fn new() -> Self {
        Self::with(EPSILON)
    }

    /// Like [`new`](Self::new) with the given epsilon.
    ///
    /// # Panics
    /// If `epsilon` is not positive and finite (`network!` checks literals
    /// at compile time).
    pub fn with(epsilon: f32) -> Self {
        assert!(epsilon > 0.0 && epsilon.is_finite(), "LayerNorm epsilon {epsilon} must be positive");
        LayerNorm { weight: Heap::filled(1.0), bias: Heap::zeroed(), epsilon }
    }

    /// The epsilon added to the variance.
    pub fn epsilon(&self) -> f32 {
        self.epsilon
    }

    /// `1 / sqrt(variance + eps)` of one group of `F` values, and their
    /// mean; accumulated in f64, so a wide group loses no precision.
    #[inline(always)]
    fn moments(&self, x: &[f32]) -> (f32, f32) {
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / F as f64;
        let variance = x.iter().map(|&v| (v as f64 - mean) * (v as f64 - mean)).sum::<f64>() / F as f64;
        (mean as f32, (1.0 / (variance + self.epsilon as f64).sqrt()) as f32)
    }

    /// Normalises every group of `F` values of `x` into `y`, keeping the
    /// normalised values and each group's inverse deviation when asked.
    fn normalise(&self, x: &[f32], y: &mut [f32], mut keep: Option<&mut LayerNormCache>) {
        if let Some(cache) = keep.as_deref_mut() {
            cache.x_hat.resize(x.len(), 0.0);
            cache.inv_std.resize(x.len() / F, 0.0);
        }
        let (w, b) = (self.weight.as_slice(), self.bias.as_slice());
        simd::vectorized(
            #[inline(always)]
            || {
                for (group, (x, y)) in x.chunks_exact(F).zip(y.chunks_exact_mut(F)).enumerate() {
                    let (mean, inv_std) = self.moments(x);
                    for k in 0..F {
                        y[k] = (x[k] - mean) * inv_std;
                    }
                    if let Some(cache) = keep.as_deref_mut() {
                        cache.x_hat[group * F..(group + 1) * F].copy_from_slice(y);
                        cache.inv_std[group] = inv_std;
                    }
                    for k in 0..F {
                        y[k] = w[k] * y[k] + b[k];
                    }
                }
            },
        );
    }
}

impl<const F: usize, const POSITIONS: usize> Default for LayerNorm<F, POSITIONS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const F: usize, const POSITIONS: usize> fmt::Debug for LayerNorm<F, POSITIONS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LayerNorm<{F} x {POSITIONS}, eps {}>", self.epsilon)
    }
}

impl<const F: usize, const POSITIONS: usize> Init for LayerNorm<F, POSITIONS> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Self::new()
    }
}

/// What a training forward keeps: the normalised input and each group's
/// inverse standard deviation.
#[derive(Clone, Debug, Default)]
pub struct LayerNormCache {
    x_hat: Vec<f32>,
    inv_std: Vec<f32>,
}

impl<const F: usize, const POSITIONS: usize> Layer for LayerNorm<F, POSITIONS> {
    const INPUT: usize = F * POSITIONS;
    const OUTPUT: usize = F * POSITIONS;
    type Cache = LayerNormCache;
    type Grads = LayerNormGrads<F>;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        self.normalise(x.as_slice(), y.as_mut_slice(), None);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut LayerNormCache) {
        self.normalise(x.as_slice(), y.as_mut_slice(), Some(cache));
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut LayerNormCache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut LayerNormGrads<F>>,
    ) {
        let dy = dy.as_slice();
        if let Some(grads) = grads {
            let (dw, db) = grads.both_mut();
            let (dw, db) = (dw.as_mut_slice(), db.as_mut_slice());
            dw.fill(0.0);
            db.fill(0.0);
            for (dy, x_hat) in dy.chunks_exact(F).zip(cache.x_hat.chunks_exact(F)) {
                for k in 0..F {
                    dw[k] += dy[k] * x_hat[k];
                    db[k] += dy[k];
                }
            }
        }
        let Some(mut dx) = dx else { return };
        let w = self.weight.as_slice();
        let groups = dx.as_mut_slice().chunks_exact_mut(F).zip(dy.chunks_exact(F));
        for ((dx, dy), (x_hat, &inv_std)) in groups.zip(cache.x_hat.chunks_exact(F).zip(&cache.inv_std)) {
            // dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), g = dy * w.
            let (mut sum, mut dot) = (0.0f32, 0.0f32);
            for k in 0..F {
                let g = dy[k] * w[k];
                sum += g;
                dot += g * x_hat[k];
            }
            let (mean, mean_dot) = (sum / F as f32, dot / F as f32);
            for k in 0..F {
                dx[k] = inv_std * (dy[k] * w[k] - mean - x_hat[k] * mean_dot);
            }
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Each step's `F` features normalised on their own.
impl<const F: usize, const POSITIONS: usize> StepWise for LayerNorm<F, POSITIONS> {
    const STEP: StepWidth = StepWidth::Fixed { input: F, output: F };

    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        self.normalise(x, y, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Streamable, Weights};
    use crate::testing::check_layer_gradients;

    fn randomised<const POSITIONS: usize>(epsilon: f32) -> LayerNorm<4, POSITIONS> {
        let mut norm = LayerNorm::<4, POSITIONS>::with(epsilon);
        norm.weights_mut().copy_from_slice(&[1.5, 0.5, -1.0, 2.0]);
        norm.bias_mut().copy_from_slice(&[0.1, -0.2, 0.3, 0.0]);
        norm
    }

    #[test]
    fn backward_matches_finite_differences_flat_and_per_step() {
        check_layer_gradients(randomised::<1>(EPSILON), 5);
        check_layer_gradients(randomised::<3>(EPSILON), 2);
        check_layer_gradients(randomised::<2>(0.5), 3);
    }

    #[test]
    fn each_step_is_normalised_on_its_own() {
        let norm = LayerNorm::<3, 2>::new();
        // Two steps of one sample, the second a shifted and scaled copy.
        let x = [1.0f32, 2.0, 6.0, 11.0, 12.0, 16.0];
        let mut y = [0.0f32; 6];
        norm.infer(Cols::new(&x, 6), ColsMut::new(&mut y, 6));
        for (a, b) in y[..3].iter().zip(&y[3..]) {
            assert!((a - b).abs() < 1e-6, "{y:?}");
        }
        let mean = 3.0f32;
        let variance = (4.0 + 1.0 + 9.0) / 3.0;
        assert!((y[0] - (1.0 - mean) / (variance + EPSILON).sqrt()).abs() < 1e-6);
        assert!(y[..3].iter().sum::<f32>().abs() < 1e-6);
    }

    #[test]
    fn a_constant_group_gives_the_bias() {
        let norm = randomised::<1>(EPSILON);
        let mut y = [0.0f32; 4];
        norm.infer(Cols::new(&[7.0; 4], 4), ColsMut::new(&mut y, 4));
        assert_eq!(y, [0.1, -0.2, 0.3, 0.0]);
    }

    #[test]
    fn a_step_is_what_the_whole_sequence_gives_at_that_step() {
        let norm = randomised::<3>(1e-3);
        let x: Vec<f32> = (0..12).map(|i| (i as f32 * 0.7).sin() * 3.0).collect();
        let mut whole = vec![0.0f32; 12];
        norm.infer(Cols::new(&x, 12), ColsMut::new(&mut whole, 12));
        for (step, want) in x.chunks(4).zip(whole.chunks(4)) {
            let mut y = [0.0f32; 4];
            norm.step(&mut (), step, &mut y);
            assert_eq!(y, want);
        }
    }

    #[test]
    #[should_panic(expected = "must be positive")]
    fn a_zero_epsilon_is_refused() {
        let _ = LayerNorm::<2>::with(0.0);
    }
}
