//! `GaussianDropout(rate)`: each value multiplied by normal noise of mean 1
//! while training.

use crate::no_std_prelude::*;
use core::fmt;

use super::{Draws, Noise, Noisy};
use crate::phase::Eval;
use crate::tensor::{Cols, ColsMut};

/// Multiplies each of `N` values by `N(1, rate / (1 - rate))` noise in
/// [`Train`](crate::Train), the identity in [`Eval`]: Keras'
/// `GaussianDropout`, whose noise has the mean and variance of an inverted
/// dropout mask of the same rate. Phase-typed like `Dropout`; the gradient
/// goes back through the same factors. Written `GaussianDropout(rate)` in
/// `network!`, `rate` in `[0, 1)`.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::{GaussianDropout, NormalFactors};
/// network! { struct Net { input: 4, drop: GaussianDropout(0.2), out: Dense<1> } }
/// let x = Batch::<4>::from_element(3, 1.0);
/// let mut net = Net::<Train>::seeded(1);
/// assert_ne!(net.forward(&x), net.forward(&x));
/// let layer = GaussianDropout::<4, Train>::new(NormalFactors::new(0.5), 7);
/// assert_eq!(layer.noise().stddev(), 1.0);
/// ```
pub type GaussianDropout<const N: usize, P = Eval> = Noisy<NormalFactors<N>, P>;

/// The noise of [`GaussianDropout`]: each of `N` values times a factor
/// drawn from `N(1, rate / (1 - rate))`.
///
/// ```
/// use typenet::layers::NormalFactors;
/// let noise = NormalFactors::<16>::new(0.5);
/// assert_eq!((noise.rate(), noise.stddev()), (0.5, 1.0));
/// ```
#[derive(Clone, Copy)]
pub struct NormalFactors<const N: usize> {
    rate: f32,
    stddev: f32,
}

impl<const N: usize> NormalFactors<N> {
    /// The factors of dropout rate `rate`.
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1)` (`network!` checks this at compile time).
    pub fn new(rate: f32) -> Self {
        assert!((0.0..1.0).contains(&rate), "GaussianDropout's rate {rate} is outside [0, 1)");
        NormalFactors { rate, stddev: (rate / (1.0 - rate)).sqrt() }
    }

    /// The rate it was made with.
    pub fn rate(&self) -> f32 {
        self.rate
    }

    /// The standard deviation of the factors, `sqrt(rate / (1 - rate))`.
    pub fn stddev(&self) -> f32 {
        self.stddev
    }
}

impl<const N: usize> fmt::Debug for NormalFactors<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GaussianDropout<{N}>({})", self.rate)
    }
}

impl<const N: usize> Noise for NormalFactors<N> {
    const WIDTH: usize = N;
    /// The factors of the last training forward.
    type Record = Vec<f32>;

    fn words(&self, cols: usize) -> u64 {
        (N * cols).div_ceil(2) as u64
    }

    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, mut y: ColsMut<'_>, factors: &mut Vec<f32>) {
        factors.clear();
        factors.extend(draws.normals().take(x.as_slice().len()).map(|n| 1.0 + self.stddev * n));
        for ((y, x), m) in y.as_mut_slice().iter_mut().zip(x.as_slice()).zip(factors.iter()) {
            *y = x * m;
        }
    }

    fn gradient(&self, factors: &Vec<f32>, dy: Cols<'_>, mut dx: ColsMut<'_>) {
        for ((dx, dy), m) in dx.as_mut_slice().iter_mut().zip(dy.as_slice()).zip(factors) {
            *dx = dy * m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use crate::phase::Train;
    use crate::testing::check_noise_gradients;

    const UNITS: usize = 50_000;

    fn train_forward(layer: &mut GaussianDropout<UNITS, Train>, x: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let (mut y, mut factors) = (vec![0.0; x.len()], Vec::new());
        layer.train_forward(Cols::new(x, UNITS), ColsMut::new(&mut y, UNITS), &mut factors);
        (y, factors)
    }

    #[test]
    fn backward_matches_finite_differences_with_fixed_draws() {
        check_noise_gradients(NormalFactors::<7>::new(0.5), 1, 3);
        check_noise_gradients(NormalFactors::<5>::new(0.1), 2, 2);
        check_noise_gradients(NormalFactors::<5>::new(0.0), 3, 2);
    }

    #[test]
    fn the_factors_have_mean_one_and_variance_rate_over_one_minus_rate() {
        for rate in [0.1f32, 0.5, 0.8] {
            let mut layer = GaussianDropout::<UNITS, Train>::new(NormalFactors::new(rate), 42);
            let x = vec![2.0f32; UNITS];
            let (y, factors) = train_forward(&mut layer, &x);
            assert!(y.iter().zip(&factors).all(|(&y, &m)| y == 2.0 * m));
            let n = UNITS as f64;
            let mean = factors.iter().map(|&m| m as f64).sum::<f64>() / n;
            let variance = factors.iter().map(|&m| (m as f64 - mean).powi(2)).sum::<f64>() / n;
            let sigma2 = rate as f64 / (1.0 - rate as f64);
            assert!((mean - 1.0).abs() < 4.0 * (sigma2 / n).sqrt(), "rate {rate}: mean {mean}");
            assert!((variance - sigma2).abs() < 4.0 * sigma2 * (2.0 / n).sqrt(), "rate {rate}: {variance}");
        }
    }

    #[test]
    fn rate_zero_is_the_identity_in_train() {
        let mut layer = GaussianDropout::<UNITS, Train>::new(NormalFactors::new(0.0), 3);
        let x: Vec<f32> = (0..UNITS).map(|i| i as f32).collect();
        assert_eq!(train_forward(&mut layer, &x).0, x);
    }

    #[test]
    fn the_same_seed_gives_the_same_factors_and_each_step_new_ones() {
        let x = vec![1.0f32; UNITS];
        let mut a = GaussianDropout::<UNITS, Train>::new(NormalFactors::new(0.3), 7);
        let mut b = GaussianDropout::<UNITS, Train>::new(NormalFactors::new(0.3), 7);
        let (first, second) = (train_forward(&mut a, &x).0, train_forward(&mut a, &x).0);
        assert_ne!(first, second);
        assert_eq!(first, train_forward(&mut b, &x).0);
        assert_eq!(second, train_forward(&mut b, &x).0);
    }

    #[test]
    fn eval_is_the_identity() {
        let layer = GaussianDropout::<3, Eval>::new(NormalFactors::new(0.9), 1);
        let x = [1.0f32, -2.0, 3.0, 4.0, 5.0, -6.0];
        let mut y = [0.0f32; 6];
        layer.infer(Cols::new(&x, 3), ColsMut::new(&mut y, 3));
        assert_eq!(x, y);
        crate::testing::check_layer_gradients(layer, 2);
    }

    #[test]
    #[should_panic(expected = "outside [0, 1)")]
    fn rate_one_is_refused() {
        NormalFactors::<3>::new(1.0);
    }
}
