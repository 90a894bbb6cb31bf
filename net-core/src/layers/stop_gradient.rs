//! `StopGradient<N>`: identity forward, zero gradient backward.

use std::fmt;

use nalgebra::Const;

use super::{Layer, NoGrads};
use crate::phase::Phase;
use crate::tensor::{View, ViewMut};

/// Passes values forward unchanged and no gradient backward, like
/// `tf.stop_gradient`. Unlike `Dropout(1.0)`, which blocks the same
/// gradients, its forward output is the input, not zeros. `network!` does
/// not run backward below it at all.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Probe { input: 2, base: Dense<3>, stop: StopGradient, head: Dense<1> } }
/// let mut net = Probe::<Train>::seeded(0);
/// let y = net.forward(&Batch::<2>::from_element(4, 1.0));
/// let grads = net.backward(&Mse.grad(&y, &Batch::<1>::zeros(4)));
/// assert!(grads.base.weights().iter().all(|&g| g == 0.0));
/// ```
#[derive(Clone, Copy, Default)]
pub struct StopGradient<const N: usize>;

impl<const N: usize> fmt::Debug for StopGradient<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StopGradient<{N}>")
    }
}

impl<const N: usize> Layer for StopGradient<N> {
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
        _dy: ViewMut<'_, Const<N>>,
        _cache: &mut (),
        dx: Option<ViewMut<'_, Const<N>>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(mut dx) = dx {
            dx.fill(0.0);
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}
