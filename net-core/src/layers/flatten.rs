//! `Flatten<N>`: turns a shaped input into a flat one.

use std::fmt;

use rand::Rng;

use super::{Init, Layer, NoGrads};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// Marks the point where a shaped input (`input: [7, 7, 768]`) becomes a
/// flat feature vector. Features are always stored flat, so it
/// [passes through](Layer::PASSES_THROUGH): a network gives it no buffer
/// and no work, and the next layer reads its input directly.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Head { input: [2, 3], flat: Flatten, out: Dense<1> } }
/// assert_eq!(Head::INPUT, 6);
/// ```
#[derive(Clone, Copy, Default)]
pub struct Flatten<const N: usize>;

impl<const N: usize> fmt::Debug for Flatten<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flatten<{N}>")
    }
}

impl<const N: usize> Init for Flatten<N> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Flatten
    }
}

impl<const N: usize> Layer for Flatten<N> {
    const IN: usize = N;
    const OUT: usize = N;
    const PASSES_THROUGH: bool = true;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

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
