//! Pooling over channels-last maps: `MaxPool2d`/`AvgPool2d` (and their
//! 1-D forms) over windows, `GlobalAvgPool`/`GlobalMaxPool` over every
//! position. Each channel is pooled on its own; none has parameters.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use rand::Rng;

use super::conv::Geometry;
use super::{Init, Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::linalg::simd;
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// How a window is reduced: its maximum or its mean.
pub trait Reduction: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// `"Max"` or `"Avg"`.
    const NAME: &'static str;
    /// Whether backward needs where each maximum was.
    const KEEPS_ARGMAX: bool;
    /// For a mean: whether it divides by the whole window, padded zeros
    /// included (PyTorch's `count_include_pad=True`), or by the number of
    /// real inputs in it (Keras' `padding="same"`).
    const COUNTS_PADDING: bool = true;
}

/// The maximum of each window (backward sends the gradient to it); padding
/// never wins (PyTorch pads max pooling with -inf).
#[derive(Clone, Copy, Debug, Default)]
pub struct Max;

/// The mean of each window, padded zeros counted (PyTorch's default);
/// backward spreads the gradient evenly.
#[derive(Clone, Copy, Debug, Default)]
pub struct Average;

/// The mean of the real inputs of each window (Keras' average pooling with
/// `padding="same"`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AverageOfInputs;

impl Reduction for Max {
    const NAME: &'static str = "Max";
    const KEEPS_ARGMAX: bool = true;
}

impl Reduction for Average {
    const NAME: &'static str = "Avg";
    const KEEPS_ARGMAX: bool = false;
}

impl Reduction for AverageOfInputs {
    const NAME: &'static str = "Avg";
    const KEEPS_ARGMAX: bool = false;
    const COUNTS_PADDING: bool = false;
}

/// Pooling windows of the geometry `G` (the output size rounds down, as in
/// PyTorch and Keras; padding as the reduction says) with reduction `R`:
/// written `MaxPool2d<P>`, `AvgPool2d<P, stride = S, padding = 1>`,
/// `MaxPool1d<P>`, ... in `network!`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Pooled { input: [4, 4, 1], pool: MaxPool2d<2>, flat: Flatten, out: Dense<1> } }
/// assert_eq!(Pooled::<Eval>::seeded(0).summary().rows[0].output_shape, "(None, 2, 2, 1)");
/// ```
#[derive(Tensors)]
#[tensors(crate = crate)]
pub struct Pool<G: Geometry, R: Reduction> {
    kind: PhantomData<(G, R)>,
}

/// Whether `v` becomes a window's maximum over `best`: a NaN does and then
/// stays, so a NaN input shows in the output (as PyTorch's max pooling).
/// Written without short-circuits so a loop of it compiles to selects.
#[inline(always)]
fn takes_over(v: f32, best: f32) -> bool {
    (v > best) | (v.is_nan() & !best.is_nan())
}

/// Max pooling over 2-D windows (see [`Pool`]): written `MaxPool2d<P>`
/// (a `P` x `P` window moved by `P`), `MaxPool2d<[PH, PW]>`, with the
/// options `stride = S` and `padding` (a number, PyTorch's, at most half
/// the window; or `Same`, Keras'). [`AvgPool2d`] and the 1-D pools take the
/// same arguments.
///
/// ```
/// use typenet::prelude::*;
/// network! {
///     struct Pools {
///         input: [7, 7, 2],
///         max: MaxPool2d<2>,                             // -> [3, 3, 2]
///         avg: AvgPool2d<3, stride = 1, padding = 1>,    // -> [3, 3, 2]
///         global: GlobalMaxPool,                         // -> [2]
///     }
/// }
/// let net = Pools::<Eval>::seeded(0);
/// let x = Batch::<98>::from_fn(1, |i, _| i as f32);
/// let y = net.forward(&x);
/// assert_eq!(y.shape(), (2, 1));
/// assert!(y[(0, 0)] > 0.0 && y[(0, 0)] < 98.0);
/// ```
pub type MaxPool2d<G> = Pool<G, Max>;
/// Average pooling over 2-D windows (see [`Pool`]).
pub type AvgPool2d<G, R = Average> = Pool<G, R>;
/// Max pooling over 1-D windows (see [`Pool`]).
pub type MaxPool1d<G> = Pool<G, Max>;
/// Average pooling over 1-D windows (see [`Pool`]).
pub type AvgPool1d<G, R = Average> = Pool<G, R>;

impl<G: Geometry, R: Reduction> Pool<G, R> {
    /// The layer.
    pub const fn new() -> Self {
        Pool { kind: PhantomData }
    }

