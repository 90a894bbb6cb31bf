//! LayerNorm, Embedding and Bidirectional checked against PyTorch: each
//! fixture in `tests/fixtures/text_*` (written once by
//! `tools/torch_text_reference.py`) is an `nn.LayerNorm`, `nn.Embedding` or
//! bidirectional `nn.LSTM`/`nn.GRU` (`batch_first=True`) followed by an
//! `nn.Linear`, saved as its `state_dict`, with the input, output, MSE loss
//! and every gradient of one training forward and backward. typenet loads
//! each state_dict as is (`_reverse` tensors included) and must reproduce
//! every value to 1e-5 relative / 1e-6 absolute, as
//! `tests/torch_reference.rs`.

mod support;

use support::{fixture, Reference};
use typenet::prelude::*;
use typenet::{Cell, GateBiases, GateKernels, WeightBiasGrads};

network! {
    pub struct LayerNormFlat { input: 6, norm: LayerNorm, out: Dense<2> }
}
network! {
    pub struct LayerNormSeq { input: [5, 4], norm: LayerNorm(eps = 1e-3), out: TimeDistributed(Dense<2>) }
}
network! {
    pub struct Embedded { input: [6], emb: Embedding<10, 4>, flat: Flatten, out: Dense<2> }
}
network! {
    pub struct BiLstmLast { input: [6, 3], rnn: Bidirectional(Lstm<4>), out: Dense<2> }
}
network! {
    pub struct BiLstmSeq {
        input: [6, 3],
        rnn: Bidirectional(Lstm<4, return_sequences = true>),
        out: TimeDistributed(Dense<2>),
    }
}
network! {
    pub struct BiGruLast { input: [6, 3], rnn: Bidirectional(Gru<5>), out: Dense<2> }
}
network! {
    pub struct BiGruSeq {
        input: [6, 3],
        rnn: Bidirectional(Gru<4, return_sequences = true>),
        out: TimeDistributed(Dense<2>),
    }
}
network! {
    /// A sequence tagger: token ids, their vectors normalised, read both ways.
    pub struct Tagger {
        input: [7],
        emb: Embedding<12, 5>,
        norm: LayerNorm,
        rnn: Bidirectional(Lstm<3, return_sequences = true>),
        out: TimeDistributed(Dense<2>),
    }
}

/// Loads `$net` from `text_{$arch}`, checks its round trip, then one
/// training forward and backward on the fixture's token ids against `y`
/// and `loss`: ids have no gradient, so the input gradient is zero.
macro_rules! id_train_step {
    ($r:expr, $net:ty, $arch:literal) => {{
        let mut net = <$net>::load(fixture(concat!("text_", $arch, ".model.safetensors"))).unwrap();
        support::assert_round_trip("text", $arch, &net);
        assert!(!$r.has("grad.x"), "token ids have no gradient in PyTorch either");
        let x = Batch::<{ <$net>::INPUT }>::from_column_slice(&$r.tensor("x").data);
        let t = Batch::<{ <$net>::OUTPUT }>::from_column_slice(&$r.tensor("t").data);
        let y = net.forward(&x);
        $r.check("y", y.as_slice());
        $r.check("loss", &[Mse.loss(&y, &t)]);
        let (grads, grad_x) = net.backward_with_input(&Mse.grad(&y, &t));
        assert!(grad_x.iter().all(|&g| g == 0.0));
        (net, grads, x)
    }};
}

/// One direction's gradients against PyTorch's four tensors, names ending
/// in `suffix` (`_reverse` for the backward direction).
fn check_direction<C: Cell, const U: usize, const F: usize>(
    r: &mut Reference,
    suffix: &str,
    g: &WeightBiasGrads<GateKernels<C, U, F>, GateBiases<C, U>>,
) {
    let rows = C::GATES * U;
    r.check(&format!("grad.rnn.weight_ih_l0{suffix}"), &row_major(g.weights().input_values(), rows));
    r.check(&format!("grad.rnn.weight_hh_l0{suffix}"), &row_major(g.weights().recurrent_values(), rows));
    r.check(&format!("grad.rnn.bias_ih_l0{suffix}"), g.bias().input_values());
    r.check(&format!("grad.rnn.bias_hh_l0{suffix}"), g.bias().recurrent_values());
}

