//! What `Lstm` and `Gru` share: a recurrent layer over `[T, F]` sequences
//! (one sample flat, each step's `F` features fastest) computing PyTorch's
//! equations from a zero state, Keras' dropout masks, backpropagation
//! through time, PyTorch's tensors. The gate equations live in the cells
//! (`lstm.rs`, `gru.rs`).
//!
//! A forward computes the input projections of every step of every sample
//! in one matrix product (`W_ih * x` over `T * samples` columns), then
//! runs the recurrence step by step (`W_hh * h` over the samples). Backward
//! walks the steps in reverse, carrying the state gradient, and finishes
//! with one product each for the kernel gradients and the input gradient.
//!
//! Dropout, as Keras 3 applies it: masks drawn once per sequence (per
//! sample), shared by every step, inverted. With `dropout` alone one input
//! mask serves every gate; with `recurrent_dropout` every gate has its own
//! input mask (all ones without `dropout`) and its own mask on the state
//! entering its recurrent product (Keras' `implementation=1`).

use std::fmt;
use std::marker::PhantomData;

use rand::Rng;

use super::dropout::{draw, keep_rule};
use super::grads::WeightBiasGrads;
use super::noise::MaskStream;
use super::{Heap, HeapTensor, Init, Layer, StepWidth, Streamable, Tensors};
use crate::linalg::{gemv_ld, matmul, simd, Accum, Operand};
use crate::phase::{Eval, Phase, PhaseMut, PhaseRef};
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

/// The gates of a recurrent cell: how one step turns the input and state
/// projections into the new state, and back.
///
/// Each function handles one sample at one step. Gate `k`'s pre-activation
/// parts are `ain[k]` (its rows of `W_ih * x`) and `ah[k]` (of
/// `W_hh * h`), `U` values each, biases not yet added. `U` is a type
/// parameter so that the loops over units have a known length: the
/// compiler then vectorises them at a width that fits (8 lanes for 8
/// units), where a run-time length vectorises only from 64 units up.
pub trait Cell: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// `"Lstm"` or `"Gru"`.
    const NAME: &'static str;
    /// Gates, in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n).
    const GATES: usize;
    /// Values kept per unit and step for backward.
    const KEPT: usize;
    /// Whether the cell only needs `ain + ah` (the LSTM; the GRU keeps the
    /// recurrent part of its candidate apart): one streamed step then makes
    /// a single product over the input and the state together.
    const SUMS_PROJECTIONS: bool;
    /// The initial value of `bias_ih` for `gate` (Keras' unit forget bias
    /// for the LSTM; zero otherwise).
    fn initial_bias(gate: usize) -> f32;

    /// One step: the new state `h` (and what backward needs, in `kept`)
    /// from the projections, the biases, the previous state `h_prev` and
    /// the previous step's `kept_prev` (`None` at the first step).
    #[allow(clippy::too_many_arguments)]
    fn cell_forward<const U: usize>(
        ain: &[&[f32]; 4],
        ah: &[&[f32]; 4],
        b_ih: &[f32],
        b_hh: &[f32],
        h_prev: &[f32],
        kept_prev: Option<&[f32]>,
        h: &mut [f32],
        kept: &mut [f32],
    );

    /// One step back: from the gradient `dh` of the state this step made
    /// and the cell's own carried gradient `carry` (updated to the previous
    /// step's), the gradients of the input and state projections (`dain`,
    /// `dah`) and the part of the previous state's gradient that does not
    /// go through `W_hh` (`dh_prev`, overwritten).
    #[allow(clippy::too_many_arguments)]
    fn cell_backward<const U: usize>(
        dh: &[f32],
        carry: &mut [f32],
        kept: &[f32],
        kept_prev: Option<&[f32]>,
        h_prev: &[f32],
        dain: &mut [&mut [f32]; 4],
        dah: &mut [&mut [f32]; 4],
        dh_prev: &mut [f32],
    );
}

/// Both kernels of a recurrent layer, gates stacked as PyTorch stacks them:
/// `weight_ih` (`GATES * U x F`) then `weight_hh` (`GATES * U x U`), each
/// column-major in memory (saved row-major as `[GATES * U, F]` and
/// `[GATES * U, U]`).
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Reader { input: [5, 3], rnn: Gru<4>, out: Dense<1> } }
/// let mut net = Reader::<Eval>::seeded(1);
/// net.rnn.weights_mut().set_input(2, 1, 0, 0.5); // gate n, unit 1, feature 0
/// assert_eq!(net.rnn.weights().input(2, 1, 0), 0.5);
/// assert_eq!(net.rnn.weights().input_values().len(), 3 * 4 * 3);
/// assert_eq!(net.rnn.weights().recurrent_values().len(), 3 * 4 * 4);
/// ```
pub struct GateKernels<C: Cell, const U: usize, const F: usize> {
    values: Box<[f32]>,
    cell: PhantomData<C>,
}

