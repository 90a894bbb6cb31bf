//! `Conv2d` and `Conv1d`: convolutions over channels-last maps, computed as
//! one packed matrix product per batch (im2col).
//!
//! A sample is `[H, W, C]` (a 1-D map `[T, C]` is `[1, T, C]`), channels
//! fastest. The patches of every output position are gathered into the
//! columns of a `K x (positions * samples)` matrix (`K = KH * KW * C`,
//! ordered kernel row, kernel column, channel), so the convolution is
//! `weights (F x K) * patches`, whose columns are exactly the
//! channels-last output. The weights live in memory as `[KH][KW][C][F]`
//! (filters fastest, a column-major `F x K` matrix) and are saved in
//! PyTorch's `[F, C, KH, KW]` (`[F, C, K]` for Conv1d).

use std::fmt;
use std::marker::PhantomData;

use rand::Rng;

use super::activation::{ActivationFn, Linear};
use super::grads::WeightBiasGrads;
use super::{with_scratch, Heap, HeapTensor, Init, Layer, StepWidth, Streamable, Tensors};
use crate::linalg::{gemv_ld, matmul, simd, Accum, Operand};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// The geometry of a convolution or pooling window over a channels-last
/// map: input `[H, W, C]`, window `[KH, KW]`, stride, dilation, zeros
/// added before the first row and column (`PT`, `PL`; after the last ones,
/// as many as the output size needs) and output `[OH, OW]`. `network!`
/// writes it as a [`Grid2d`] or [`Grid1d`] type.
pub trait Geometry: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// Input rows (1 for a 1-D map).
    const H: usize;
    /// Input columns (time steps of a 1-D map).
    const W: usize;
    /// Input channels.
    const C: usize;
    /// Window rows.
    const KH: usize;
    /// Window columns.
    const KW: usize;
    /// Vertical stride.
    const SH: usize;
    /// Horizontal stride.
    const SW: usize;
    /// Vertical dilation.
    const DH: usize;
    /// Horizontal dilation.
    const DW: usize;
    /// Zero rows before the first.
    const PT: usize;
    /// Zero columns before the first.
    const PL: usize;
    /// Output rows.
    const OH: usize;
    /// Output columns.
    const OW: usize;
    /// 1 for a 1-D map (`[T, C]`), 2 for an image.
    const RANK: usize;
    /// Whether each output step reads only this step and earlier ones
    /// (`padding = Causal`, or a one-step window, at stride 1): what lets a
    /// convolution stream.
    const CAUSAL: bool = false;
}

/// A 2-D geometry: `[H, W, C]` in, `[OH, OW, ..]` out.
///
/// ```
/// use typenet::layers::conv::{Geometry, Grid2d};
/// // 8x8x1, 3x3 window, stride 1, no dilation, no padding: 6x6 out.
/// type G = Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 0, 0, 6, 6>;
/// assert_eq!((G::OH, G::OW, G::RANK), (6, 6, 2));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Grid2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    const DH: usize,
    const DW: usize,
    const PT: usize,
    const PL: usize,
    const OH: usize,
    const OW: usize,
>;

impl<
        const H: usize,
        const W: usize,
        const C: usize,
        const KH: usize,
        const KW: usize,
        const SH: usize,
        const SW: usize,
        const DH: usize,
        const DW: usize,
        const PT: usize,
        const PL: usize,
        const OH: usize,
        const OW: usize,
    > Geometry for Grid2d<H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW>
{
    const H: usize = H;
    const W: usize = W;
    const C: usize = C;
    const KH: usize = KH;
    const KW: usize = KW;
    const SH: usize = SH;
    const SW: usize = SW;
    const DH: usize = DH;
    const DW: usize = DW;
    const PT: usize = PT;
    const PL: usize = PL;
    const OH: usize = OH;
    const OW: usize = OW;
    const RANK: usize = 2;
}

/// A 1-D geometry: `[T, C]` in, `[OT, ..]` out, window `K`, stride `S`,
/// dilation `D`, `PL` zeros before the first step.
///
/// ```
/// use typenet::layers::conv::{Geometry, Grid1d};
/// // 10 steps of 3, kernel 3, dilation 2, causal: 4 zeros before, 10 out.
/// type G = Grid1d<10, 3, 3, 1, 2, 4, 10>;
/// assert_eq!((G::H, G::W, G::OW, G::RANK), (1, 10, 10, 1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Grid1d<
    const T: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const D: usize,
    const PL: usize,
    const OT: usize,
>;

