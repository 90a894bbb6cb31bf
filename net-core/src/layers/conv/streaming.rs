//! A causal convolution one step at a time.

use super::geometry::Geometry;
use super::layer::Conv;
use crate::layers::activation::ActivationFn;
use crate::layers::{StepWidth, Streamable};
use crate::linalg::{gemv_ld, simd};
use crate::no_std_prelude::*;

/// The last `D * (K - 1) + 1` input steps of a streaming causal
/// convolution, a ring of `C` values per step (zeros before the first),
/// and room for the patch of the current step.
#[derive(Clone, Debug)]
pub struct RecentSteps {
    steps: Vec<f32>,
    next: usize,
    patch: Vec<f32>,
}

/// A causal convolution one step at a time: each output step is the
/// kernel over this step and the `D * (K - 1)` before it. Other
/// convolutions read steps that have not arrived yet.
impl<G: Geometry, const F: usize, A: ActivationFn, const BIAS: bool> Streamable for Conv<G, F, A, BIAS> {
    const STEP: StepWidth = if G::CAUSAL {
        StepWidth::Fixed { input: G::C, output: F }
    } else if G::RANK == 2 {
        StepWidth::NotCausal("a 2-D convolution has no time axis to step along")
    } else if G::SW > 1 {
        StepWidth::NotCausal("a convolution with a stride above 1 gives one output every few steps")
    } else {
        StepWidth::NotCausal("a convolution without `padding = Causal` reads steps that have not arrived yet")
    };
    type State = RecentSteps;

    fn initial_state() -> RecentSteps {
        let (c, taps, d) = (G::C, G::KW, G::DW);
        RecentSteps { steps: vec![0.0; (d * (taps - 1) + 1) * c], next: 0, patch: vec![0.0; taps * c] }
    }

    fn reset(state: &mut RecentSteps) {
        state.steps.fill(0.0);
        state.next = 0;
    }

    fn step(&self, state: &mut RecentSteps, x: &[f32], y: &mut [f32]) {
        let (c, taps, d) = (G::C, G::KW, G::DW);
        let span = d * (taps - 1) + 1;
        let now = state.next;
        state.steps[now * c..(now + 1) * c].copy_from_slice(x);
        state.next = (now + 1) % span;
        // The patch in the kernel's order (tap `k` reads the step
        // `D * (K - 1 - k)` before this one), then one product with the
        // `F x K C` kernel.
        for tap in 0..taps {
            let back = d * (taps - 1 - tap);
            let slot = (now + span - back % span) % span;
            state.patch[tap * c..(tap + 1) * c].copy_from_slice(&state.steps[slot * c..(slot + 1) * c]);
        }
        if BIAS {
            y.copy_from_slice(&self.bias.values);
        }
        gemv_ld(&self.weights.values, F, F, &state.patch, y, BIAS);
        simd::vectorized(
            #[inline(always)]
            || A::activate(F, y),
        );
    }
}
