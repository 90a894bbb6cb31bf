//! Dropout, as Keras 3 applies it to a recurrent layer: masks drawn once
//! per sequence (per sample), shared by every step, inverted. With
//! `dropout` alone one input mask serves every gate; with
//! `recurrent_dropout` every gate has its own input mask (all ones without
//! `dropout`) and its own mask on the state entering its recurrent product
//! (Keras' `implementation=1`).

use super::workspace::Workspace;
use super::{Cell, Recurrent};
use crate::layers::dropout::{draw, keep_rule};
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

    /// Draws the masks of `cols` sequences from words starting at `start`.
    pub(super) fn draw_masks(
        rates: (f32, f32),
        rng: &MaskRng,
        start: u64,
        groups: &Groups,
        cols: usize,
        ws: &mut Workspace,
    ) {
        let input = groups.input * F * cols;
        let state = groups.state * U * cols;
        ws.input_masks.resize(input, 0.0);
        ws.state_masks.resize(state, 0.0);
        if groups.input_mask {
            let (threshold, scale) = keep_rule(rates.0);
            let masks = &mut ws.input_masks;
            draw(rng, start, input, threshold, |i, kept| masks[i] = if kept { scale } else { 0.0 });
        }
        if groups.state_mask {
            let (threshold, scale) = keep_rule(rates.1);
            let masks = &mut ws.state_masks;
            let start = start.wrapping_add(input.div_ceil(2) as u64);
            draw(rng, start, state, threshold, |i, kept| masks[i] = if kept { scale } else { 0.0 });
        }
    }

    /// Mask words one forward of `cols` sequences reserves.
    pub(super) fn mask_words(groups: &Groups, cols: usize) -> u64 {
        ((groups.input * F * cols).div_ceil(2) + (groups.state * U * cols).div_ceil(2)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gru::GruCell;
    use crate::layers::lstm::LstmCell;
    use crate::layers::Layer;
    use crate::phase::Train;
    use crate::tensor::{Cols, ColsMut};

    #[test]
    fn the_input_mask_is_the_same_at_every_step() {
        // An identity-like probe: with dropout alone, every step of a
        // sample sees the same input mask, per gate or not.
        let mut layer = Recurrent::<GruCell, 6, 5, 3, true, Train, true>::zeros().with_dropout(0.5, 0.0, 3);
        let x = vec![1.0f32; 6 * 5 * 4];
        let mut y = vec![0.0; 6 * 3 * 4];
        let mut ws = Workspace::default();
        layer.train_forward(Cols::new(&x, 30), ColsMut::new(&mut y, 18), &mut ws);
        let masked = &ws.masked_x;
        for sample in masked.chunks_exact(30) {
            let first = &sample[..5];
            assert!(sample.chunks_exact(5).all(|step| step == first), "{sample:?}");
            assert!(first.iter().all(|&m| m == 0.0 || m == 2.0));
        }
        // With recurrent dropout each gate has its own masks.
        let mut layer = Recurrent::<LstmCell, 4, 8, 8, false, Train, true>::zeros().with_dropout(0.5, 0.5, 3);
        let x = vec![1.0f32; 4 * 8 * 16];
        let mut y = vec![0.0; 8 * 16];
        layer.train_forward(Cols::new(&x, 32), ColsMut::new(&mut y, 8), &mut ws);
        assert_eq!(ws.input_masks.len(), 4 * 8 * 16);
        assert_eq!(ws.state_masks.len(), 4 * 8 * 16);
        let gate = |masks: &[f32], g: usize| masks[g * 128..(g + 1) * 128].to_vec();
        assert_ne!(gate(&ws.input_masks, 0), gate(&ws.input_masks, 1));
        assert_ne!(gate(&ws.state_masks, 2), gate(&ws.state_masks, 3));
    }
}
