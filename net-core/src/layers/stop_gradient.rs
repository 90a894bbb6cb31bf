//! `StopGradient<N>`: identity forward, zero gradient backward.

use core::fmt;

use rand::Rng;

use super::{Init, Layer, NoGrads, StepWise, Tensors};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// Passes values forward unchanged and no gradient backward, like
/// `tf.stop_gradient`. Unlike `Dropout(1.0)`, which blocks the same
/// gradients, its forward output is the input, not zeros. It
/// [stops the gradient](Layer::STOPS_GRADIENT): a network runs no backward
/// below it at all.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Probe { input: 2, base: Dense<3>, stop: StopGradient, head: Dense<1> } }
/// let mut net = Probe::<Train>::seeded(0);
/// let y = net.forward(&Batch::<2>::from_element(4, 1.0));
/// let grads = net.backward(&Mse.grad(&y, &Batch::<1>::zeros(4)));
/// assert!(grads.base.weights().iter().all(|&g| g == 0.0));
/// ```
#[derive(Clone, Copy, Default, Tensors)]
#[tensors(crate = crate)]
pub struct StopGradient<const N: usize>;

impl<const N: usize> fmt::Debug for StopGradient<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StopGradient<{N}>")
    }
}

impl<const N: usize> Init for StopGradient<N> {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        StopGradient
    }
}

impl<const N: usize> Layer for StopGradient<N> {
    const INPUT: usize = N;
    const OUTPUT: usize = N;
    const STOPS_GRADIENT: bool = true;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Identity
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        _dy: ColsMut<'_>,
        _cache: &mut (),
        dx: Option<ColsMut<'_>>,
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

/// The identity, step by step.
impl<const N: usize> StepWise for StopGradient<N> {}
