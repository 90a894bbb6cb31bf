//! Losses: unit structs used as values, each with `loss`, `grad` and the
//! allocation-free `grad_into`. Every loss is a mean over the batch (and,
//! for `Mse` and the binary cross-entropies, over the outputs too), so
//! `grad` already divides by the batch size.

use crate::math::{self, sigmoid};
use crate::tensor::Batch;

/// Keras' `epsilon()`: the clipping bound of losses on probabilities.
pub const EPSILON: f32 = 1e-7;

/// How a loss's outputs read as predictions: how accuracy is counted, and
/// how the classification [metrics](crate::metrics) find the predicted and
/// the true class.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::AccuracyKind;
/// assert_eq!(CrossEntropy.accuracy(), AccuracyKind::Categorical);
/// assert_eq!(BinaryCrossEntropy::from_logits().accuracy(), AccuracyKind::Binary { threshold: 0.0 });
/// assert_eq!(AccuracyKind::Binary { threshold: 0.5 }.count(1, &[0.7, 0.2], &[1.0, 1.0]), (1, 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AccuracyKind {
    /// No accuracy (regression losses).
    None,
    /// Each output is a yes/no prediction: `y > threshold` against `t > 0.5`.
    Binary {
        /// 0.5 on probabilities, 0 on logits.
        threshold: f32,
    },
    /// The arg-max of each sample's outputs against that of its targets.
    Categorical,
}

impl AccuracyKind {
    /// The number of correct predictions in a batch with `rows` outputs per
    /// sample, and the number of predictions counted.
    pub fn count(self, rows: usize, y: &[f32], t: &[f32]) -> (usize, usize) {
        match self {
            AccuracyKind::None => (0, 0),
            AccuracyKind::Binary { threshold } => {
                let correct = y.iter().zip(t).filter(|(&y, &t)| (y > threshold) == (t > 0.5)).count();
                (correct, y.len())
            }
            AccuracyKind::Categorical => {
                let argmax = |c: &[f32]| {
                    c.iter()
                        .enumerate()
                        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
                        .0
                };
                let correct = y
                    .chunks_exact(rows)
                    .zip(t.chunks_exact(rows))
                    .filter(|(y, t)| argmax(y) == argmax(t))
                    .count();
                (correct, y.len() / rows.max(1))
            }
        }
    }
}

/// A loss function over batches of `rows` outputs per sample.
///
/// Implement `loss_slices`, `grad_slices` and `accuracy` (column-major data);
/// the typed `loss`, `grad` and `grad_into` come with it.
///
/// ```
/// use typenet::prelude::*;
/// let y = Batch::<1>::from_column_slice(&[0.9, 0.2]);
/// let t = Batch::<1>::from_column_slice(&[1.0, 0.0]);
/// let loss = BinaryCrossEntropy.loss(&y, &t);
/// assert!((loss - 0.164_252).abs() < 1e-5);
/// let g = BinaryCrossEntropy.grad(&y, &t);
/// assert!(g[0] < 0.0 && g[1] > 0.0);
/// ```
pub trait Loss {
    /// The mean loss.
    fn loss_slices(&self, rows: usize, y: &[f32], t: &[f32]) -> f32;
    /// The gradient of the mean loss with respect to `y`, into `g`.
    fn grad_slices(&self, rows: usize, y: &[f32], t: &[f32], g: &mut [f32]);
    /// How accuracy is counted for predictions trained with this loss.
    fn accuracy(&self) -> AccuracyKind;