    /// The input row or column a window tap reads, or `None` in the padding.
    #[inline(always)]
    fn input_at(
        out: usize,
        stride: usize,
        tap: usize,
        dilation: usize,
        pad: usize,
        size: usize,
    ) -> Option<usize> {
        (out * stride + tap * dilation).checked_sub(pad).filter(|&i| i < size)
    }

    /// What a mean divides the window at `(oh, ow)` by.
    #[inline(always)]
    fn divisor(oh: usize, ow: usize) -> f32 {
        if R::COUNTS_PADDING {
            return (G::KH * G::KW) as f32;
        }
        let rows =
            (0..G::KH).filter(|&kh| Self::input_at(oh, G::SH, kh, G::DH, G::PT, G::H).is_some()).count();
        let cols =
            (0..G::KW).filter(|&kw| Self::input_at(ow, G::SW, kw, G::DW, G::PL, G::W).is_some()).count();
        (rows * cols) as f32
    }

    /// Reduces every window of one sample; `argmax` gets, for max pooling,
    /// where each output's maximum was in the input. Channels are the
    /// innermost loop: contiguous in memory, so it vectorises. Taps in the
    /// padding are skipped: a maximum never takes them, a mean counts them
    /// as zeros or not as `R` says.
    #[inline(always)]
    fn pool(x: &[f32], y: &mut [f32], mut argmax: Option<&mut [u32]>) {
        let c = G::C;
        for oh in 0..G::OH {
            for ow in 0..G::OW {
                let out = (oh * G::OW + ow) * c;
                let ys = &mut y[out..out + c];
                let mut at_slot = argmax.as_deref_mut().map(|a| &mut a[out..out + c]);
                let mut first = true;
                for kh in 0..G::KH {
                    let Some(ih) = Self::input_at(oh, G::SH, kh, G::DH, G::PT, G::H) else { continue };
                    for kw in 0..G::KW {
                        let Some(iw) = Self::input_at(ow, G::SW, kw, G::DW, G::PL, G::W) else { continue };
                        let at = (ih * G::W + iw) * c;
                        let xs = &x[at..at + c];
                        if first {
                            first = false;
                            ys.copy_from_slice(xs);
                            if let Some(slots) = at_slot.as_deref_mut() {
                                slots.iter_mut().zip(at as u32..).for_each(|(slot, i)| *slot = i);
                            }
                        } else if !R::KEEPS_ARGMAX {
                            ys.iter_mut().zip(xs).for_each(|(y, &v)| *y += v);
                        } else if let Some(slots) = at_slot.as_deref_mut() {
                            for ((y, &v), (slot, i)) in
                                ys.iter_mut().zip(xs).zip(slots.iter_mut().zip(at as u32..))
                            {
                                let take = takes_over(v, *y);
                                *y = if take { v } else { *y };
                                *slot = if take { i } else { *slot };
                            }
                        } else {
                            ys.iter_mut()
                                .zip(xs)
                                .for_each(|(y, &v)| *y = if takes_over(v, *y) { v } else { *y });
                        }
                    }
                }
                if !R::KEEPS_ARGMAX {
                    let count = Self::divisor(oh, ow);
                    ys.iter_mut().for_each(|y| *y /= count);
                }
            }
        }
    }
}

impl<G: Geometry, R: Reduction> Default for Pool<G, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<G: Geometry, R: Reduction> Clone for Pool<G, R> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<G: Geometry, R: Reduction> fmt::Debug for Pool<G, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Pool{}d<{}x{}>", R::NAME, G::RANK, G::KH, G::KW)
    }
}

impl<G: Geometry, R: Reduction> Init for Pool<G, R> {
    fn init<Rn: Rng + ?Sized>(_rng: &mut Rn) -> Self {
        Self::new()
    }
}

