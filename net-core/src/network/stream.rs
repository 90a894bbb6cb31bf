//! Streaming: a network with a time axis run one step at a time, as
//! real-time audio and control need. Each layer says once, through
//! [`Streamable::STEP`], whether and how it runs one step; a network
//! streams when all of its layers can, which `net.stream()` checks when the
//! code compiles (naming the entry that cannot), and the state of every
//! layer lives in a [`Stream`] value.

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};
use core::marker::PhantomData;

use nalgebra::{Const, SVector};

use super::chain::{Chain, Node, OneLayer};
use super::const_text::ConstText;
use super::entry::Entry;
use super::merge::{Add, Concat, Paths};
use super::NetworkDef;
use crate::layers::{Layer, StepMismatch, StepWidth, Streamable};
use crate::linalg::simd;
use crate::phase::Eval;

/// The most layers one network (or path) lists for streaming.
const MAX_LAYERS: usize = 96;

/// Every layer's [`StepWidth`], in order: a `const` value, so that whether
/// a network can stream is decided when the code compiles.
#[derive(Clone, Copy, Debug)]
pub struct StepList {
    steps: [StepWidth; MAX_LAYERS],
    len: usize,
}

impl StepList {
    /// No layers.
    pub const EMPTY: StepList = StepList { steps: [StepWidth::Any; MAX_LAYERS], len: 0 };

    /// `first`, then this list.
    ///
    /// # Panics
    /// (at compile time) past [`MAX_LAYERS`] layers.
    pub const fn prepend(self, first: StepWidth) -> StepList {
        assert!(self.len < MAX_LAYERS, "a network streams at most 96 layers in one list");
        let mut out = StepList { steps: [StepWidth::Any; MAX_LAYERS], len: self.len + 1 };
        out.steps[0] = first;
        let mut i = 0;
        while i < self.len {
            out.steps[i + 1] = self.steps[i];
            i += 1;
        }
        out
    }

    /// Where and why the list cannot run from `input` values per step:
    /// the output width and the widest value on the way, or the failing
    /// layer's index and the mismatch.
    pub const fn resolve(&self, input: usize) -> Result<(usize, usize), (usize, StepMismatch)> {
        let (mut width, mut widest) = (input, input);
        let mut i = 0;
        while i < self.len {
            match self.steps[i].output_for(width) {
                Ok(out) => width = out,
                Err(mismatch) => return Err((i, mismatch)),
            }
            if width > widest {
                widest = width;
            }
            i += 1;
        }
        Ok((width, widest))
    }

    /// The list as one layer's step: the first reason it cannot stream,
    /// or its widths from `input`.
    pub const fn as_step(&self, input: usize) -> StepWidth {
        match self.resolve(input) {
            Ok((output, _)) => StepWidth::Fixed { input, output },
            Err((_, StepMismatch::NotCausal(reason))) => StepWidth::NotCausal(reason),
            Err((_, StepMismatch::Width { .. })) => {
                StepWidth::NotCausal("its layers' step widths do not fit one another")
            }
        }
    }
}

/// The output width and the widest value of `N` streaming, or a compile
/// error naming the entry that cannot and why.
pub const fn check_stream<N: NetworkDef>(steps: &StepList) -> (usize, usize) {
    match steps.resolve(step_input::<N>()) {
        Ok(widths) => widths,
        Err((index, mismatch)) => {
            let entry: &Entry = &N::ENTRIES[index];
            let text = ConstText::new()
                .push("`")
                .push(N::NAME)
                .push(".")
                .push(entry.name)
                .push("` (")
                .push(entry.layer)
                .push(")");
            let text = match mismatch {
                StepMismatch::NotCausal(reason) => {
                    text.push(" cannot run one time step at a time: ").push(reason)
                }
                StepMismatch::Width { expected, given } => text
                    .push(" takes ")
                    .push_number(expected)
                    .push(" values per step, but ")
                    .push_number(given)
                    .push(" reach it"),
            };
            panic!("{}", text.as_str())
        }
    }
}