    /// The mean over samples of each sample's loss times its weight,
    /// `sum(w_i * l_i) / n`: Keras' loss with `sample_weight` (the
    /// `sum_over_batch_size` reduction divides by the number of samples, not
    /// by the sum of the weights). `weights` holds one value per sample.
    ///
    /// The default computes each sample's loss with
    /// [`loss_slices`](Self::loss_slices) on its column alone, which is right
    /// for every loss that is a mean over samples (all of typenet's).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let (y, t) = ([0.9f32, 0.2], [1.0f32, 0.0]);
    /// let each = [BinaryCrossEntropy.loss_slices(1, &y[..1], &t[..1]), BinaryCrossEntropy.loss_slices(1, &y[1..], &t[1..])];
    /// let weighted = BinaryCrossEntropy.weighted_loss_slices(1, &y, &t, &[2.0, 0.5]);
    /// assert!((weighted - (2.0 * each[0] + 0.5 * each[1]) / 2.0).abs() < 1e-6);
    /// ```
    ///
    /// # Panics
    /// If `weights` does not hold one value per sample.
    fn weighted_loss_slices(&self, rows: usize, y: &[f32], t: &[f32], weights: &[f32]) -> f32 {
        let samples = y.len() / rows.max(1);
        assert_eq!(weights.len(), samples, "one weight per sample");
        let sum: f64 = y
            .chunks_exact(rows)
            .zip(t.chunks_exact(rows))
            .zip(weights)
            .map(|((y, t), &w)| w as f64 * self.loss_slices(rows, y, t) as f64)
            .sum();
        (sum / samples.max(1) as f64) as f32
    }

    /// The gradient of [`weighted_loss_slices`](Self::weighted_loss_slices)
    /// with respect to `y`, into `g`: the mean loss's gradient with each
    /// sample's column scaled by its weight (right for every loss that is a
    /// mean over samples).
    ///
    /// # Panics
    /// If `weights` does not hold one value per sample.
    fn weighted_grad_slices(&self, rows: usize, y: &[f32], t: &[f32], weights: &[f32], g: &mut [f32]) {
        assert_eq!(weights.len(), y.len() / rows.max(1), "one weight per sample");
        self.grad_slices(rows, y, t, g);
        for (g, &w) in g.chunks_exact_mut(rows).zip(weights) {
            g.iter_mut().for_each(|g| *g *= w);
        }
    }

    /// The mean loss of predictions `y` against targets `t`.
    ///
    /// # Panics
    /// If `y` and `t` hold different numbers of samples.
    fn loss<const N: usize>(&self, y: &Batch<N>, t: &Batch<N>) -> f32 {
        assert_eq!(y.ncols(), t.ncols(), "predictions and targets hold different batch sizes");
        self.loss_slices(N, y.as_slice(), t.as_slice())
    }

    /// The gradient of the mean loss with respect to `y`.
    fn grad<const N: usize>(&self, y: &Batch<N>, t: &Batch<N>) -> Batch<N> {
        let mut g = Batch::<N>::zeros(y.ncols());
        self.grad_into(y, t, &mut g);
        g
    }

    /// [`grad`](Loss::grad) into an existing batch (resized only if its
    /// batch size differs); allocation-free when it fits.
    fn grad_into<const N: usize>(&self, y: &Batch<N>, t: &Batch<N>, g: &mut Batch<N>) {
        assert_eq!(y.ncols(), t.ncols(), "predictions and targets hold different batch sizes");
        if g.ncols() != y.ncols() {
            *g = Batch::<N>::zeros(y.ncols());
        }
        self.grad_slices(N, y.as_slice(), t.as_slice(), g.as_mut_slice());
    }
}

/// Mean squared error over outputs and samples.
///
/// ```
/// use typenet::prelude::*;
/// let y = Batch::<2>::from_column_slice(&[1.0, 2.0, 3.0, 4.0]);   // two samples
/// let t = Batch::<2>::from_column_slice(&[1.0, 0.0, 3.0, 2.0]);
/// assert_eq!(Mse.loss(&y, &t), (4.0 + 4.0) / 4.0);
/// assert_eq!(Mse.grad(&y, &t).as_slice(), &[0.0, 1.0, 0.0, 1.0]);  // 2 (y - t) / 4
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

