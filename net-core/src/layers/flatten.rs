//! `Flatten<N>`: turns a shaped input into a flat one.

use core::fmt;

use rand::Rng;

use super::{Init, Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// Marks the point where a shaped input (`input: [7, 7, 768]`) becomes a
/// flat feature vector. Features are always stored flat, so it
/// [passes through](Layer::PASSES_THROUGH): a network gives it no buffer
/// and no work, and the next layer reads its input directly.
///
/// `SHAPED` says whether the input has several axes: flattening a
/// sequence needs all of its steps, so only a `Flatten` of an input that is
/// already flat can run one step at a time.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Head { input: [2, 3], flat: Flatten, out: Dense<1> } }
/// assert_eq!(Head::INPUT, 6);
/// ```
#[derive(Clone, Copy, Default, Tensors)]
#[tensors(crate = crate)]
pub struct Flatten<const N: usize, const SHAPED: bool = true>;

impl<const N: usize, const SHAPED: bool> fmt::Debug for Flatten<N, SHAPED> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flatten<{N}>")
    }
}

impl<const N: usize, const SHAPED: bool> Init for Flatten<N, SHAPED> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Flatten
    }
}

impl<const N: usize, const SHAPED: bool> Layer for Flatten<N, SHAPED> {
    const INPUT: usize = N;
    const OUTPUT: usize = N;
    const PASSES_THROUGH: bool = true;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Flatten { channels_first: false }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        _cache: &mut (),
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(mut dx) = dx {
            dx.copy_from(dy.as_cols());
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// A `Flatten` of a flat input is nothing at all, step by step too.
/// Flattening a flat input changes nothing; flattening the time axis needs
/// the whole sequence.
impl<const N: usize, const SHAPED: bool> StepWise for Flatten<N, SHAPED> {
    const STEP: StepWidth = if SHAPED {
        StepWidth::NotCausal("flattening the time axis needs the whole sequence")
    } else {
        StepWidth::Fixed { input: N, output: N }
    };
}

/// Flattens a channels-last map (`POSITIONS` positions of `C` channels) in
/// PyTorch's order, channels first, as `nn.Flatten()` sees an NCHW map:
/// written `Flatten(channels_first)` in `network!`, so that the
/// `nn.Linear` after a PyTorch backbone loads as it is. Unlike plain
/// [`Flatten`] it moves values (a transpose per sample).
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Head { input: [2, 3], flat: Flatten(channels_first), out: Dense<1> } }
/// let mut net = Head::<Eval>::seeded(0);
/// // Two positions of three channels, [p0c0, p0c1, p0c2, p1c0, ..] in memory:
/// let x = Batch::<6>::from_column_slice(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
/// net.out.weights_mut().fill(0.0);
/// net.out.weights_mut()[(0, 1)] = 1.0; // PyTorch's flat index 1: channel 0, position 1
/// assert_eq!(net.forward(&x)[0], 3.0);
/// ```
#[derive(Clone, Copy, Default, Tensors)]
#[tensors(crate = crate)]
pub struct FlattenChannelsFirst<const POSITIONS: usize, const C: usize>;

impl<const POSITIONS: usize, const C: usize> fmt::Debug for FlattenChannelsFirst<POSITIONS, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlattenChannelsFirst<{POSITIONS}x{C}>")
    }
}

impl<const POSITIONS: usize, const C: usize> Init for FlattenChannelsFirst<POSITIONS, C> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        FlattenChannelsFirst
    }
}

impl<const POSITIONS: usize, const C: usize> Layer for FlattenChannelsFirst<POSITIONS, C> {
    const INPUT: usize = POSITIONS * C;
    const OUTPUT: usize = POSITIONS * C;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Flatten { channels_first: true }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        for (xs, ys) in
            x.as_slice().chunks_exact(Self::INPUT).zip(y.as_mut_slice().chunks_exact_mut(Self::INPUT))
        {
            for (position, values) in xs.chunks_exact(C).enumerate() {
                for (channel, &v) in values.iter().enumerate() {
                    ys[channel * POSITIONS + position] = v;
                }
            }
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        _cache: &mut (),
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        for (dys, dxs) in
            dy.as_slice().chunks_exact(Self::INPUT).zip(dx.as_mut_slice().chunks_exact_mut(Self::INPUT))
        {
            for (position, values) in dxs.chunks_exact_mut(C).enumerate() {
                for (channel, d) in values.iter_mut().enumerate() {
                    *d = dys[channel * POSITIONS + position];
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Reordering channels first mixes every step of the sequence.
impl<const POSITIONS: usize, const C: usize> StepWise for FlattenChannelsFirst<POSITIONS, C> {
    const STEP: StepWidth = StepWidth::NotCausal("flattening the time axis needs the whole sequence");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_first_flattening_backward_matches_finite_differences() {
        crate::testing::check_layer_gradients(FlattenChannelsFirst::<5, 3>, 2);
    }
}