/// A list of layers that each say how they stream: the step through all
/// of them.
pub trait StreamChain: Chain {
    /// Every layer's state, in order.
    type States: Clone + Debug + Send + Sync + 'static;
    /// Every layer's step width, in order.
    const STEPS: StepList;

    /// The states before the first step.
    fn initial_states() -> Self::States;

    /// Back to the states before the first step.
    fn reset(states: &mut Self::States);

    /// One step through the layers from `x` (`width` values at its start,
    /// a scratch buffer) into `y`, with `spare` as the other buffer.
    fn step_within(
        layers: Self::Refs<'_>,
        states: &mut Self::States,
        x: &mut [f32],
        width: usize,
        spare: &mut [f32],
        y: &mut [f32],
    );
}

impl StreamChain for () {
    type States = ();
    const STEPS: StepList = StepList::EMPTY;

    fn initial_states() {}

    fn reset(_states: &mut ()) {}

    fn step_within(_: (), _: &mut (), x: &mut [f32], width: usize, _: &mut [f32], y: &mut [f32]) {
        y.copy_from_slice(&x[..width]);
    }
}

#[diagnostic::do_not_recommend]
impl<A: StreamNode, R: StreamChain> StreamChain for (A, R) {
    type States = (A::State, R::States);
    const STEPS: StepList = R::STEPS.prepend(A::STEP);

    fn initial_states() -> Self::States {
        (A::initial_state(), R::initial_states())
    }

    fn reset((state, rest): &mut Self::States) {
        A::reset(state);
        R::reset(rest);
    }

    #[inline]
    fn step_within(
        (node, rest): Self::Refs<'_>,
        (state, rest_states): &mut Self::States,
        x: &mut [f32],
        width: usize,
        spare: &mut [f32],
        y: &mut [f32],
    ) {
        let out = match A::STEP {
            StepWidth::Fixed { output, .. } => output,
            _ => width,
        };
        if A::PASSES_THROUGH {
            return R::step_within(rest, rest_states, x, width, spare, y);
        }
        if R::LEN == 0 {
            return A::step(node, state, &x[..width], &mut y[..out]);
        }
        A::step(node, state, &x[..width], &mut spare[..out]);
        R::step_within(rest, rest_states, spare, out, x, y);
    }
}

/// A node as it runs one time step: a streamable layer, or a merge whose
/// paths all stream.
pub trait StreamNode: Node {
    /// What it remembers between steps.
    type State: Clone + Debug + Send + Sync + 'static;
    /// What one step takes and gives, or why it cannot stream.
    const STEP: StepWidth;

    /// The state before the first step.
    fn initial_state() -> Self::State;
    /// Back to the state before the first step.
    fn reset(state: &mut Self::State);
    /// One step: `x` into `y`.
    fn step(node: Self::Refs<'_>, state: &mut Self::State, x: &[f32], y: &mut [f32]);
}

impl<O: OneLayer> StreamNode for O
where
    O::Layer: Streamable,
{
    type State = <O::Layer as Streamable>::State;
    const STEP: StepWidth = <O::Layer as Streamable>::STEP;

    fn initial_state() -> Self::State {
        <O::Layer as Streamable>::initial_state()
    }

    fn reset(state: &mut Self::State) {
        <O::Layer as Streamable>::reset(state);
    }

    #[inline(always)]
    fn step(layer: &O::Layer, state: &mut Self::State, x: &[f32], y: &mut [f32]) {
        layer.step(state, x, y);
    }
}

/// The paths of a merge, each streaming on its own from `STEP_IN` values
/// per step.
pub trait StreamPaths<const IN: usize, const STEP_IN: usize>: Paths<IN> {
    /// Every path's states and the buffers its step runs in.
    type States: Clone + Debug + Send + Sync + 'static;
    /// The summed output widths of the paths' steps, or why one cannot stream.
    const JOINED: Result<usize, StepMismatch>;
    /// The common output width of the paths' steps (0 for none), or why
    /// one cannot stream or they differ.
    const SUMMED: Result<usize, StepMismatch>;

