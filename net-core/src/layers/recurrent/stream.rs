//! A recurrent layer one time step at a time.

use super::layout::stacked;
use super::{Cell, Recurrent};
use crate::layers::{StepWidth, Streamable};
use crate::linalg::{gemv_ld, simd};
use crate::no_std_prelude::*;
use crate::phase::Phase;

/// What a recurrent layer remembers between streamed steps: its state and
/// the cell's kept values (the LSTM's cell state), and room for one step's
/// projections and the next state.
#[derive(Clone, Debug)]
pub struct StepState {
    h: Vec<f32>,
    kept: Vec<f32>,
    h_next: Vec<f32>,
    kept_next: Vec<f32>,
    ain: Vec<f32>,
    ah: Vec<f32>,
    /// This step's input followed by the state, for a cell that sums its
    /// projections.
    joined: Vec<f32>,
    started: bool,
}

/// One step at a time from a zero state: the same equations as `forward`,
/// with dropout off (a Train-pinned layer with dropout draws new masks and
/// does not stream).
impl<
        C: Cell,
        const T: usize,
        const F: usize,
        const U: usize,
        const SEQ: bool,
        P: Phase,
        const DROPOUT: bool,
    > Streamable for Recurrent<C, T, F, U, SEQ, P, DROPOUT>
{
    const STEP: StepWidth = if DROPOUT {
        StepWidth::in_eval::<P>(StepWidth::Fixed { input: F, output: U })
    } else {
        StepWidth::Fixed { input: F, output: U }
    };
    type State = StepState;

    fn initial_state() -> StepState {
        let rows = C::GATES * U;
        StepState {
            h: vec![0.0; U],
            kept: vec![0.0; C::KEPT * U],
            h_next: vec![0.0; U],
            kept_next: vec![0.0; C::KEPT * U],
            ain: vec![0.0; rows],
            ah: vec![0.0; rows],
            joined: vec![0.0; F + U],
            started: false,
        }
    }

    fn reset(state: &mut StepState) {
        state.h.fill(0.0);
        state.kept.fill(0.0);
        state.started = false;
    }

    fn step(&self, state: &mut StepState, x: &[f32], y: &mut [f32]) {
        let rows = Self::ROWS;
        if C::SUMS_PROJECTIONS {
            // `[W_ih W_hh]` is one `rows x (F + U)` matrix in memory: one
            // product over `[x; h]`, its sum in `ain` (`ah` stays zero).
            state.joined[..F].copy_from_slice(x);
            state.joined[F..].copy_from_slice(&state.h);
            gemv_ld(&self.kernels.values, rows, rows, &state.joined, &mut state.ain, false);
        } else {
            gemv_ld(self.kernels.input_values(), rows, rows, x, &mut state.ain, false);
            gemv_ld(self.kernels.recurrent_values(), rows, rows, &state.h, &mut state.ah, false);
        }
        let (b_ih, b_hh) = (self.biases.input_values(), self.biases.recurrent_values());
        let s = &mut *state;
        simd::vectorized(
            #[inline(always)]
            || {
                let (ain, ah) = (stacked::<U>(&s.ain, C::GATES), stacked::<U>(&s.ah, C::GATES));
                let kept_prev = s.started.then_some(&s.kept[..]);
                C::cell_forward::<U>(&ain, &ah, b_ih, b_hh, &s.h, kept_prev, &mut s.h_next, &mut s.kept_next);
            },
        );
        core::mem::swap(&mut state.h, &mut state.h_next);
        core::mem::swap(&mut state.kept, &mut state.kept_next);
        state.started = true;
        y.copy_from_slice(&state.h);
    }
}
