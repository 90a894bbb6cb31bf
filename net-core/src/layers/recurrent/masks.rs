//! Dropout, as Keras 3 applies it to a recurrent layer: masks drawn once
//! per sequence (per sample), shared by every step, inverted. With
//! `dropout` alone one input mask serves every gate; with
//! `recurrent_dropout` every gate has its own input mask (all ones without
//! `dropout`) and its own mask on the state entering its recurrent product
//! (Keras' `implementation=1`).

use super::{Cell, Recurrent};
use crate::layers::dropout::{draw, keep_rule};
use crate::no_std_prelude::*;
use crate::phase::Phase;
use crate::rng::MaskRng;

/// Mask grouping for one forward.
#[derive(Clone, Copy, Debug)]
pub(super) struct Groups {
    pub(super) input: usize,
    pub(super) state: usize,
    pub(super) input_mask: bool,
    pub(super) state_mask: bool,
}

impl<
        C: Cell,
        const T: usize,
        const F: usize,
        const U: usize,
        const SEQ: bool,
        P: Phase,
        const DROPOUT: bool,
    > Recurrent<C, T, F, U, SEQ, P, DROPOUT>
{
    /// How the masks are grouped for the current rates: `(input groups,
    /// state groups)`, each 1 or `GATES` (see the module's notes).
    pub(super) fn groups(&self, masked: bool) -> Groups {
        if !masked {
            return Groups { input: 1, state: 1, input_mask: false, state_mask: false };
        }
        let per_gate = self.recurrent_dropout > 0.0;
        let input_mask = self.dropout > 0.0;
        Groups {
            input: if per_gate && input_mask { C::GATES } else { 1 },
            state: if per_gate { C::GATES } else { 1 },
            input_mask,
            state_mask: per_gate,
        }
    }

    /// Draws the masks of `cols` sequences from words starting at `start`
    /// into `(input masks, state masks)`.
    pub(super) fn draw_masks(
        rates: (f32, f32),
        rng: &MaskRng,
        start: u64,
        groups: &Groups,
        cols: usize,
        (input_masks, state_masks): (&mut Vec<f32>, &mut Vec<f32>),
    ) {
        let input = groups.input * F * cols;
        let state = groups.state * U * cols;
        input_masks.resize(input, 0.0);
        state_masks.resize(state, 0.0);
        if groups.input_mask {
            let (threshold, scale) = keep_rule(rates.0);
            let masks = input_masks;
            draw(rng, start, input, threshold, |i, kept| masks[i] = if kept { scale } else { 0.0 });
        }
        if groups.state_mask {
            let (threshold, scale) = keep_rule(rates.1);
            let masks = state_masks;
            let start = start.wrapping_add(input.div_ceil(2) as u64);
            draw(rng, start, state, threshold, |i, kept| masks[i] = if kept { scale } else { 0.0 });
        }
    }

    /// Mask words one forward of `cols` sequences reserves.
    pub(super) fn mask_words(groups: &Groups, cols: usize) -> u64 {
        ((groups.input * F * cols).div_ceil(2) + (groups.state * U * cols).div_ceil(2)) as u64
    }
}