impl Loss for Mse {
    fn loss_slices(&self, _rows: usize, y: &[f32], t: &[f32]) -> f32 {
        let sum: f64 = y.iter().zip(t).map(|(&y, &t)| ((y - t) as f64).powi(2)).sum();
        (sum / y.len().max(1) as f64) as f32
    }
    fn grad_slices(&self, _rows: usize, y: &[f32], t: &[f32], g: &mut [f32]) {
        let scale = 2.0 / y.len().max(1) as f32;
        for ((g, &y), &t) in g.iter_mut().zip(y).zip(t) {
            *g = scale * (y - t);
        }
    }
    fn accuracy(&self) -> AccuracyKind {
        AccuracyKind::None
    }
}

/// Binary cross-entropy on probabilities (a sigmoid output), clipped to
/// `[1e-7, 1 - 1e-7]` as Keras does; mean over outputs and samples.
/// [`BinaryCrossEntropy::from_logits`] is the companion for a linear output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl BinaryCrossEntropy {
    /// The same loss on logits (numerically stable; no sigmoid layer).
    pub fn from_logits() -> BinaryCrossEntropyFromLogits {
        BinaryCrossEntropyFromLogits
    }
}

impl Loss for BinaryCrossEntropy {
    fn loss_slices(&self, _rows: usize, y: &[f32], t: &[f32]) -> f32 {
        let sum: f64 = y
            .iter()
            .zip(t)
            .map(|(&y, &t)| {
                let p = y.clamp(EPSILON, 1.0 - EPSILON) as f64;
                let (t, e) = (t as f64, EPSILON as f64);
                -(t * (p + e).ln() + (1.0 - t) * (1.0 - p + e).ln())
            })
            .sum();
        (sum / y.len().max(1) as f64) as f32
    }
    fn grad_slices(&self, _rows: usize, y: &[f32], t: &[f32], g: &mut [f32]) {
        let scale = 1.0 / y.len().max(1) as f32;
        for ((g, &y), &t) in g.iter_mut().zip(y).zip(t) {
            *g = if (EPSILON..=1.0 - EPSILON).contains(&y) {
                -scale * (t / (y + EPSILON) - (1.0 - t) / (1.0 - y + EPSILON))
            } else {
                0.0
            };
        }
    }
    fn accuracy(&self) -> AccuracyKind {
        AccuracyKind::Binary { threshold: 0.5 }
    }
}

/// Binary cross-entropy on logits, `max(z, 0) - z t + ln(1 + e^-|z|)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropyFromLogits;

impl Loss for BinaryCrossEntropyFromLogits {
    fn loss_slices(&self, _rows: usize, y: &[f32], t: &[f32]) -> f32 {
        let sum: f64 = y
            .iter()
            .zip(t)
            .map(|(&z, &t)| {
                let (z, t) = (z as f64, t as f64);
                z.max(0.0) - z * t + (-z.abs()).exp().ln_1p()
            })
            .sum();
        (sum / y.len().max(1) as f64) as f32
    }
    fn grad_slices(&self, _rows: usize, y: &[f32], t: &[f32], g: &mut [f32]) {
        let scale = 1.0 / y.len().max(1) as f32;
        for ((g, &z), &t) in g.iter_mut().zip(y).zip(t) {
            *g = scale * (sigmoid(z) - t);
        }
    }
    fn accuracy(&self) -> AccuracyKind {
        AccuracyKind::Binary { threshold: 0.0 }
    }
}

/// Categorical cross-entropy on logits with one-hot (or soft) targets,
/// through a numerically stable log-sum-exp; mean over samples. The network
/// ends in a linear layer, as with PyTorch's `CrossEntropyLoss`.
/// [`CrossEntropy::from_probs`] is the companion for a `Softmax` output.
///
/// ```
/// use typenet::prelude::*;
/// let logits = Batch::<3>::from_column_slice(&[2.0, 0.0, 0.0]);
/// let target = Batch::<3>::from_column_slice(&[1.0, 0.0, 0.0]);
/// let expected = -(2f32.exp() / (2f32.exp() + 2.0)).ln();
/// assert!((CrossEntropy.loss(&logits, &target) - expected).abs() < 1e-6);
/// // The gradient is softmax(y) - t.
/// let g = CrossEntropy.grad(&logits, &target);
/// assert!(g[0] < 0.0 && g[1] > 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropy;