    /// The states before the first step.
    fn initial_states() -> Self::States;
    /// Back to the states before the first step.
    fn reset(states: &mut Self::States);
    /// Every path's step from `x`, joined (`concat`) or summed into `y`.
    fn step(
        paths: Self::Refs<'_>,
        states: &mut Self::States,
        x: &[f32],
        y: &mut [f32],
        concat: bool,
        first: bool,
    );
}

/// A path's state while streaming: its layers' states, its two buffers
/// and its output.
#[derive(Clone, Debug)]
pub struct PathState<S> {
    states: S,
    a: Vec<f32>,
    b: Vec<f32>,
    out: Vec<f32>,
}

impl<const IN: usize, const STEP_IN: usize> StreamPaths<IN, STEP_IN> for () {
    type States = ();
    const JOINED: Result<usize, StepMismatch> = Ok(0);
    const SUMMED: Result<usize, StepMismatch> = Ok(0);
    fn initial_states() {}
    fn reset(_: &mut ()) {}
    fn step(_: (), _: &mut (), _: &[f32], _: &mut [f32], _: bool, _: bool) {}
}

impl<P: StreamChain, R: StreamPaths<IN, STEP_IN>, const IN: usize, const STEP_IN: usize>
    StreamPaths<IN, STEP_IN> for (P, R)
{
    type States = (PathState<P::States>, R::States);
    const JOINED: Result<usize, StepMismatch> = match (P::STEPS.resolve(STEP_IN), R::JOINED) {
        (Ok((own, _)), Ok(rest)) => Ok(own + rest),
        (Err((_, mismatch)), _) | (_, Err(mismatch)) => Err(mismatch),
    };
    const SUMMED: Result<usize, StepMismatch> = match (P::STEPS.resolve(STEP_IN), R::SUMMED) {
        (Ok((own, _)), Ok(0)) => Ok(own),
        (Ok((own, _)), Ok(rest)) if rest == own => Ok(own),
        (Ok((own, _)), Ok(rest)) => Err(StepMismatch::Width { expected: rest, given: own }),
        (Err((_, mismatch)), _) | (_, Err(mismatch)) => Err(mismatch),
    };

    fn initial_states() -> Self::States {
        let (out, widest) = match P::STEPS.resolve(STEP_IN) {
            Ok(widths) => widths,
            Err(_) => (STEP_IN, STEP_IN),
        };
        let state = PathState {
            states: P::initial_states(),
            a: vec![0.0; widest],
            b: vec![0.0; widest],
            out: vec![0.0; out],
        };
        (state, R::initial_states())
    }

    fn reset((state, rest): &mut Self::States) {
        P::reset(&mut state.states);
        R::reset(rest);
    }

    #[inline]
    fn step(
        (path, rest): Self::Refs<'_>,
        (state, rest_states): &mut Self::States,
        x: &[f32],
        y: &mut [f32],
        concat: bool,
        first: bool,
    ) {
        let PathState { states, a, b, out } = state;
        a[..x.len()].copy_from_slice(x);
        P::step_within(path, states, a, x.len(), b, out);
        let next = if concat {
            let (mine, later) = y.split_at_mut(out.len());
            mine.copy_from_slice(out);
            later
        } else {
            if first {
                y.copy_from_slice(out);
            } else {
                y.iter_mut().zip(out.iter()).for_each(|(y, o)| *y += o);
            }
            y
        };
        R::step(rest, rest_states, x, next, concat, false);
    }
}

/// Both merges step their paths and join or sum them.
macro_rules! stream_merge {
    ($merge:ident, $concat:expr, $widths:ident) => {
        impl<
                Ps: StreamPaths<IN, STEP_IN>,
                const IN: usize,
                const OUT: usize,
                const POSITIONS: usize,
                const STEP_IN: usize,
            > StreamNode for $merge<Ps, IN, OUT, POSITIONS, STEP_IN>
        {
            type State = Ps::States;
            const STEP: StepWidth = match Ps::$widths {
                Ok(output) => StepWidth::Fixed { input: STEP_IN, output },
                Err(StepMismatch::NotCausal(reason)) => StepWidth::NotCausal(reason),
                Err(StepMismatch::Width { .. }) => {
                    StepWidth::NotCausal("its paths' step widths do not fit one another")
                }
            };

            fn initial_state() -> Self::State {
                Ps::initial_states()
            }

            fn reset(state: &mut Self::State) {
                Ps::reset(state);
            }

            fn step(paths: Self::Refs<'_>, state: &mut Self::State, x: &[f32], y: &mut [f32]) {
                Ps::step(paths, state, x, y, $concat, true);
            }
        }
    };
}

stream_merge!(Concat, true, JOINED);
stream_merge!(Add, false, SUMMED);

/// The state of a network streaming one step at a time: every layer's
/// state (recurrent states, the recent inputs of causal convolutions) and
/// room for the values between layers. Made by `net.stream()`; one per
/// independent signal (an audio channel, say); `Clone` saves a state and
/// [`reset`](Self::reset) starts again from zeros. `network!` names it
/// `{Net}Stream`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Amp { input: [32, 1], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
/// let net = Amp::<Eval>::seeded(1);
/// let mut stream: AmpStream = net.stream();
/// let y = stream.step(&net, &SVector::<f32, 1>::new(0.25));
/// assert!(y[0].is_finite());
/// stream.reset();
/// ```
pub struct Stream<N: NetworkDef>
where
    N::Layers: StreamChain,
{
    states: <N::Layers as StreamChain>::States,
    buffers: (Vec<f32>, Vec<f32>),
    /// Values each step gives.
    out: usize,
    /// Steps since the stream was made or reset (for [`Stream::try_step`]'s errors).
    steps: usize,
    network: PhantomData<fn(&N)>,
}

impl<N: NetworkDef> Clone for Stream<N>
where
    N::Layers: StreamChain,
{
    fn clone(&self) -> Self {
        Stream {
            states: self.states.clone(),
            buffers: self.buffers.clone(),
            out: self.out,
            steps: self.steps,
            network: PhantomData,
        }
    }
}

impl<N: NetworkDef> Debug for Stream<N>
where
    N::Layers: StreamChain,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream").field("network", &N::NAME).field("states", &self.states).finish()
    }
}

