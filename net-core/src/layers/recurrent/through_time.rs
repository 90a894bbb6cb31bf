//! Forward and backpropagation through time over whole sequences.
//!
//! A forward computes the input projections of every step of every sample
//! in one matrix product (`W_ih * x` over `T * samples` columns), then
//! runs the recurrence step by step (`W_hh * h` over the samples). Backward
//! walks the steps in reverse, carrying the state gradient, and finishes
//! with one product each for the kernel gradients and the input gradient.

use super::layout::{blocks_pair, gates, gates_mut, product_into_rows, row_sums, Layout};
use super::masks::Groups;
use super::workspace::Workspace;
use super::{Cell, Recurrent, RecurrentGrads};
use crate::layers::HeapTensor;
use crate::linalg::{matmul, simd, Accum, Operand};
use crate::phase::Phase;

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
    /// The forward of `cols` sequences `x` into `y`; keeps every step in
    /// `ws` when `keep` (for backward), else two steps at a time.
    pub(super) fn forward(
        &self,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        groups: &Groups,
        ws: &mut Workspace,
        keep: bool,
    ) {
        let (rows, n) = (Self::ROWS, T * cols);
        let steps = if keep { T } else { 1 };
        let blocks = if keep { T + 1 } else { 2 };
        ws.ain.resize(rows * n, 0.0);
        ws.ah.resize(rows * cols * steps, 0.0);
        ws.h.resize(U * cols * blocks, 0.0);
        ws.kept.resize(C::KEPT * U * cols * blocks, 0.0);
        ws.h[..U * cols].fill(0.0);
        if groups.state_mask {
            ws.masked_h.resize(groups.state * U * cols * steps, 0.0);
        }
        self.input_projections(x, cols, groups, ws);
        let ain_layout = Layout::new(groups.input, rows, n);
        let ah_layout = Layout::new(groups.state, rows, cols * steps);
        for t in 0..T {
            let step = if keep { t } else { 0 };
            let (prev, next) = if keep { (t, t + 1) } else { (t % 2, (t + 1) % 2) };
            self.state_projections(cols, groups, ws, prev, step, steps);
            let (h_prev, h) = blocks_pair(&mut ws.h, U * cols, prev, next);
            let kept_len = C::KEPT * U * cols;
            let (kept_prev, kept) = blocks_pair(&mut ws.kept, kept_len, prev, next);
            let kept_prev = (t > 0).then_some(&*kept_prev);
            let (ain, ah) = (&ws.ain[..], &ws.ah[..]);
            let (b_ih, b_hh) = (self.biases.input_values(), self.biases.recurrent_values());
            simd::vectorized(
                #[inline(always)]
                || {
                    for j in 0..cols {
                        let ain = gates(ain, &ain_layout, C::GATES, U, j * T + t);
                        let ah = gates(ah, &ah_layout, C::GATES, U, step * cols + j);
                        let kept_prev = kept_prev.map(|k| &k[j * C::KEPT * U..(j + 1) * C::KEPT * U]);
                        C::cell_forward::<U>(
                            &ain,
                            &ah,
                            b_ih,
                            b_hh,
                            &h_prev[j * U..(j + 1) * U],
                            kept_prev,
                            &mut h[j * U..(j + 1) * U],
                            &mut kept[j * C::KEPT * U..(j + 1) * C::KEPT * U],
                        );
                    }
                },
            );
            let h = &ws.h[next * U * cols..(next + 1) * U * cols];
            if SEQ {
                for (j, state) in h.chunks_exact(U).enumerate() {
                    y[(j * T + t) * U..(j * T + t + 1) * U].copy_from_slice(state);
                }
            } else if t + 1 == T {
                y[..U * cols].copy_from_slice(h);
            }
        }
    }

    /// Backpropagation through time of the last kept forward: the input
    /// gradient into `dx` and the parameter gradients into `grads`, when
    /// asked for.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn backward(
        &self,
        x: &[f32],
        dy: &[f32],
        cols: usize,
        groups: &Groups,
        ws: &mut Workspace,
        dx: Option<&mut [f32]>,
        grads: Option<&mut RecurrentGrads<C, U, F>>,
    ) {
        let (rows, n) = (Self::ROWS, T * cols);
        ws.dain.resize(rows * n, 0.0);
        ws.dah.resize(rows * n, 0.0);
        ws.dh.resize(U * cols, 0.0);
        ws.dh_next.resize(U * cols, 0.0);
        ws.carry.resize(U * cols, 0.0);
        ws.dh_next.fill(0.0);
        ws.carry.fill(0.0);
        let ain_layout = Layout::new(groups.input, rows, n);
        let ah_layout = Layout::new(groups.state, rows, n);
        for t in (0..T).rev() {
            // The state's gradient: from the output, plus from the next step.
            for j in 0..cols {
                let from_output = if SEQ {
                    Some(&dy[(j * T + t) * U..(j * T + t + 1) * U])
                } else {
                    (t + 1 == T).then(|| &dy[j * U..(j + 1) * U])
                };
                let dh = &mut ws.dh[j * U..(j + 1) * U];
                dh.copy_from_slice(&ws.dh_next[j * U..(j + 1) * U]);
                if let Some(g) = from_output {
                    dh.iter_mut().zip(g).for_each(|(d, &g)| *d += g);
                }
            }
            let kept_len = C::KEPT * U * cols;
            let kept = &ws.kept[(t + 1) * kept_len..(t + 2) * kept_len];
            let kept_prev = (t > 0).then(|| &ws.kept[t * kept_len..(t + 1) * kept_len]);
            let h_prev = &ws.h[t * U * cols..(t + 1) * U * cols];
            let (dain, dah, dh, carry, dh_next) =
                (&mut ws.dain, &mut ws.dah, &ws.dh, &mut ws.carry, &mut ws.dh_next);
            simd::vectorized(
                #[inline(always)]
                || {
                    for j in 0..cols {
                        let mut dain_gates = gates_mut(dain, &ain_layout, C::GATES, U, j * T + t);
                        let mut dah_gates = gates_mut(dah, &ah_layout, C::GATES, U, t * cols + j);
                        let kept_len = C::KEPT * U;
                        C::cell_backward::<U>(
                            &dh[j * U..(j + 1) * U],
                            &mut carry[j * U..(j + 1) * U],
                            &kept[j * kept_len..(j + 1) * kept_len],
                            kept_prev.map(|k| &k[j * kept_len..(j + 1) * kept_len]),
                            &h_prev[j * U..(j + 1) * U],
                            &mut dain_gates,
                            &mut dah_gates,
                            &mut dh_next[j * U..(j + 1) * U],
                        );
                    }
                },
            );
            if t > 0 {
                self.state_gradient(cols, groups, ws, t);
            }
        }
        if let Some(grads) = grads {
            self.parameter_gradients(x, cols, groups, ws, grads);
        }
        if let Some(dx) = dx {
            self.input_gradient(cols, groups, ws, dx);
        }
    }

    /// Adds `W_hh^T * dah` (masked) of step `t` to the previous state's
    /// gradient, one product per state group.
    fn state_gradient(&self, cols: usize, groups: &Groups, ws: &mut Workspace, t: usize) {
        let rows = Self::ROWS;
        let state_rows = rows / groups.state;
        let w_hh = self.kernels.recurrent_values();
        for g in 0..groups.state {
            let w_t = Operand { data: &w_hh[g * state_rows..], row_stride: rows, col_stride: 1 };
            let at = (g * T + t) * state_rows * cols;
            let dah = Operand::cols(&ws.dah[at..at + state_rows * cols], state_rows);
            if !groups.state_mask {
                matmul(U, state_rows, cols, w_t, dah, &mut ws.dh_next, Accum::Add);
                continue;
            }
            ws.scratch.resize(U * cols, 0.0);
            matmul(U, state_rows, cols, w_t, dah, &mut ws.scratch, Accum::Replace);
            let mask = &ws.state_masks[g * U * cols..(g + 1) * U * cols];
            ws.dh_next.iter_mut().zip(&ws.scratch).zip(mask).for_each(|((d, &v), &m)| *d += v * m);
        }
    }

    /// The kernel and bias gradients from every step's projection
    /// gradients: one product per group for each kernel.
    fn parameter_gradients(
        &self,
        x: &[f32],
        cols: usize,
        groups: &Groups,
        ws: &mut Workspace,
        grads: &mut RecurrentGrads<C, U, F>,
    ) {
        let (rows, n) = (Self::ROWS, T * cols);
        let (kernels, biases) = grads.both_mut();
        let (dw_ih, dw_hh) = kernels.split_mut();
        let input_rows = rows / groups.input;
        for g in 0..groups.input {
            let x_in: &[f32] = if groups.input_mask { &ws.masked_x[g * F * n..(g + 1) * F * n] } else { x };
            let dain = Operand::cols(&ws.dain[g * input_rows * n..(g + 1) * input_rows * n], input_rows);
            product_into_rows(
                input_rows,
                n,
                F,
                dain,
                Operand::transposed(x_in, F),
                dw_ih,
                rows,
                g * input_rows,
                &mut ws.scratch,
            );
        }
        let state_rows = rows / groups.state;
        for g in 0..groups.state {
            let h_in: &[f32] =
                if groups.state_mask { &ws.masked_h[g * U * n..(g + 1) * U * n] } else { &ws.h[..U * n] };
            let dah = Operand::cols(&ws.dah[g * state_rows * n..(g + 1) * state_rows * n], state_rows);
            product_into_rows(
                state_rows,
                n,
                U,
                dah,
                Operand::transposed(h_in, U),
                dw_hh,
                rows,
                g * state_rows,
                &mut ws.scratch,
            );
        }
        let (db_ih, db_hh) = biases.values_mut().split_at_mut(rows);
        row_sums(&ws.dain, &Layout::new(groups.input, rows, n), n, db_ih);
        row_sums(&ws.dah, &Layout::new(groups.state, rows, n), n, db_hh);
    }

    /// `dx = sum over input groups of mask * (W_ih^T * dain)`.
    fn input_gradient(&self, cols: usize, groups: &Groups, ws: &mut Workspace, dx: &mut [f32]) {
        let (rows, n) = (Self::ROWS, T * cols);
        let input_rows = rows / groups.input;
        let w_ih = self.kernels.input_values();
        for g in 0..groups.input {
            let w_t = Operand { data: &w_ih[g * input_rows..], row_stride: rows, col_stride: 1 };
            let dain = Operand::cols(&ws.dain[g * input_rows * n..(g + 1) * input_rows * n], input_rows);
            if !groups.input_mask {
                matmul(F, input_rows, n, w_t, dain, dx, Accum::Replace);
                continue;
            }
            ws.scratch.resize(F * n, 0.0);
            matmul(F, input_rows, n, w_t, dain, &mut ws.scratch, Accum::Replace);
            let masks = &ws.input_masks[g * F * cols..(g + 1) * F * cols];
            let samples =
                dx.chunks_exact_mut(T * F).zip(ws.scratch.chunks_exact(T * F)).zip(masks.chunks_exact(F));
            for ((dx, grad), mask) in samples {
                for (dx, grad) in dx.chunks_exact_mut(F).zip(grad.chunks_exact(F)) {
                    for ((d, &v), &m) in dx.iter_mut().zip(grad).zip(mask) {
                        *d = if g == 0 { v * m } else { *d + v * m };
                    }
                }
            }
        }
    }

    /// `W_hh * h_prev` (masked) for one step, one product per state group,
    /// into the step's block of `ws.ah`.
    fn state_projections(
        &self,
        cols: usize,
        groups: &Groups,
        ws: &mut Workspace,
        prev: usize,
        step: usize,
        steps: usize,
    ) {
        let rows = Self::ROWS;
        let state_rows = rows / groups.state;
        let w_hh = self.kernels.recurrent_values();
        for g in 0..groups.state {
            let h_prev = &ws.h[prev * U * cols..(prev + 1) * U * cols];
            let h_in: &[f32] = if groups.state_mask {
                let at = (g * steps + step) * U * cols;
                let mask = &ws.state_masks[g * U * cols..(g + 1) * U * cols];
                let masked = &mut ws.masked_h[at..at + U * cols];
                masked.iter_mut().zip(h_prev).zip(mask).for_each(|((m, &h), &k)| *m = h * k);
                &ws.masked_h[at..at + U * cols]
            } else {
                h_prev
            };
            let w = Operand { data: &w_hh[g * state_rows..], row_stride: 1, col_stride: rows };
            let at = (g * steps + step) * state_rows * cols;
            let out = &mut ws.ah[at..at + state_rows * cols];
            matmul(state_rows, U, cols, w, Operand::cols(h_in, U), out, Accum::Replace);
        }
    }

    /// `W_ih * x` (masked) for every step of every sample, one product per
    /// input group; keeps the masked inputs for the kernel gradient.
    fn input_projections(&self, x: &[f32], cols: usize, groups: &Groups, ws: &mut Workspace) {
        let (rows, n) = (Self::ROWS, T * cols);
        let group_rows = rows / groups.input;
        let w_ih = self.kernels.input_values();
        if groups.input_mask {
            ws.masked_x.resize(groups.input * F * n, 0.0);
        }
        for g in 0..groups.input {
            let x_in: &[f32] = if groups.input_mask {
                let masked = &mut ws.masked_x[g * F * n..(g + 1) * F * n];
                let masks = &ws.input_masks[g * F * cols..(g + 1) * F * cols];
                for ((sample, out), mask) in
                    x.chunks_exact(T * F).zip(masked.chunks_exact_mut(T * F)).zip(masks.chunks_exact(F))
                {
                    for (step, out) in sample.chunks_exact(F).zip(out.chunks_exact_mut(F)) {
                        out.iter_mut().zip(step).zip(mask).for_each(|((o, &v), &m)| *o = v * m);
                    }
                }
                &ws.masked_x[g * F * n..(g + 1) * F * n]
            } else {
                x
            };
            let w = Operand { data: &w_ih[g * group_rows..], row_stride: 1, col_stride: rows };
            let out = &mut ws.ain[g * group_rows * n..(g + 1) * group_rows * n];
            matmul(group_rows, F, n, w, Operand::cols(x_in, F), out, Accum::Replace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::seeded;
    use super::*;
    use crate::layers::gru::GruCell;
    use crate::layers::lstm::LstmCell;
    use crate::layers::{Grads, Layer};
    use crate::phase::Train;
    use crate::rng::MaskRng;
    use crate::tensor::{Cols, ColsMut};
    use crate::testing::check_layer_gradients;

    #[test]
    fn backward_through_time_matches_finite_differences() {
        check_layer_gradients(seeded::<LstmCell, 4, 3, 5, false>(1), 3);
        check_layer_gradients(seeded::<LstmCell, 3, 2, 4, true>(2), 2);
        check_layer_gradients(seeded::<GruCell, 4, 3, 5, false>(3), 3);
        check_layer_gradients(seeded::<GruCell, 3, 2, 4, true>(4), 2);
    }

    /// `sum(w * y)` of a forward with the masks `masks` holds.
    fn weighted<C: Cell, const T: usize, const F: usize, const U: usize, const SEQ: bool>(
        layer: &Recurrent<C, T, F, U, SEQ, Train, true>,
        masks: &Workspace,
        x: &[f32],
        w: &[f32],
        cols: usize,
    ) -> f64 {
        let groups = masks.groups.expect("a training forward ran");
        let mut ws = masks.clone();
        let mut y = vec![0.0; w.len()];
        layer.forward(x, &mut y, cols, &groups, &mut ws, false);
        y.iter().zip(w).map(|(&a, &b)| a as f64 * b as f64).sum()
    }

    /// Finite differences of a layer with dropout in `Train`, with the masks
    /// of one training forward held fixed.
    fn check_with_fixed_masks<C: Cell, const T: usize, const F: usize, const U: usize, const SEQ: bool>(
        dropout: f32,
        recurrent_dropout: f32,
    ) {
        let cols = 3;
        let base = seeded::<C, T, F, U, SEQ>(5).into_phase::<Train>(0);
        let mut layer: Recurrent<C, T, F, U, SEQ, Train, true> = Recurrent {
            kernels: base.kernels,
            biases: base.biases,
            dropout: 0.0,
            recurrent_dropout: 0.0,
            masks: MaskRng::new(0),
        }
        .with_dropout(dropout, recurrent_dropout, 11);
        let x: Vec<f32> = (0..T * F * cols).map(|i| ((i * 37 % 19) as f32 / 9.5) - 1.0).collect();
        let out = <Recurrent<C, T, F, U, SEQ, Train, true> as Layer>::OUTPUT;
        let w: Vec<f32> = (0..out * cols).map(|i| ((i * 11 % 13) as f32 / 6.5) - 1.0).collect();
        let mut ws = Workspace::default();
        let mut y = vec![0.0; out * cols];
        layer.train_forward(Cols::new(&x, T * F), ColsMut::new(&mut y, out), &mut ws);
        let groups = ws.groups.unwrap();
        assert_eq!(groups.input_mask, dropout > 0.0);
        assert_eq!(groups.state_mask, recurrent_dropout > 0.0);
        let masks = ws.clone();
        let (mut dy, mut dx) = (w.clone(), vec![0.0; x.len()]);
        let mut grads = RecurrentGrads::<C, U, F>::zeros();
        layer.train_backward(
            Cols::new(&x, T * F),
            Cols::new(&y, out),
            ColsMut::new(&mut dy, out),
            &mut ws,
            Some(ColsMut::new(&mut dx, T * F)),
            Some(&mut grads),
        );
        let h = 1e-2f64;
        let close = |numeric: f64, analytic: f32| {
            (numeric - analytic as f64).abs() <= 2e-3 + 2e-2 * analytic.abs() as f64
        };
        for i in 0..x.len() {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus[i] += h as f32;
            minus[i] -= h as f32;
            let numeric = (weighted(&layer, &masks, &plus, &w, cols)
                - weighted(&layer, &masks, &minus, &w, cols))
                / (plus[i] as f64 - minus[i] as f64);
            assert!(close(numeric, dx[i]), "input {i}: numeric {numeric}, analytic {}", dx[i]);
        }
        let analytic: Vec<f32> =
            grads.weights().values().iter().chain(grads.bias().values()).copied().collect();
        let kernel_len = grads.weights().values().len();
        for (e, &g) in analytic.iter().enumerate() {
            let moved = |delta: f32| {
                let mut probe = layer.clone();
                if e < kernel_len {
                    probe.kernels.values[e] += delta;
                } else {
                    probe.biases.values[e - kernel_len] += delta;
                }
                weighted(&probe, &masks, &x, &w, cols)
            };
            let numeric = (moved(h as f32) - moved(-h as f32)) / (2.0 * h);
            assert!(close(numeric, g), "parameter {e}: numeric {numeric}, analytic {g}");
        }
    }

    #[test]
    fn backward_with_dropout_masks_matches_finite_differences() {
        check_with_fixed_masks::<LstmCell, 3, 3, 4, false>(0.3, 0.0);
        check_with_fixed_masks::<LstmCell, 3, 3, 4, true>(0.3, 0.4);
        check_with_fixed_masks::<LstmCell, 3, 3, 4, false>(0.0, 0.4);
        check_with_fixed_masks::<GruCell, 3, 3, 4, true>(0.3, 0.0);
        check_with_fixed_masks::<GruCell, 3, 3, 4, false>(0.3, 0.4);
        check_with_fixed_masks::<GruCell, 3, 3, 4, true>(0.0, 0.4);
    }
}
