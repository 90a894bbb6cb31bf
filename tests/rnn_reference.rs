//! Recurrent layers checked against PyTorch: each fixture in
//! `tests/fixtures/rnn_*` (written once by `tools/torch_rnn_reference.py`)
//! is an `nn.LSTM`/`nn.GRU` (`batch_first=True`) followed by an
//! `nn.Linear`, saved as its `state_dict`, with the input, output, MSE loss
//! and every gradient of one training forward and backward. typenet loads
//! each state_dict as is and must reproduce every value to 1e-5 relative /
//! 1e-6 absolute, as `tests/torch_reference.rs`.

use std::path::{Path, PathBuf};

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

const REL: f32 = 1e-5;
const ABS: f32 = 1e-6;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

struct Reference {
    arch: &'static str,
    io: StateDict,
    max_abs: f32,
    compared: usize,
}

impl Reference {
    fn new(arch: &'static str) -> Self {
        let io = StateDict::read(fixture(&format!("rnn_{arch}.io.safetensors"))).unwrap();
        Reference { arch, io, max_abs: 0.0, compared: 0 }
    }

    fn tensor(&self, name: &str) -> &NamedTensor {
        self.io.get(name).unwrap_or_else(|| panic!("{}: no `{name}` in the fixture", self.arch))
    }

    fn check(&mut self, name: &str, ours: &[f32]) {
        let want = self.tensor(name).data.clone();
        assert_eq!(
            ours.len(),
            want.len(),
            "{}: `{name}` has {} values, torch {}",
            self.arch,
            ours.len(),
            want.len()
        );
        for (i, (&a, &b)) in ours.iter().zip(&want).enumerate() {
            let err = (a - b).abs();
            assert!(
                err <= ABS + REL * b.abs(),
                "{}: `{name}`[{i}] is {a}, torch has {b} (difference {err})",
                self.arch
            );
            self.max_abs = self.max_abs.max(err);
            self.compared += 1;
        }
    }

    /// A recurrent layer's gradients against PyTorch's four tensors.
    fn check_recurrent<C: Cell, const U: usize, const F: usize>(
        &mut self,
        prefix: &str,
        g: &WeightBiasGrads<GateKernels<C, U, F>, GateBiases<C, U>>,
    ) {
        let rows = C::GATES * U;
        self.check(&format!("grad.{prefix}weight_ih_l0"), &row_major(g.weights().input_values(), rows));
        self.check(&format!("grad.{prefix}weight_hh_l0"), &row_major(g.weights().recurrent_values(), rows));
        self.check(&format!("grad.{prefix}bias_ih_l0"), g.bias().input_values());
        self.check(&format!("grad.{prefix}bias_hh_l0"), g.bias().recurrent_values());
    }

    fn check_dense<const IN: usize, const OUT: usize>(&mut self, prefix: &str, g: &DenseGrads<IN, OUT>) {
        self.check(&format!("grad.{prefix}weight"), g.weights().transpose().as_slice());
        self.check(&format!("grad.{prefix}bias"), g.bias().as_slice());
    }

    fn report(&self) {
        eprintln!("{}: {} values compared, max abs error {:.3e}", self.arch, self.compared, self.max_abs);
    }
}

/// A column-major matrix with `rows` rows, in row-major order.
fn row_major(values: &[f32], rows: usize) -> Vec<f32> {
    let cols = values.len() / rows;
    (0..rows).flat_map(|r| (0..cols).map(move |c| values[c * rows + r])).collect()
}

/// The saved network holds exactly the PyTorch file's tensors.
fn assert_round_trip<N: Network>(arch: &str, net: &N) {
    let saved = StateDict::of(net);
    let torch = StateDict::read(fixture(&format!("rnn_{arch}.model.safetensors"))).unwrap();
    assert_eq!(saved.len(), torch.len(), "{arch}: tensor count");
    for t in torch.iter() {
        let ours = saved.get(&t.name).unwrap_or_else(|| panic!("{arch}: `{}` not saved", t.name));
        assert_eq!(ours.shape, t.shape, "{arch}: `{}` shape", t.name);
        assert_eq!(ours.data, t.data, "{arch}: `{}` does not round-trip bit for bit", t.name);
    }
}

macro_rules! train_step {
    ($r:expr, $net:ty, $arch:literal) => {{
        let mut net = <$net>::load(fixture(concat!("rnn_", $arch, ".model.safetensors"))).unwrap();
        assert_round_trip($arch, &net);
        let x = Batch::<{ <$net>::INPUT }>::from_column_slice(&$r.tensor("x").data);
        let t = Batch::<{ <$net>::OUTPUT }>::from_column_slice(&$r.tensor("t").data);
        let y = net.forward(&x);
        $r.check("y", y.as_slice());
        $r.check("loss", &[Mse.loss(&y, &t)]);
        let (grads, grad_x) = net.backward_with_input(&Mse.grad(&y, &t));
        $r.check("grad.x", grad_x.as_slice());
        (net, grads, x)
    }};
}

#[test]
fn lstm_last_step_matches_pytorch() {
    let mut r = Reference::new("lstm_last");
    let (net, g, x) = train_step!(r, LstmLast<Train>, "lstm_last");
    r.check_recurrent("rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn lstm_sequences_match_pytorch() {
    let mut r = Reference::new("lstm_seq");
    let (_, g, _) = train_step!(r, LstmSeq<Train>, "lstm_seq");
    r.check_recurrent("rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn gru_last_step_matches_pytorch() {
    let mut r = Reference::new("gru_last");
    let (net, g, x) = train_step!(r, GruLast<Train>, "gru_last");
    r.check_recurrent("rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn gru_sequences_match_pytorch() {
    let mut r = Reference::new("gru_seq");
    let (_, g, _) = train_step!(r, GruSeq<Train>, "gru_seq");
    r.check_recurrent("rnn.", &g.rnn);
    r.check_dense("out.", &g.out);
    r.report();
}

#[test]
fn stacked_lstms_match_pytorch() {
    let mut r = Reference::new("lstm_stack");
    let (_, g, _) = train_step!(r, LstmStack<Train>, "lstm_stack");
    r.check_recurrent("rnn1.", &g.rnn1);
    r.check_recurrent("rnn2.", &g.rnn2);
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
    let bytes = StateDict::from_tensors(renamed).to_bytes().unwrap();
    let mut net = TwoLayers::<Eval>::seeded(0);
    typenet::io::load_bytes_into(&mut net, &bytes, &typenet::io::LoadOptions::new()).unwrap();
    let mut r = Reference::new("lstm_num_layers2");
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