impl<
        const T: usize,
        const C: usize,
        const K: usize,
        const S: usize,
        const D: usize,
        const PL: usize,
        const OT: usize,
    > Geometry for Grid1d<T, C, K, S, D, PL, OT>
{
    const H: usize = 1;
    const W: usize = T;
    const C: usize = C;
    const KH: usize = 1;
    const KW: usize = K;
    const SH: usize = 1;
    const SW: usize = S;
    const DH: usize = 1;
    const DW: usize = D;
    const PT: usize = 0;
    const PL: usize = PL;
    const OH: usize = 1;
    const OW: usize = OT;
    const RANK: usize = 1;
    /// A window of one step at stride 1 without padding (a pointwise
    /// `Conv1d<F, 1>`, as WaveNet and TCN blocks mix channels) reads only
    /// the current step: it streams without `padding = Causal`.
    const CAUSAL: bool = K == 1 && S == 1 && PL == 0;
}

/// A causal 1-D geometry: `[T, C]` in, `[T, ..]` out, window `K`, stride
/// 1, dilation `D`, `D * (K - 1)` zeros before the first step and none
/// after (Keras' `padding="causal"`): each output step sees only its own
/// and earlier steps, so the convolution can run one step at a time.
///
/// ```
/// use typenet::layers::conv::{Causal1d, Geometry};
/// type G = Causal1d<10, 3, 3, 2>;
/// assert_eq!((G::PL, G::OW, G::SW), (4, 10, 1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Causal1d<const T: usize, const C: usize, const K: usize, const D: usize>;

impl<const T: usize, const C: usize, const K: usize, const D: usize> Geometry for Causal1d<T, C, K, D> {
    const H: usize = 1;
    const W: usize = T;
    const C: usize = C;
    const KH: usize = 1;
    const KW: usize = K;
    const SH: usize = 1;
    const SW: usize = 1;
    const DH: usize = 1;
    const DW: usize = D;
    const PT: usize = 0;
    const PL: usize = D * (K - 1);
    const OH: usize = 1;
    const OW: usize = T;
    const RANK: usize = 1;
    const CAUSAL: bool = true;
}

/// The values one sample has in (`H * W * C`).
pub(crate) const fn input_len<G: Geometry>() -> usize {
    G::H * G::W * G::C
}

/// Output positions per sample (`OH * OW`).
pub(crate) const fn positions<G: Geometry>() -> usize {
    G::OH * G::OW
}

/// The rows of a patch column (`KH * KW * C`).
pub(crate) const fn patch_len<G: Geometry>() -> usize {
    G::KH * G::KW * G::C
}

/// Whether the patches are the input itself (a 1x1 window, stride 1, no
/// padding): no gathering needed.
const fn patches_are_input<G: Geometry>() -> bool {
    G::KH == 1 && G::KW == 1 && G::SH == 1 && G::SW == 1 && G::PT == 0 && G::PL == 0
}

/// For each output position and row of its window, the runs of patch
/// values that are contiguous in the input too: calls `f(column, row,
/// input_offset, len)` with the patch column, the first patch row of the
/// run, the first input value (`None` where the window reads padding) and
/// the run's length. With dilation 1 a window row is one run (its kernel
/// columns are neighbours in the input); otherwise each tap is its own.
#[inline(always)]
fn for_each_run<G: Geometry>(mut f: impl FnMut(usize, usize, Option<usize>, usize)) {
    let row_len = G::KW * G::C;
    for oh in 0..G::OH {
        for ow in 0..G::OW {
            let column = oh * G::OW + ow;
            for kh in 0..G::KH {
                let row = kh * row_len;
                let Some(ih) = (oh * G::SH + kh * G::DH).checked_sub(G::PT).filter(|&i| i < G::H) else {
                    f(column, row, None, row_len);
                    continue;
                };
                let start = ow * G::SW;
                if G::DW == 1 {
                    // Kernel columns `lo..hi` read input columns inside the map.
                    let lo = G::PL.saturating_sub(start).min(G::KW);
                    let hi = (G::W + G::PL).saturating_sub(start).min(G::KW).max(lo);
                    if lo > 0 {
                        f(column, row, None, lo * G::C);
                    }
                    if hi > lo {
                        let iw = start + lo - G::PL;
                        f(column, row + lo * G::C, Some((ih * G::W + iw) * G::C), (hi - lo) * G::C);
                    }
                    if hi < G::KW {
                        f(column, row + hi * G::C, None, (G::KW - hi) * G::C);
                    }
                    continue;
                }
                for kw in 0..G::KW {
                    let iw = (start + kw * G::DW).checked_sub(G::PL).filter(|&i| i < G::W);
                    f(column, row + kw * G::C, iw.map(|iw| (ih * G::W + iw) * G::C), G::C);
                }
            }
        }
    }
}

/// Samples per part when copying patches over the threads: parts of at
/// least this many values (a copy is cheap; waking a helper is not).
const PARALLEL_COPY: usize = 1 << 18;

