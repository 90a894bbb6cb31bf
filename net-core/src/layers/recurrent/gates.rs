//! A recurrent layer's tensors: both kernels and both biases, gates
//! stacked as PyTorch stacks them, and their gradients.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use super::Cell;
use crate::layers::grads::WeightBiasGrads;
use crate::layers::HeapTensor;

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
    pub(super) values: Box<[f32]>,
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

    pub(super) fn split_mut(&mut self) -> (&mut [f32], &mut [f32]) {
        self.values.split_at_mut(Self::ROWS * F)
    }

    pub(super) fn row(gate: usize, unit: usize) -> usize {
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
    pub(super) values: Box<[f32]>,
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
