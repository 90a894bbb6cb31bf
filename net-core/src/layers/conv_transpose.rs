//! `Conv2dTranspose`: the transpose of a convolution, which maps each input
//! position to a window of the output (an upsampling with learned weights).
//!
//! A transposed convolution's forward is the input gradient of the
//! convolution it transposes: that convolution reads this layer's output
//! `[H', W', F]` through windows and gives its input `[H, W, C]`. So the
//! forward is one packed product `weightsᵀ (K x C) * x` giving every
//! window's values (`K = KH * KW * F`), which col2im adds into the output;
//! the backward gathers the output gradient's windows with im2col and
//! multiplies twice, as a convolution's forward and weight gradient do.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use rand::Rng;

use super::activation::{ActivationFn, Linear};
use super::conv::{
    col2im, im2col, input_len, patch_len, patches_are_input, positions, Bias, ConvWeights, Geometry,
};
use super::grads::WeightBiasGrads;
use super::{with_scratch, Heap, HeapTensor, Init, Layer, StepWidth, StepWise, Tensors};
use crate::linalg::{matmul, simd, Accum, Operand};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// A transposed 2-D convolution from `C` channels to `F` filters: PyTorch's
/// `nn.ConvTranspose2d` on channels-last maps, Keras' `Conv2DTranspose`.
/// `G` is the geometry of the convolution it transposes, which reads this
/// layer's output `[H', W', F]` (`G::H`, `G::W`, `G::C = F`) and gives its
/// input `[H, W, C]` (`G::OH`, `G::OW`), with this layer's stride and
/// padding. Written `Conv2dTranspose<F, K, Act, stride = S, padding = P,
/// output_padding = OP, bias = false>` in `network!`, which works out `G`:
/// `H' = (H - 1)·S - 2P + K + OP`.
///
/// The weights are saved as PyTorch's `[C, F, KH, KW]` and read by those
/// axes (`layer.weights().get(c, f, row, column)`); Glorot-uniform over
/// `C·KH·KW` and `F·KH·KW` as Keras, zero bias.
///
/// ```
/// use typenet::prelude::*;
/// network! {
///     struct Up { input: [3, 3, 2], up: Conv2dTranspose<4, 3, Relu, stride = 2, padding = 1, output_padding = 1> }
/// }
/// let net = Up::<Eval>::seeded(1);
/// assert_eq!(Up::OUTPUT, 6 * 6 * 4); // (3 - 1) * 2 - 2 + 3 + 1 = 6
/// assert_eq!(Up::PARAMS, 2 * 4 * 3 * 3 + 4);
/// let w = net.up.weights().get(1, 3, 2, 0); // input channel 1, filter 3, row 2, column 0
/// assert!(w != 0.0 && w.abs() <= (6.0f32 / (6.0 * 9.0)).sqrt());
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Conv2dTranspose<
    G: Geometry,
    const C: usize,
    const F: usize,
    A: ActivationFn = Linear,
    const BIAS: bool = true,
> {
    #[param("weight", shape = [C, F, G::KH, G::KW], axes = [2, 3, 1, 0], kernel, weights)]
    weights: Heap<ConvWeights<G, C>>,
    #[param("bias", shape = [F], when = BIAS, bias)]
    bias: Heap<Bias<BIAS, F>>,
    activation: PhantomData<A>,
}

impl<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool>
    Conv2dTranspose<G, C, F, A, BIAS>
{
    /// A layer with all weights and biases zero.
    ///
    /// # Panics
    /// If `F` is not the geometry's channel count (`network!` writes them
    /// together).
    pub fn zeros() -> Self {
        assert_eq!(G::C, F, "Conv2dTranspose: the geometry's channels are the {F} filters");
        Conv2dTranspose { weights: Heap::zeroed(), bias: Heap::zeroed(), activation: PhantomData }
    }

    /// Glorot-uniform weights drawn from `rng`, zero bias.
    pub fn glorot<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        let window = G::KH * G::KW;
        crate::init::glorot_uniform(rng, C * window, F * window, layer.weights.values_mut());
        layer
    }

    /// The bias (empty with `bias = false`).
    pub fn bias_values(&self) -> &[f32] {
        self.bias.values()
    }

    /// `y = act(col2im(Wᵀ x) + b)` for `cols` samples, the window values
    /// in `windows`; keeps the pre-activation in `pre` when the activation
    /// needs it.
    fn forward(
        &self,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        windows: &mut [f32],
        pre: Option<&mut Vec<f32>>,
    ) {
        let (k, p) = (patch_len::<G>(), positions::<G>());
        let weights = Operand::transposed(self.weights.values(), C);
        if patches_are_input::<G>() {
            // A 1x1 window at stride 1 without padding: the windows are the output.
            matmul(k, C, p * cols, weights, Operand::cols(x, C), y, Accum::Replace);
        } else {
            matmul(k, C, p * cols, weights, Operand::cols(x, C), windows, Accum::Replace);
            col2im::<G>(windows, cols, y);
        }
        let bias = self.bias.values();
        if let Some(pre) = pre {
            if BIAS {
                y.chunks_exact_mut(F).for_each(|col| col.iter_mut().zip(bias).for_each(|(v, b)| *v += b));
            }
            pre.clear();
            pre.extend_from_slice(y);
            return A::activate(F, y);
        }
        simd::vectorized(
            #[inline(always)]
            || if BIAS { A::activate_biased(F, bias, y) } else { A::activate(F, y) },
        );
    }

    /// Values of the windows of `cols` samples (none when they are the output).
    fn windows_len(cols: usize) -> usize {
        if patches_are_input::<G>() {
            0
        } else {
            patch_len::<G>() * positions::<G>() * cols
        }
    }
}

