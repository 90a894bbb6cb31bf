//! `Flatten<N>`: turns a shaped input into a flat one.

use std::fmt;

use nalgebra::Const;

use super::{Layer, NoGrads};
use crate::phase::Phase;
use crate::tensor::{View, ViewMut};

/// Marks the point where a shaped input (`input: [7, 7, 768]`) becomes a
/// flat feature vector. Features are always stored flat, so `network!`
/// gives it no buffer and no work: the next layer reads its input directly.
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

impl<const N: usize> Layer for Flatten<N> {
    type In = Const<N>;
    type Out = Const<N>;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: View<'_, Const<N>>, mut y: ViewMut<'_, Const<N>>) {
        y.copy_from(&x);
    }

    fn train_backward(
        &mut self,
        _x: View<'_, Const<N>>,
        _y: View<'_, Const<N>>,
        dy: ViewMut<'_, Const<N>>,
        _cache: &mut (),
        dx: Option<ViewMut<'_, Const<N>>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(mut dx) = dx {
            dx.copy_from(&dy);
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}
