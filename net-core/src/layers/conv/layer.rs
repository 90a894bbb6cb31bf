//! The convolution layer: one packed product with the patches per batch,
//! the bias and activation in one pass after it.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use rand::Rng;

use super::geometry::{input_len, patch_len, patches_are_input, positions, Geometry};
use super::patches::{col2im, im2col};
use super::weights::{Bias, ConvWeights};
use crate::layers::activation::{ActivationFn, Linear};
use crate::layers::grads::WeightBiasGrads;
use crate::layers::{with_scratch, Heap, Init, Layer, Tensors};
use crate::linalg::{matmul, simd, Accum, Operand};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// A convolution with `F` filters over the geometry `G`, activation `A`
/// and (unless `BIAS` is false) a bias: PyTorch's `nn.Conv2d`/`nn.Conv1d`
/// on channels-last maps. Written `Conv2d<F, K, Act, ..>` or
/// `Conv1d<F, K, Act, ..>` in `network!`, which works out `G`.
///
/// Initialised as Keras does: Glorot-uniform over fan-in `C * KH * KW` and
/// fan-out `F * KH * KW`, zero bias.
///
/// ```
/// use typenet::prelude::*;
/// network! {
///     struct Edges { input: [6, 6, 1], conv: Conv2d<4, 3, Relu>, flat: Flatten, out: Dense<1> }
/// }
/// let net = Edges::<Eval>::seeded(1);
/// assert_eq!(net.conv.weights().get(3, 0, 2, 2), net.conv.weights().get(3, 0, 2, 2));
/// assert_eq!(Edges::PARAMS, 4 * 9 + 4 + 4 * 16 + 1);
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Conv<G: Geometry, const F: usize, A: ActivationFn = Linear, const BIAS: bool = true> {
    #[param("weight", shape = Self::WEIGHT_SHAPE, axes = Self::WEIGHT_AXES, kernel, weights)]
    pub(super) weights: Heap<ConvWeights<G, F>>,
    #[param("bias", shape = [F], when = BIAS, bias)]
    pub(super) bias: Heap<Bias<BIAS, F>>,
    activation: PhantomData<A>,
}

/// A 2-D convolution over `[H, W, C]` images (see [`Conv`]): written
/// `Conv2d<F, K>` or `Conv2d<F, K, Act>` in `network!`, `K` a number or
/// `[KH, KW]`, with the options `stride`, `padding` (`Valid`, `Same`, a
/// number or `[PH, PW]`), `dilation` and `bias = false`. The weight is saved
/// as PyTorch's `[F, C, KH, KW]`.
///
/// ```
/// use typenet::prelude::*;
/// network! {
///     struct Features {
///         input: [9, 9, 3],
///         same: Conv2d<8, 3, Relu, padding = Same>,             // -> [9, 9, 8]
///         strided: Conv2d<16, [3, 1], stride = 2, bias = false>, // -> [4, 5, 16]
///         dilated: Conv2d<4, 2, dilation = 2, padding = 1>,      // -> [4, 5, 4]
///     }
/// }
/// assert_eq!(Features::OUTPUT, 4 * 5 * 4);
/// let net = Features::<Eval>::seeded(3);
/// let names: Vec<String> = net.state_dict().tensors.iter().map(|t| t.name.clone()).collect();
/// assert_eq!(names, ["same.weight", "same.bias", "strided.weight", "dilated.weight", "dilated.bias"]);
/// ```
pub type Conv2d<G, const F: usize, A = Linear, const BIAS: bool = true> = Conv<G, F, A, BIAS>;

/// A 1-D convolution over `[T, C]` sequences (see [`Conv`]): written
/// `Conv1d<F, K>` or `Conv1d<F, K, Act>` with the options of [`Conv2d`],
/// and `padding = Causal` (zeros on the left only, Keras'
/// `padding="causal"`), which lets the network stream one step at a time.
///
/// ```
/// use typenet::prelude::*;
/// network! {
///     struct Wave {
///         input: [32, 2],
///         causal: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>,  // -> [32, 8]
///         mix: Conv1d<1, 1>,                                          // -> [32, 1]
///     }
/// }
/// let net = Wave::<Eval>::seeded(1);
/// let mut stream = net.stream();
/// let y = stream.step(&net, &SVector::<f32, 2>::new(0.5, -0.5));
/// assert_eq!(y.len(), 1);
/// ```
pub type Conv1d<G, const F: usize, A = Linear, const BIAS: bool = true> = Conv<G, F, A, BIAS>;

impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Conv<G, F, A, BIAS> {
    /// A layer with all weights and biases zero.
    pub fn zeros() -> Self {
        Conv { weights: Heap::zeroed(), bias: Heap::zeroed(), activation: PhantomData }
    }

    /// Glorot-uniform weights drawn from `rng`, zero bias.
    pub fn glorot<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        let window = G::KH * G::KW;
        crate::init::glorot_uniform(rng, G::C * window, F * window, &mut layer.weights.values);
        layer
    }

    /// The weights, by PyTorch's axes.
    pub fn kernel(&self) -> &ConvWeights<G, F> {
        &self.weights
    }

    /// The bias (empty with `bias = false`).
    pub fn bias_values(&self) -> &[f32] {
        &self.bias.values
    }

    /// `y = act(W * patches + b)` for `cols` samples whose patches are in
    /// `patches`; keeps the pre-activation in `pre` when the activation
    /// needs it.
    fn forward_patches(&self, patches: &[f32], y: &mut [f32], cols: usize, pre: Option<&mut Vec<f32>>) {
        let (k, p) = (patch_len::<G>(), positions::<G>());
        let weights = Operand::cols(&self.weights.values, F);
        matmul(F, k, p * cols, weights, Operand::cols(patches, k), y, Accum::Replace);
        let bias: &[f32] = &self.bias.values;
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

    /// The forward of `cols` samples `x`, gathering patches into `patches`
    /// unless the input is its own patches.
    fn forward(
        &self,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        patches: &mut Vec<f32>,
        pre: Option<&mut Vec<f32>>,
    ) {
        if patches_are_input::<G>() {
            return self.forward_patches(x, y, cols, pre);
        }
        patches.resize(patch_len::<G>() * positions::<G>() * cols, 0.0);
        im2col::<G>(x, cols, patches);
        self.forward_patches(patches, y, cols, pre);
    }
}

impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> fmt::Debug for Conv<G, F, A, BIAS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if G::RANK == 1 { "Conv1d" } else { "Conv2d" };
        write!(f, "{name}<{}x{}x{} -> {}x{}x{F}, {}>", G::H, G::W, G::C, G::OH, G::OW, A::NAME)
    }
}

impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Init for Conv<G, F, A, BIAS> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::glorot(rng)
    }
}

/// What a training forward of a convolution keeps: the patches it
/// multiplied (for the weight gradient), the pre-activation when the
/// activation needs it, and room for the patch gradients.
#[derive(Clone, Debug, Default)]
pub struct ConvCache {
    patches: Vec<f32>,
    pre_activation: Vec<f32>,
    patch_grads: Vec<f32>,
}

impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Conv<G, F, A, BIAS> {
    /// PyTorch's shape of the weight: `[F, C, KH, KW]`, or `[F, C, K]` for Conv1d.
    const WEIGHT_SHAPE: &'static [usize] =
        if G::RANK == 1 { &[F, G::C, G::KW] } else { &[F, G::C, G::KH, G::KW] };
    /// Its memory order, `[KH][KW][C][F]` (`[K][C][F]`), in those axes' numbering.
    const WEIGHT_AXES: &'static [usize] = if G::RANK == 1 { &[2, 1, 0] } else { &[2, 3, 1, 0] };
}

impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Layer for Conv<G, F, A, BIAS> {
    const INPUT: usize = input_len::<G>();
    const OUTPUT: usize = positions::<G>() * F;
    type Cache = ConvCache;
    type Grads = WeightBiasGrads<ConvWeights<G, F>, Bias<BIAS, F>>;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Conv {
            window: crate::layers::export::Window::of::<G>(),
            filters: F,
            bias: BIAS,
            activation: A::NAME,
        }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        let len = if patches_are_input::<G>() { 0 } else { patch_len::<G>() * positions::<G>() * cols };
        with_scratch(len, |patches, _| {
            if patches_are_input::<G>() {
                return self.forward_patches(x.as_slice(), y.as_mut_slice(), cols, None);
            }
            im2col::<G>(x.as_slice(), cols, patches);
            self.forward_patches(patches, y.as_mut_slice(), cols, None);
        });
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut ConvCache) {
        let pre = A::NEEDS_INPUT.then_some(&mut cache.pre_activation);
        self.forward(x.as_slice(), y.as_mut_slice(), x.cols(), &mut cache.patches, pre);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        y: Cols<'_>,
        mut dy: ColsMut<'_>,
        cache: &mut ConvCache,
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
        let patches: &[f32] = if patches_are_input::<G>() { x.as_slice() } else { &cache.patches };
        if let Some(grads) = grads {
            let (dw, db) = grads.both_mut();
            let dz_op = Operand::cols(dz, F);
            matmul(F, p * cols, k, dz_op, Operand::transposed(patches, k), &mut dw.values, Accum::Replace);
            if BIAS {
                db.values.fill(0.0);
                for col in dz.chunks_exact(F) {
                    db.values.iter_mut().zip(col).for_each(|(b, g)| *b += g);
                }
            }
        }
        let Some(mut dx) = dx else { return };
        let weights = Operand::transposed(&self.weights.values, F);
        if patches_are_input::<G>() {
            return matmul(k, F, p * cols, weights, Operand::cols(dz, F), dx.as_mut_slice(), Accum::Replace);
        }
        cache.patch_grads.resize(k * p * cols, 0.0);
        matmul(k, F, p * cols, weights, Operand::cols(dz, F), &mut cache.patch_grads, Accum::Replace);
        col2im::<G>(&cache.patch_grads, cols, dx.as_mut_slice());
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::activation::{Relu, Tanh};
    use crate::layers::conv::{Grid1d, Grid2d};
    use crate::testing::check_layer_gradients;

    type Strided = Grid2d<7, 9, 3, 3, 2, 2, 1, 2, 1, 1, 1, 3, 9>;
    type Same = Grid2d<5, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 5, 4>;
    type Causal = Grid1d<10, 3, 3, 1, 2, 4, 10>;
    type Pointwise = Grid2d<3, 3, 4, 1, 1, 1, 1, 1, 1, 0, 0, 3, 3>;

    fn seeded<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool>(
        seed: u64,
    ) -> Conv<G, F, A, BIAS> {
        let mut conv = Conv::<G, F, A, BIAS>::glorot(&mut crate::rng::init_rng(seed));
        for (i, b) in conv.bias.values.iter_mut().enumerate() {
            *b = 0.1 * i as f32 - 0.2;
        }
        conv
    }

    #[test]
    fn backward_matches_finite_differences_for_every_option() {
        check_layer_gradients(seeded::<Strided, 4, Tanh, true>(1), 2);
        check_layer_gradients(seeded::<Same, 3, Relu, false>(2), 2);
        check_layer_gradients(seeded::<Causal, 4, Tanh, true>(3), 3);
        check_layer_gradients(seeded::<Pointwise, 2, Linear, true>(4), 2);
    }

    #[test]
    fn a_one_by_one_convolution_is_a_dense_layer_per_position() {
        let conv = seeded::<Pointwise, 2, Linear, true>(5);
        let x: Vec<f32> = (0..36).map(|i| i as f32 * 0.1).collect();
        let mut y = vec![0.0; 18];
        conv.infer(Cols::new(&x, 36), ColsMut::new(&mut y, 18));
        for position in 0..9 {
            for f in 0..2 {
                let want: f32 =
                    (0..4).map(|c| conv.kernel().get(f, c, 0, 0) * x[position * 4 + c]).sum::<f32>()
                        + conv.bias_values()[f];
                assert!((y[position * 2 + f] - want).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn padding_reads_zeros_and_the_window_stays_inside() {
        // A 3x3 window of ones over a 2x2 map of ones, padding 1: each
        // output counts the input values its window covers.
        type G = Grid2d<2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2>;
        let mut conv = Conv::<G, 1, Linear, false>::zeros();
        conv.weights.values.fill(1.0);
        let mut y = [0.0; 4];
        conv.infer(Cols::new(&[1.0; 4], 4), ColsMut::new(&mut y, 4));
        assert_eq!(y, [4.0; 4]);
    }
}
