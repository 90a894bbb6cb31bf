//! One time step at a time: what a layer says about running on each step
//! of a sequence as it arrives ([`Streamable`]), stated once as its
//! [`StepWidth`], and the stateless case written once ([`StepWise`]).
//!
//! The network side (the state of every layer, the buffers between them,
//! the check that the whole chain can stream) is `network::stream`.

use core::fmt::Debug;

use super::Layer;
use crate::phase::{Phase, PhaseKind};

/// What one step of a layer takes and gives, or why it cannot run one step
/// at a time.
///
/// ```
/// use typenet::layers::StepWidth;
/// assert_eq!(StepWidth::Any.output_for(5), Ok(5));
/// assert_eq!(StepWidth::Fixed { input: 4, output: 8 }.output_for(4), Ok(8));
/// assert!(StepWidth::Fixed { input: 4, output: 8 }.output_for(3).is_err());
/// assert!(StepWidth::NotCausal("pooling over time").output_for(3).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepWidth {
    /// As many values as reach it, each step on its own (activations,
    /// dropout at inference).
    Any,
    /// `input` values per step in, `output` out.
    Fixed {
        /// Values one step takes.
        input: usize,
        /// Values one step gives.
        output: usize,
    },
    /// The layer needs steps that have not arrived yet (or draws new noise
    /// at every call): why, as a sentence that names what the layer does.
    NotCausal(&'static str),
}

/// Why a step width does not fit what reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepMismatch {
    /// It takes another number of values per step.
    Width {
        /// What it takes.
        expected: usize,
        /// What reaches it.
        given: usize,
    },
    /// It cannot stream at all.
    NotCausal(&'static str),
}

impl StepWidth {
    /// `step` in `Eval`; in `Train`, not at all: a layer pinned to `Train`
    /// draws new noise at every call, which a stream of steps cannot
    /// reproduce.
    pub const fn in_eval<P: Phase>(step: StepWidth) -> StepWidth {
        match P::KIND {
            PhaseKind::Eval => step,
            PhaseKind::Train => StepWidth::NotCausal(
                "a layer pinned to `Train` draws new noise at every call (stream an `Eval` layer)",
            ),
        }
    }

    /// What one step gives when `input` values reach it.
    ///
    /// # Errors
    /// If it takes another width, or cannot stream.
    pub const fn output_for(self, input: usize) -> Result<usize, StepMismatch> {
        match self {
            StepWidth::Any => Ok(input),
            StepWidth::Fixed { input: expected, output } => {
                if expected == input {
                    Ok(output)
                } else {
                    Err(StepMismatch::Width { expected, given: input })
                }
            }
            StepWidth::NotCausal(reason) => Err(StepMismatch::NotCausal(reason)),
        }
    }
}

/// A layer as it runs one time step of one sample at a time.
///
/// Every built-in layer implements it and says through [`STEP`](Self::STEP)
/// whether it can: the causal ones (recurrent layers, `Conv1d` with
/// `padding = Causal`, layers that act on each step alone) with their
/// widths, the others with the reason they cannot, which `net.stream()`
/// reports at compile time naming the entry. Stateless layers implement
/// [`StepWise`] instead, which gives this trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say whether it can run one time step at a time",
    label = "not a streamable layer",
    note = "implement `typenet::layers::StepWise` for a layer that acts on each step on its own, or `Streamable` for one that keeps a state between steps"
)]
pub trait Streamable: Layer {
    /// What one step takes and gives, or why the layer cannot stream.
    const STEP: StepWidth;
    /// What the layer remembers between steps.
    type State: Clone + Debug + Send + Sync + 'static;

    /// The state before the first step.
    fn initial_state() -> Self::State;

    /// Back to the state before the first step, reusing its storage.
    fn reset(state: &mut Self::State);

    /// One step: `x` (this step's values) into `y`. Only called when
    /// [`STEP`](Self::STEP) says the layer can stream.
    fn step(&self, state: &mut Self::State, x: &[f32], y: &mut [f32]);
}

/// A layer that acts on each time step on its own, keeping nothing
/// between steps: activations, dropout (the identity at inference), `Dense`
/// after a recurrent layer has consumed the time axis. Implementing it
/// gives [`Streamable`]; the step is the identity unless
/// [`step_alone`](Self::step_alone) says otherwise.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::{StepWidth, StepWise};
/// # use typenet::{Cols, ColsMut, NoGrads};
/// #[derive(Clone, Debug, Default, Tensors)]
/// pub struct Double;
/// # impl Layer for Double {
/// #     const INPUT: usize = 2;
/// #     const OUTPUT: usize = 2;
/// #     type Cache = ();
/// #     type Grads = NoGrads;
/// #     type InPhase<Q: Phase> = Self;
/// #     fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
/// #         y.as_mut_slice().iter_mut().zip(x.as_slice()).for_each(|(y, x)| *y = 2.0 * x);
/// #     }
/// #     fn train_backward(&mut self, _: Cols<'_>, _: Cols<'_>, dy: ColsMut<'_>, _: &mut (),
/// #         dx: Option<ColsMut<'_>>, _: Option<&mut NoGrads>) {
/// #         if let Some(mut dx) = dx { dx.as_mut_slice().iter_mut().zip(dy.as_slice()).for_each(|(d, g)| *d = 2.0 * g); }
/// #     }
/// #     fn into_phase<Q: Phase>(self, _: u64) -> Self { self }
/// # }
/// impl StepWise for Double {
///     fn step_alone(&self, x: &[f32], y: &mut [f32]) {
///         y.iter_mut().zip(x).for_each(|(y, x)| *y = 2.0 * x);
///     }
/// }
/// ```
pub trait StepWise: Layer {
    /// What one step takes and gives (any width by default).
    const STEP: StepWidth = StepWidth::Any;

    /// One step, `x` into `y`: a copy unless overridden.
    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        y.copy_from_slice(x);
    }
}

#[diagnostic::do_not_recommend]
impl<L: StepWise> Streamable for L {
    const STEP: StepWidth = <L as StepWise>::STEP;
    type State = ();

    fn initial_state() {}

    fn reset(_state: &mut ()) {}

    #[inline(always)]
    fn step(&self, _state: &mut (), x: &[f32], y: &mut [f32]) {
        self.step_alone(x, y);
    }
}