/// Samples per part for `cols` samples of `per_sample` values each, and the
/// threads to use: every thread for large batches, one for small ones.
fn sample_parts(cols: usize, per_sample: usize) -> (usize, usize) {
    if cols * per_sample < 2 * PARALLEL_COPY || cols < 2 {
        return (cols.max(1), 1);
    }
    let threads = crate::linalg::num_threads();
    (cols.div_ceil(threads * 4).max(PARALLEL_COPY.div_ceil(per_sample)).min(cols), threads)
}

/// Gathers the patches of `cols` samples `x` into `patches` (`K` rows,
/// one column per output position of each sample), samples split over the
/// threads when the batch is large (each sample's patches are its own).
pub(crate) fn im2col<G: Geometry>(x: &[f32], cols: usize, patches: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    let (samples, threads) = sample_parts(cols, k * p);
    let patches = &mut patches[..k * p * cols];
    crate::linalg::par::chunks_mut(patches, samples * k * p, threads, |start, part| {
        let first = start / (k * p);
        im2col_part::<G>(&x[first * n..], part.len() / (k * p), part);
    });
}

fn im2col_part<G: Geometry>(x: &[f32], cols: usize, patches: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    for (sample, out) in x.chunks_exact(n).zip(patches.chunks_exact_mut(k * p)).take(cols) {
        for_each_run::<G>(|column, row, at, len| {
            let dst = &mut out[column * k + row..column * k + row + len];
            match at {
                Some(at) => copy_run(dst, &sample[at..at + len]),
                None => dst.fill(0.0),
            }
        });
    }
}

/// `dst = src` for a run of patch values: short runs (one channel of a
/// grey image, say) by hand, where a library copy would cost more than
/// the values.
#[inline(always)]
fn copy_run(dst: &mut [f32], src: &[f32]) {
    if dst.len() <= 8 {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = s;
        }
    } else {
        dst.copy_from_slice(src);
    }
}

/// Adds the patch gradients back onto the input gradient `dx` (zeroed
/// first): each input value gets the sum over every window that read it,
/// in a fixed order.
pub(crate) fn col2im<G: Geometry>(patches: &[f32], cols: usize, dx: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    let (samples, threads) = sample_parts(cols, k * p);
    crate::linalg::par::chunks_mut(&mut dx[..n * cols], samples * n, threads, |start, part| {
        let first = start / n;
        col2im_part::<G>(&patches[first * k * p..], part.len() / n, part);
    });
}

fn col2im_part<G: Geometry>(patches: &[f32], cols: usize, dx: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    dx[..n * cols].fill(0.0);
    for (sample, grads) in dx.chunks_exact_mut(n).zip(patches.chunks_exact(k * p)).take(cols) {
        for_each_run::<G>(|column, row, at, len| {
            if let Some(at) = at {
                let src = &grads[column * k + row..column * k + row + len];
                for (d, s) in sample[at..at + len].iter_mut().zip(src) {
                    *d += s;
                }
            }
        });
    }
}

/// A convolution's weights, on the heap: `F` filters over a `KH x KW x C`
/// window, in memory `[KH][KW][C][F]` (a column-major `F x K` matrix).
/// Indexing goes by PyTorch's axes.
///
/// ```
/// use typenet::layers::conv::{ConvWeights, Grid2d};
/// use typenet::HeapTensor;
/// type G = Grid2d<4, 4, 2, 3, 3, 1, 1, 1, 1, 0, 0, 2, 2>;
/// let mut w = ConvWeights::<G, 5>::zeroed();
/// w.set(4, 1, 2, 0, 7.0); // filter 4, channel 1, kernel row 2, column 0
/// assert_eq!(w.get(4, 1, 2, 0), 7.0);
/// assert_eq!(w.values().len(), 5 * 2 * 3 * 3);
/// ```
pub struct ConvWeights<G: Geometry, const F: usize> {
    values: Box<[f32]>,
    geometry: PhantomData<G>,
}

impl<G: Geometry, const F: usize> ConvWeights<G, F> {
    /// Where `(filter, channel, kernel row, kernel column)` lives in memory.
    fn index(filter: usize, channel: usize, row: usize, column: usize) -> usize {
        assert!(
            filter < F && channel < G::C && row < G::KH && column < G::KW,
            "weight ({filter}, {channel}, {row}, {column}) is outside [{F}, {}, {}, {}]",
            G::C,
            G::KH,
            G::KW
        );
        ((row * G::KW + column) * G::C + channel) * F + filter
    }