/// The values one step of `N` takes: the last axis of its input shape.
pub const fn step_input<N: NetworkDef>() -> usize {
    match N::INPUT_SHAPE.last() {
        Some(&width) => width,
        None => 0,
    }
}

impl<N: NetworkDef<Phase = Eval>> Stream<N>
where
    N::Layers: StreamChain,
{
    /// The width of each step's output and the widest value on the way;
    /// evaluating it is the compile-time check that every layer streams.
    const WIDTHS: (usize, usize) = check_stream::<N>(&N::Layers::STEPS);

    /// Whether every layer streams: a compile error naming the first entry
    /// that cannot.
    pub(crate) const CAN_STREAM: () = {
        let _ = Self::WIDTHS;
    };

    /// Zeroed states for `N`. A layer that cannot run one step at a time,
    /// or whose step width does not fit what reaches it, is a compile
    /// error naming its entry.
    pub fn new() -> Self {
        let (out, widest) = Self::WIDTHS;
        let buffers = (vec![0.0; widest], vec![0.0; widest]);
        Stream { states: N::Layers::initial_states(), buffers, out, steps: 0, network: PhantomData }
    }

    /// One step of one sample: `x` is this step's values (the last axis of
    /// the network's input), the result this step's output (the last axis
    /// of its output). Allocates nothing.
    pub fn step<const I: usize, const O: usize>(&mut self, net: &N, x: &SVector<f32, I>) -> SVector<f32, O>
    where
        N: NetworkDef<StepInput = Const<I>, StepOutput = Const<O>>,
    {
        let mut y = SVector::<f32, O>::zeros();
        self.step_slice(net, x.as_slice(), y.as_mut_slice());
        y
    }

    /// [`step`](Self::step), checked: a NaN or infinite input is refused
    /// before the state changes (a plain `step` would carry it in the
    /// recurrent state and causal windows, poisoning every later output
    /// until [`reset`](Self::reset), with no signal), and a non-finite
    /// output is reported (the state may then hold it: reset).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// network! { struct Amp { input: [32, 1], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
    /// let net = Amp::<Eval>::seeded(1);
    /// let mut stream = net.stream();
    /// assert!(stream.try_step(&net, &SVector::<f32, 1>::new(0.25)).is_ok());
    /// let err = stream.try_step(&net, &SVector::<f32, 1>::new(f32::NAN)).unwrap_err();
    /// assert!(matches!(err, Error::NonFiniteStep { step: 1, output: false, index: 0, .. }));
    /// // The state is untouched: the next step is as if the NaN never came.
    /// assert!(stream.try_step(&net, &SVector::<f32, 1>::new(0.5)).is_ok());
    /// ```
    ///
    /// # Errors
    /// `Error::NonFiniteStep` naming the step, the value and its index.
    pub fn try_step<const I: usize, const O: usize>(
        &mut self,
        net: &N,
        x: &SVector<f32, I>,
    ) -> crate::error::Result<SVector<f32, O>>
    where
        N: NetworkDef<StepInput = Const<I>, StepOutput = Const<O>>,
    {
        let step = self.steps;
        let first_non_finite = |v: &[f32]| v.iter().position(|v| !v.is_finite()).map(|i| (i, v[i]));
        if let Some((index, value)) = first_non_finite(x.as_slice()) {
            return Err(crate::Error::NonFiniteStep { step, output: false, index, value });
        }
        let y = self.step(net, x);
        match first_non_finite(y.as_slice()) {
            Some((index, value)) => Err(crate::Error::NonFiniteStep { step, output: true, index, value }),
            None => Ok(y),
        }
    }

    /// [`step`](Self::step) on slices.
    ///
    /// # Panics
    /// If `x` or `y` has another length than a step takes or gives.
    pub fn step_slice(&mut self, net: &N, x: &[f32], y: &mut [f32]) {
        let (a, b) = (&mut self.buffers.0, &mut self.buffers.1);
        assert_eq!(x.len(), step_input::<N>(), "{} takes {} values per step", N::NAME, step_input::<N>());
        assert_eq!(y.len(), self.out, "{} gives {} values per step", N::NAME, self.out);
        a[..x.len()].copy_from_slice(x);
        self.steps += 1;
        // One region compiled for the vector features around every layer's
        // step, so the small kernels inside inline into each other.
        let states = &mut self.states;
        simd::vectorized(
            #[inline(always)]
            || N::Layers::step_within(net.layers(), states, a, x.len(), b, y),
        );
    }

    /// Back to the zero state, as if no step had run.
    pub fn reset(&mut self) {
        self.steps = 0;
        N::Layers::reset(&mut self.states);
    }
}