/// Both directions of a bidirectional layer's gradients.
fn check_bidirectional<C: Cell, const U: usize, const F: usize>(
    r: &mut Reference,
    g: &typenet::BidirectionalGrads<WeightBiasGrads<GateKernels<C, U, F>, GateBiases<C, U>>>,
) {
    check_direction(r, "", &g.forward);
    check_direction(r, "_reverse", &g.backward);
}

/// A column-major matrix with `rows` rows, in row-major order.
fn row_major(values: &[f32], rows: usize) -> Vec<f32> {
    let cols = values.len() / rows;
    (0..rows).flat_map(|r| (0..cols).map(move |c| values[c * rows + r])).collect()
}

#[test]
fn layer_norm_on_flat_samples_matches_pytorch() {
    let mut r = Reference::new("text", "layer_norm_flat");
    let (net, g, x) = train_step!(r, LayerNormFlat<Train>, "text", "layer_norm_flat");
    r.check("grad.norm.weight", g.norm.weights().as_slice());
    r.check("grad.norm.bias", g.norm.bias().as_slice());
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn layer_norm_per_step_matches_pytorch() {
    let mut r = Reference::new("text", "layer_norm_seq");
    let (net, g, _) = train_step!(r, LayerNormSeq<Train>, "text", "layer_norm_seq");
    assert_eq!(net.norm.epsilon(), 1e-3);
    r.check("grad.norm.weight", g.norm.weights().as_slice());
    r.check("grad.norm.bias", g.norm.bias().as_slice());
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn embedding_matches_pytorch_with_repeated_tokens() {
    let mut r = Reference::new("text", "embedding");
    let (net, g, x) = id_train_step!(r, Embedded<Train>, "embedding");
    // The weight is PyTorch's `[V, D]` in its own order: column `v` of
    // typenet's `D x V` matrix is row `v` of PyTorch's.
    r.check("grad.emb.weight", g.emb.weights().as_slice());
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn bidirectional_lstm_last_states_match_pytorch() {
    let mut r = Reference::new("text", "bilstm_last");
    let (net, g, x) = train_step!(r, BiLstmLast<Train>, "text", "bilstm_last");
    check_bidirectional(&mut r, &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn bidirectional_lstm_sequences_match_pytorch() {
    let mut r = Reference::new("text", "bilstm_seq");
    let (_, g, _) = train_step!(r, BiLstmSeq<Train>, "text", "bilstm_seq");
    check_bidirectional(&mut r, &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn bidirectional_gru_last_states_match_pytorch() {
    let mut r = Reference::new("text", "bigru_last");
    let (net, g, x) = train_step!(r, BiGruLast<Train>, "text", "bigru_last");
    check_bidirectional(&mut r, &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn bidirectional_gru_sequences_match_pytorch() {
    let mut r = Reference::new("text", "bigru_seq");
    let (_, g, _) = train_step!(r, BiGruSeq<Train>, "text", "bigru_seq");
    check_bidirectional(&mut r, &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn a_tagger_of_all_three_matches_pytorch() {
    let mut r = Reference::new("text", "tagger");
    let (_, g, _) = id_train_step!(r, Tagger<Train>, "tagger");
    r.check("grad.emb.weight", g.emb.weights().as_slice());
    r.check("grad.norm.weight", g.norm.weights().as_slice());
    r.check("grad.norm.bias", g.norm.bias().as_slice());
    check_bidirectional(&mut r, &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn a_unidirectional_file_names_the_missing_reverse_tensor() {
    network! { pub struct OneWay { input: [6, 3], rnn: Lstm<4>, out: Dense<2> } }
    // The bidirectional file has every tensor of the one-way network and
    // more; the other way round, the first `_reverse` tensor is missing.
    let one_way = OneWay::<Eval>::seeded(0);
    let path = std::env::temp_dir().join(format!("typenet-one-way-{}.safetensors", std::process::id()));
    one_way.save(&path).unwrap();
    let err = BiLstmLast::<Eval>::load(&path).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(err.contains("_reverse") && err.contains("missing"), "{err}");
}
