//! Checked against Keras 3: typenet's optimisers must follow Keras'
//! trajectories step for step. `tools/keras_reference.py` ran each Keras
//! optimiser for 6 steps on a [3, 2] weight and a [3] bias with hand-fed
//! gradients and wrote every intermediate value to
//! `tests/fixtures/keras_optimizers.txt` (and the same numbers as JSON in
//! `keras_optimizers.json`). Here a `Dense<2, 3, Linear>` holds the same
//! variables (Keras element (r, c) is `weights()[(r, c)]`), typenet's
//! optimiser takes the same gradients, and after every step both tensors
//! must equal Keras' exactly, as the README promises (the fixture prints
//! each float32 as the float64 it widens to, which reads back exactly). No
//! Python at test time.

use std::collections::BTreeMap;
use std::path::Path;

use typenet::prelude::*;

const STEPS: usize = 6;

type Layer23 = Dense<2, 3, Linear>;

/// One weight matrix (row-major, 3 x 2) and one bias (3).
#[derive(Clone, Debug, Default)]
struct Pair {
    weights: Vec<f32>,
    bias: Vec<f32>,
}

#[derive(Debug, Default)]
struct Case {
    initial: Pair,
    grads: Vec<Pair>,
    after: Vec<Pair>,
}

/// The fixture's cases, by name. Lines look like
/// `NAME initial weights v...`, `NAME grad STEP bias v...`,
/// `NAME after STEP weights v...` (STEP from 1); `#` starts a comment.
fn fixture() -> BTreeMap<String, Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras_optimizers.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let mut word = || words.next().unwrap_or_else(|| panic!("line {}: too short", n + 1));
        let name = word().to_string();
        let kind = word().to_string();
        let step = if kind == "initial" {
            0
        } else {
            word().parse::<usize>().unwrap_or_else(|e| panic!("line {}: step: {e}", n + 1))
        };
        let tensor = word().to_string();
        // Shortest float64 decimals of float32 values: f64 then f32 is exact.
        let values: Vec<f32> = words
            .map(|w| w.parse::<f64>().unwrap_or_else(|e| panic!("line {}: `{w}`: {e}", n + 1)) as f32)
            .collect();
        let case = cases.entry(name).or_default();
        let pair = match kind.as_str() {
            "initial" => &mut case.initial,
            "grad" | "after" => {
                let list = if kind == "grad" { &mut case.grads } else { &mut case.after };
                assert!(step >= 1, "line {}: steps count from 1", n + 1);
                if list.len() < step {
                    list.resize(step, Pair::default());
                }
                &mut list[step - 1]
            }
            other => panic!("line {}: unknown kind `{other}`", n + 1),
        };
        match tensor.as_str() {
            "weights" => {
                assert_eq!(values.len(), 6, "line {}", n + 1);
                pair.weights = values;
            }
            "bias" => {
                assert_eq!(values.len(), 3, "line {}", n + 1);
                pair.bias = values;
            }
            other => panic!("line {}: unknown tensor `{other}`", n + 1),
        }
    }
    cases
}

fn layer_from(p: &Pair) -> Layer23 {
    let mut layer = Layer23::zeros();
    for r in 0..3 {
        for c in 0..2 {
            layer.weights_mut()[(r, c)] = p.weights[r * 2 + c];
        }
        layer.bias_mut()[r] = p.bias[r];
    }
    layer
}

fn grads_from(p: &Pair) -> DenseGrads<2, 3> {
    let mut grads = DenseGrads::<2, 3>::zeros();
    for r in 0..3 {
        for c in 0..2 {
            grads.weights_mut()[(r, c)] = p.weights[r * 2 + c];
        }
        grads.bias_mut()[r] = p.bias[r];
    }
    grads
}

/// Replays `name` with `opt`; returns the largest absolute and relative
/// deviations from Keras and every element that differs from it.
fn replay<O: Optimizer>(cases: &BTreeMap<String, Case>, name: &str, mut opt: O) -> (f32, f32, Vec<String>) {
    let case = cases.get(name).unwrap_or_else(|| panic!("no case `{name}` in the fixture"));
    assert_eq!(case.grads.len(), STEPS, "{name}: gradient steps");
    assert_eq!(case.after.len(), STEPS, "{name}: recorded steps");
    let mut layer = layer_from(&case.initial);
    let (mut max_abs, mut max_rel, mut bad) = (0.0f32, 0.0f32, Vec::new());
    for (step, (g, want)) in case.grads.iter().zip(&case.after).enumerate() {
        opt.step(&mut layer, &grads_from(g));
        let mut check = |what: String, got: f32, want: f32| {
            let diff = (got - want).abs();
            max_abs = max_abs.max(diff);
            if want != 0.0 {
                max_rel = max_rel.max(diff / want.abs());
            }
            // Exactly equal (a NaN fails too).
            if got != want {
                bad.push(format!("step {} {what}: typenet {got:e}, keras {want:e}, diff {diff:e}", step + 1));
            }
        };
        for r in 0..3 {
            for c in 0..2 {
                check(format!("weights[({r}, {c})]"), layer.weights()[(r, c)], want.weights[r * 2 + c]);
            }
            check(format!("bias[{r}]"), layer.bias()[r], want.bias[r]);
        }
    }
    eprintln!(
        "{name:>13}: max |typenet - keras| = {max_abs:.3e} (max relative {max_rel:.3e}) over {STEPS} steps"
    );
    (max_abs, max_rel, bad)
}

fn assert_matches<O: Optimizer>(name: &str, opt: O) {
    let cases = fixture();
    let (_, _, bad) = replay(&cases, name, opt);
    assert!(bad.is_empty(), "{name} departs from Keras:\n  {}", bad.join("\n  "));
}

#[test]
fn fixture_is_complete() {
    let cases = fixture();
    let names: Vec<&str> = cases.keys().map(String::as_str).collect();
    assert_eq!(names, ["adam", "adamw", "rmsprop", "sgd", "sgd_momentum", "sgd_nesterov"]);
    for (name, case) in &cases {
        assert_eq!(case.initial.weights.len(), 6, "{name}");
        assert_eq!(case.initial.bias.len(), 3, "{name}");
        assert!(
            case.grads.iter().chain(&case.after).all(|p| p.weights.len() == 6 && p.bias.len() == 3),
            "{name}"
        );
    }
}

#[test]
fn sgd_matches_keras() {
    // keras.optimizers.SGD(learning_rate=0.1)
    assert_matches("sgd", Sgd::new(0.1));
}

#[test]
fn sgd_momentum_matches_keras() {
    // keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    assert_matches("sgd_momentum", Sgd::new(0.1).momentum(0.9));
}

#[test]
fn sgd_nesterov_matches_keras() {
    // keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
    assert_matches("sgd_nesterov", Sgd::new(0.05).momentum(0.9).nesterov(true));
}

#[test]
fn rmsprop_matches_keras() {
    // keras.optimizers.RMSprop(learning_rate=0.01): rho 0.9, epsilon 1e-7
    assert_matches("rmsprop", RmsProp::new(0.01));
}

#[test]
fn adam_matches_keras() {
    // keras.optimizers.Adam(learning_rate=0.01): beta_1 0.9, beta_2 0.999, epsilon 1e-7
    assert_matches("adam", Adam::new(0.01));
}

#[test]
fn adamw_matches_keras() {
    // keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1)
    assert_matches("adamw", AdamW::new(0.01, 0.1));
}
