//! `SpatialDropout`: dropout of whole channels.

use crate::no_std_prelude::*;
use core::fmt;

use super::dropout::{draw, keep_rule};
use super::noise::MaskStream;
use super::{Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::phase::{Eval, Phase, PhaseKind, PhaseMut, PhaseRef};
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

/// Inverted dropout of whole channels of a channels-last map
/// (`POSITIONS` positions of `C` channels): in [`Train`](crate::Train)
/// each sample drops each channel, at every position together, with
/// probability `rate`, and scales the kept ones by `1 / (1 - rate)`; in
/// [`Eval`] it is the identity. Keras' `SpatialDropout1D`/`2D`, PyTorch's
/// `Dropout1d`/`2d` on channels-last data; the same as
/// `Dropout(rate, noise_shape = [_, 1, 1, _])` on an image.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Maps { input: [4, 4, 8], drop: SpatialDropout(0.5), flat: Flatten, out: Dense<1> } }
/// let mut net = Maps::<Train>::seeded(3);
/// net.forward(&Batch::<128>::from_element(2, 1.0));
/// let mask = net.outputs()[0].1;
/// // Every position of a channel is kept or dropped together.
/// for sample in mask.chunks(128) {
///     for channel in 0..8 {
///         assert!(sample.iter().skip(channel).step_by(8).all(|&m| m == sample[channel]));
///     }
/// }
/// ```
#[derive(Tensors)]
#[tensors(crate = crate)]
pub struct SpatialDropout<const POSITIONS: usize, const C: usize, P: Phase = Eval> {
    rate: f32,
    masks: P::Data<MaskStream>,
}

impl<const POSITIONS: usize, const C: usize, P: Phase> SpatialDropout<POSITIONS, C, P> {
    /// A spatial dropout layer; `seed` seeds its masks in `Train`.
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1]` (`network!` checks this at compile time).
    pub fn new(rate: f32, seed: u64) -> Self {
        assert!((0.0..=1.0).contains(&rate), "spatial dropout rate {rate} is outside [0, 1]");
        SpatialDropout { rate, masks: P::new_data::<MaskStream>(|| MaskRng::new(seed), || ()) }
    }

    /// The fraction of channels dropped while training.
    pub fn rate(&self) -> f32 {
        self.rate
    }

    /// Draws one value per channel of each sample into `channel_masks` and
    /// applies them.
    fn apply(rng: &MaskRng, start: u64, rate: f32, x: &[f32], y: &mut [f32], channel_masks: &mut [f32]) {
        let (threshold, scale) = keep_rule(rate);
        draw(rng, start, channel_masks.len(), threshold, |i, kept| {
            channel_masks[i] = if kept { scale } else { 0.0 }
        });
        let samples = x.chunks_exact(POSITIONS * C).zip(y.chunks_exact_mut(POSITIONS * C));
        for ((xs, ys), masks) in samples.zip(channel_masks.chunks_exact(C)) {
            for (xp, yp) in xs.chunks_exact(C).zip(ys.chunks_exact_mut(C)) {
                for ((y, &x), &m) in yp.iter_mut().zip(xp).zip(masks) {
                    *y = masked(x, m);
                }
            }
        }
    }
}

/// `x * m` for a mask value `m` (0 or the kept scale), exactly 0 where the
/// channel is dropped (even for an infinite `x`), without a branch: the
/// mask's pattern repeats every `C` values, which predicts badly.
#[inline(always)]
fn masked(x: f32, m: f32) -> f32 {
    let keep = 0u32.wrapping_sub((m != 0.0) as u32);
    f32::from_bits((x * m).to_bits() & keep)
}

impl<const POSITIONS: usize, const C: usize, P: Phase> Clone for SpatialDropout<POSITIONS, C, P> {
    fn clone(&self) -> Self {
        SpatialDropout { rate: self.rate, masks: self.masks.clone() }
    }
}

impl<const POSITIONS: usize, const C: usize, P: Phase> fmt::Debug for SpatialDropout<POSITIONS, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpatialDropout<{POSITIONS}x{C}, {}>({})", P::NAME, self.rate)
    }
}

impl<const POSITIONS: usize, const C: usize, P: Phase> Layer for SpatialDropout<POSITIONS, C, P> {
    const INPUT: usize = POSITIONS * C;
    const OUTPUT: usize = POSITIONS * C;
    const PHASED: bool = true;
    const PASSES_THROUGH: bool = matches!(P::KIND, PhaseKind::Eval);
    /// The channel masks of the last training forward (`0` or `1 / (1 - rate)`).
    type Cache = Vec<f32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = SpatialDropout<POSITIONS, C, Q>;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Dropped { rate: self.rate(), channels: true }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        match P::data::<MaskStream>(&self.masks) {
            PhaseRef::Train(rng) => {
                let mut masks = vec![0.0f32; C * x.cols()];
                let start = rng.reserve_shared(masks.len().div_ceil(2) as u64);
                Self::apply(rng, start, self.rate, x.as_slice(), y.as_mut_slice(), &mut masks);
            }
            PhaseRef::Eval(()) => y.copy_from(x),
        }
    }

    fn infer_eval(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, masks: &mut Vec<f32>) {
        match P::data_mut::<MaskStream>(&mut self.masks) {
            PhaseMut::Train(rng) => {
                masks.resize(C * x.cols(), 0.0);
                let start = rng.reserve(masks.len().div_ceil(2) as u64);
                Self::apply(rng, start, self.rate, x.as_slice(), y.as_mut_slice(), masks);
            }
            PhaseMut::Eval(()) => y.copy_from(x),
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        masks: &mut Vec<f32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        if P::KIND == PhaseKind::Eval {
            return dx.copy_from(dy.as_cols());
        }
        let samples =
            dx.as_mut_slice().chunks_exact_mut(POSITIONS * C).zip(dy.as_slice().chunks_exact(POSITIONS * C));
        for ((dxs, dys), m) in samples.zip(masks.chunks_exact(C)) {
            for (dxp, dyp) in dxs.chunks_exact_mut(C).zip(dys.chunks_exact(C)) {
                for ((d, &g), &m) in dxp.iter_mut().zip(dyp).zip(m) {
                    *d = masked(g, m);
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> SpatialDropout<POSITIONS, C, Q> {
        SpatialDropout::new(self.rate, seed)
    }
}

/// The identity, as in any `Eval` forward.
/// The identity at inference, step by step (one step is one position).
impl<const POSITIONS: usize, const C: usize, P: Phase> StepWise for SpatialDropout<POSITIONS, C, P> {
    const STEP: StepWidth = StepWidth::in_eval::<P>(StepWidth::Fixed { input: C, output: C });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::Train;

    #[test]
    fn whole_channels_are_dropped_scaled_and_the_gradient_follows() {
        const POSITIONS: usize = 9;
        const C: usize = 64;
        let mut layer = SpatialDropout::<POSITIONS, C, Train>::new(0.25, 7);
        let cols = 40;
        let x = vec![2.0f32; POSITIONS * C * cols];
        let mut y = vec![0.0f32; x.len()];
        let mut masks = Vec::new();
        layer.train_forward(Cols::new(&x, POSITIONS * C), ColsMut::new(&mut y, POSITIONS * C), &mut masks);
        let kept = 2.0 / 0.75;
        let mut dropped = 0;
        for sample in y.chunks(POSITIONS * C) {
            for channel in 0..C {
                let value = sample[channel];
                assert!(value == 0.0 || (value - kept).abs() < 1e-6);
                assert!(sample.iter().skip(channel).step_by(C).all(|&v| v == value));
                dropped += (value == 0.0) as usize;
            }
        }
        let expected = 0.25 * (C * cols) as f64;
        let sigma = (expected * 0.75).sqrt();
        assert!((dropped as f64 - expected).abs() < 4.0 * sigma, "{dropped} dropped");
        let mut dx = vec![0.0f32; x.len()];
        let mut dy = vec![1.0f32; x.len()];
        layer.train_backward(
            Cols::new(&x, POSITIONS * C),
            Cols::new(&y, POSITIONS * C),
            ColsMut::new(&mut dy, POSITIONS * C),
            &mut masks,
            Some(ColsMut::new(&mut dx, POSITIONS * C)),
            None,
        );
        assert!(dx.iter().zip(&y).all(|(&d, &v)| d * 2.0 == v));
    }

    #[test]
    fn eval_is_the_identity() {
        let layer = SpatialDropout::<4, 2, Eval>::new(0.9, 1);
        let x = [1.0f32, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut y = [0.0f32; 8];
        layer.infer(Cols::new(&x, 8), ColsMut::new(&mut y, 8));
        assert_eq!(x, y);
    }
}
