//! `Dense<IN, OUT, Act>`: a fully connected layer, `y = act(W x + b)`.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use nalgebra::{SMatrix, SVector};
use rand::Rng;

use super::activation::{ActivationFn, Linear};
use super::grads::WeightBiasGrads;
use super::{Heap, Init, Layer, StepWidth, StepWise, Tensors};
use crate::linalg::{gemv_fixed, matmul, simd, Accum, Operand};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// A fully connected layer from `IN` to `OUT` features with activation `A`.
///
/// Weights are `OUT x IN` (PyTorch's `[out, in]`), initialised Glorot-uniform
/// with zero biases as Keras does; both live on the heap, so a 37632x512
/// layer never touches the stack.
///
/// ```
/// use typenet::prelude::*;
/// let mut layer = Dense::<3, 2, Relu>::seeded(7);
/// layer.bias_mut().fill(1.0);
/// assert_eq!(layer.weights().shape(), (2, 3));
/// assert_eq!(Dense::<3, 2, Relu>::PARAMS, 2 * 3 + 2);
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Dense<const IN: usize, const OUT: usize, A: ActivationFn = Linear> {
    /// Column-major `OUT x IN`: PyTorch's `[out, in]` with the `in` axis outermost.
    #[param("weight", shape = [OUT, IN], axes = [1, 0], kernel, weights)]
    weights: Heap<SMatrix<f32, OUT, IN>>,
    #[param("bias", shape = [OUT], bias)]
    bias: Heap<SVector<f32, OUT>>,
    activation: PhantomData<A>,
}

impl<const IN: usize, const OUT: usize, A: ActivationFn> Dense<IN, OUT, A> {
    /// A layer with all weights and biases zero.
    pub fn zeros() -> Self {
        Dense { weights: Heap::zeroed(), bias: Heap::zeroed(), activation: PhantomData }
    }

    /// Glorot-uniform weights drawn from `rng`, zero biases.
    pub fn glorot<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        crate::init::glorot_uniform(rng, IN, OUT, layer.weights.as_mut_slice());
        layer
    }

    /// `y = act(W x + b)` over column-major slices of `cols` samples; keeps
    /// the pre-activation in `pre` when the activation needs it.
    fn forward_slices(&self, x: &[f32], y: &mut [f32], cols: usize, pre: Option<&mut Vec<f32>>) {
        if cols == 1 && pre.is_none() && IN * OUT <= SMALL_LAYER && OUT <= 128 {
            return self.forward_one(x, y);
        }
        matmul(
            OUT,
            IN,
            cols,
            Operand::cols(self.weights.as_slice(), OUT),
            Operand::cols(x, IN),
            y,
            Accum::Replace,
        );
        let bias = self.bias.as_slice();
        if let Some(pre) = pre {
            for col in y.chunks_exact_mut(OUT) {
                for (v, b) in col.iter_mut().zip(bias) {
                    *v += b;
                }
            }
            pre.clear();
            pre.extend_from_slice(y);
            A::activate(OUT, y);
            return;
        }
        // The bias-and-activation epilogue, vectorised: one pass over `y`.
        simd::vectorized(
            #[inline(always)]
            || A::activate_biased(OUT, bias, y),
        );
    }
}

/// Weights up to this many (and at most 128 outputs) go through the
/// fixed-size one-sample path (256 KiB: they stay in the L2 cache between
/// calls, and one core reads them faster than waking a second would save).
const SMALL_LAYER: usize = 256 * 256;

impl<const IN: usize, const OUT: usize, A: ActivationFn> Dense<IN, OUT, A> {
    /// One sample through a small layer, the real-time case: a product of
    /// fixed size the compiler unrolls and vectorises, then the activation,
    /// in one vectorised region; no routing, no scratch space.
    fn forward_one(&self, x: &[f32], y: &mut [f32]) {
        gemv_fixed::<IN, OUT>(self.weights.as_slice(), x, self.bias.as_slice(), y);
        simd::vectorized(
            #[inline(always)]
            || A::activate(OUT, &mut y[..OUT]),
        );
    }
}

impl<const IN: usize, const OUT: usize, A: ActivationFn> fmt::Debug for Dense<IN, OUT, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dense<{IN}, {OUT}, {}>", A::NAME)
    }
}

impl<const IN: usize, const OUT: usize, A: ActivationFn> Init for Dense<IN, OUT, A> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::glorot(rng)
    }
}

