//! Streaming: `Stream::step` on one of five networks (causal dilated and
//! pointwise convolutions into a GRU; stacked LSTM/GRU with 40- and 36-row
//! gate products, partial blocks of the step kernel; a wide LSTM whose gate
//! rows span two chunks; a graph of a Concat and a residual Add; a nested
//! streaming network) with weights drawn from a seed.
//!
//! Byte 0 picks the network, bytes 1..9 the seed; the rest are the steps'
//! inputs, one byte each mapped to [-4, 4), repeated to fill the declared
//! length. Properties: no panic; every step equals `forward` on the whole
//! sequence (the prefix so far for per-step outputs); steps past the
//! declared length stay finite; `try_step` refuses a NaN without changing
//! the state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::nalgebra::Const;
use typenet::network::{NetworkDef, StreamChain};
use typenet::prelude::*;

network! {
    pub struct Causal {
        input: [8, 2],
        conv: Conv1d<3, 2, Tanh, padding = Causal, dilation = 2>,
        mix: Conv1d<2, 1>,
        rnn: Gru<3, return_sequences = true>,
    }
}

network! {
    pub struct Stacked {
        input: [5, 3],
        lstm: Lstm<10, return_sequences = true>,
        gru: Gru<12, return_sequences = true>,
        out: TimeDistributed(Dense<2>),
    }
}

network! {
    pub struct Wide { input: [4, 2], rnn: Lstm<20, return_sequences = true>, out: TimeDistributed(Dense<1>) }
}

network! {
    block Residual(F) {
        conv: Conv1d<F, 3, Tanh, padding = Causal>,
        bn: BatchNorm,
    }

    pub struct Graph {
        input: [6, 2],
        cat: Concat([a: Conv1d<2, 1>], [b: Lstm<2, return_sequences = true>]),
        sum: Add([r: Residual(4)], [p: Conv1d<4, 1>]),
        out: TimeDistributed(Dense<1>),
    }
}

network! {
    pub struct Outer { input: [5, 2], inner: Causal2, out: TimeDistributed(Dense<1>) }
}

network! {
    pub struct Causal2 { input: [5, 2], conv: Conv1d<40, 2, padding = Causal>, rnn: Gru<2, return_sequences = true> }
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-4 + 1e-3 * b.abs()
}

/// Streams the sequence of `T` steps of `F` values through `net` and
/// compares each step's `O` outputs with `forward`'s.
fn check<N, const IN: usize, const OUT: usize, const F: usize, const O: usize>(seed: u64, values: &[u8])
where
    N: Network + Init,
    N: NetworkDef<Phase = Eval, Input = Const<IN>, Output = Const<OUT>, StepInput = Const<F>, StepOutput = Const<O>>,
    N::Layers: StreamChain,
{
    let net = N::seeded(seed);
    let x = SVector::<f32, IN>::from_fn(|i, _| {
        let byte = if values.is_empty() { 0 } else { values[i % values.len()] };
        (byte as i8) as f32 / 32.0
    });
    let whole = net.predict(&x);
    let mut stream = net.stream();
    let steps = IN / F;
    for t in 0..steps {
        let step = SVector::<f32, F>::from_column_slice(&x.as_slice()[F * t..F * (t + 1)]);
        if t == steps / 2 {
            let mut poisoned = step;
            poisoned[0] = f32::NAN;
            let saved = format!("{stream:?}");
            assert!(stream.try_step(&net, &poisoned).is_err(), "a NaN step was accepted");
            assert_eq!(format!("{stream:?}"), saved, "a refused step changed the state");
        }
        let y = stream.step(&net, &step);
        for o in 0..O {
            assert!(close(y[o], whole[O * t + o]), "step {t}, output {o}: {} vs {}", y[o], whole[O * t + o]);
        }
    }
    for t in 0..steps {
        let step = SVector::<f32, F>::from_column_slice(&x.as_slice()[F * t..F * (t + 1)]);
        assert!(stream.try_step(&net, &step).is_ok(), "a finite step past the declared length");
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let seed = u64::from_le_bytes(data[1..9].try_into().unwrap());
    let values = &data[9..];
    match data[0] % 5 {
        0 => check::<Causal<Eval>, 16, 24, 2, 3>(seed, values),
        1 => check::<Stacked<Eval>, 15, 10, 3, 2>(seed, values),
        2 => check::<Wide<Eval>, 8, 4, 2, 1>(seed, values),
        3 => check::<Graph<Eval>, 12, 6, 2, 1>(seed, values),
        _ => check::<Outer<Eval>, 10, 5, 2, 1>(seed, values),
    }
});
