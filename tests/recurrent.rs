//! Recurrent layers in networks: `#[frozen]`, `#[l2]` and `#[phase]` on
//! them, Monte-Carlo recurrent dropout, bit-identical results at every
//! thread count and training that learns.

use typenet::prelude::*;

network! {
    pub struct Tagger {
        input: [10, 4],
        #[frozen] encoder: Gru<8, return_sequences = true>,
        #[l2(0.01)] lstm: Lstm<6, dropout = 0.2, recurrent_dropout = 0.3>,
        out: Dense<3>,
    }
}

network! {
    pub struct MonteCarlo {
        input: [6, 2],
        #[phase(Train)] rnn: Gru<5, recurrent_dropout = 0.5>,
        out: Dense<1>,
    }
}

network! {
    pub struct TwoLstms {
        input: [6, 3],
        first: Lstm<5, return_sequences = true>,
        second: Lstm<4>,
        out: Dense<1>,
    }
}

/// Guards Keras' unit forget bias: every LSTM a network builds starts with
/// `bias_ih` 1 on the forget gate (PyTorch's gate order: input, forget,
/// cell, output) and 0 everywhere else, whatever the seed.
#[test]
fn lstms_start_with_a_forget_gate_bias_of_one() {
    for seed in [0, 7] {
        let net = TwoLstms::<Train>::seeded(seed);
        let check = |name: &str,
                     units: usize,
                     input: &dyn Fn(usize, usize) -> f32,
                     recurrent: &dyn Fn(usize, usize) -> f32| {
            for gate in 0..4 {
                for unit in 0..units {
                    let want = if gate == 1 { 1.0 } else { 0.0 };
                    assert_eq!(input(gate, unit), want, "{name}: bias_ih of gate {gate}, unit {unit}");
                    assert_eq!(recurrent(gate, unit), 0.0, "{name}: bias_hh of gate {gate}, unit {unit}");
                }
            }
        };
        check("first", 5, &|g, u| net.first.bias().input(g, u), &|g, u| net.first.bias().recurrent(g, u));
        check("second", 4, &|g, u| net.second.bias().input(g, u), &|g, u| net.second.bias().recurrent(g, u));
    }
}

fn batch<const N: usize>(cols: usize, seed: usize) -> Batch<N> {
    Batch::<N>::from_fn(cols, |i, j| (((i * 7 + j * 13 + seed) % 29) as f32 / 14.5) - 1.0)
}

#[test]
fn frozen_recurrent_layers_keep_their_weights_and_l2_covers_both_kernels() {
    let mut net = Tagger::<Train>::seeded(1);
    assert_eq!(Tagger::TRAINABLE_PARAMS, Tagger::PARAMS - 3 * 8 * (4 + 8 + 2));
    let kernels: f32 = net.lstm.weights().values().iter().map(|w| w * w).sum();
    assert!((net.l2_penalty() - 0.01 * kernels).abs() <= 1e-5 * (1.0 + kernels));
    let frozen = net.encoder.weights().values().to_vec();
    let (x, t) = (batch::<40>(16, 1), batch::<3>(16, 2));
    let mut opt = Adam::new(0.01);
    let before = Mse.loss(&net.forward(&x), &t);
    for _ in 0..30 {
        let y = net.forward(&x);
        let g = net.backward(&Mse.grad(&y, &t));
        opt.step(&mut net, &g);
    }
    assert_eq!(net.encoder.weights().values(), frozen.as_slice());
    let after = Mse.loss(&net.clone().into_eval().forward(&x), &t);
    assert!(after < before, "loss {before} -> {after}");
}

#[test]
fn a_pinned_recurrent_dropout_keeps_dropping_in_eval() {
    let net = MonteCarlo::<Eval>::seeded(3);
    let x = batch::<12>(1, 4);
    let first = net.forward(&x);
    assert!(
        (0..20).any(|_| net.forward(&x) != first),
        "Monte-Carlo recurrent dropout never changed the output"
    );
}

fn train_pass(threads: usize) -> (Vec<f32>, Vec<f32>) {
    typenet::set_num_threads(threads);
    let mut net = Tagger::<Train>::seeded(5);
    let (x, t) = (batch::<40>(64, 3), batch::<3>(64, 4));
    let y = net.forward(&x);
    let g = net.backward(&Mse.grad(&y, &t));
    let mut flat = Vec::new();
    g.visit(&mut |values| flat.extend_from_slice(values));
    (y.as_slice().to_vec(), flat)
}

#[test]
fn results_are_bit_identical_at_every_thread_count() {
    let reference = train_pass(1);
    for threads in [2, 3, 8] {
        let other = train_pass(threads);
        assert!(reference.0 == other.0, "forward differs with {threads} threads");
        assert!(reference.1 == other.1, "gradients differ with {threads} threads");
    }
    typenet::set_num_threads(0);
}
