//! Weight files: bytes -> `typenet::io::load_bytes_into` on one of five
//! networks: Dense/BatchNorm/Dropout with a nested network; convolutions
//! (2-D with BatchNorm and pooling, 1-D causal and dilated); recurrent
//! layers (LSTM, GRU, bidirectional: the loaders that permute axes); a
//! TimeDistributed head over a recurrent body; a graph (Concat and Add of
//! paths, a residual block).
//!
//! The first byte picks the `LoadOptions` (bit 0 `allow_extra`, bit 1
//! `convert_dtypes`, bit 2 `allow_non_finite`) and, in bits 3..=5, the
//! network; the rest is the file. Properties: no panic; on `Err` the network
//! is bit for bit as before; on `Ok` every tensor holds what the file says
//! (as `StateDict::from_bytes` reads it) and, unless `allow_non_finite`, is
//! in its `ValueRange` (finite, a running variance not negative).
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::io::{load_bytes_into, LoadOptions, StateDict};
use typenet::prelude::*;

network! {
    pub struct Backbone { input: 6, fc1: Dense<8, Relu>, fc2: Dense<5, Relu> }
}

network! {
    pub struct Full { input: 6, base: Backbone, bn: BatchNorm, drop: Dropout(0.1), head: Dense<2> }
}

network! {
    pub struct Convs {
        input: [6, 6, 2],
        conv: Conv2d<3, 3, Relu, padding = Same>,
        bn: BatchNorm,
        pool: MaxPool2d<2>,
        flat: Flatten,
        out: Dense<2>,
    }
}

network! {
    pub struct Causal {
        input: [8, 2],
        conv: Conv1d<3, 2, Tanh, padding = Causal, dilation = 2>,
        mix: Conv1d<2, 1>,
        rnn: Gru<3>,
    }
}

network! {
    pub struct Recurrent {
        input: [5, 3],
        lstm: Lstm<4, return_sequences = true>,
        bi: Bidirectional(Gru<2, return_sequences = true>),
        out: TimeDistributed(Dense<2>),
    }
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

/// Every saved value's bits, by name.
fn bits<N: Network>(net: &N) -> Vec<(String, Vec<u32>)> {
    StateDict::of(net).iter().map(|t| (t.name.clone(), t.data.iter().map(|v| v.to_bits()).collect())).collect()
}

/// A network whose running statistics are not the defaults: every tensor
/// differs from what a fresh network holds, so a partial load would show.
fn donor<N: Network + Init>() -> N {
    let mut net = N::seeded(1);
    let mut dict = StateDict::of(&net);
    for t in &mut dict.tensors {
        for (i, v) in t.data.iter_mut().enumerate() {
            if t.name.ends_with("running_var") {
                *v = 2.0 + 0.25 * i as f32;
            } else if t.name.ends_with("running_mean") {
                *v = 0.1 * i as f32 + 1.0;
            }
        }
    }
    let bytes = dict.to_bytes().expect("a network's own tensors save");
    load_bytes_into(&mut net, &bytes, &LoadOptions::new()).expect("a network's own tensors load");
    net
}

fn check<N: Network + Init>(file: &[u8], options: &LoadOptions) {
    let mut net = donor::<N>();
    let before = bits(&net);
    match load_bytes_into(&mut net, file, options) {
        Err(err) => {
            assert_eq!(bits(&net), before, "a failed load ({err}) changed the network");
            // Display must not panic either.
            let _ = err.to_string();
        }
        Ok(()) => {
            if !options.allow_non_finite {
                net.visit_tensors("", &mut |name, t| {
                    if let Some(at) = t.data.iter().position(|&v| !t.range.admits(v)) {
                        panic!("a strict load accepted {} at {name}[{at}] ({:?})", t.data[at], t.range);
                    }
                });
            }
            // What was loaded is what the file holds (when the whole file
            // reads as a dictionary: an extra tensor of an unconvertible
            // dtype may be skipped by `allow_extra` but refused here).
            if let Ok(dict) = StateDict::from_bytes(file) {
                for t in StateDict::of(&net).iter() {
                    let read = dict.get(&t.name).expect("a loaded tensor is in the file");
                    let loaded: Vec<u32> = t.data.iter().map(|v| v.to_bits()).collect();
                    let in_file: Vec<u32> = read.data.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(loaded, in_file, "`{}` holds other values than the file", t.name);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let options = LoadOptions::new()
        .allow_extra(selector & 1 != 0)
        .convert_dtypes(selector & 2 != 0)
        .allow_non_finite(selector & 4 != 0);
    match (selector >> 3) % 6 {
        0 => check::<Full<Eval>>(file, &options),
        1 => check::<Convs<Eval>>(file, &options),
        2 => check::<Causal<Eval>>(file, &options),
        3 => check::<Recurrent<Eval>>(file, &options),
        4 => check::<Graph<Eval>>(file, &options),
        _ => check::<Full<Train>>(file, &options),
    }
});
