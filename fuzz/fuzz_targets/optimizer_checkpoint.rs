//! Optimiser checkpoints: a dictionary -> `Sgd`, `RmsProp`, `Adam` and
//! `AdamW::from_state_dict`.
//!
//! The first byte picks how the rest becomes a dictionary: even, a
//! safetensors file read by `StateDict::from_bytes` (the path `load` takes);
//! odd, text lines (`slot.0.first=1,2.5` a tensor, `key=value` metadata),
//! so hyper-parameters and counts are reached without valid JSON.
//! Properties: no panic; whatever loads makes one step on a small network
//! with finite gradients and leaves every weight finite, and saves to a
//! dictionary that loads back to the same state.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use typenet::io::{NamedTensor, StateDict};
use typenet::prelude::*;

network! {
    pub struct Small { input: 3, fc: Dense<4, Relu>, bn: BatchNorm, out: Dense<2> }
}

/// The network before the step and its (finite) gradients on a fixed batch.
fn fixture() -> &'static (Small<Train>, SmallGrads) {
    static FIXTURE: OnceLock<(Small<Train>, SmallGrads)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut net = Small::<Train>::seeded(3);
        let x = Batch::<3>::from_fn(4, |r, c| (r * 3 + c) as f32 * 0.25 - 1.0);
        let t = Batch::<2>::from_fn(4, |r, c| ((r + c) % 2) as f32);
        let y = net.forward(&x);
        let grads = net.backward(&Mse.grad(&y, &t));
        let mut finite = true;
        grads.visit(&mut |g| finite &= g.iter().all(|v| v.is_finite()));
        assert!(finite, "the fixture's gradients are finite");
        (net, grads)
    })
}

/// The text form: `name=v,v,...` for names starting with `slot.`, else
/// `key=value` metadata.
fn from_text(text: &[u8]) -> StateDict {
    let mut dict = StateDict::default();
    for line in String::from_utf8_lossy(text).lines() {
        let Some((key, value)) = line.split_once('=') else { continue };
        if key.starts_with("slot.") {
            let data: Vec<f32> = value.split(',').filter_map(|v| v.trim().parse().ok()).collect();
            dict.tensors.push(NamedTensor {
                name: key.to_string(),
                shape: vec![data.len()],
                data,
                kind: None,
            });
        } else {
            dict.metadata.insert(key.to_string(), value.to_string());
        }
    }
    dict
}

/// One step with a loaded optimiser; checks the weights and the round trip.
fn exercise<O: Optimizer>(
    kind: &str,
    mut opt: O,
    save: impl Fn(&O) -> StateDict,
    load: impl Fn(&StateDict) -> Result<O, Error>,
) {
    let saved = save(&opt);
    let again = load(&saved).unwrap_or_else(|e| panic!("a loaded {kind} does not load back: {e}"));
    assert_eq!(save(&again), saved, "a loaded {kind} does not round-trip");

    let (net, grads) = fixture();
    let mut net = net.clone();
    let reported = opt.step_finite(&mut net, grads);
    for t in net.state_dict().iter() {
        if let Some(at) = t.data.iter().position(|v| !v.is_finite()) {
            panic!(
                "a loaded {kind} made {}[{at}] = {} in one step (step_finite said {reported}); checkpoint: {:?}",
                t.name, t.data[at], saved.metadata
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dict = if mode & 1 == 0 {
        match StateDict::from_bytes(rest) {
            Ok(dict) => dict,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    } else {
        from_text(rest)
    };
    if let Ok(opt) = Sgd::from_state_dict(&dict) {
        exercise("Sgd", opt, Sgd::state_dict, Sgd::from_state_dict);
    }
    if let Ok(opt) = RmsProp::from_state_dict(&dict) {
        exercise("RmsProp", opt, RmsProp::state_dict, RmsProp::from_state_dict);
    }
    if let Ok(opt) = Adam::from_state_dict(&dict) {
        exercise("Adam", opt, Adam::state_dict, Adam::from_state_dict);
    }
    if let Ok(opt) = AdamW::from_state_dict(&dict) {
        exercise("AdamW", opt, AdamW::state_dict, AdamW::from_state_dict);
    }
});