impl<C: Cell, const U: usize, const F: usize> GateKernels<C, U, F> {
    const ROWS: usize = C::GATES * U;

    /// `weight_ih`, column-major.
    pub fn input_values(&self) -> &[f32] {
        &self.values[..Self::ROWS * F]
    }

    /// `weight_hh`, column-major.
    pub fn recurrent_values(&self) -> &[f32] {
        &self.values[Self::ROWS * F..]
    }

    fn split_mut(&mut self) -> (&mut [f32], &mut [f32]) {
        self.values.split_at_mut(Self::ROWS * F)
    }

    fn row(gate: usize, unit: usize) -> usize {
        assert!(
            gate < C::GATES && unit < U,
            "gate {gate}, unit {unit} is outside {} gates of {U} units",
            C::GATES
        );
        gate * U + unit
    }

    /// The input weight of `gate`'s `unit` for `feature`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn input(&self, gate: usize, unit: usize, feature: usize) -> f32 {
        assert!(feature < F, "feature {feature} is outside {F}");
        self.values[feature * Self::ROWS + Self::row(gate, unit)]
    }

    /// Sets an input weight (see [`input`](Self::input)).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn set_input(&mut self, gate: usize, unit: usize, feature: usize, value: f32) {
        assert!(feature < F, "feature {feature} is outside {F}");
        self.values[feature * Self::ROWS + Self::row(gate, unit)] = value;
    }

    /// The recurrent weight of `gate`'s `unit` for the previous state's
    /// unit `from`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn recurrent(&self, gate: usize, unit: usize, from: usize) -> f32 {
        assert!(from < U, "unit {from} is outside {U}");
        self.values[Self::ROWS * F + from * Self::ROWS + Self::row(gate, unit)]
    }

    /// Sets a recurrent weight (see [`recurrent`](Self::recurrent)).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn set_recurrent(&mut self, gate: usize, unit: usize, from: usize, value: f32) {
        assert!(from < U, "unit {from} is outside {U}");
        self.values[Self::ROWS * F + from * Self::ROWS + Self::row(gate, unit)] = value;
    }
}

impl<C: Cell, const U: usize, const F: usize> HeapTensor for GateKernels<C, U, F> {
    const LEN: usize = C::GATES * U * (F + U);
    fn zeroed() -> Box<Self> {
        let len = C::GATES * U * (F + U);
        Box::new(GateKernels { values: vec![0.0; len].into_boxed_slice(), cell: PhantomData })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<C: Cell, const U: usize, const F: usize> fmt::Debug for GateKernels<C, U, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GateKernels[{} gates x {U} units; {F} inputs, {U} recurrent]", C::GATES)
    }
}

/// Both biases of a recurrent layer: `bias_ih` then `bias_hh`, `GATES * U`
/// values each, gates stacked as PyTorch stacks them.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Reader { input: [5, 3], rnn: Lstm<4>, out: Dense<1> } }
/// let net = Reader::<Eval>::seeded(1);
/// // Keras' unit forget bias: 1 on the forget gate of `bias_ih`.
/// assert_eq!(net.rnn.bias().input(1, 3), 1.0);
/// assert_eq!(net.rnn.bias().recurrent(1, 3), 0.0);
/// ```
pub struct GateBiases<C: Cell, const U: usize> {
    values: Box<[f32]>,
    cell: PhantomData<C>,
}

impl<C: Cell, const U: usize> GateBiases<C, U> {
    const ROWS: usize = C::GATES * U;

    /// `bias_ih`.
    pub fn input_values(&self) -> &[f32] {
        &self.values[..Self::ROWS]
    }

    /// `bias_hh`.
    pub fn recurrent_values(&self) -> &[f32] {
        &self.values[Self::ROWS..]
    }

    /// `bias_ih` of `gate`'s `unit`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn input(&self, gate: usize, unit: usize) -> f32 {
        self.values[GateKernels::<C, U, 0>::row(gate, unit)]
    }

    /// `bias_hh` of `gate`'s `unit`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn recurrent(&self, gate: usize, unit: usize) -> f32 {
        self.values[Self::ROWS + GateKernels::<C, U, 0>::row(gate, unit)]
    }
}