impl<N: NetworkDef<Phase = Eval>> Default for Stream<N>
where
    N::Layers: StreamChain,
{
    fn default() -> Self {
        Self::new()
    }
}

/// The values one step of `N` gives: the last axis of its output shape.
pub const fn step_output<N: NetworkDef>() -> usize {
    match <N as Layer>::OUTPUT_SHAPE.last() {
        Some(&width) => width,
        None => 0,
    }
}

/// `impl Streamable for Net<P>` (when `P` is `Eval` and every layer says
/// how it streams), which `network!` writes for every network so that a
/// nested network streams as a layer. It cannot be one blanket
/// implementation over every `NetworkDef`: that would overlap the one over
/// every `StepWise` layer.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_streamable_network {
    ($name:ident, $phase:ident) => {
        impl<$phase: $crate::Phase> $crate::Streamable for $name<$phase>
        where
            Self: $crate::__private::NetworkDef<Phase = $crate::Eval>,
            <Self as $crate::__private::NetworkDef>::Layers: $crate::StreamChain,
        {
            const STEP: $crate::layers::StepWidth =
                <<Self as $crate::__private::NetworkDef>::Layers as $crate::StreamChain>::STEPS
                    .as_step($crate::__private::step_input::<Self>());
            type State = $crate::Stream<Self>;

            fn initial_state() -> Self::State {
                $crate::Stream::new()
            }

            fn reset(state: &mut Self::State) {
                state.reset();
            }

            fn step(&self, state: &mut Self::State, x: &[f32], y: &mut [f32]) {
                state.step_slice(self, x, y);
            }
        }
    };
}