impl CrossEntropy {
    /// The same loss on probabilities (a network ending in `Softmax`),
    /// clipped as Keras does.
    pub fn from_probs() -> CrossEntropyFromProbs {
        CrossEntropyFromProbs
    }
}

impl Loss for CrossEntropy {
    fn loss_slices(&self, rows: usize, y: &[f32], t: &[f32]) -> f32 {
        let mut sum = 0.0f64;
        for (z, t) in y.chunks_exact(rows).zip(t.chunks_exact(rows)) {
            let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
            let lse = max + z.iter().map(|&v| (v as f64 - max).exp()).sum::<f64>().ln();
            sum += z.iter().zip(t).map(|(&z, &t)| t as f64 * (lse - z as f64)).sum::<f64>();
        }
        (sum / (y.len() / rows.max(1)).max(1) as f64) as f32
    }
    fn grad_slices(&self, rows: usize, y: &[f32], t: &[f32], g: &mut [f32]) {
        let scale = 1.0 / (y.len() / rows.max(1)).max(1) as f32;
        for ((z, t), g) in y.chunks_exact(rows).zip(t.chunks_exact(rows)).zip(g.chunks_exact_mut(rows)) {
            let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0f32;
            for (g, &z) in g.iter_mut().zip(z) {
                *g = math::exp(z - max);
                sum += *g;
            }
            let total: f32 = t.iter().sum();
            for (g, &t) in g.iter_mut().zip(t) {
                *g = math::flush(scale * (*g / sum * total - t));
            }
        }
    }
    fn accuracy(&self) -> AccuracyKind {
        AccuracyKind::Categorical
    }
}

/// Categorical cross-entropy on probabilities (Keras' default
/// `categorical_crossentropy`): outputs are renormalised, clipped to
/// `[1e-7, 1 - 1e-7]`, and `-sum(t ln p)` is averaged over samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropyFromProbs;