impl<C: Cell, const U: usize> HeapTensor for GateBiases<C, U> {
    const LEN: usize = 2 * C::GATES * U;
    fn zeroed() -> Box<Self> {
        Box::new(GateBiases { values: vec![0.0; 2 * C::GATES * U].into_boxed_slice(), cell: PhantomData })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<C: Cell, const U: usize> fmt::Debug for GateBiases<C, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values.iter()).finish()
    }
}

/// The gradients of a recurrent layer: [`GateKernels`] and [`GateBiases`].
pub type RecurrentGrads<C, const U: usize, const F: usize> =
    WeightBiasGrads<GateKernels<C, U, F>, GateBiases<C, U>>;

/// A recurrent layer with cell `C` (`Lstm` or `Gru`) over `T` steps of `F`
/// features, `U` units, returning every step's state (`SEQ`, Keras'
/// `return_sequences`) or the last one; `DROPOUT` when it has dropout
/// options (then its behaviour depends on the phase `P`). Written
/// `Lstm<U, ..>` or `Gru<U, ..>` in `network!`, which works out the rest.
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Recurrent<
    C: Cell,
    const T: usize,
    const F: usize,
    const U: usize,
    const SEQ: bool,
    P: Phase = Eval,
    const DROPOUT: bool = false,
> {
    /// `weight_ih` then `weight_hh`, column-major: together one
    /// `GATES*U x (F + U)` matrix, so a streamed step is one product over
    /// the input and the state.
    #[param("weight_ih_l0", shape = [C::GATES * U, F], axes = [1, 0], kernel, weights)]
    #[param("weight_hh_l0", shape = [C::GATES * U, U], axes = [1, 0], kernel)]
    kernels: Heap<GateKernels<C, U, F>>,
    #[param("bias_ih_l0", shape = [C::GATES * U], bias)]
    #[param("bias_hh_l0", shape = [C::GATES * U])]
    biases: Heap<GateBiases<C, U>>,
    dropout: f32,
    recurrent_dropout: f32,
    masks: P::Data<MaskStream>,
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
    const ROWS: usize = C::GATES * U;

    /// A layer with every parameter zero and no dropout.
    pub fn zeros() -> Self {
        Recurrent {
            kernels: Heap::zeroed(),
            biases: Heap::zeroed(),
            dropout: 0.0,
            recurrent_dropout: 0.0,
            masks: P::new_data::<MaskStream>(|| MaskRng::new(0), || ()),
        }
    }

    /// Keras' initialisation drawn from `rng`: Glorot-uniform over the
    /// whole input kernel (fan-in `F`, fan-out `GATES * U`), orthogonal
    /// over the whole recurrent kernel, zero biases but the LSTM's forget
    /// gate in `bias_ih` (1).
    pub fn keras<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        let rows = Self::ROWS;
        let (input, recurrent) = layer.kernels.split_mut();
        crate::init::glorot_uniform(rng, F, rows, input);
        crate::init::orthogonal(rng, rows, U, recurrent);
        for gate in 0..C::GATES {
            layer.biases.values[gate * U..(gate + 1) * U].fill(C::initial_bias(gate));
        }
        layer
    }

    /// The layer with `dropout` on its input and `recurrent_dropout` on its
    /// state, `seed` seeding the masks in `Train`.
    ///
    /// # Panics
    /// If a rate is outside `[0, 1)` (`network!` checks this at compile time).
    pub fn with_dropout(mut self, dropout: f32, recurrent_dropout: f32, seed: u64) -> Self {
        for (name, rate) in [("dropout", dropout), ("recurrent_dropout", recurrent_dropout)] {
            assert!((0.0..1.0).contains(&rate), "{name} {rate} is outside [0, 1)");
        }
        self.dropout = dropout;
        self.recurrent_dropout = recurrent_dropout;
        self.masks = P::new_data::<MaskStream>(|| MaskRng::new(seed), || ());
        self
    }

    /// The fraction of input values dropped while training.
    pub fn dropout(&self) -> f32 {
        self.dropout
    }

    /// The fraction of state values dropped while training.
    pub fn recurrent_dropout(&self) -> f32 {
        self.recurrent_dropout
    }

    /// How the masks are grouped for the current rates: `(input groups,
    /// state groups)`, each 1 or `GATES` (see the module's notes).
    fn groups(&self, masked: bool) -> Groups {
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
    fn draw_masks(
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
    fn mask_words(groups: &Groups, cols: usize) -> u64 {
        ((groups.input * F * cols).div_ceil(2) + (groups.state * U * cols).div_ceil(2)) as u64
    }

    /// The forward of `cols` sequences `x` into `y`; keeps every step in
    /// `ws` when `keep` (for backward), else two steps at a time.
    fn forward(
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
    fn backward(
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

/// Block `read` of `buf` (blocks of `len` values) and block `write`,
/// mutably; they differ.
fn blocks_pair(buf: &mut [f32], len: usize, read: usize, write: usize) -> (&mut [f32], &mut [f32]) {
    assert_ne!(read, write, "a step reads and writes different blocks");
    if read < write {
        let (low, high) = buf.split_at_mut(write * len);
        (&mut low[read * len..(read + 1) * len], &mut high[..len])
    } else {
        let (low, high) = buf.split_at_mut(read * len);
        (&mut high[..len], &mut low[write * len..(write + 1) * len])
    }
}

/// How the gate rows of a projection are grouped in memory: all gates of a
/// column together (one group), or each gate's rows of every column
/// together (one group per gate, one product each).
struct Layout {
    rows_per_group: usize,
    columns: usize,
}

impl Layout {
    fn new(groups: usize, rows: usize, columns: usize) -> Self {
        Layout { rows_per_group: rows / groups, columns }
    }

    /// Where gate `gate`'s `units` values of column `col` start.
    #[inline(always)]
    fn at(&self, gate: usize, units: usize, col: usize) -> usize {
        let row = gate * units;
        let (group, within) = (row / self.rows_per_group, row % self.rows_per_group);
        (group * self.columns + col) * self.rows_per_group + within
    }
}

/// Gate `k`'s `units` values of column `col` in a projection, for every
/// gate of a cell (unused entries empty).
#[inline(always)]
fn gates<'a>(buf: &'a [f32], layout: &Layout, gates: usize, units: usize, col: usize) -> [&'a [f32]; 4] {
    std::array::from_fn(|k| if k < gates { &buf[layout.at(k, units, col)..][..units] } else { &[][..] })
}

/// The `gates` blocks of `U` values of one column stored gate after gate
/// (unused entries empty).
#[inline(always)]
fn stacked<const U: usize>(buf: &[f32], gates: usize) -> [&[f32]; 4] {
    std::array::from_fn(|k| if k < gates { &buf[k * U..(k + 1) * U] } else { &[][..] })
}

/// Gate `k`'s `units` values of column `col` in a projection gradient,
/// mutably, for every gate of a cell (unused entries empty).
#[inline(always)]
fn gates_mut<'a>(
    buf: &'a mut [f32],
    layout: &Layout,
    gates: usize,
    units: usize,
    col: usize,
) -> [&'a mut [f32]; 4] {
    let mut starts = [usize::MAX; 4];
    for (k, start) in starts.iter_mut().enumerate().take(gates) {
        *start = layout.at(k, units, col);
    }
    // The gates of one column are disjoint ranges: hand them out in
    // address order.
    let mut order: [usize; 4] = [0, 1, 2, 3];
    order[..gates].sort_unstable_by_key(|&k| starts[k]);
    let mut out: [&'a mut [f32]; 4] = Default::default();
    let mut rest = buf;
    let mut offset = 0;
    for &k in &order[..gates] {
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(starts[k] - offset);
        let (gate, tail) = tail.split_at_mut(units);
        out[k] = gate;
        rest = tail;
        offset = starts[k] + units;
    }
    out
}

/// `c = a * b` (`m x n`) written into rows `first..first + m` of the
/// column-major `dst` whose columns have `dst_rows` rows (directly when
/// that is all of them).
#[allow(clippy::too_many_arguments)]
fn product_into_rows(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    dst: &mut [f32],
    dst_rows: usize,
    first: usize,
    scratch: &mut Vec<f32>,
) {
    if m == dst_rows {
        return matmul(m, k, n, a, b, dst, Accum::Replace);
    }
    scratch.resize(m * n, 0.0);
    matmul(m, k, n, a, b, scratch, Accum::Replace);
    for (column, part) in dst.chunks_exact_mut(dst_rows).zip(scratch.chunks_exact(m)) {
        column[first..first + m].copy_from_slice(part);
    }
}

/// The sum over `columns` columns of every gate row of a projection
/// gradient laid out as `layout`.
fn row_sums(buf: &[f32], layout: &Layout, columns: usize, out: &mut [f32]) {
    out.fill(0.0);
    let units = layout.rows_per_group;
    for (group, sums) in out.chunks_exact_mut(units).enumerate() {
        let block = &buf[group * columns * units..(group + 1) * columns * units];
        for column in block.chunks_exact(units) {
            sums.iter_mut().zip(column).for_each(|(s, &g)| *s += g);
        }
    }
}

/// Mask grouping for one forward.
#[derive(Clone, Copy, Debug)]
struct Groups {
    input: usize,
    state: usize,
    input_mask: bool,
    state_mask: bool,
}

/// What a training forward keeps for backward, and room for backward:
/// reused from step to step, so a warmed layer allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    input_masks: Vec<f32>,
    state_masks: Vec<f32>,
    masked_x: Vec<f32>,
    masked_h: Vec<f32>,
    ain: Vec<f32>,
    ah: Vec<f32>,
    h: Vec<f32>,
    kept: Vec<f32>,
    groups: Option<Groups>,
    dain: Vec<f32>,
    dah: Vec<f32>,
    dh: Vec<f32>,
    dh_next: Vec<f32>,
    carry: Vec<f32>,
    scratch: Vec<f32>,
}

thread_local! {
    /// The workspace of inference on this thread (no cache to keep it in).
    static INFER: std::cell::RefCell<Workspace> = std::cell::RefCell::new(Workspace::default());
}

/// Runs `f` with this thread's inference workspace (a fresh one if it is
/// already in use, which only a layer inside another's `f` could cause).
fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    INFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        Err(_) => f(&mut Workspace::default()),
    })
}

