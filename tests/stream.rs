//! Streaming: feeding a sequence one step at a time gives what `forward`
//! gives for the whole sequence (every step's output for sequence outputs,
//! the output for the sequence so far otherwise), for recurrent layers,
//! causal convolutions and the per-step layers around them.

use typenet::io::{load_bytes_into, LoadOptions, StateDict};
use typenet::prelude::*;
use typenet::rand::{rngs::StdRng, Rng, SeedableRng};

network! {
    pub struct Amp { input: [24, 1], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) }
}

network! {
    /// Causal convolutions, per-step layers and both cells.
    pub struct Mixed {
        input: [20, 3],
        conv1: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>,
        conv2: Conv1d<6, 2, padding = Causal>,
        bn: BatchNorm,
        act: Relu,
        drop: Dropout(0.3),
        lstm: Lstm<5, return_sequences = true, dropout = 0.2, recurrent_dropout = 0.2>,
        gru: Gru<4, return_sequences = true>,
        out: TimeDistributed(Dense<2, Tanh>),
    }
}

network! {
    /// The last step's state through flat layers: one output per step, the
    /// output for the sequence so far.
    pub struct Summary12 { input: [12, 2], rnn: Lstm<6>, fc: Dense<4, Relu>, drop: Dropout(0.5), flat: Flatten, out: Dense<1> }
}

network! {
    /// The same layers over 5 steps: the weights do not depend on the length.
    pub struct Summary5 { input: [5, 2], rnn: Lstm<6>, fc: Dense<4, Relu>, drop: Dropout(0.5), flat: Flatten, out: Dense<1> }
}

network! {
    pub struct Inner { input: [10, 2], conv: Conv1d<4, 3, Relu, padding = Causal>, rnn: Gru<3, return_sequences = true> }
}

network! {
    /// A nested streaming network.
    pub struct Outer { input: [10, 2], inner: Inner, out: TimeDistributed(Dense<1>) }
}

network! {
    pub struct Inner40 { input: [40, 2], conv: Conv1d<4, 3, Relu, padding = Causal>, rnn: Gru<3, return_sequences = true> }
}

network! {
    /// `Outer`'s layers over 40 steps: what a stream of `Outer` must give past its 10.
    pub struct Outer40 { input: [40, 2], inner: Inner40, out: TimeDistributed(Dense<1>) }
}

fn random<const N: usize>(rng: &mut StdRng) -> SVector<f32, N> {
    SVector::from_fn(|_, _| rng.random_range(-1.0..1.0))
}

/// Gives every BatchNorm running statistic and every bias non-trivial
/// values, so the check covers them.
fn perturb<N: Network>(net: &mut N, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut dict = StateDict::of(net);
    let tensors: Vec<_> = dict
        .iter()
        .map(|t| {
            let mut t = t.clone();
            if t.name.ends_with("bias")
                || t.name.contains("running_mean")
                || t.name.ends_with("weight") && t.shape.len() == 1
            {
                t.data.iter_mut().for_each(|v| *v += rng.random_range(-0.3..0.3));
            }
            if t.name.contains("running_var") {
                t.data.iter_mut().for_each(|v| *v = rng.random_range(0.5..2.0));
            }
            t
        })
        .collect();
    dict = StateDict::from_tensors(tensors).unwrap();
    load_bytes_into(net, &dict.to_bytes().unwrap(), &LoadOptions::new()).unwrap();
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 + 1e-4 * b.abs()
}

#[test]
fn stepping_through_a_sequence_gives_forwards_outputs() {
    let mut rng = StdRng::seed_from_u64(1);
    for seed in 0..5 {
        let net = Amp::<Eval>::seeded(seed);
        let x = random::<24>(&mut rng);
        let whole = net.predict(&x);
        let mut stream = net.stream();
        for t in 0..24 {
            let y = stream.step(&net, &SVector::<f32, 1>::new(x[t]));
            assert!(close(y[0], whole[t]), "seed {seed}, step {t}: {} vs {}", y[0], whole[t]);
        }
    }
    for seed in 0..5 {
        let mut net = Mixed::<Eval>::seeded(seed);
        perturb(&mut net, seed);
        let x = random::<60>(&mut rng);
        let whole = net.predict(&x);
        let mut stream: MixedStream = net.stream();
        for t in 0..20 {
            let step = SVector::<f32, 3>::from_column_slice(&x.as_slice()[3 * t..3 * t + 3]);
            let y = stream.step(&net, &step);
            for o in 0..2 {
                assert!(
                    close(y[o], whole[2 * t + o]),
                    "seed {seed}, step {t}: {} vs {}",
                    y[o],
                    whole[2 * t + o]
                );
            }
        }
    }
}

