//! The cell of a recurrent layer: the gate equations of one step, forward
//! and back, which `Lstm` and `Gru` implement (`lstm.rs`, `gru.rs`).

use core::fmt;

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
