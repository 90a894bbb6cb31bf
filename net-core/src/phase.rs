//! Phases: whether a network trains (`Train`) or infers (`Eval`).
//!
//! The phase is a type parameter of every network and of every layer whose
//! behaviour depends on it, so an inference network cannot drop units by
//! accident and `backward` does not exist on it. Freezing is a separate
//! matter: a frozen layer keeps its weights but still runs in its phase.

use std::fmt::Debug;

use crate::layers::batch_norm::NormStatistics;
use crate::layers::dropout::DropoutState;
use crate::rng::MaskRng;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Train {}
    impl Sealed for super::Eval {}
}

/// A phase of a network: [`Train`] or [`Eval`]. Sealed.
///
/// What a phase-dependent layer does is chosen through the associated types
/// below, not through `if training` branches: a `Dropout<N, Eval>` holds `()`
/// where a `Dropout<N, Train>` holds a mask generator.
///
/// ```
/// use typenet::prelude::*;
/// fn describe<P: Phase>() -> &'static str { P::NAME }
/// assert_eq!(describe::<Train>(), "Train");
/// ```
pub trait Phase: sealed::Sealed + Copy + Default + Debug + Send + Sync + 'static {
    /// `"Train"` or `"Eval"`.
    const NAME: &'static str;
    /// Whether this is [`Train`]. Built-in layers select behaviour through
    /// the associated types instead; this is for custom layers whose
    /// behaviour depends on the phase (see `examples/manual_dropout.rs`).
    const IS_TRAIN: bool;
    /// What a dropout layer keeps in this phase: nothing in `Eval`, a mask
    /// generator in `Train`.
    #[doc(hidden)]
    type Dropout: DropoutState;
    /// Which statistics a batch normalisation uses in this phase.
    #[doc(hidden)]
    type Norm: NormStatistics;
}

/// The training phase: dropout draws masks, batch normalisation uses batch
/// statistics, and `forward` keeps what `backward` needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Train;

/// The inference phase (the default): dropout is the identity, batch
/// normalisation uses its running statistics, `forward` takes `&self`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Eval;

impl Phase for Train {
    const NAME: &'static str = "Train";
    const IS_TRAIN: bool = true;
    type Dropout = MaskRng;
    type Norm = crate::layers::batch_norm::BatchStatistics;
}

impl Phase for Eval {
    const NAME: &'static str = "Eval";
    const IS_TRAIN: bool = false;
    type Dropout = ();
    type Norm = crate::layers::batch_norm::RunningStatistics;
}