impl<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool> fmt::Debug
    for Conv2dTranspose<G, C, F, A, BIAS>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Conv2dTranspose<{}x{}x{C} -> {}x{}x{F}, {}>", G::OH, G::OW, G::H, G::W, A::NAME)
    }
}

impl<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool> Init
    for Conv2dTranspose<G, C, F, A, BIAS>
{
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::glorot(rng)
    }
}

/// What a training forward of a transposed convolution keeps: room for
/// the window values (the forward's, then the output gradient's) and the
/// pre-activation when the activation needs it.
///
/// ```
/// use typenet::layers::conv_transpose::ConvTransposeCache;
/// use typenet::{Conv2dTranspose, Grid2d, Layer};
/// // 2x2x3 -> 4x4x5 with a 3x3 kernel: the convolution it transposes reads 4x4x5.
/// type Up = Conv2dTranspose<Grid2d<4, 4, 5, 3, 3, 1, 1, 1, 1, 0, 0, 2, 2>, 3, 5>;
/// let cache: <Up as Layer>::Cache = ConvTransposeCache::default();
/// assert_eq!((Up::INPUT, Up::OUTPUT), (12, 80));
/// # let _ = cache;
/// ```
#[derive(Clone, Debug, Default)]
pub struct ConvTransposeCache {
    windows: Vec<f32>,
    pre_activation: Vec<f32>,
}

