//! Phases: whether a network trains ([`Train`]) or infers ([`Eval`]).
//!
//! The phase is a type parameter of every network and of every layer whose
//! behaviour depends on it, so an inference network cannot drop units by
//! accident and `backward` does not exist on it. Freezing is a separate
//! matter: a frozen layer keeps its weights but still runs in its phase.
//!
//! A phase-dependent layer says what it keeps in each phase with a
//! [`PhaseData`] type and stores `P::Data<ThatType>`: `Dropout` keeps a mask
//! generator in `Train` and nothing in `Eval`; a network keeps its training
//! buffers only in `Train`. Custom layers use the same mechanism (see
//! `examples/manual_dropout.rs`), so this module knows no layer.

use core::fmt::Debug;
use core::marker::PhantomData;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Train {}
    impl Sealed for super::Eval {}
}

/// Which phase a [`Phase`] type is, as a value (for summaries and errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhaseKind {
    /// [`Train`].
    Train,
    /// [`Eval`].
    Eval,
}

/// What a layer keeps in each phase: `Train` data and `Eval` data.
///
/// A layer declares a (usually zero-sized) type implementing this and holds
/// a field of type `P::Data<ThatType>`; reading it through [`Phase::data`]
/// gives a [`PhaseRef`] to match on, so each phase's code sees only its own
/// data, and an `Eval` layer carries nothing the `Train` one needs.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::phase::{PhaseData, PhaseRef};
///
/// /// A counter that only exists while training.
/// struct Steps;
/// impl PhaseData for Steps {
///     type Train = u64;
///     type Eval = ();
/// }
///
/// fn describe<P: Phase>(data: &P::Data<Steps>) -> String {
///     match P::data::<Steps>(data) {
///         PhaseRef::Train(steps) => format!("{steps} steps"),
///         PhaseRef::Eval(()) => "inference".to_string(),
///     }
/// }
/// assert_eq!(describe::<Train>(&3), "3 steps");
/// assert_eq!(describe::<Eval>(&()), "inference");
/// assert_eq!(std::mem::size_of::<<Eval as Phase>::Data<Steps>>(), 0);
/// ```
pub trait PhaseData: 'static {
    /// Kept in [`Train`].
    type Train: Clone + Debug + Default + Send + Sync + 'static;
    /// Kept in [`Eval`].
    type Eval: Clone + Debug + Default + Send + Sync + 'static;
}

/// Storage a network or layer keeps only while training: `T` in `Train`,
/// nothing in `Eval`.
pub struct TrainOnly<T>(PhantomData<T>);

impl<T: Clone + Debug + Default + Send + Sync + 'static> PhaseData for TrainOnly<T> {
    type Train = T;
    type Eval = ();
}

/// A phase's data, borrowed: the `Train` or the `Eval` part of a [`PhaseData`].
#[derive(Debug)]
pub enum PhaseRef<'a, D: PhaseData> {
    /// The data of a `Train` layer.
    Train(&'a D::Train),
    /// The data of an `Eval` layer.
    Eval(&'a D::Eval),
}

/// A phase's data, mutably borrowed.
#[derive(Debug)]
pub enum PhaseMut<'a, D: PhaseData> {
    /// The data of a `Train` layer.
    Train(&'a mut D::Train),
    /// The data of an `Eval` layer.
    Eval(&'a mut D::Eval),
}

/// A phase of a network: [`Train`] or [`Eval`]. Sealed.
///
/// ```
/// use typenet::prelude::*;
/// fn describe<P: Phase>() -> &'static str { P::NAME }
/// assert_eq!(describe::<Train>(), "Train");
/// ```
pub trait Phase: sealed::Sealed + Copy + Default + Debug + Send + Sync + 'static {
    /// `"Train"` or `"Eval"`.
    const NAME: &'static str;
    /// This phase as a value.
    const KIND: PhaseKind;
    /// What a layer keeps in this phase: `D::Train` or `D::Eval`.
    type Data<D: PhaseData>: Clone + Debug + Default + Send + Sync + 'static;

    /// The data, as the phase it belongs to.
    fn data<D: PhaseData>(data: &Self::Data<D>) -> PhaseRef<'_, D>;

    /// The data, mutably, as the phase it belongs to.
    fn data_mut<D: PhaseData>(data: &mut Self::Data<D>) -> PhaseMut<'_, D>;

    /// New data for this phase: `train()` in `Train`, `eval()` in `Eval`
    /// (only the one called runs).
    fn new_data<D: PhaseData>(
        train: impl FnOnce() -> D::Train,
        eval: impl FnOnce() -> D::Eval,
    ) -> Self::Data<D>;
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
    const KIND: PhaseKind = PhaseKind::Train;
    type Data<D: PhaseData> = D::Train;

    fn data<D: PhaseData>(data: &D::Train) -> PhaseRef<'_, D> {
        PhaseRef::Train(data)
    }
    fn data_mut<D: PhaseData>(data: &mut D::Train) -> PhaseMut<'_, D> {
        PhaseMut::Train(data)
    }
    fn new_data<D: PhaseData>(train: impl FnOnce() -> D::Train, _eval: impl FnOnce() -> D::Eval) -> D::Train {
        train()
    }
}

impl Phase for Eval {
    const NAME: &'static str = "Eval";
    const KIND: PhaseKind = PhaseKind::Eval;
    type Data<D: PhaseData> = D::Eval;

    fn data<D: PhaseData>(data: &D::Eval) -> PhaseRef<'_, D> {
        PhaseRef::Eval(data)
    }
    fn data_mut<D: PhaseData>(data: &mut D::Eval) -> PhaseMut<'_, D> {
        PhaseMut::Eval(data)
    }
    fn new_data<D: PhaseData>(_train: impl FnOnce() -> D::Train, eval: impl FnOnce() -> D::Eval) -> D::Eval {
        eval()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn train_only_data_costs_nothing_in_eval() {
        type Big = TrainOnly<Vec<f32>>;
        assert_eq!(core::mem::size_of::<<Eval as Phase>::Data<Big>>(), 0);
        let data = Train::new_data::<Big>(|| vec![1.0], || ());
        assert!(matches!(Train::data::<Big>(&data), PhaseRef::Train(v) if v.len() == 1));
    }
}