impl Loss for CrossEntropyFromProbs {
    fn loss_slices(&self, rows: usize, y: &[f32], t: &[f32]) -> f32 {
        let mut sum = 0.0f64;
        for (p, t) in y.chunks_exact(rows).zip(t.chunks_exact(rows)) {
            let total: f32 = p.iter().sum();
            sum -= p
                .iter()
                .zip(t)
                .map(|(&p, &t)| t as f64 * ((p / total).clamp(EPSILON, 1.0 - EPSILON) as f64).ln())
                .sum::<f64>();
        }
        (sum / (y.len() / rows.max(1)).max(1) as f64) as f32
    }
    fn grad_slices(&self, rows: usize, y: &[f32], t: &[f32], g: &mut [f32]) {
        let scale = 1.0 / (y.len() / rows.max(1)).max(1) as f32;
        for ((p, t), g) in y.chunks_exact(rows).zip(t.chunks_exact(rows)).zip(g.chunks_exact_mut(rows)) {
            let total: f32 = p.iter().sum();
            // d/dp_j of -sum_i t_i ln(p_i / S): -t_j / p_j (unless clipped) + sum(t_i unclipped) / S.
            let mut unclipped_targets = 0.0f32;
            for (&p, &t) in p.iter().zip(t) {
                if (EPSILON..=1.0 - EPSILON).contains(&(p / total)) {
                    unclipped_targets += t;
                }
            }
            for ((g, &p), &t) in g.iter_mut().zip(p).zip(t) {
                let direct = if (EPSILON..=1.0 - EPSILON).contains(&(p / total)) { -t / p } else { 0.0 };
                *g = scale * (direct + unclipped_targets / total);
            }
        }
    }
    fn accuracy(&self) -> AccuracyKind {
        AccuracyKind::Categorical
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards Keras' clipping of probabilities to `[1e-7, 1 - 1e-7]`: a
    /// confident wrong answer costs `-ln(1 - (1 - 1e-7) + 1e-7)`, not
    /// more.
    #[test]
    fn binary_cross_entropy_clips_certain_probabilities() {
        let (low, high) = (EPSILON as f64, (1.0 - EPSILON) as f64);
        let want = -((1.0 - high + low).ln() + (low + low).ln()) / 2.0;
        let loss = BinaryCrossEntropy.loss_slices(1, &[1.0, 0.0], &[0.0, 1.0]) as f64;
        assert!((loss - want).abs() < 1e-6 * want, "{loss} vs {want}");
    }

    /// Guards the gradient's clip range and the epsilon in both logs: near
    /// 0 and 1 it is the derivative of Keras' loss, past the clip zero.
    #[test]
    fn binary_cross_entropy_gradient_near_and_past_the_clip() {
        let (y, t) = ([1e-6f32, 1.0 - 1e-6, 1.0, 0.0], [1.0f32, 0.0, 0.0, 1.0]);
        let mut g = [0.0f32; 4];
        BinaryCrossEntropy.grad_slices(1, &y, &t, &mut g);
        let e = EPSILON as f64;
        let want = [-0.25 / (y[0] as f64 + e), 0.25 / (1.0 - y[1] as f64 + e), 0.0, 0.0];
        for (i, (&g, want)) in g.iter().zip(want).enumerate() {
            assert!((g as f64 - want).abs() <= 1e-4 * want.abs(), "y[{i}]: {g} vs {want}");
        }
    }

    /// Guards the max subtracted before `exp` (softmax is shift-invariant,
    /// so only large logits tell it from adding the max): logits of
    /// +-100 give the exact gradient `softmax - t`, not NaN.
    #[test]
    fn cross_entropy_on_large_logits_stays_exact() {
        let (y, t) = ([100.0f32, 0.0, -100.0, 0.0, 100.0, 90.0], [0.0f32, 1.0, 0.0, 0.0, 1.0, 0.0]);
        let mut g = [0.0f32; 6];
        CrossEntropy.grad_slices(3, &y, &t, &mut g);
        let second = 1.0 / (1.0 + (-10.0f32).exp());
        let want = [0.5, -0.5, 0.0, 0.0, 0.5 * (second - 1.0), 0.5 * (1.0 - second)];
        for (i, (&g, want)) in g.iter().zip(want).enumerate() {
            assert!((g - want).abs() <= 1e-6, "g[{i}] = {g}, expected {want}");
        }
        let loss = CrossEntropy.loss_slices(3, &y, &t);
        assert!((loss - (100.0 + (1.0 + (-10.0f64).exp()).ln() as f32) / 2.0).abs() < 1e-4, "{loss}");
    }

    /// Guards the `total` in the gradient: targets that do not sum to one
    /// (label counts) give `softmax * sum(t) - t`.
    #[test]
    fn cross_entropy_gradient_scales_softmax_by_the_target_sum() {
        let (y, t) = ([0.0f32, 1.0, 2.0], [0.5f32, 1.0, 0.5]);
        let mut g = [0.0f32; 3];
        CrossEntropy.grad_slices(3, &y, &t, &mut g);
        let sum: f32 = y.iter().map(|z| z.exp()).sum();
        for i in 0..3 {
            let want = 2.0 * y[i].exp() / sum - t[i];
            assert!((g[i] - want).abs() <= 1e-6, "g[{i}] = {}, expected {want}", g[i]);
        }
    }

    /// Guards Keras' renormalise-then-clip on probabilities: outputs that
    /// do not sum to one are divided by their sum before the clip test, and
    /// a certain, right answer is clipped to `1 - 1e-7` (a loss of about
    /// 1.2e-7, no gradient).
    #[test]
    fn cross_entropy_from_probs_renormalises_then_clips() {
        let loss = CrossEntropy::from_probs();
        let mut g = [0.0f32; 3];
        loss.grad_slices(3, &[2.0, 1.0, 1.0], &[1.0, 0.0, 0.0], &mut g);
        assert_eq!(g, [-0.25, 0.25, 0.25]);
        let value = loss.loss_slices(3, &[2.0, 1.0, 1.0], &[1.0, 0.0, 0.0]) as f64;
        assert!((value - 2f64.ln()).abs() < 1e-6, "{value}");

        loss.grad_slices(3, &[1.0, 0.0, 0.0], &[1.0, 0.0, 0.0], &mut g);
        assert_eq!(g, [0.0, 0.0, 0.0]);
        let want = -((1.0 - EPSILON) as f64).ln();
        let value = loss.loss_slices(3, &[1.0, 0.0, 0.0], &[1.0, 0.0, 0.0]) as f64;
        assert!((value - want).abs() < 1e-3 * want, "{value} vs {want}");
    }

    /// Guards the typed wrappers: `loss`, `grad` and `grad_into` give what
    /// the slice methods give, and `grad_into` resizes a batch of the wrong
    /// size and overwrites what it held.
    #[test]
    fn typed_losses_and_gradients_are_the_slice_ones() {
        let y = Batch::<2>::from_column_slice(&[0.9, 0.1, 0.3, 0.6, 0.2, 0.2]);
        let t = Batch::<2>::from_column_slice(&[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        let mut want = [0.0f32; 6];
        Mse.grad_slices(2, y.as_slice(), t.as_slice(), &mut want);
        assert_eq!(Mse.loss(&y, &t), Mse.loss_slices(2, y.as_slice(), t.as_slice()));
        assert!(Mse.loss(&y, &t) > 0.1);
        assert_eq!(Mse.grad(&y, &t).as_slice(), &want);
        let mut g = Batch::<2>::from_element(5, 7.0);
        Mse.grad_into(&y, &t, &mut g);
        assert_eq!(g.as_slice(), &want);
        let mut g = Batch::<2>::from_element(3, 7.0);
        Mse.grad_into(&y, &t, &mut g);
        assert_eq!(g.as_slice(), &want);
    }

    /// Guards the comparisons in `count`: a prediction equal to the
    /// threshold is a "no", a target of exactly 0.5 is a "no", and an
    /// arg-max tie goes to the first output.
    #[test]
    fn accuracy_counts_thresholds_and_ties_exactly() {
        let binary = AccuracyKind::Binary { threshold: 0.5 };
        let (y, t) = ([0.5, 0.7, 0.2, 0.9, 0.5], [0.5, 1.0, 0.0, 0.0, 1.0]);
        assert_eq!(binary.count(1, &y, &t), (3, 5));
        // Two outputs per sample count as two predictions.
        assert_eq!(binary.count(2, &y[..4], &t[..4]), (3, 4));
        let y = [0.3, 0.3, 0.1, 0.1, 0.2, 0.7, 0.9, 0.05, 0.05];
        let t = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        assert_eq!(AccuracyKind::Categorical.count(3, &y, &t), (2, 3));
        assert_eq!(AccuracyKind::None.count(3, &y, &t), (0, 0));
    }

    fn check_grad<L: Loss>(loss: L, rows: usize, y: &[f32], t: &[f32]) {
        let mut g = vec![0.0f32; y.len()];
        loss.grad_slices(rows, y, t, &mut g);
        let h = 1e-3f32;
        for i in 0..y.len() {
            let (mut yp, mut ym) = (y.to_vec(), y.to_vec());
            yp[i] += h;
            ym[i] -= h;
            let numeric = (loss.loss_slices(rows, &yp, t) as f64 - loss.loss_slices(rows, &ym, t) as f64)
                / (2.0 * h as f64);
            assert!((numeric - g[i] as f64).abs() < 1e-3 + 1e-2 * g[i].abs() as f64, "element {i}");
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let t_bin = [1.0, 0.0, 1.0, 0.0];
        check_grad(Mse, 2, &[0.3, -1.2, 2.0, 0.5], &[0.0, 1.0, 1.5, 0.5]);
        check_grad(BinaryCrossEntropy, 1, &[0.9, 0.2, 0.4, 0.6], &t_bin);
        check_grad(BinaryCrossEntropyFromLogits, 1, &[2.0, -1.0, 0.3, -0.2], &t_bin);
        let t_cat = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        check_grad(CrossEntropy, 3, &[0.5, 2.0, -1.0, 1.0, 0.2, 0.3], &t_cat);
        check_grad(CrossEntropyFromProbs, 3, &[0.2, 0.5, 0.3, 0.6, 0.3, 0.1], &t_cat);
    }

    #[test]
    fn logits_and_probability_forms_agree() {
        let z = [0.5f32, 2.0, -1.0, 1.0, 0.2, 0.3];
        let t = [0.0f32, 1.0, 0.0, 1.0, 0.0, 0.0];
        let mut p = z;
        <crate::layers::activation::Softmax as crate::layers::activation::ActivationFn>::activate(3, &mut p);
        let a = CrossEntropy.loss_slices(3, &z, &t);
        let b = CrossEntropyFromProbs.loss_slices(3, &p, &t);
        assert!((a - b).abs() < 1e-5);
        let logits = [2.0f32, -1.0];
        let probs = [sigmoid(2.0), sigmoid(-1.0)];
        let tb = [1.0f32, 0.0];
        let a = BinaryCrossEntropyFromLogits.loss_slices(1, &logits, &tb);
        let b = BinaryCrossEntropy.loss_slices(1, &probs, &tb);
        assert!((a - b).abs() < 1e-5);
    }

    #[test]
    fn probability_losses_stay_finite_at_zero_and_one() {
        let y = [0.0f32, 1.0];
        let t = [1.0f32, 0.0];
        assert!(BinaryCrossEntropy.loss_slices(1, &y, &t).is_finite());
        let huge = [1e4f32, -1e4];
        assert!(CrossEntropy.loss_slices(2, &huge, &[0.0, 1.0]).is_finite());
    }

    #[test]
    fn weighted_losses_weigh_each_sample_and_divide_by_the_sample_count() {
        let (y, t) = ([0.5f32, 2.0, -1.0, 1.0, 0.2, 0.3], [0.0f32, 1.0, 0.0, 1.0, 0.0, 0.0]);
        let w = [3.0f32, 0.5];
        let expected = (3.0 * CrossEntropy.loss_slices(3, &y[..3], &t[..3])
            + 0.5 * CrossEntropy.loss_slices(3, &y[3..], &t[3..]))
            / 2.0;
        assert!((CrossEntropy.weighted_loss_slices(3, &y, &t, &w) - expected).abs() < 1e-6);
        assert_eq!(
            CrossEntropy.weighted_loss_slices(3, &y, &t, &[1.0, 1.0]),
            CrossEntropy.loss_slices(3, &y, &t)
        );
        // The weighted gradient is the finite difference of the weighted loss.
        let mut g = [0.0f32; 6];
        CrossEntropy.weighted_grad_slices(3, &y, &t, &w, &mut g);
        for i in 0..6 {
            let (mut up, mut down) = (y, y);
            up[i] += 1e-3;
            down[i] -= 1e-3;
            let numeric = (CrossEntropy.weighted_loss_slices(3, &up, &t, &w) as f64
                - CrossEntropy.weighted_loss_slices(3, &down, &t, &w) as f64)
                / 2e-3;
            assert!((numeric - g[i] as f64).abs() < 2e-3, "element {i}: {numeric} vs {}", g[i]);
        }
    }

    #[test]
    fn accuracy_counts() {
        assert_eq!(
            AccuracyKind::Binary { threshold: 0.5 }.count(1, &[0.7, 0.2, 0.6], &[1.0, 1.0, 0.0]),
            (1, 3)
        );
        assert_eq!(AccuracyKind::Categorical.count(2, &[0.1, 0.9, 0.8, 0.2], &[0.0, 1.0, 0.0, 1.0]), (1, 2));
    }
}
