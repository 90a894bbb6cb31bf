//! Weight files: bytes -> `typenet::io::load_bytes_into` on a network with
//! Dense, BatchNorm, Dropout and a nested network.
//!
//! The first byte picks the `LoadOptions` (bit 0 `allow_extra`, bit 1
//! `convert_dtypes`, bit 2 `allow_non_finite`); the rest is the file.
//! Properties: no panic; on `Err` the network is bit for bit as before; on
//! `Ok` every tensor holds what the file says (as `StateDict::from_bytes`
//! reads it) and, unless `allow_non_finite`, is in its `ValueRange` (finite,
//! a running variance not negative).
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

/// Every saved value's bits, by name.
fn bits(net: &Full<Eval>) -> Vec<(String, Vec<u32>)> {
    net.state_dict().iter().map(|t| (t.name.clone(), t.data.iter().map(|v| v.to_bits()).collect())).collect()
}

/// A network whose BatchNorm state is not the default.
fn donor() -> Full<Eval> {
    let mut net = Full::<Eval>::seeded(1);
    for (i, v) in net.bn.running_mean_mut().iter_mut().enumerate() {
        *v = 0.1 * i as f32 + 1.0;
    }
    for (i, v) in net.bn.running_var_mut().iter_mut().enumerate() {
        *v = 2.0 + 0.25 * i as f32;
    }
    net
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let options = LoadOptions::new()
        .allow_extra(selector & 1 != 0)
        .convert_dtypes(selector & 2 != 0)
        .allow_non_finite(selector & 4 != 0);

    let mut net = donor();
    let before = bits(&net);
    match load_bytes_into(&mut net, file, &options) {
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
                for t in net.state_dict().iter() {
                    let read = dict.get(&t.name).expect("a loaded tensor is in the file");
                    let loaded: Vec<u32> = t.data.iter().map(|v| v.to_bits()).collect();
                    let in_file: Vec<u32> = read.data.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(loaded, in_file, "`{}` holds other values than the file", t.name);
                }
            }
        }
    }
});
