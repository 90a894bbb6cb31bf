//! `GaussianNoise(stddev)`: zero-mean normal noise added while training.

use core::fmt;

use super::{Draws, Noise, Noisy};
use crate::phase::Eval;
use crate::tensor::{Cols, ColsMut};

/// Adds `N(0, stddev²)` noise to each of `N` values in
/// [`Train`](crate::Train), the identity in [`Eval`]: Keras'
/// `GaussianNoise`, a regulariser and a mild augmentation. Phase-typed like
/// `Dropout` (pinned to `Train` it draws at inference too); the gradient
/// passes unchanged. Written `GaussianNoise(stddev)` in `network!`.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::{AdditiveGaussian, GaussianNoise};
/// network! { struct Jittered { input: 4, noise: GaussianNoise(0.1), out: Dense<1> } }
/// let x = Batch::<4>::from_element(3, 1.0);
/// let mut net = Jittered::<Train>::seeded(1);
/// assert_ne!(net.forward(&x), net.forward(&x));
/// let net = net.into_eval();
/// assert_eq!(net.forward(&x), net.forward(&x));
/// let layer = GaussianNoise::<4, Train>::new(AdditiveGaussian::new(0.5), 7);
/// assert_eq!(layer.noise().stddev(), 0.5);
/// ```
pub type GaussianNoise<const N: usize, P = Eval> = Noisy<AdditiveGaussian<N>, P>;

/// The noise of [`GaussianNoise`]: `N(0, stddev²)` added to each of `N`
/// values.
///
/// ```
/// use typenet::layers::{AdditiveGaussian, Noise};
/// let noise = AdditiveGaussian::<16>::new(0.1);
/// assert_eq!((noise.stddev(), noise.words(3)), (0.1, 24)); // one word per two values
/// ```
#[derive(Clone, Copy)]
pub struct AdditiveGaussian<const N: usize> {
    stddev: f32,
}

impl<const N: usize> AdditiveGaussian<N> {
    /// Noise of standard deviation `stddev`.
    ///
    /// # Panics
    /// If `stddev` is not positive and finite (`network!` checks this at
    /// compile time).
    pub fn new(stddev: f32) -> Self {
        assert!(stddev > 0.0 && stddev.is_finite(), "GaussianNoise's stddev {stddev} is not positive");
        AdditiveGaussian { stddev }
    }

    /// The standard deviation of the noise.
    pub fn stddev(&self) -> f32 {
        self.stddev
    }
}

impl<const N: usize> fmt::Debug for AdditiveGaussian<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GaussianNoise<{N}>({})", self.stddev)
    }
}

impl<const N: usize> Noise for AdditiveGaussian<N> {
    const WIDTH: usize = N;
    type Record = ();

    fn words(&self, cols: usize) -> u64 {
        (N * cols).div_ceil(2) as u64
    }

    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, mut y: ColsMut<'_>, _: &mut ()) {
        for ((y, x), noise) in y.as_mut_slice().iter_mut().zip(x.as_slice()).zip(draws.normals()) {
            *y = x + self.stddev * noise;
        }
    }

    fn gradient(&self, _: &(), dy: Cols<'_>, mut dx: ColsMut<'_>) {
        dx.copy_from(dy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use crate::phase::Train;
    use crate::testing::check_noise_gradients;

    const UNITS: usize = 50_000;

    fn train_forward(layer: &mut GaussianNoise<UNITS, Train>, x: &[f32]) -> Vec<f32> {
        let mut y = vec![0.0; x.len()];
        layer.train_forward(Cols::new(x, UNITS), ColsMut::new(&mut y, UNITS), &mut ());
        y
    }

    #[test]
    fn backward_matches_finite_differences_with_fixed_draws() {
        check_noise_gradients(AdditiveGaussian::<7>::new(0.5), 1, 3);
        check_noise_gradients(AdditiveGaussian::<4>::new(2.0), 2, 1);
    }

    #[test]
    fn the_noise_has_mean_zero_and_the_given_variance() {
        for stddev in [0.1f32, 1.0, 3.0] {
            let mut layer = GaussianNoise::<UNITS, Train>::new(AdditiveGaussian::new(stddev), 42);
            let x: Vec<f32> = (0..UNITS).map(|i| (i % 7) as f32 - 3.0).collect();
            let y = train_forward(&mut layer, &x);
            let noise: Vec<f64> = y.iter().zip(&x).map(|(&y, &x)| (y - x) as f64).collect();
            let n = UNITS as f64;
            let mean = noise.iter().sum::<f64>() / n;
            let variance = noise.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            let sigma2 = (stddev as f64).powi(2);
            // Standard errors of the mean and of the variance of n normals.
            assert!(mean.abs() < 4.0 * (sigma2 / n).sqrt(), "stddev {stddev}: mean {mean}");
            assert!(
                (variance - sigma2).abs() < 4.0 * sigma2 * (2.0 / n).sqrt(),
                "stddev {stddev}: {variance}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_noise_and_each_step_new_noise() {
        let x = vec![1.0f32; UNITS];
        let mut a = GaussianNoise::<UNITS, Train>::new(AdditiveGaussian::new(1.0), 7);
        let mut b = GaussianNoise::<UNITS, Train>::new(AdditiveGaussian::new(1.0), 7);
        let (first, second) = (train_forward(&mut a, &x), train_forward(&mut a, &x));
        assert_ne!(first, second);
        assert_eq!(first, train_forward(&mut b, &x));
        assert_eq!(second, train_forward(&mut b, &x));
        let mut other = GaussianNoise::<UNITS, Train>::new(AdditiveGaussian::new(1.0), 8);
        assert_ne!(first, train_forward(&mut other, &x));
    }

    #[test]
    fn eval_is_the_identity_and_its_gradient_passes() {
        let layer = GaussianNoise::<3, Eval>::new(AdditiveGaussian::new(5.0), 1);
        let x = [1.0f32, -2.0, 3.0, 4.0, 5.0, -6.0];
        let mut y = [0.0f32; 6];
        layer.infer(Cols::new(&x, 3), ColsMut::new(&mut y, 3));
        assert_eq!(x, y);
        crate::testing::check_layer_gradients(layer, 2);
    }

    #[test]
    #[should_panic(expected = "not positive")]
    fn a_zero_stddev_is_refused() {
        AdditiveGaussian::<3>::new(0.0);
    }
}
