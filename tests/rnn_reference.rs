//! Recurrent layers checked against PyTorch: each fixture in
//! `tests/fixtures/rnn_*` (written once by `tools/torch_rnn_reference.py`)
//! is an `nn.LSTM`/`nn.GRU` (`batch_first=True`) followed by an
//! `nn.Linear`, saved as its `state_dict`, with the input, output, MSE loss
//! and every gradient of one training forward and backward. typenet loads
//! each state_dict as is and must reproduce every value to 1e-5 relative /
//! 1e-6 absolute, as `tests/torch_reference.rs`.

mod support;

use support::{fixture, Reference};
use typenet::io::{NamedTensor, StateDict};
use typenet::prelude::*;
use typenet::{Cell, GateBiases, GateKernels, WeightBiasGrads};

network! {
    pub struct LstmLast { input: [6, 3], rnn: Lstm<5>, out: Dense<2> }
}
network! {
    pub struct LstmSeq { input: [6, 3], rnn: Lstm<4, return_sequences = true>, out: TimeDistributed(Dense<2>) }
}
network! {
    pub struct GruLast { input: [6, 3], rnn: Gru<5>, out: Dense<2> }
}
network! {
    pub struct GruSeq { input: [6, 3], rnn: Gru<4, return_sequences = true>, out: TimeDistributed(Dense<2>) }
}
network! {
    pub struct LstmStack {
        input: [5, 3],
        rnn1: Lstm<4, return_sequences = true>,
        rnn2: Lstm<3>,
        out: Dense<1>,
    }
}
network! {
    /// Two stacked LSTMs, as PyTorch's `nn.LSTM(3, 4, num_layers=2)`.
    pub struct TwoLayers { input: [5, 3], l0: Lstm<4, return_sequences = true>, l1: Lstm<4, return_sequences = true> }
}

/// A recurrent layer's gradients against PyTorch's four tensors.
fn check_recurrent<C: Cell, const U: usize, const F: usize>(
    r: &mut Reference,
    prefix: &str,
    g: &WeightBiasGrads<GateKernels<C, U, F>, GateBiases<C, U>>,
) {
    let rows = C::GATES * U;
    r.check(&format!("grad.{prefix}weight_ih_l0"), &row_major(g.weights().input_values(), rows));
    r.check(&format!("grad.{prefix}weight_hh_l0"), &row_major(g.weights().recurrent_values(), rows));
    r.check(&format!("grad.{prefix}bias_ih_l0"), g.bias().input_values());
    r.check(&format!("grad.{prefix}bias_hh_l0"), g.bias().recurrent_values());
}

/// A column-major matrix with `rows` rows, in row-major order.
fn row_major(values: &[f32], rows: usize) -> Vec<f32> {
    let cols = values.len() / rows;
    (0..rows).flat_map(|r| (0..cols).map(move |c| values[c * rows + r])).collect()
}

#[test]
fn lstm_last_step_matches_pytorch() {
    let mut r = Reference::new("rnn", "lstm_last");
    let (net, g, x) = train_step!(r, LstmLast<Train>, "rnn", "lstm_last");
    check_recurrent(&mut r, "rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn lstm_sequences_match_pytorch() {
    let mut r = Reference::new("rnn", "lstm_seq");
    let (_, g, _) = train_step!(r, LstmSeq<Train>, "rnn", "lstm_seq");
    check_recurrent(&mut r, "rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn gru_last_step_matches_pytorch() {
    let mut r = Reference::new("rnn", "gru_last");
    let (net, g, x) = train_step!(r, GruLast<Train>, "rnn", "gru_last");
    check_recurrent(&mut r, "rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn gru_sequences_match_pytorch() {
    let mut r = Reference::new("rnn", "gru_seq");
    let (_, g, _) = train_step!(r, GruSeq<Train>, "rnn", "gru_seq");
    check_recurrent(&mut r, "rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn stacked_lstms_match_pytorch() {
    let mut r = Reference::new("rnn", "lstm_stack");
    let (_, g, _) = train_step!(r, LstmStack<Train>, "rnn", "lstm_stack");
    check_recurrent(&mut r, "rnn1.", &g.rnn1);
    check_recurrent(&mut r, "rnn2.", &g.rnn2);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn a_two_layer_pytorch_lstm_loads_as_two_layers_with_its_l1_tensors_renamed() {
    let torch = StateDict::read(fixture("rnn_lstm_stack.torch_num_layers2.safetensors")).unwrap();
    // PyTorch names layer k's tensors `..._lk`; typenet's second field takes
    // them as `l1.weight_ih_l0`.
    let renamed: Vec<NamedTensor> = torch
        .iter()
        .map(|t| {
            let (field, name) = match t.name.strip_suffix("_l1") {
                Some(stem) => ("l1", format!("{stem}_l0")),
                None => ("l0", t.name.clone()),
            };
            NamedTensor { name: format!("{field}.{name}"), ..t.clone() }
        })
        .collect();
    let bytes = StateDict::from_tensors(renamed).unwrap().to_bytes().unwrap();
    let mut net = TwoLayers::<Eval>::seeded(0);
    typenet::io::load_bytes_into(&mut net, &bytes, &typenet::io::LoadOptions::new()).unwrap();
    let mut r = Reference::new("rnn", "lstm_num_layers2");
    let x = Batch::<15>::from_column_slice(&r.tensor("x").data);
    r.check("y", net.forward(&x).as_slice());
    r.report();
}

#[test]
fn a_wrong_hidden_size_names_the_tensor_and_both_shapes() {
    network! { pub struct Wider { input: [6, 3], rnn: Lstm<6>, out: Dense<2> } }
    let err = Wider::<Eval>::load(fixture("rnn_lstm_last.model.safetensors")).unwrap_err().to_string();
    assert!(err.contains("rnn.weight_ih_l0"), "{err}");
    assert!(err.contains("[24, 3]") && err.contains("[20, 3]"), "{err}");
}