/// What a training forward of a `Dense` keeps: the pre-activation, for
/// activations whose derivative needs it (Gelu); empty otherwise.
#[derive(Clone, Debug, Default)]
pub struct DenseCache {
    pre_activation: Vec<f32>,
}

impl<const IN: usize, const OUT: usize, A: ActivationFn> Layer for Dense<IN, OUT, A> {
    const INPUT: usize = IN;
    const OUTPUT: usize = OUT;
    type Cache = DenseCache;
    type Grads = DenseGrads<IN, OUT>;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Dense { inputs: IN, outputs: OUT, activation: A::NAME }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        self.forward_slices(x.as_slice(), y.as_mut_slice(), cols, None);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut DenseCache) {
        let cols = x.cols();
        let pre = A::NEEDS_INPUT.then_some(&mut cache.pre_activation);
        self.forward_slices(x.as_slice(), y.as_mut_slice(), cols, pre);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        y: Cols<'_>,
        mut dy: ColsMut<'_>,
        cache: &mut DenseCache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut DenseGrads<IN, OUT>>,
    ) {
        let cols = x.cols();
        let dz = dy.as_mut_slice();
        simd::vectorized(
            #[inline(always)]
            || A::differentiate(OUT, y.as_slice(), &cache.pre_activation, dz),
        );
        let dz: &[f32] = dz;
        if let Some(grads) = grads {
            let (dw, db) = grads.both_mut();
            matmul(
                OUT,
                cols,
                IN,
                Operand::cols(dz, OUT),
                Operand::transposed(x.as_slice(), IN),
                dw.as_mut_slice(),
                Accum::Replace,
            );
            let db = db.as_mut_slice();
            db.fill(0.0);
            for col in dz.chunks_exact(OUT) {
                for (b, g) in db.iter_mut().zip(col) {
                    *b += g;
                }
            }
        }
        if let Some(mut dx) = dx {
            matmul(
                IN,
                OUT,
                cols,
                Operand::transposed(self.weights.as_slice(), OUT),
                Operand::cols(dz, OUT),
                dx.as_mut_slice(),
                Accum::Replace,
            );
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Gradients of a `Dense<IN, OUT, _>`, shaped like its weights and bias.
pub type DenseGrads<const IN: usize, const OUT: usize> =
    WeightBiasGrads<SMatrix<f32, OUT, IN>, SVector<f32, OUT>>;

/// One step is one sample through the layer (after a recurrent layer has
/// consumed the time axis, or inside `TimeDistributed`).
impl<const IN: usize, const OUT: usize, A: ActivationFn> StepWise for Dense<IN, OUT, A> {
    const STEP: StepWidth = StepWidth::Fixed { input: IN, output: OUT };

    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        self.infer(Cols::new(x, IN), ColsMut::new(y, OUT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::activation::{Gelu, Relu, Sigmoid, Softmax, Tanh};
    use crate::layers::Weights;
    use crate::testing::check_layer_gradients;

    #[test]
    fn backward_matches_finite_differences_for_every_activation() {
        check_layer_gradients(Dense::<5, 4, Linear>::seeded(1), 3);
        check_layer_gradients(Dense::<5, 4, Relu>::seeded(2), 3);
        check_layer_gradients(Dense::<5, 4, Sigmoid>::seeded(3), 3);
        check_layer_gradients(Dense::<5, 4, Tanh>::seeded(4), 3);
        check_layer_gradients(Dense::<5, 4, Softmax>::seeded(5), 3);
        check_layer_gradients(Dense::<5, 4, Gelu>::seeded(6), 3);
        check_layer_gradients(Dense::<5, 4, super::super::LeakyRelu>::seeded(7), 3);
        // Large enough to go through the packed GEMM path.
        check_layer_gradients(Dense::<40, 30, Tanh>::seeded(8), 9);
    }

    #[test]
    fn glorot_bounds_and_zero_bias() {
        let layer = Dense::<100, 50, Relu>::seeded(3);
        let limit = (6.0f32 / 150.0).sqrt();
        assert!(layer.weights().iter().all(|w| w.abs() <= limit));
        assert!(layer.bias().iter().all(|&b| b == 0.0));
        let mean: f32 = layer.weights().iter().sum::<f32>() / 5000.0;
        assert!(mean.abs() < 0.01);
    }

    #[test]
    fn same_seed_same_weights() {
        let a = Dense::<10, 7, Relu>::seeded(11);
        let b = Dense::<10, 7, Relu>::seeded(11);
        assert_eq!(a.weights(), b.weights());
        assert_ne!(a.weights(), Dense::<10, 7, Relu>::seeded(12).weights());
    }
}