    /// The weight of `filter` at `channel`, kernel `row` and `column`
    /// (for a Conv1d, `row` is 0).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn get(&self, filter: usize, channel: usize, row: usize, column: usize) -> f32 {
        self.values[Self::index(filter, channel, row, column)]
    }

    /// Sets a weight (see [`get`](Self::get)).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn set(&mut self, filter: usize, channel: usize, row: usize, column: usize, value: f32) {
        self.values[Self::index(filter, channel, row, column)] = value;
    }
}

impl<G: Geometry, const F: usize> HeapTensor for ConvWeights<G, F> {
    const LEN: usize = F * patch_len::<G>();
    fn zeroed() -> Box<Self> {
        Box::new(ConvWeights {
            values: vec![0.0; F * patch_len::<G>()].into_boxed_slice(),
            geometry: PhantomData,
        })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<G: Geometry, const F: usize> fmt::Debug for ConvWeights<G, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConvWeights[{F}, {}, {}, {}]", G::C, G::KH, G::KW)
    }
}

/// A convolution's bias: `F` values, or none with `bias = false`.
///
/// ```
/// use typenet::layers::conv::Bias;
/// use typenet::HeapTensor;
/// assert_eq!(Bias::<true, 4>::zeroed().values().len(), 4);
/// assert_eq!(Bias::<false, 4>::zeroed().values().len(), 0);
/// ```
pub struct Bias<const BIAS: bool, const F: usize> {
    values: Box<[f32]>,
}

impl<const BIAS: bool, const F: usize> HeapTensor for Bias<BIAS, F> {
    const LEN: usize = if BIAS { F } else { 0 };
    fn zeroed() -> Box<Self> {
        Box::new(Bias { values: vec![0.0; if BIAS { F } else { 0 }].into_boxed_slice() })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<const BIAS: bool, const F: usize> fmt::Debug for Bias<BIAS, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values.iter()).finish()
    }
}

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
    weights: Heap<ConvWeights<G, F>>,
    #[param("bias", shape = [F], when = BIAS, bias)]
    bias: Heap<Bias<BIAS, F>>,
    activation: PhantomData<A>,
}

/// A 2-D convolution (see [`Conv`]).
pub type Conv2d<G, const F: usize, A = Linear, const BIAS: bool = true> = Conv<G, F, A, BIAS>;

/// A 1-D convolution over `[T, C]` sequences (see [`Conv`]).
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

/// The last `D * (K - 1) + 1` input steps of a streaming causal
/// convolution, a ring of `C` values per step (zeros before the first),
/// and room for the patch of the current step.
#[derive(Clone, Debug)]
pub struct RecentSteps {
    steps: Vec<f32>,
    next: usize,
    patch: Vec<f32>,
}

/// A causal convolution one step at a time: each output step is the
/// kernel over this step and the `D * (K - 1)` before it. Other
/// convolutions read steps that have not arrived yet.
impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Streamable for Conv<G, F, A, BIAS> {
    const STEP: StepWidth = if G::CAUSAL {
        StepWidth::Fixed { input: G::C, output: F }
    } else if G::RANK == 2 {
        StepWidth::NotCausal("a 2-D convolution has no time axis to step along")
    } else if G::SW > 1 {
        StepWidth::NotCausal("a convolution with a stride above 1 gives one output every few steps")
    } else {
        StepWidth::NotCausal("a convolution without `padding = Causal` reads steps that have not arrived yet")
    };
    type State = RecentSteps;

    fn initial_state() -> RecentSteps {
        let (c, taps, d) = (G::C, G::KW, G::DW);
        RecentSteps { steps: vec![0.0; (d * (taps - 1) + 1) * c], next: 0, patch: vec![0.0; taps * c] }
    }

    fn reset(state: &mut RecentSteps) {
        state.steps.fill(0.0);
        state.next = 0;
    }

    fn step(&self, state: &mut RecentSteps, x: &[f32], y: &mut [f32]) {
        let (c, taps, d) = (G::C, G::KW, G::DW);
        let span = d * (taps - 1) + 1;
        let now = state.next;
        state.steps[now * c..(now + 1) * c].copy_from_slice(x);
        state.next = (now + 1) % span;
        // The patch in the kernel's order (tap `k` reads the step
        // `D * (K - 1 - k)` before this one), then one product with the
        // `F x K C` kernel.
        for tap in 0..taps {
            let back = d * (taps - 1 - tap);
            let slot = (now + span - back % span) % span;
            state.patch[tap * c..(tap + 1) * c].copy_from_slice(&state.steps[slot * c..(slot + 1) * c]);
        }
        if BIAS {
            y.copy_from_slice(&self.bias.values);
        }
        gemv_ld(&self.weights.values, F, F, &state.patch, y, BIAS);
        simd::vectorized(
            #[inline(always)]
            || A::activate(F, y),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::activation::{Relu, Tanh};
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