impl<
        C: Cell,
        const T: usize,
        const F: usize,
        const U: usize,
        const SEQ: bool,
        P: Phase,
        const DROPOUT: bool,
    > fmt::Debug for Recurrent<C, T, F, U, SEQ, P, DROPOUT>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}<{T}x{F} -> {U}{}", C::NAME, if SEQ { ", sequences" } else { "" })?;
        if DROPOUT {
            write!(
                f,
                ", {}, dropout {}, recurrent_dropout {}",
                P::NAME,
                self.dropout,
                self.recurrent_dropout
            )?;
        }
        write!(f, ">")
    }
}

impl<
        C: Cell,
        const T: usize,
        const F: usize,
        const U: usize,
        const SEQ: bool,
        P: Phase,
        const DROPOUT: bool,
    > Init for Recurrent<C, T, F, U, SEQ, P, DROPOUT>
{
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::keras(rng)
    }
}

impl<
        C: Cell,
        const T: usize,
        const F: usize,
        const U: usize,
        const SEQ: bool,
        P: Phase,
        const DROPOUT: bool,
    > Layer for Recurrent<C, T, F, U, SEQ, P, DROPOUT>
{
    const INPUT: usize = T * F;
    const OUTPUT: usize = if SEQ { T * U } else { U };
    const OUTPUT_SHAPE: &'static [usize] = if SEQ { &[T, U] } else { &[U] };
    const PHASED: bool = DROPOUT;
    type Cache = Workspace;
    type Grads = RecurrentGrads<C, U, F>;
    type InPhase<Q: Phase> = Recurrent<C, T, F, U, SEQ, Q, DROPOUT>;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        with_workspace(|ws| match P::data::<MaskStream>(&self.masks) {
            PhaseRef::Train(rng) if DROPOUT => {
                // Monte-Carlo dropout: fresh masks through `&self`.
                let groups = self.groups(true);
                let start = rng.reserve_shared(Self::mask_words(&groups, cols));
                Self::draw_masks((self.dropout, self.recurrent_dropout), rng, start, &groups, cols, ws);
                self.forward(x.as_slice(), y.as_mut_slice(), cols, &groups, ws, false);
            }
            _ => self.forward(x.as_slice(), y.as_mut_slice(), cols, &self.groups(false), ws, false),
        });
    }

    fn infer_eval(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        with_workspace(|ws| {
            self.forward(x.as_slice(), y.as_mut_slice(), cols, &self.groups(false), ws, false)
        });
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, ws: &mut Workspace) {
        let cols = x.cols();
        let (masked, rates) = (self.groups(true), (self.dropout, self.recurrent_dropout));
        let groups = match P::data_mut::<MaskStream>(&mut self.masks) {
            PhaseMut::Train(rng) if DROPOUT => {
                let start = rng.reserve(Self::mask_words(&masked, cols));
                Self::draw_masks(rates, rng, start, &masked, cols, ws);
                masked
            }
            _ => self.groups(false),
        };
        ws.groups = Some(groups);
        self.forward(x.as_slice(), y.as_mut_slice(), cols, &groups, ws, true);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        ws: &mut Workspace,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let groups = ws.groups.unwrap_or(self.groups(false));
        let dx = dx.map(ColsMut::into_slice);
        self.backward(x.as_slice(), dy.as_slice(), x.cols(), &groups, ws, dx, grads);
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> Recurrent<C, T, F, U, SEQ, Q, DROPOUT> {
        Recurrent {
            kernels: self.kernels,
            biases: self.biases,
            dropout: self.dropout,
            recurrent_dropout: self.recurrent_dropout,
            masks: Q::new_data::<MaskStream>(|| MaskRng::new(seed), || ()),
        }
    }
}

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
        std::mem::swap(&mut state.h, &mut state.h_next);
        std::mem::swap(&mut state.kept, &mut state.kept_next);
        state.started = true;
        y.copy_from_slice(&state.h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gru::GruCell;
    use crate::layers::lstm::LstmCell;
    use crate::layers::Grads;
    use crate::phase::Train;
    use crate::testing::check_layer_gradients;

    fn seeded<C: Cell, const T: usize, const F: usize, const U: usize, const SEQ: bool>(
        seed: u64,
    ) -> Recurrent<C, T, F, U, SEQ> {
        let mut layer = Recurrent::<C, T, F, U, SEQ>::keras(&mut crate::rng::init_rng(seed));
        // Non-zero biases everywhere, so every bias gradient is exercised.
        for (i, b) in layer.biases.values.iter_mut().enumerate() {
            *b += 0.05 * (i % 7) as f32 - 0.15;
        }
        layer
    }

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

    #[test]
    fn dropout_is_the_identity_in_eval_and_saves_the_same_tensors() {
        let plain = seeded::<LstmCell, 5, 3, 4, false>(8);
        let dropped: Recurrent<LstmCell, 5, 3, 4, false, Eval, true> = Recurrent {
            kernels: plain.kernels.clone(),
            biases: plain.biases.clone(),
            dropout: 0.0,
            recurrent_dropout: 0.0,
            masks: (),
        }
        .with_dropout(0.5, 0.5, 1);
        let x: Vec<f32> = (0..15 * 2).map(|i| (i as f32 * 0.3).sin()).collect();
        let (mut a, mut b) = (vec![0.0; 8], vec![0.0; 8]);
        plain.infer(Cols::new(&x, 15), ColsMut::new(&mut a, 4));
        dropped.infer(Cols::new(&x, 15), ColsMut::new(&mut b, 4));
        assert_eq!(a, b);
        fn tensors<L: Layer>(layer: &L) -> Vec<(String, Vec<usize>, Vec<f32>)> {
            let mut out = Vec::new();
            layer.visit_tensors("rnn.", &mut |name, t| {
                out.push((name.to_string(), t.shape.to_vec(), t.data.to_vec()))
            });
            out
        }
        let plain_tensors = tensors(&plain);
        assert_eq!(plain_tensors, tensors(&dropped));
        let shapes: Vec<_> = plain_tensors.iter().map(|(n, s, _)| (n.as_str(), s.clone())).collect();
        assert_eq!(
            shapes,
            [
                ("rnn.weight_ih_l0", vec![16, 3]),
                ("rnn.weight_hh_l0", vec![16, 4]),
                ("rnn.bias_ih_l0", vec![16]),
                ("rnn.bias_hh_l0", vec![16])
            ]
        );
    }

    #[test]
    fn keras_initialisation_is_orthogonal_and_has_a_unit_forget_bias() {
        let layer = Recurrent::<LstmCell, 2, 3, 6, false>::keras(&mut crate::rng::init_rng(4));
        let w = layer.kernels.recurrent_values();
        let rows = 24;
        for a in 0..6 {
            for b in 0..6 {
                let dot: f32 = (0..rows).map(|r| w[a * rows + r] * w[b * rows + r]).sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-5, "columns {a}, {b}: {dot}");
            }
        }
        let limit = (6.0f32 / (3 + 24) as f32).sqrt();
        assert!(layer.kernels.input_values().iter().all(|w| w.abs() <= limit));
        assert!(layer.biases.input_values()[6..12].iter().all(|&b| b == 1.0));
        assert_eq!(layer.biases.values.iter().filter(|&&b| b != 0.0).count(), 6);
    }
}