impl<G: Geometry, R: Reduction> Layer for Pool<G, R> {
    const INPUT: usize = G::H * G::W * G::C;
    const OUTPUT: usize = G::OH * G::OW * G::C;
    /// Where each output's maximum was (max pooling only).
    type Cache = Vec<u32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Pool {
            window: crate::layers::export::Window::of::<G>(),
            max: R::KEEPS_ARGMAX,
            counts_padding: R::COUNTS_PADDING,
        }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let y = y.as_mut_slice();
        simd::vectorized(
            #[inline(always)]
            || {
                for (xs, ys) in x.as_slice().chunks_exact(Self::INPUT).zip(y.chunks_exact_mut(Self::OUTPUT)) {
                    Self::pool(xs, ys, None);
                }
            },
        );
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, argmax: &mut Vec<u32>) {
        if !R::KEEPS_ARGMAX {
            return self.infer(x, y);
        }
        // Positions within one sample are kept as u32 (half the memory
        // traffic of usize); a sample has fewer values than that.
        assert!(Self::INPUT <= u32::MAX as usize, "max pooling over more than 2^32 values per sample");
        argmax.resize(Self::OUTPUT * x.cols(), 0);
        let y = y.as_mut_slice();
        let samples = x.as_slice().chunks_exact(Self::INPUT).zip(y.chunks_exact_mut(Self::OUTPUT));
        simd::vectorized(
            #[inline(always)]
            || {
                for ((xs, ys), at) in samples.zip(argmax.chunks_exact_mut(Self::OUTPUT)) {
                    Self::pool(xs, ys, Some(at));
                }
            },
        );
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        argmax: &mut Vec<u32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        let dx = dx.as_mut_slice();
        dx.fill(0.0);
        let samples = dx.chunks_exact_mut(Self::INPUT).zip(dy.as_slice().chunks_exact(Self::OUTPUT));
        if R::KEEPS_ARGMAX {
            for ((dxs, dys), at) in samples.zip(argmax.chunks_exact(Self::OUTPUT)) {
                for (&g, &i) in dys.iter().zip(at) {
                    dxs[i as usize] += g;
                }
            }
            return;
        }
        for (dxs, dys) in samples {
            for oh in 0..G::OH {
                for ow in 0..G::OW {
                    let out = (oh * G::OW + ow) * G::C;
                    let share = 1.0 / Self::divisor(oh, ow);
                    for kh in 0..G::KH {
                        let Some(ih) = Self::input_at(oh, G::SH, kh, G::DH, G::PT, G::H) else { continue };
                        for kw in 0..G::KW {
                            let Some(iw) = Self::input_at(ow, G::SW, kw, G::DW, G::PL, G::W) else {
                                continue;
                            };
                            let at = (ih * G::W + iw) * G::C;
                            for channel in 0..G::C {
                                dxs[at + channel] += dys[out + channel] * share;
                            }
                        }
                    }
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Pooling over every position of a channels-last map (`POSITIONS`
/// positions of `C` channels) to one value per channel: Keras'
/// `GlobalAveragePooling2D`/`GlobalMaxPooling2D` (and 1D).
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Head { input: [3, 3, 8], pool: GlobalAvgPool, out: Dense<2> } }
/// assert_eq!(Head::PARAMS, 8 * 2 + 2);
/// ```
#[derive(Tensors)]
#[tensors(crate = crate)]
pub struct GlobalPool<const POSITIONS: usize, const C: usize, R: Reduction> {
    kind: PhantomData<R>,
}

/// The mean over every position (see [`GlobalPool`]).
pub type GlobalAvgPool<const POSITIONS: usize, const C: usize> = GlobalPool<POSITIONS, C, Average>;
/// The maximum over every position (see [`GlobalPool`]).
pub type GlobalMaxPool<const POSITIONS: usize, const C: usize> = GlobalPool<POSITIONS, C, Max>;

impl<const POSITIONS: usize, const C: usize, R: Reduction> GlobalPool<POSITIONS, C, R> {
    /// The layer.
    pub const fn new() -> Self {
        GlobalPool { kind: PhantomData }
    }

    #[inline(always)]
    fn pool(x: &[f32], y: &mut [f32], mut argmax: Option<&mut [u32]>) {
        for channel in 0..C {
            let (mut best, mut at, mut sum) = (f32::NEG_INFINITY, 0usize, 0.0f32);
            for position in 0..POSITIONS {
                let index = position * C + channel;
                let v = x[index];
                if takes_over(v, best) {
                    best = v;
                    at = index;
                }
                sum += v;
            }
            y[channel] = if R::KEEPS_ARGMAX { best } else { sum / POSITIONS as f32 };
            if let Some(argmax) = argmax.as_deref_mut() {
                argmax[channel] = at as u32;
            }
        }
    }
}

impl<const POSITIONS: usize, const C: usize, R: Reduction> Default for GlobalPool<POSITIONS, C, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const POSITIONS: usize, const C: usize, R: Reduction> Clone for GlobalPool<POSITIONS, C, R> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<const POSITIONS: usize, const C: usize, R: Reduction> fmt::Debug for GlobalPool<POSITIONS, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Global{}Pool<{POSITIONS}x{C}>", R::NAME)
    }
}

impl<const POSITIONS: usize, const C: usize, R: Reduction> Init for GlobalPool<POSITIONS, C, R> {
    fn init<Rn: Rng + ?Sized>(_rng: &mut Rn) -> Self {
        Self::new()
    }
}

impl<const POSITIONS: usize, const C: usize, R: Reduction> Layer for GlobalPool<POSITIONS, C, R> {
    const INPUT: usize = POSITIONS * C;
    const OUTPUT: usize = C;
    /// Where each channel's maximum was (max pooling only).
    type Cache = Vec<u32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::GlobalPool { max: R::KEEPS_ARGMAX }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        for (xs, ys) in x.as_slice().chunks_exact(Self::INPUT).zip(y.as_mut_slice().chunks_exact_mut(C)) {
            Self::pool(xs, ys, None);
        }
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, argmax: &mut Vec<u32>) {
        argmax.resize(C * x.cols(), 0);
        let samples = x.as_slice().chunks_exact(Self::INPUT).zip(y.as_mut_slice().chunks_exact_mut(C));
        for ((xs, ys), at) in samples.zip(argmax.chunks_exact_mut(C)) {
            Self::pool(xs, ys, R::KEEPS_ARGMAX.then_some(at));
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        argmax: &mut Vec<u32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        let dx = dx.as_mut_slice();
        let samples = dx.chunks_exact_mut(Self::INPUT).zip(dy.as_slice().chunks_exact(C));
        if R::KEEPS_ARGMAX {
            for ((dxs, dys), at) in samples.zip(argmax.chunks_exact(C)) {
                dxs.fill(0.0);
                for (&g, &i) in dys.iter().zip(at) {
                    dxs[i as usize] += g;
                }
            }
            return;
        }
        let share = 1.0 / POSITIONS as f32;
        for (dxs, dys) in samples {
            for position in dxs.chunks_exact_mut(C) {
                for (d, g) in position.iter_mut().zip(dys) {
                    *d = g * share;
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// A window over time needs steps that have not arrived yet.
impl<G: Geometry, R: Reduction> StepWise for Pool<G, R> {
    const STEP: StepWidth = StepWidth::NotCausal("pooling over time needs steps that have not arrived yet");
}

/// Pooling over the whole sequence needs all of it.
impl<const POSITIONS: usize, const C: usize, R: Reduction> StepWise for GlobalPool<POSITIONS, C, R> {
    const STEP: StepWidth = StepWidth::NotCausal("global pooling over time needs the whole sequence");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::conv::{Grid1d, Grid2d};
    use crate::testing::check_layer_gradients;

    type Window2 = Grid2d<6, 7, 3, 2, 2, 2, 2, 1, 1, 0, 0, 3, 3>;
    type Window3Stride2 = Grid2d<7, 7, 3, 3, 3, 2, 2, 1, 1, 0, 0, 3, 3>;
    type Steps = Grid1d<9, 4, 2, 2, 1, 0, 4>;

    #[test]
    fn backward_matches_finite_differences() {
        check_layer_gradients(MaxPool2d::<Window2>::new(), 2);
        check_layer_gradients(AvgPool2d::<Window3Stride2>::new(), 2);
        check_layer_gradients(MaxPool1d::<Steps>::new(), 3);
        check_layer_gradients(AvgPool1d::<Steps>::new(), 3);
        check_layer_gradients(GlobalAvgPool::<6, 3>::new(), 2);
        check_layer_gradients(GlobalMaxPool::<6, 3>::new(), 2);
    }

    /// PyTorch's `padding = 1` on both axes: window 3, stride 2 over
    /// [7, 6, 3] gives [4, 3].
    type Padded = Grid2d<7, 6, 3, 3, 3, 2, 2, 1, 1, 1, 1, 4, 3>;
    /// `padding = [1, 0]` under a [3, 2] window, stride 1: [5, 4, 2] -> [5, 3].
    type PaddedRows = Grid2d<5, 4, 2, 3, 2, 1, 1, 1, 1, 1, 0, 5, 3>;
    /// `padding = [0, 1]`, window 2, stride 1: [4, 5, 2] -> [3, 6].
    type PaddedColumns = Grid2d<4, 5, 2, 2, 2, 1, 1, 1, 1, 0, 1, 3, 6>;
    /// Keras' `Same`, window 3: one zero before and after each axis.
    type Same3 = Grid2d<5, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 5, 4>;
    /// Keras' `Same`, window 2: the zero goes after (none before).
    type Same2 = Grid2d<5, 4, 2, 2, 2, 1, 1, 1, 1, 0, 0, 5, 4>;
    /// 1-D, `padding = 1`, window 3, stride 2: [9, 4] -> [5, 4].
    type PaddedSteps = Grid1d<9, 4, 3, 2, 1, 1, 5>;
    /// 1-D Keras' `Same`, window 4: one zero before, two after.
    type SameSteps = Grid1d<7, 2, 4, 1, 1, 1, 7>;

    #[test]
    fn backward_with_padding_matches_finite_differences() {
        check_layer_gradients(MaxPool2d::<Padded>::new(), 2);
        check_layer_gradients(MaxPool2d::<PaddedRows>::new(), 2);
        check_layer_gradients(MaxPool1d::<PaddedSteps>::new(), 3);
        check_layer_gradients(AvgPool2d::<Padded>::new(), 2);
        check_layer_gradients(AvgPool2d::<PaddedRows>::new(), 2);
        check_layer_gradients(AvgPool2d::<PaddedColumns>::new(), 2);
        check_layer_gradients(AvgPool1d::<PaddedSteps>::new(), 3);
        check_layer_gradients(AvgPool2d::<Same3, AverageOfInputs>::new(), 2);
        check_layer_gradients(AvgPool2d::<Same2, AverageOfInputs>::new(), 2);
        check_layer_gradients(AvgPool1d::<SameSteps, AverageOfInputs>::new(), 3);
    }

    /// `infer` into `y` filled with NaN first: every output is written, none
    /// is left from an earlier use of the buffer.
    fn pooled<G: Geometry, R: Reduction>(x: &[f32]) -> Vec<f32> {
        let mut y = vec![f32::NAN; Pool::<G, R>::OUTPUT];
        Pool::<G, R>::new()
            .infer(Cols::new(x, Pool::<G, R>::INPUT), ColsMut::new(&mut y, Pool::<G, R>::OUTPUT));
        y
    }

    #[test]
    fn padding_is_minus_infinity_for_a_maximum_and_zeros_or_nothing_for_a_mean() {
        // A 2x2 map under a 3x3 window with one zero on every side: each
        // window covers all four values and five padded ones.
        type G = Grid2d<2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2>;
        assert_eq!(pooled::<G, Max>(&[-4.0, -3.0, -2.0, -1.0]), [-1.0; 4]);
        assert_eq!(pooled::<G, Average>(&[1.0, 2.0, 3.0, 4.0]), [10.0 / 9.0; 4]);
        assert_eq!(pooled::<G, AverageOfInputs>(&[1.0, 2.0, 3.0, 4.0]), [2.5; 4]);
        // Keras' `Same` for an even window pads after: the last window holds
        // one real value, which is its mean.
        type Pairs = Grid1d<3, 1, 2, 1, 1, 0, 3>;
        assert_eq!(pooled::<Pairs, AverageOfInputs>(&[1.0, 2.0, 4.0]), [1.5, 3.0, 4.0]);
        // Rows padded, columns not: [3, 2] windows over a 2x2 map.
        type Rows = Grid2d<2, 2, 1, 3, 2, 1, 1, 1, 1, 1, 0, 2, 1>;
        assert_eq!(pooled::<Rows, Average>(&[1.0, 2.0, 3.0, 4.0]), [10.0 / 6.0; 2]);
        assert_eq!(pooled::<Rows, Max>(&[-1.0, -2.0, -3.0, -4.0]), [-1.0; 2]);
    }

    #[test]
    fn max_pooling_takes_each_channels_own_maximum() {
        type G = Grid2d<2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1>;
        let x = [1.0, -5.0, 4.0, -1.0, 2.0, -3.0, 3.0, -2.0];
        let mut y = [0.0; 2];
        MaxPool2d::<G>::new().infer(Cols::new(&x, 8), ColsMut::new(&mut y, 2));
        assert_eq!(y, [4.0, -1.0]);
        AvgPool2d::<G>::new().infer(Cols::new(&x, 8), ColsMut::new(&mut y, 2));
        assert_eq!(y, [2.5, -2.75]);
    }

    #[test]
    fn a_nan_in_a_window_shows_in_its_maximum() {
        type G = Grid2d<2, 2, 1, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1>;
        for x in [[f32::NAN, 1.0, 2.0, 3.0], [1.0, f32::NAN, 3.0, 2.0], [1.0, 2.0, 3.0, f32::NAN]] {
            let mut y = [0.0; 1];
            MaxPool2d::<G>::new().infer(Cols::new(&x, 4), ColsMut::new(&mut y, 1));
            assert!(y[0].is_nan(), "{x:?} pooled to {y:?}");
            GlobalMaxPool::<4, 1>::new().infer(Cols::new(&x, 4), ColsMut::new(&mut y, 1));
            assert!(y[0].is_nan(), "{x:?} pooled globally to {y:?}");
        }
    }
}