impl<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool> Layer
    for Conv2dTranspose<G, C, F, A, BIAS>
{
    const INPUT: usize = positions::<G>() * C;
    const OUTPUT: usize = input_len::<G>();
    type Cache = ConvTransposeCache;
    type Grads = WeightBiasGrads<ConvWeights<G, C>, Bias<BIAS, F>>;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        with_scratch(Self::windows_len(cols), |windows, _| {
            self.forward(x.as_slice(), y.as_mut_slice(), cols, windows, None);
        });
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut ConvTransposeCache) {
        let cols = x.cols();
        cache.windows.resize(Self::windows_len(cols), 0.0);
        let pre = A::NEEDS_INPUT.then_some(&mut cache.pre_activation);
        self.forward(x.as_slice(), y.as_mut_slice(), cols, &mut cache.windows, pre);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        y: Cols<'_>,
        mut dy: ColsMut<'_>,
        cache: &mut ConvTransposeCache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let (k, p, cols) = (patch_len::<G>(), positions::<G>(), x.cols());
        let dz = dy.as_mut_slice();
        simd::vectorized(
            #[inline(always)]
            || A::differentiate(F, y.as_slice(), &cache.pre_activation, dz),
        );
        let dz: &[f32] = dz;
        // The output gradient's windows: what each input position's values
        // were spread over.
        let windows: &[f32] = if patches_are_input::<G>() {
            dz
        } else {
            cache.windows.resize(k * p * cols, 0.0);
            im2col::<G>(dz, cols, &mut cache.windows);
            &cache.windows
        };
        if let Some(grads) = grads {
            let (dw, db) = grads.both_mut();
            let x_op = Operand::cols(x.as_slice(), C);
            matmul(C, p * cols, k, x_op, Operand::transposed(windows, k), dw.values_mut(), Accum::Replace);
            if BIAS {
                let db = db.values_mut();
                db.fill(0.0);
                for col in dz.chunks_exact(F) {
                    db.iter_mut().zip(col).for_each(|(b, g)| *b += g);
                }
            }
        }
        if let Some(mut dx) = dx {
            let weights = Operand::cols(self.weights.values(), C);
            matmul(C, k, p * cols, weights, Operand::cols(windows, k), dx.as_mut_slice(), Accum::Replace);
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Not causal: a 2-D map has no time axis to step along.
impl<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool> StepWise
    for Conv2dTranspose<G, C, F, A, BIAS>
{
    const STEP: StepWidth =
        StepWidth::NotCausal("a transposed 2-D convolution has no time axis to step along");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::activation::{Relu, Tanh};
    use crate::layers::conv::{Conv2d, Grid2d};
    use crate::testing::check_layer_gradients;

    /// Transposes a 4x5x3 map to 8x16x2 (kernel [3, 2], stride [2, 3],
    /// padding [1, 0], output padding [1, 2]):
    /// (4 - 1) * 2 - 2 + 3 + 1 = 8 rows, (5 - 1) * 3 + 2 + 2 = 16 columns.
    type Strided = Grid2d<8, 16, 2, 3, 2, 2, 3, 1, 1, 1, 0, 4, 5>;
    /// 3x3 to 5x5 with a 3x3 kernel, stride 1, no padding.
    type Full = Grid2d<5, 5, 3, 3, 3, 1, 1, 1, 1, 0, 0, 3, 3>;
    /// A 1x1 kernel at stride 1: a dense layer per position.
    type Pointwise = Grid2d<3, 3, 4, 1, 1, 1, 1, 1, 1, 0, 0, 3, 3>;

    fn seeded<G: Geometry, const C: usize, const F: usize, A: ActivationFn, const BIAS: bool>(
        seed: u64,
    ) -> Conv2dTranspose<G, C, F, A, BIAS> {
        let mut layer = Conv2dTranspose::<G, C, F, A, BIAS>::glorot(&mut crate::rng::init_rng(seed));
        for (i, b) in layer.bias.values_mut().iter_mut().enumerate() {
            *b = 0.1 * i as f32 - 0.1;
        }
        layer
    }

    #[test]
    fn backward_matches_finite_differences_for_every_option() {
        check_layer_gradients(seeded::<Strided, 3, 2, Tanh, true>(1), 2);
        check_layer_gradients(seeded::<Full, 2, 3, Relu, false>(2), 3);
        check_layer_gradients(seeded::<Pointwise, 3, 4, Linear, true>(3), 2);
    }

    #[test]
    fn it_is_the_transpose_of_the_convolution_with_the_same_kernel() {
        // <conv(u), v> = <u, convᵀ(v)> for the convolution of geometry G
        // and the transposed convolution sharing its kernel.
        let transpose = seeded::<Strided, 3, 2, Linear, false>(4);
        let mut conv = Conv2d::<Strided, 3, Linear, false>::zeros();
        let mut index = 0;
        conv.visit_parameters(&mut |values| {
            if index == 0 {
                values.copy_from_slice(transpose.weights.values());
            }
            index += 1;
        });
        let u: Vec<f32> = (0..8 * 16 * 2).map(|i| ((i * 7) % 11) as f32 / 11.0 - 0.5).collect();
        let v: Vec<f32> = (0..4 * 5 * 3).map(|i| ((i * 5) % 13) as f32 / 13.0 - 0.5).collect();
        let (mut conv_u, mut transpose_v) = (vec![0.0; v.len()], vec![0.0; u.len()]);
        conv.infer(Cols::new(&u, u.len()), ColsMut::new(&mut conv_u, v.len()));
        transpose.infer(Cols::new(&v, v.len()), ColsMut::new(&mut transpose_v, u.len()));
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>();
        assert!((dot(&conv_u, &v) - dot(&u, &transpose_v)).abs() < 1e-4);
    }

    #[test]
    fn each_input_value_spreads_the_kernel_over_its_window() {
        // One channel, one filter, kernel of ones, stride 2: a 2x2 input
        // becomes a 5x5 map where windows overlap on the middle row and column.
        type G = Grid2d<5, 5, 1, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2>;
        let mut layer = Conv2dTranspose::<G, 1, 1, Linear, false>::zeros();
        layer.weights.values_mut().fill(1.0);
        let mut y = [0.0; 25];
        layer.infer(Cols::new(&[1.0, 10.0, 100.0, 1000.0], 4), ColsMut::new(&mut y, 25));
        assert_eq!(y[..5], [1.0, 1.0, 11.0, 10.0, 10.0]);
        assert_eq!(y[10..15], [101.0, 101.0, 1111.0, 1010.0, 1010.0]);
        assert_eq!(y[20..], [100.0, 100.0, 1100.0, 1000.0, 1000.0]);
    }
}
