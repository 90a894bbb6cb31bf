//! What `Lstm` and `Gru` share: a recurrent layer over `[T, F]` sequences
//! (one sample flat, each step's `F` features fastest) computing PyTorch's
//! equations from a zero state, Keras' dropout masks, backpropagation
//! through time, PyTorch's tensors. The gate equations live in the cells
//! (`lstm.rs`, `gru.rs`); here, one file per job: the cell's contract
//! (`cell`), the tensors (`gates`), the dropout masks (`masks`), forward and
//! backward through time (`through_time`), where a step's values live
//! (`layout`, `workspace`) and streaming (`stream`). This file holds the
//! layer itself and its [`Layer`] implementation.

use crate::no_std_prelude::*;
use core::fmt;

use rand::Rng;

use super::noise::MaskStream;
use super::{Heap, Init, Layer, Tensors};
use crate::phase::{Eval, Phase, PhaseMut, PhaseRef};
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

mod cell;
mod gates;
mod layout;
mod masks;
mod stream;
mod through_time;
mod workspace;

pub use cell::Cell;
pub use gates::{GateBiases, GateKernels, RecurrentGrads};
pub use stream::StepState;
pub use workspace::Workspace;

use workspace::with_workspace;

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

    fn export_op(&self) -> crate::layers::export::Op {
        use crate::layers::export::{CellKind, Op};
        let cell = match C::NAME {
            "Lstm" => CellKind::Lstm,
            "Gru" => CellKind::Gru,
            _ => return Op::Unsupported(format!("{self:?}")),
        };
        Op::Recurrent { cell, inputs: F, units: U, sequences: SEQ }
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let cols = x.cols();
        with_workspace(|ws| match P::data::<MaskStream>(&self.masks) {
            PhaseRef::Train(rng) if DROPOUT => {
                // Monte-Carlo dropout: fresh masks through `&self`.
                let groups = self.groups(true);
                let start = rng.reserve_shared(Self::mask_words(&groups, cols));
                Self::draw_masks(
                    (self.dropout, self.recurrent_dropout),
                    rng,
                    start,
                    &groups,
                    cols,
                    (&mut ws.input_masks, &mut ws.state_masks),
                );
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
                Self::draw_masks(
                    rates,
                    rng,
                    start,
                    &masked,
                    cols,
                    (&mut ws.input_masks, &mut ws.state_masks),
                );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gru::GruCell;
    use crate::layers::lstm::LstmCell;
    use crate::phase::Train;

    /// A layer with Keras' initialisation and non-zero biases everywhere.
    pub(super) fn seeded<C: Cell, const T: usize, const F: usize, const U: usize, const SEQ: bool>(
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
