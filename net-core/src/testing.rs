//! Checks for layer implementations: the backward pass against central
//! finite differences. Use it to test your own [`Layer`]s.

use crate::layers::{Draws, Grads, Layer, NoGrads, Noise, Tensors};
use crate::phase::Phase;
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

/// Deterministic pseudo-random values in `[-1, 1)`.
fn values(seed: u64, len: usize) -> Vec<f32> {
    (0..len as u64)
        .map(|i| {
            let word = crate::rng::mix64(seed ^ (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            (word >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// `sum(w * y)` accumulated in f64, with `y = layer.infer(x)`.
fn weighted_output<L: Layer>(layer: &L, x: &[f32], w: &[f32], cols: usize) -> f64 {
    let mut y = vec![0.0f32; L::OUTPUT * cols];
    layer.infer(Cols::new(x, L::INPUT), ColsMut::new(&mut y, L::OUTPUT));
    y.iter().zip(w).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// Checks `train_backward` of a deterministic layer against central finite
/// differences of `infer`, for the input gradient and every parameter
/// gradient, on a batch of `cols` samples. Panics with the first mismatch.
///
/// The loss is `sum(w * y)` for fixed pseudo-random `w`, so `dy = w`. The
/// layer's `infer` must compute what its `train_forward` computes (true for
/// every built-in layer but Dropout in Train, whose masks are random).
///
/// ```
/// use typenet::prelude::*;
/// typenet::testing::check_layer_gradients(Dense::<4, 3, Tanh>::seeded(1), 5);
/// ```
pub fn check_layer_gradients<L: Layer>(layer: L, cols: usize) {
    check_gradients(layer, &values(1, L::INPUT * cols), cols, true);
}

/// [`check_layer_gradients`] at the inputs `x` (`cols` samples), for the
/// parameter gradients only: for a layer whose inputs are not
/// differentiable, as an `Embedding`'s token ids (a finite difference would
/// make them non-integral).
///
/// ```
/// use typenet::prelude::*;
/// use typenet::Embedding;
/// // Two samples of three token ids below 5, one repeated.
/// typenet::testing::check_parameter_gradients(Embedding::<3, 5, 2>::seeded(1), &[0.0, 4.0, 4.0, 2.0, 1.0, 0.0], 2);
/// ```
///
/// # Panics
/// If `x` does not hold `cols` samples, or at the first mismatch.
pub fn check_parameter_gradients<L: Layer>(layer: L, x: &[f32], cols: usize) {
    assert_eq!(x.len(), L::INPUT * cols, "`x` holds {} values, not {cols} samples of {}", x.len(), L::INPUT);
    check_gradients(layer, x, cols, false);
}

/// The parameter gradients at `x`, and the input gradient when `inputs`.
fn check_gradients<L: Layer>(mut layer: L, x: &[f32], cols: usize, inputs: bool) {
    let n_in = L::INPUT * cols;
    let n_out = L::OUTPUT * cols;
    let x = x.to_vec();
    let w = values(2, n_out);

    let mut y = vec![0.0f32; n_out];
    let mut cache = L::Cache::default();
    layer.train_forward(Cols::new(&x, L::INPUT), ColsMut::new(&mut y, L::OUTPUT), &mut cache);
    // Analytic gradients: d(sum w*y)/dy = w.
    let mut dy = w.clone();
    let mut dx = vec![0.0f32; n_in];
    let mut grads = L::Grads::zeros();
    let mut probe = layer.clone();
    probe.train_backward(
        Cols::new(&x, L::INPUT),
        Cols::new(&y, L::OUTPUT),
        ColsMut::new(&mut dy, L::OUTPUT),
        &mut cache,
        Some(ColsMut::new(&mut dx, L::INPUT)),
        Some(&mut grads),
    );

    let h = 1e-2f64;
    let close = |numeric: f64, analytic: f32| {
        (numeric - analytic as f64).abs() <= 2e-3 + 2e-2 * (analytic as f64).abs()
    };
    // At a kink (ReLU at 0) the central difference averages two slopes; the
    // analytic derivative is then one of the one-sided ones.
    let agrees = |plus: f64, centre: f64, minus: f64, step_plus: f64, step_minus: f64, analytic: f32| {
        close((plus - minus) / (step_plus + step_minus), analytic)
            || close((plus - centre) / step_plus, analytic)
            || close((centre - minus) / step_minus, analytic)
    };
    let centre = weighted_output(&layer, &x, &w, cols);
    for i in (0..n_in).filter(|_| inputs) {
        let mut xp = x.clone();
        xp[i] = (x[i] as f64 + h) as f32;
        let mut xm = x.clone();
        xm[i] = (x[i] as f64 - h) as f32;
        let (plus, minus) = (weighted_output(&layer, &xp, &w, cols), weighted_output(&layer, &xm, &w, cols));
        let (sp, sm) = (xp[i] as f64 - x[i] as f64, x[i] as f64 - xm[i] as f64);
        assert!(
            agrees(plus, centre, minus, sp, sm, dx[i]),
            "{layer:?}: input gradient {i}: numeric {}, analytic {}",
            (plus - minus) / (sp + sm),
            dx[i]
        );
    }

    // Parameter gradients, tensor by tensor in visit order.
    let mut analytic: Vec<Vec<f32>> = Vec::new();
    grads.visit(&mut |g| analytic.push(g.to_vec()));
    for (t, tensor_grads) in analytic.iter().enumerate() {
        for (e, &g) in tensor_grads.iter().enumerate() {
            let (plus, minus, dp, dm) = {
                let eval = |delta: f64| {
                    let mut perturbed = layer.clone();
                    let mut index = 0;
                    let mut actual = 0.0f64;
                    perturbed.visit_trainable(&grads, &mut |param, _| {
                        if index == t {
                            let moved = (param[e] as f64 + delta) as f32;
                            actual = moved as f64 - param[e] as f64;
                            param[e] = moved;
                        }
                        index += 1;
                    });
                    (weighted_output(&perturbed, &x, &w, cols), actual)
                };
                let (plus, dp) = eval(h);
                let (minus, dm) = eval(-h);
                (plus, minus, dp, -dm)
            };
            assert!(
                agrees(plus, centre, minus, dp, dm, g),
                "{layer:?}: gradient of tensor {t} element {e}: numeric {}, analytic {g}",
                (plus - minus) / (dp + dm)
            );
        }
    }
}

/// Checks a [`Noise`]'s [`gradient`](Noise::gradient) against central
/// finite differences of its [`apply`](Noise::apply) with the draws fixed:
/// every call reads the same words of a generator seeded by `seed`, so the
/// noise is one deterministic function of its input. The layer a `Noise`
/// makes ([`Noisy`](crate::layers::Noisy)) draws afresh at every call,
/// which finite differences cannot follow.
///
/// ```
/// use typenet::layers::AdditiveGaussian;
/// typenet::testing::check_noise_gradients(AdditiveGaussian::<5>::new(0.3), 1, 3);
/// ```
pub fn check_noise_gradients<T: Noise>(noise: T, seed: u64, cols: usize) {
    check_layer_gradients(FixedDraws { noise, rng: MaskRng::new(seed) }, cols);
}

/// A noise applied with the same draws at every call.
#[derive(Clone, Debug, Tensors)]
#[tensors(crate = crate)]
struct FixedDraws<T: Noise> {
    noise: T,
    rng: MaskRng,
}

impl<T: Noise> Layer for FixedDraws<T> {
    const INPUT: usize = T::WIDTH;
    const OUTPUT: usize = T::WIDTH;
    type Cache = T::Record;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.noise.apply(Draws::new(&self.rng, 0), x, y, &mut T::Record::default());
    }

    fn train_forward(&mut self, x: Cols<'_>, y: ColsMut<'_>, record: &mut T::Record) {
        self.noise.apply(Draws::new(&self.rng, 0), x, y, record);
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        record: &mut T::Record,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(dx) = dx {
            self.noise.gradient(record, dy.as_cols(), dx);
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}
