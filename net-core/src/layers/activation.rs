//! Activation functions: used inside `Dense<N, Act>` and as standalone
//! layers (`Activation<N, Act>`, written `Relu`, `Sigmoid`, ... in `network!`).

use crate::no_std_prelude::*;
use core::fmt::Debug;
use core::marker::PhantomData;

use rand::Rng;

use super::{Init, Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::linalg::simd;
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// An element-wise (or, for softmax, per-sample) activation function.
///
/// Functions work in place on column-major data with `rows` features per
/// sample, so `Dense` can fuse them with its bias.
pub trait ActivationFn: Copy + Default + Debug + Send + Sync + 'static {
    /// The name shown in summaries.
    const NAME: &'static str;
    /// Whether `backward` needs the pre-activation (only Gelu does; the
    /// others compute their derivative from the output).
    const NEEDS_INPUT: bool = false;
    /// Whether each value is transformed on its own (all but the softmax,
    /// which normalises a column).
    const PER_VALUE: bool = true;
    /// `z := f(z)`.
    fn activate(rows: usize, z: &mut [f32]);
    /// `dy := dy * f'(z)`, given the output `y` (and the input `z` when
    /// `NEEDS_INPUT`, else an empty slice).
    fn differentiate(rows: usize, y: &[f32], z: &[f32], dy: &mut [f32]);
    /// `z := f(z + bias)` with `bias` added to every column: `Dense`'s
    /// epilogue. Element-wise functions override it to touch `z` once.
    #[inline]
    fn activate_biased(rows: usize, bias: &[f32], z: &mut [f32]) {
        for col in z.chunks_exact_mut(rows) {
            for (v, b) in col.iter_mut().zip(bias) {
                *v += b;
            }
        }
        Self::activate(rows, z);
    }
}

/// The identity (no activation), `Dense<N>`'s default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Linear;

/// `max(0, z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relu;

/// `z` for positive `z`, `0.2 z` otherwise (Keras 3's default slope).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeakyRelu;

/// `1 / (1 + e^-z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigmoid;

/// `tanh(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tanh;

/// Softmax over the features of each sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax;

/// Exact GELU, `z * Phi(z)` with the error function (Keras 3's default,
/// PyTorch's `nn.GELU()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gelu;

/// Leaky ReLU's slope for negative inputs.
pub const LEAKY_RELU_SLOPE: f32 = 0.2;

impl ActivationFn for Linear {
    const NAME: &'static str = "Linear";
    fn activate(_rows: usize, _z: &mut [f32]) {}
    fn differentiate(_rows: usize, _y: &[f32], _z: &[f32], _dy: &mut [f32]) {}
}

impl ActivationFn for Relu {
    const NAME: &'static str = "Relu";
    #[inline]
    fn activate_biased(rows: usize, bias: &[f32], z: &mut [f32]) {
        for col in z.chunks_exact_mut(rows) {
            for (v, b) in col.iter_mut().zip(bias) {
                *v = (*v + b).max(0.0);
            }
        }
    }
    fn activate(_rows: usize, z: &mut [f32]) {
        for v in z {
            *v = v.max(0.0);
        }
    }
    fn differentiate(_rows: usize, y: &[f32], _z: &[f32], dy: &mut [f32]) {
        // A select, not a conditional store: half the units are off at
        // random, so a branch would mispredict, and a select vectorises.
        for (d, &y) in dy.iter_mut().zip(y) {
            *d = if y <= 0.0 { 0.0 } else { *d };
        }
    }
}

impl ActivationFn for LeakyRelu {
    const NAME: &'static str = "LeakyRelu";
    fn activate(_rows: usize, z: &mut [f32]) {
        for v in z {
            if *v < 0.0 {
                *v *= LEAKY_RELU_SLOPE;
            }
        }
    }
    fn differentiate(_rows: usize, y: &[f32], _z: &[f32], dy: &mut [f32]) {
        for (d, &y) in dy.iter_mut().zip(y) {
            *d = if y < 0.0 { *d * LEAKY_RELU_SLOPE } else { *d };
        }
    }
}