#[test]
fn a_summarising_network_gives_the_output_for_the_sequence_so_far() {
    let mut rng = StdRng::seed_from_u64(2);
    let long = Summary12::<Eval>::seeded(3);
    let mut short = Summary5::<Eval>::seeded(99);
    load_bytes_into(&mut short, &StateDict::of(&long).to_bytes().unwrap(), &LoadOptions::new()).unwrap();
    let x = random::<24>(&mut rng);
    let mut stream = long.stream();
    let mut outputs = Vec::new();
    for t in 0..12 {
        outputs.push(stream.step(&long, &SVector::<f32, 2>::new(x[2 * t], x[2 * t + 1]))[0]);
    }
    assert!(close(outputs[11], long.predict(&x)[0]));
    let prefix = SVector::<f32, 10>::from_column_slice(&x.as_slice()[..10]);
    assert!(close(outputs[4], short.predict(&prefix)[0]));
}

#[test]
fn nested_networks_stream_and_streams_run_past_the_declared_length() {
    let mut rng = StdRng::seed_from_u64(3);
    let net = Outer::<Eval>::seeded(4);
    let x = random::<20>(&mut rng);
    let whole = net.predict(&x);
    let mut stream = net.stream();
    let step = |stream: &mut OuterStream, t: usize| {
        stream.step(&net, &SVector::<f32, 2>::new(x[2 * t], x[2 * t + 1]))[0]
    };
    let first: Vec<f32> = (0..10).map(|t| step(&mut stream, t)).collect();
    for t in 0..10 {
        assert!(close(first[t], whole[t]), "step {t}");
    }
    // T bounds only `forward`: a stream keeps going.
    let saved = stream.clone();
    let later: Vec<f32> = (0..30).map(|t| step(&mut stream, t % 10)).collect();
    let mut long = Outer40::<Eval>::seeded(0);
    load_bytes_into(&mut long, &StateDict::of(&net).to_bytes().unwrap(), &LoadOptions::new()).unwrap();
    let whole_40 = long.predict(&SVector::from_fn(|i, _| x[i % 20]));
    for (t, value) in later.iter().enumerate() {
        assert!(close(*value, whole_40[10 + t]), "step {}: {value} vs {}", 10 + t, whole_40[10 + t]);
    }
    // A clone carries the state; reset starts from zeros.
    let mut resumed = saved;
    assert_eq!(step(&mut resumed, 0), later[0]);
    stream.reset();
    assert_eq!(step(&mut stream, 0), first[0]);
}

network! {
    /// A TCN / WaveNet residual block: a dilated causal convolution and a
    /// 1x1 one, added to the block's input.
    block Residual(F, D) {
        sum: Add(
            [conv: Conv1d<F, 3, Tanh, padding = Causal, dilation = D>, bn: BatchNorm, mix: Conv1d<F, 1>],
            [],
        ),
        act: Relu,
    }

    /// Residual blocks of growing dilation, then a Concat of causal paths
    /// (a recurrent one, a nested Add, the input itself).
    pub struct Tcn {
        input: [24, 3],
        stem: Conv1d<4, 1>,
        res1: Residual(4, 1),
        res2: Residual(4, 2),
        res4: Residual(4, 4),
        join: Concat(
            [gate: Conv1d<3, 2, Sigmoid, padding = Causal>],
            [rnn: Gru<2, return_sequences = true>],
            [inner: Add([a: Conv1d<2, 3, Tanh, padding = Causal, dilation = 3>], [b: TimeDistributed(Dense<2>)])],
            [],
        ),
        out: TimeDistributed(Dense<2, Tanh>),
    }
}

#[test]
fn residual_and_concatenated_causal_paths_stream_as_forward() {
    let mut rng = StdRng::seed_from_u64(5);
    // 3 + 2 + 2 + 4 channels joined.
    assert_eq!(Tcn::OUTPUT, 24 * 2);
    for seed in 0..4 {
        let mut net = Tcn::<Eval>::seeded(seed);
        perturb(&mut net, seed + 10);
        let x = random::<{ 24 * 3 }>(&mut rng);
        let whole = net.predict(&x);
        let mut stream: TcnStream = net.stream();
        let mut streamed = Vec::new();
        for t in 0..24 {
            let step = SVector::<f32, 3>::from_column_slice(&x.as_slice()[3 * t..3 * t + 3]);
            streamed.extend_from_slice(stream.step(&net, &step).as_slice());
        }
        for (i, (&s, &w)) in streamed.iter().zip(whole.iter()).enumerate() {
            assert!(close(s, w), "seed {seed}, step {}, output {}: streamed {s}, forward {w}", i / 2, i % 2);
        }
        // Reset starts again from zeros: the first step is the first step.
        stream.reset();
        let first = stream.step(&net, &SVector::<f32, 3>::from_column_slice(&x.as_slice()[..3]));
        assert_eq!(first.as_slice(), &streamed[..2]);
    }
}
