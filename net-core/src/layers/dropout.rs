//! `Dropout<N, P>`: inverted dropout whose behaviour is fixed by its phase.

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};
use core::marker::PhantomData;

use super::noise::MaskStream;
use super::{Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::linalg::simd;
use crate::phase::{Eval, Phase, PhaseKind, PhaseMut, PhaseRef};
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

/// Inverted dropout over `N` features.
///
/// In [`Train`](crate::Train) each forward zeroes every unit with
/// probability `rate` and scales the kept ones by `1 / (1 - rate)`, so the
/// expected output equals the input; backward lets the gradient through the
/// same mask. In [`Eval`] it is the identity and holds nothing but its rate.
/// `rate == 1.0` outputs zeros and passes a zero gradient (never NaN).
/// Dropout has no weights: `drop.weights()` does not compile.
///
/// ```
/// use typenet::prelude::*;
/// let drop = Dropout::<4, Eval>::new(0.25, 0);
/// assert_eq!(drop.rate(), 0.25);
/// assert_eq!(std::mem::size_of::<Dropout<4, Eval>>(), 4);
/// ```
#[derive(Tensors)]
#[tensors(crate = crate)]
pub struct Dropout<const N: usize, P: Phase = Eval, S: NoiseShape = Independent> {
    rate: f32,
    masks: P::Data<MaskStream>,
    noise: PhantomData<S>,
}

/// Which units share one mask value: Keras' `noise_shape`, in the type.
///
/// `network!` writes an implementation for each `Dropout(rate, noise_shape
/// = [..])` entry; [`Independent`] (every unit its own value) is the default.
pub trait NoiseShape: Copy + Default + Debug + Send + Sync + 'static {
    /// The per-sample input shape (its product is the layer's width).
    const DIMS: &'static [usize];
    /// For each axis, batch axis first: whether one mask value is shared
    /// along it (`1` in `noise_shape`) rather than drawn per position (`_`).
    const SHARED: &'static [bool];
}

/// Every unit of every sample draws its own mask value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Independent;

impl NoiseShape for Independent {
    const DIMS: &'static [usize] = &[];
    const SHARED: &'static [bool] = &[];
}

/// Number of distinct random values a mask over `n` units and `cols`
/// samples needs.
fn mask_units<S: NoiseShape>(n: usize, cols: usize) -> usize {
    if S::SHARED.is_empty() {
        return n * cols;
    }
    let per_sample: usize =
        S::DIMS.iter().zip(&S::SHARED[1..]).filter(|(_, &s)| !s).map(|(d, _)| *d).product();
    if S::SHARED[0] {
        per_sample
    } else {
        per_sample * cols
    }
}

/// Expands `units` (one value per distinct mask position) into a full
/// `n x cols` mask following `S`'s sharing pattern.
fn broadcast<S: NoiseShape>(units: &[f32], n: usize, cols: usize, mask: &mut [f32]) {
    let dims = S::DIMS;
    let shared = &S::SHARED[1..];
    let per_sample: usize = dims.iter().zip(shared).filter(|(_, &s)| !s).map(|(d, _)| *d).product();
    for f in 0..n {
        // Row-major (C order) multi-index of feature f, as Keras lays out shapes.
        let (mut rest, mut reduced, mut reduced_stride) = (f, 0usize, 1usize);
        for (d, &s) in dims.iter().zip(shared).rev() {
            let i = rest % d;
            rest /= d;
            if !s {
                reduced += i * reduced_stride;
                reduced_stride *= d;
            }
        }
        for c in 0..cols {
            let base = if S::SHARED[0] { 0 } else { c * per_sample };
            mask[c * n + f] = units[base + reduced];
        }
    }
}