use crate::math::{self, sigmoid};

impl ActivationFn for Sigmoid {
    const NAME: &'static str = "Sigmoid";
    #[inline]
    fn activate_biased(rows: usize, bias: &[f32], z: &mut [f32]) {
        for col in z.chunks_exact_mut(rows) {
            for (v, b) in col.iter_mut().zip(bias) {
                *v = sigmoid(*v + b);
            }
        }
    }
    #[inline]
    fn activate(_rows: usize, z: &mut [f32]) {
        for v in z {
            *v = sigmoid(*v);
        }
    }
    fn differentiate(_rows: usize, y: &[f32], _z: &[f32], dy: &mut [f32]) {
        for (d, &y) in dy.iter_mut().zip(y) {
            *d *= y * (1.0 - y);
        }
    }
}

impl ActivationFn for Tanh {
    const NAME: &'static str = "Tanh";
    #[inline]
    fn activate_biased(rows: usize, bias: &[f32], z: &mut [f32]) {
        for col in z.chunks_exact_mut(rows) {
            for (v, b) in col.iter_mut().zip(bias) {
                *v = math::tanh(*v + b);
            }
        }
    }
    #[inline]
    fn activate(_rows: usize, z: &mut [f32]) {
        for v in z {
            *v = math::tanh(*v);
        }
    }
    fn differentiate(_rows: usize, y: &[f32], _z: &[f32], dy: &mut [f32]) {
        for (d, &y) in dy.iter_mut().zip(y) {
            *d *= 1.0 - y * y;
        }
    }
}

impl ActivationFn for Softmax {
    const NAME: &'static str = "Softmax";
    const PER_VALUE: bool = false;
    fn activate(rows: usize, z: &mut [f32]) {
        for col in z.chunks_exact_mut(rows) {
            let max = col.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for v in col.iter_mut() {
                *v = math::exp(*v - max);
                sum += *v;
            }
            let inv = 1.0 / sum;
            for v in col.iter_mut() {
                *v = math::flush(*v * inv);
            }
        }
    }
    fn differentiate(rows: usize, y: &[f32], _z: &[f32], dy: &mut [f32]) {
        for (d, y) in dy.chunks_exact_mut(rows).zip(y.chunks_exact(rows)) {
            let dot: f32 = d.iter().zip(y).map(|(a, b)| a * b).sum();
            for (d, &y) in d.iter_mut().zip(y) {
                *d = y * (*d - dot);
            }
        }
    }
}

const FRAC_1_SQRT_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// `1 / sqrt(2 pi)`.
const FRAC_1_SQRT_2PI: f32 = 0.398_942_3;

impl ActivationFn for Gelu {
    const NAME: &'static str = "Gelu";
    const NEEDS_INPUT: bool = true;
    fn activate(_rows: usize, z: &mut [f32]) {
        for v in z {
            *v = 0.5 * *v * (1.0 + libm::erff(*v * FRAC_1_SQRT_2));
        }
    }
    fn differentiate(_rows: usize, _y: &[f32], z: &[f32], dy: &mut [f32]) {
        for (d, &z) in dy.iter_mut().zip(z) {
            let cdf = 0.5 * (1.0 + libm::erff(z * FRAC_1_SQRT_2));
            let pdf = FRAC_1_SQRT_2PI * (-0.5 * z * z).exp();
            *d *= cdf + z * pdf;
        }
    }
}

/// A standalone activation layer of width `N` (`act: Relu` in `network!`).
/// Parameter-free and phase-free.
#[derive(Tensors)]
#[tensors(crate = crate)]
pub struct Activation<const N: usize, A: ActivationFn> {
    function: PhantomData<A>,
}

impl<const N: usize, A: ActivationFn> Activation<N, A> {
    /// The layer.
    pub const fn new() -> Self {
        Activation { function: PhantomData }
    }
}

