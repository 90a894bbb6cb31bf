//! `include_weights!`: weights baked in when the crate compiles equal, bit
//! for bit, the same file loaded at run time.

use typenet::io::{LoadOptions, StateDict};
use typenet::prelude::*;

network! { pub struct Tiny { input: 3, fc: Dense<2> } }

network! {
    /// One layer of each memory order: a convolution's kernel (stored
    /// channels-last), BatchNorm's running statistics, an LSTM's gates and a
    /// dense kernel.
    pub struct Mixed {
        input: [8, 2],
        conv: Conv1d<4, 3, Tanh>,
        bn: BatchNorm,
        lstm: Lstm<5>,
        out: Dense<3, Softmax>,
    }
}

const TINY: &str = "tests/fixtures/baked/tiny.safetensors";
const MIXED: &str = "tests/fixtures/baked/mixed.safetensors";

/// The fixtures' networks: `Tiny::seeded(7)`, and `Mixed::seeded(11)` with
/// running statistics that are not the initial zeros and ones.
fn fixture_networks() -> (Tiny, Mixed) {
    let mut mixed = Mixed::<Eval>::seeded(11);
    let mut next = 0.25f32;
    mixed.visit_tensors_mut("", &mut |name, t| {
        if name.contains("running_") {
            for value in t.data.iter_mut() {
                next = (next * 7.3 + 0.1) % 3.0;
                *value = next + 0.01;
            }
        }
    });
    (Tiny::<Eval>::seeded(7), mixed)
}

fn bits(dict: &StateDict) -> Vec<(String, Vec<usize>, Vec<u32>)> {
    let mut tensors: Vec<_> = dict
        .iter()
        .map(|t| (t.name.clone(), t.shape.clone(), t.data.iter().map(|v| v.to_bits()).collect()))
        .collect();
    tensors.sort();
    tensors
}

/// The committed fixtures are what `fixture_networks` saves; with
/// `TYPENET_BLESS=1` this writes them instead.
#[test]
fn fixtures_hold_the_fixture_networks() {
    let (tiny, mixed) = fixture_networks();
    if std::env::var_os("TYPENET_BLESS").is_some() {
        tiny.save(TINY).unwrap();
        mixed.save(MIXED).unwrap();
    }
    assert_eq!(bits(&StateDict::read(TINY).unwrap()), bits(&tiny.state_dict()));
    assert_eq!(bits(&StateDict::read(MIXED).unwrap()), bits(&mixed.state_dict()));
}

#[test]
fn baked_weights_equal_loaded_ones_bit_for_bit() {
    let baked: Mixed = typenet::include_weights!(Mixed, "tests/fixtures/baked/mixed.safetensors");
    let loaded: Mixed = typenet::io::load(MIXED, &LoadOptions::default()).unwrap();
    assert_eq!(bits(&baked.state_dict()), bits(&loaded.state_dict()));

    let x = Batch::<16>::from_fn(4, |row, col| ((row * 5 + col * 3) % 11) as f32 / 11.0 - 0.4);
    let (from_baked, from_loaded) = (baked.forward(&x), loaded.forward(&x));
    let to_bits = |m: &Batch<3>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(to_bits(&from_baked), to_bits(&from_loaded));

    let tiny: Tiny = typenet::include_weights!(Tiny, "tests/fixtures/baked/tiny.safetensors");
    assert_eq!(bits(&tiny.state_dict()), bits(&Tiny::<Eval>::seeded(7).state_dict()));
}

/// A layer whose tensor has the right number of values in the wrong shape
/// passes the compile-time count and is caught, by name, when built.
#[test]
#[should_panic(expected = "tensor `fc.weight` has shape [3, 2] in the file, `Tiny` expects [2, 3]")]
fn a_transposed_tensor_is_named_when_built() {
    const WEIGHT: [f32; 6] = [0.0; 6];
    const BIAS: [f32; 2] = [0.0; 2];
    let tensors = [
        typenet::__private::BakedTensor::new("fc.bias", &[2], &BIAS),
        typenet::__private::BakedTensor::new("fc.weight", &[3, 2], &WEIGHT),
    ];
    let _: Tiny = typenet::__private::baked::<Tiny>(&tensors);
}