impl<const N: usize, P: Phase, S: NoiseShape> Dropout<N, P, S> {
    /// A dropout layer; `seed` seeds its masks in `Train`.
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1]` (`network!` checks this at compile time).
    pub fn new(rate: f32, seed: u64) -> Self {
        assert!((0.0..=1.0).contains(&rate), "dropout rate {rate} is outside [0, 1]");
        Dropout { rate, masks: P::new_data::<MaskStream>(|| MaskRng::new(seed), || ()), noise: PhantomData }
    }

    /// The fraction of units dropped while training.
    pub fn rate(&self) -> f32 {
        self.rate
    }

    /// The same layer in phase `Q`; `seed` seeds the masks if `Q` is `Train`.
    pub fn into_phase<Q: Phase>(self, seed: u64) -> Dropout<N, Q, S> {
        Dropout::new(self.rate, seed)
    }
}

impl<const N: usize, P: Phase, S: NoiseShape> Clone for Dropout<N, P, S> {
    fn clone(&self) -> Self {
        Dropout { rate: self.rate, masks: self.masks.clone(), noise: PhantomData }
    }
}

impl<const N: usize, P: Phase, S: NoiseShape> Debug for Dropout<N, P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dropout<{N}, {}>({})", P::NAME, self.rate)
    }
}

/// The keep threshold on a 32-bit uniform and the scale of kept units.
pub(super) fn keep_rule(rate: f32) -> (u64, f32) {
    let threshold = ((rate as f64) * 4_294_967_296.0).round() as u64;
    let scale = if rate < 1.0 { 1.0 / (1.0 - rate) } else { 0.0 };
    (threshold, scale)
}

/// Calls `f(i, kept)` for `len` units from the words starting at `start`:
/// each 64-bit word decides two units.
#[inline(always)]
pub(super) fn draw(rng: &MaskRng, start: u64, len: usize, threshold: u64, mut f: impl FnMut(usize, bool)) {
    for w in 0..len.div_ceil(2) {
        let word = rng.word(start.wrapping_add(w as u64));
        f(2 * w, (word & 0xffff_ffff) >= threshold);
        if 2 * w + 1 < len {
            f(2 * w + 1, (word >> 32) >= threshold);
        }
    }
}

/// Draws `units` mask values and spreads them over `mask` as `S` shares them.
fn draw_noise_shaped_mask<S: NoiseShape>(
    rng: &MaskRng,
    start: u64,
    units: usize,
    threshold: u64,
    scale: f32,
    n: usize,
    mask: &mut [f32],
) {
    let mut values = vec![0.0f32; units];
    draw(rng, start, units, threshold, |i, kept| values[i] = if kept { scale } else { 0.0 });
    broadcast::<S>(&values, n, mask.len() / n.max(1), mask);
}

/// A Monte-Carlo forward through a shared reference: draws a fresh mask
/// (one atomic reservation of the stream) and applies it.
fn forward_drawing<S: NoiseShape>(rng: &MaskRng, rate: f32, n: usize, x: &[f32], y: &mut [f32]) {
    let (threshold, scale) = keep_rule(rate);
    let units = mask_units::<S>(n, x.len() / n.max(1));
    let start = rng.reserve_shared(units.div_ceil(2) as u64);
    if S::SHARED.is_empty() {
        draw(rng, start, x.len(), threshold, |i, kept| {
            y[i] = if kept { x[i] * scale } else { 0.0 };
        });
    } else {
        let mut mask = vec![0.0f32; x.len()];
        draw_noise_shaped_mask::<S>(rng, start, units, threshold, scale, n, &mut mask);
        for ((y, x), m) in y.iter_mut().zip(x).zip(&mask) {
            *y = if *m == 0.0 { 0.0 } else { x * m };
        }
    }
}

/// A training forward: draws a mask, applies it and keeps it for backward.
fn forward_recording<S: NoiseShape>(
    rng: &mut MaskRng,
    rate: f32,
    n: usize,
    x: &[f32],
    y: &mut [f32],
    mask: &mut Vec<f32>,
) {
    let (threshold, scale) = keep_rule(rate);
    mask.resize(x.len(), 0.0);
    let units = mask_units::<S>(n, x.len() / n.max(1));
    let start = rng.reserve(units.div_ceil(2) as u64);
    if S::SHARED.is_empty() {
        mask_and_apply(rng, start, threshold, scale, x, y, mask);
        return;
    }
    draw_noise_shaped_mask::<S>(rng, start, units, threshold, scale, n, mask);
    for ((y, x), m) in y.iter_mut().zip(x).zip(mask.iter()) {
        *y = if *m == 0.0 { 0.0 } else { x * m };
    }
}

/// `dx = dy * mask` (a dropped unit passes exactly zero, never `0 * inf`).
fn mask_gradient(mask: &[f32], dy: &[f32], dx: &mut [f32]) {
    simd::vectorized(
        #[inline(always)]
        || mask_gradient_body(mask, dy, dx),
    );
}

#[inline(always)]
fn mask_gradient_body(mask: &[f32], dy: &[f32], dx: &mut [f32]) {
    for ((dx, dy), m) in dx.iter_mut().zip(dy).zip(mask) {
        *dx = if *m == 0.0 { 0.0 } else { dy * m };
    }
}

/// Draws an independent mask (the same words, two units each, as [`draw`])
/// and applies it in the same pass, without branches, so the counter-based
/// generator vectorises; compiled a second time for AVX-512, whose 64-bit
/// multiplies the mixing needs.
fn mask_and_apply(
    rng: &MaskRng,
    start: u64,
    threshold: u64,
    scale: f32,
    x: &[f32],
    y: &mut [f32],
    mask: &mut [f32],
) {
    simd::vectorized(
        #[inline(always)]
        || mask_and_apply_body(rng, start, threshold, scale, x, y, mask),
    );
}

#[inline(always)]
fn mask_and_apply_body(
    rng: &MaskRng,
    start: u64,
    threshold: u64,
    scale: f32,
    x: &[f32],
    y: &mut [f32],
    mask: &mut [f32],
) {
    let len = x.len();
    let (x, y, mask) = (&x[..len], &mut y[..len], &mut mask[..len]);
    // Branch-free: a kept unit's bits pass through an all-ones mask, a
    // dropped one's through zero (exactly 0.0 even for a NaN input). A
    // branch on a random bit would be mispredicted half the time.
    let keep = |kept: bool| 0u32.wrapping_sub(kept as u32);
    let scale_bits = scale.to_bits();
    let pairs = x.chunks_exact(2).zip(y.chunks_exact_mut(2)).zip(mask.chunks_exact_mut(2));
    for (w, ((xs, ys), ms)) in pairs.enumerate() {
        let word = rng.word(start.wrapping_add(w as u64));
        let (k0, k1) = (keep((word & 0xffff_ffff) >= threshold), keep((word >> 32) >= threshold));
        ms[0] = f32::from_bits(scale_bits & k0);
        ms[1] = f32::from_bits(scale_bits & k1);
        ys[0] = f32::from_bits((xs[0] * scale).to_bits() & k0);
        ys[1] = f32::from_bits((xs[1] * scale).to_bits() & k1);
    }
    if len % 2 == 1 {
        let word = rng.word(start.wrapping_add((len / 2) as u64));
        let k0 = keep((word & 0xffff_ffff) >= threshold);
        mask[len - 1] = f32::from_bits(scale_bits & k0);
        y[len - 1] = f32::from_bits((x[len - 1] * scale).to_bits() & k0);
    }
}

impl<const N: usize, P: Phase, S: NoiseShape> Layer for Dropout<N, P, S> {
    const INPUT: usize = N;
    const OUTPUT: usize = N;
    const PHASED: bool = true;
    const PASSES_THROUGH: bool = matches!(P::KIND, PhaseKind::Eval);
    /// The mask of the last training forward (`0` or `1 / (1 - rate)`).
    type Cache = Vec<f32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Dropout<N, Q, S>;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Dropped { rate: self.rate(), channels: false }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        match P::data::<MaskStream>(&self.masks) {
            PhaseRef::Train(rng) => forward_drawing::<S>(rng, self.rate, N, x.as_slice(), y.as_mut_slice()),
            PhaseRef::Eval(()) => y.copy_from(x),
        }
    }

    fn infer_eval(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut Vec<f32>) {
        match P::data_mut::<MaskStream>(&mut self.masks) {
            PhaseMut::Train(rng) => {
                forward_recording::<S>(rng, self.rate, N, x.as_slice(), y.as_mut_slice(), cache)
            }
            PhaseMut::Eval(()) => y.copy_from(x),
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut Vec<f32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        match P::KIND {
            PhaseKind::Train => mask_gradient(cache, dy.as_slice(), dx.as_mut_slice()),
            PhaseKind::Eval => dx.copy_from(dy.as_cols()),
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> Dropout<N, Q, S> {
        Dropout::into_phase(self, seed)
    }
}

/// The identity, as in any `Eval` forward.
/// The identity at inference, step by step; a Train-pinned (Monte-Carlo)
/// dropout draws new masks at every call and does not stream.
impl<const N: usize, P: Phase, S: NoiseShape> StepWise for Dropout<N, P, S> {
    const STEP: StepWidth = StepWidth::in_eval::<P>(StepWidth::Any);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::Train;

    fn view(data: &[f32], _cols: usize) -> Cols<'_> {
        Cols::new(data, data.len() / _cols)
    }
    fn view_mut(data: &mut [f32], _cols: usize) -> ColsMut<'_> {
        let rows = data.len() / _cols;
        ColsMut::new(data, rows)
    }

    const UNITS: usize = 100_000;

    fn train_forward(layer: &mut Dropout<UNITS, Train>, x: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let mut y = vec![0.0; UNITS];
        let mut mask = Vec::new();
        layer.train_forward(view(x, 1), view_mut(&mut y, 1), &mut mask);
        (y, mask)
    }

    #[test]
    fn dropped_fraction_is_within_three_sigma_and_kept_units_are_scaled_exactly() {
        for rate in [0.1f32, 0.2, 0.5, 0.9] {
            let mut layer = Dropout::<UNITS, Train>::new(rate, 42);
            let x = vec![1.5f32; UNITS];
            let (y, _) = train_forward(&mut layer, &x);
            let dropped = y.iter().filter(|&&v| v == 0.0).count() as f64;
            let n = UNITS as f64;
            let sigma = (n * rate as f64 * (1.0 - rate as f64)).sqrt();
            assert!((dropped - n * rate as f64).abs() < 3.0 * sigma, "rate {rate}: {dropped}");
            let kept = 1.5 * (1.0 / (1.0 - rate));
            assert!(y.iter().all(|&v| v == 0.0 || v == kept));
        }
    }

    #[test]
    fn masks_differ_between_steps_and_repeat_with_the_seed() {
        let x = vec![1.0f32; UNITS];
        let mut a = Dropout::<UNITS, Train>::new(0.5, 7);
        let mut b = Dropout::<UNITS, Train>::new(0.5, 7);
        let (first, _) = train_forward(&mut a, &x);
        let (second, _) = train_forward(&mut a, &x);
        assert_ne!(first, second);
        assert_eq!(first, train_forward(&mut b, &x).0);
        assert_eq!(second, train_forward(&mut b, &x).0);
    }

    #[test]
    fn eval_is_the_identity() {
        let layer = Dropout::<5, Eval>::new(0.9, 1);
        let x = [1.0f32, -2.0, 3.0, 4.0, 5.0];
        let mut y = [0.0f32; 5];
        layer.infer(view(&x, 1), view_mut(&mut y, 1));
        assert_eq!(x, y);
    }

    #[test]
    fn backward_uses_the_forward_mask() {
        let mut layer = Dropout::<UNITS, Train>::new(0.3, 3);
        let x: Vec<f32> = (0..UNITS).map(|i| i as f32).collect();
        let (y, mut mask) = train_forward(&mut layer, &x);
        let dy = vec![2.0f32; UNITS];
        let mut dx = vec![0.0f32; UNITS];
        let mut dy_buf = dy.clone();
        layer.train_backward(
            view(&x, 1),
            view(&y, 1),
            view_mut(&mut dy_buf, 1),
            &mut mask,
            Some(view_mut(&mut dx, 1)),
            None,
        );
        for i in 0..UNITS {
            assert_eq!(dx[i], 2.0 * mask[i]);
            assert_eq!(y[i], x[i] * mask[i]);
        }
    }

    #[test]
    fn rate_one_gives_zeros_and_zero_gradient_without_nan() {
        let mut layer = Dropout::<UNITS, Train>::new(1.0, 3);
        let x = vec![f32::MAX; UNITS];
        let (y, mut mask) = train_forward(&mut layer, &x);
        assert!(y.iter().all(|&v| v == 0.0));
        let mut dy = vec![1.0f32; UNITS];
        let mut dx = vec![9.0f32; UNITS];
        layer.train_backward(
            view(&x, 1),
            view(&y, 1),
            view_mut(&mut dy, 1),
            &mut mask,
            Some(view_mut(&mut dx, 1)),
            None,
        );
        assert!(dx.iter().all(|&v| v == 0.0));
    }

    #[derive(Clone, Copy, Debug, Default)]
    struct TimeShared;
    impl NoiseShape for TimeShared {
        const DIMS: &'static [usize] = &[3, 4];
        const SHARED: &'static [bool] = &[false, true, false];
    }

    #[test]
    fn noise_shape_shares_one_value_along_the_shared_axis() {
        let mut layer = Dropout::<12, Train, TimeShared>::new(0.5, 5);
        let cols = 50;
        let x = vec![1.0f32; 12 * cols];
        let mut y = vec![0.0f32; 12 * cols];
        let mut mask = Vec::new();
        layer.train_forward(view(&x, cols), view_mut(&mut y, cols), &mut mask);
        let mut differs_between_samples = false;
        for c in 0..cols {
            for f in 0..4 {
                let first = mask[c * 12 + f];
                for t in 1..3 {
                    assert_eq!(mask[c * 12 + t * 4 + f], first, "feature {f} shared over time");
                }
                differs_between_samples |= first != mask[f];
            }
        }
        assert!(differs_between_samples);
    }

    #[test]
    fn monte_carlo_dropout_draws_through_a_shared_reference() {
        let layer = Dropout::<64, Train>::new(0.5, 9);
        let x = [1.0f32; 64];
        let (mut a, mut b) = ([0.0f32; 64], [0.0f32; 64]);
        layer.infer(view(&x, 1), view_mut(&mut a, 1));
        layer.infer(view(&x, 1), view_mut(&mut b, 1));
        assert_ne!(a, b);
    }
}