impl<const N: usize, A: ActivationFn> Default for Activation<N, A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, A: ActivationFn> Clone for Activation<N, A> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<const N: usize, A: ActivationFn> Debug for Activation<N, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}<{N}>", A::NAME)
    }
}

impl<const N: usize, A: ActivationFn> Init for Activation<N, A> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Self::new()
    }
}

impl<const N: usize, A: ActivationFn> Layer for Activation<N, A> {
    const INPUT: usize = N;
    const OUTPUT: usize = N;
    /// The input, kept only for activations that need it.
    type Cache = Vec<f32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Activation(A::NAME)
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
        A::activate(N, y.as_mut_slice());
    }

    fn train_forward(&mut self, x: Cols<'_>, y: ColsMut<'_>, cache: &mut Vec<f32>) {
        if A::NEEDS_INPUT {
            cache.clear();
            cache.extend_from_slice(x.as_slice());
        }
        self.infer(x, y);
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        y: Cols<'_>,
        mut dy: ColsMut<'_>,
        cache: &mut Vec<f32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(mut dx) = dx {
            A::differentiate(N, y.as_slice(), cache, dy.as_mut_slice());
            dx.copy_from(dy.as_cols());
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Element-wise on each step's values (a softmax would normalise over the
/// whole sequence in `forward`: it cannot stream).
/// Element-wise on each step; a softmax over a sequence does not stream.
impl<const N: usize, A: ActivationFn> StepWise for Activation<N, A> {
    const STEP: StepWidth = if A::PER_VALUE {
        StepWidth::Any
    } else {
        StepWidth::NotCausal("a softmax over a sequence normalises across its steps")
    };

    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        y.copy_from_slice(x);
        simd::vectorized(
            #[inline(always)]
            || A::activate(y.len(), y),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_derivative<A: ActivationFn>(rows: usize, z: &[f32]) {
        let mut y = z.to_vec();
        A::activate(rows, &mut y);
        // d/dz of sum(w * f(z)) with fixed weights w, by central differences.
        let w: Vec<f32> = (0..z.len()).map(|i| 0.3 + 0.1 * i as f32).collect();
        let mut dy = w.clone();
        let input = if A::NEEDS_INPUT { z.to_vec() } else { Vec::new() };
        A::differentiate(rows, &y, &input, &mut dy);
        let h = 1e-3f64;
        for i in 0..z.len() {
            let eval = |delta: f64| {
                let mut zz: Vec<f32> = z.to_vec();
                zz[i] = (z[i] as f64 + delta) as f32;
                A::activate(rows, &mut zz);
                zz.iter().zip(&w).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>()
            };
            let numeric = (eval(h) - eval(-h)) / (2.0 * h);
            assert!(
                (numeric - dy[i] as f64).abs() < 2e-3,
                "{} at {i}: numeric {numeric} analytic {}",
                A::NAME,
                dy[i]
            );
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let z = [-2.1f32, -0.7, 0.3, 1.4, 2.2, -0.05];
        check_derivative::<Linear>(3, &z);
        check_derivative::<Relu>(3, &z);
        check_derivative::<LeakyRelu>(3, &z);
        check_derivative::<Sigmoid>(3, &z);
        check_derivative::<Tanh>(3, &z);
        check_derivative::<Softmax>(3, &z);
        check_derivative::<Gelu>(3, &z);
    }

    #[test]
    fn softmax_columns_sum_to_one_and_survive_large_inputs() {
        let mut z = [1000.0f32, 999.0, -1000.0, 1.0, 2.0, 3.0];
        Softmax::activate(3, &mut z);
        for col in z.chunks(3) {
            assert!((col.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            assert!(col.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn gelu_matches_known_values() {
        let mut z = [1.0f32, -1.0, 0.0];
        Gelu::activate(3, &mut z);
        assert!((z[0] - 0.841_344_7).abs() < 1e-6);
        assert!((z[1] + 0.158_655_3).abs() < 1e-6);
        assert_eq!(z[2], 0.0);
    }

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
    }
}
