//! Streaming: a network with a time axis run one step at a time, as
//! real-time audio and control need. Each layer that can do so implements
//! [`Streamable`] (in its own file); a network streams when all of its
//! layers do, and the state of every layer lives in a [`Stream`] value.

use std::fmt::{self, Debug};
use std::marker::PhantomData;

use nalgebra::{Const, SVector};

use super::chain::{Chain, Link};
use super::NetworkDef;
use crate::layers::Layer;
use crate::linalg::simd;
use crate::phase::Eval;

/// A layer that can run one time step of one sample at a time.
///
/// Implemented by the causal layers in `Eval`: recurrent layers, `Conv1d`
/// with `padding = Causal` and stride 1, `TimeDistributed` around a
/// streamable layer, activations, Dropout, SpatialDropout, BatchNorm,
/// StopGradient, `Flatten` of a flat input, `Dense` (once a recurrent layer
/// has consumed the time axis) and networks made of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run one time step at a time: it is not causal",
    label = "not a streamable layer",
    note = "`stream` runs each layer on one time step as it arrives: recurrent layers, `Conv1d` with `padding = Causal` and stride 1, `TimeDistributed`, activations, Dropout and BatchNorm (in `Eval`), and flat layers after a recurrent layer has consumed the time axis; `Flatten` or pooling over time and convolutions that are not causal need steps that have not arrived yet"
)]
pub trait Streamable: Layer {
    /// Values one step takes (0: any number, for element-wise layers).
    const STEP_IN: usize;
    /// Values one step gives (0: as many as it takes).
    const STEP_OUT: usize;
    /// What the layer remembers between steps.
    type State: Clone + Debug + Send + Sync + 'static;

    /// The state before the first step.
    fn initial_state() -> Self::State;

    /// Back to the state before the first step, reusing its storage.
    fn reset(state: &mut Self::State);

    /// One step: `x` (this step's values) into `y`.
    fn step(&self, state: &mut Self::State, x: &[f32], y: &mut [f32]);
}

/// The width a step gives for `input` values, `step_out` being the
/// layer's `STEP_OUT` (0: as many as it takes).
const fn step_out(step_out: usize, input: usize) -> usize {
    if step_out == 0 {
        input
    } else {
        step_out
    }
}

/// A list of streamable layers: the step through all of them.
pub trait StreamChain: Chain {
    /// Every layer's state, in order.
    type States: Clone + Debug + Send + Sync + 'static;

    /// The states before the first step.
    fn initial_states() -> Self::States;

    /// Back to the states before the first step.
    fn reset(states: &mut Self::States);

    /// The width of each step's output for `width` input values, and the
    /// widest value on the way (into `widest`); an error names a layer
    /// whose step width does not match what reaches it.
    fn widths(width: usize, widest: &mut usize) -> Result<usize, String>;

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

    fn initial_states() {}

    fn reset(_states: &mut ()) {}

    fn widths(width: usize, _widest: &mut usize) -> Result<usize, String> {
        Ok(width)
    }

    fn step_within(_: (), _: &mut (), x: &mut [f32], width: usize, _: &mut [f32], y: &mut [f32]) {
        y.copy_from_slice(&x[..width]);
    }
}

impl<A: Link, R: StreamChain> StreamChain for (A, R)
where
    A::Layer: Streamable,
{
    type States = (<A::Layer as Streamable>::State, R::States);

    fn initial_states() -> Self::States {
        (<A::Layer as Streamable>::initial_state(), R::initial_states())
    }

    fn reset((state, rest): &mut Self::States) {
        <A::Layer as Streamable>::reset(state);
        R::reset(rest);
    }

    fn widths(width: usize, widest: &mut usize) -> Result<usize, String> {
        let (step_in, step) = (<A::Layer as Streamable>::STEP_IN, <A::Layer as Streamable>::STEP_OUT);
        if step_in != 0 && step_in != width {
            return Err(format!(
                "{} takes {step_in} values per step, but {width} reach it",
                std::any::type_name::<A::Layer>()
            ));
        }
        let out = step_out(step, width);
        *widest = (*widest).max(out);
        R::widths(out, widest)
    }

    #[inline]
    fn step_within(
        (layer, rest): Self::Refs<'_>,
        (state, rest_states): &mut Self::States,
        x: &mut [f32],
        width: usize,
        spare: &mut [f32],
        y: &mut [f32],
    ) {
        let out = step_out(<A::Layer as Streamable>::STEP_OUT, width);
        if <A::Layer as Layer>::PASSES_THROUGH {
            return R::step_within(rest, rest_states, x, width, spare, y);
        }
        if R::LEN == 0 {
            return layer.step(state, &x[..width], &mut y[..out]);
        }
        layer.step(state, &x[..width], &mut spare[..out]);
        R::step_within(rest, rest_states, spare, out, x, y);
    }
}

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
    /// Zeroed states for `N`.
    ///
    /// # Panics
    /// If a layer's step width does not match what reaches it (the macro's
    /// shapes rule this out for networks it declares).
    pub fn new() -> Self {
        let mut widest = step_input::<N>();
        let out = match N::Layers::widths(step_input::<N>(), &mut widest) {
            Ok(out) => out,
            Err(message) => panic!("{} cannot stream: {message}", N::NAME),
        };
        let buffers = (vec![0.0; widest], vec![0.0; widest]);
        Stream { states: N::Layers::initial_states(), buffers, out, network: PhantomData }
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

    /// [`step`](Self::step) on slices.
    ///
    /// # Panics
    /// If `x` or `y` has another length than a step takes or gives.
    pub fn step_slice(&mut self, net: &N, x: &[f32], y: &mut [f32]) {
        let (a, b) = (&mut self.buffers.0, &mut self.buffers.1);
        assert_eq!(x.len(), step_input::<N>(), "{} takes {} values per step", N::NAME, step_input::<N>());
        assert_eq!(y.len(), self.out, "{} gives {} values per step", N::NAME, self.out);
        a[..x.len()].copy_from_slice(x);
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

/// `impl Streamable for Net<P>` (when `P` is `Eval` and every layer
/// streams), which `network!` writes for every network so that a nested
/// network streams as a layer. A blanket implementation over every
/// `NetworkDef` would do the same, but then a layer that does not stream
/// would be reported as "not a network" instead of "not causal".
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_streamable_network {
    ($name:ident) => {
        impl<P: $crate::Phase> $crate::Streamable for $name<P>
        where
            Self: $crate::__private::NetworkDef<Phase = $crate::Eval>,
            <Self as $crate::__private::NetworkDef>::Layers: $crate::StreamChain,
        {
            const STEP_IN: usize = $crate::__private::step_input::<Self>();
            const STEP_OUT: usize = $crate::__private::step_output::<Self>();
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
