//! The layers of a text model in networks: `fit` refusing token ids an
//! `Embedding` cannot take (however deep it sits at the input), a forward
//! naming the position of one, LayerNorm streaming step by step, and a
//! bidirectional layer learning what only the rest of the sequence tells.

use typenet::prelude::*;

network! {
    pub struct Bag { input: [5], emb: Embedding<8, 3>, flat: Flatten, out: Dense<1> }
}
network! {
    pub struct Encoder { input: [5], emb: Embedding<8, 3>, norm: LayerNorm, flat: Flatten }
}
network! {
    /// An embedding as the first layer of a nested network.
    pub struct Nested { input: [5], enc: Encoder, out: Dense<1> }
}
network! {
    /// Two embeddings of the same ids, concatenated.
    pub struct Branches {
        input: [5],
        cat: Concat([small: Embedding<8, 2>], [large: Embedding<8, 3>]),
        flat: Flatten,
        out: Dense<1>,
    }
}

/// Four samples of five ids; sample 2 has `bad` at position 3.
fn with_bad_id(bad: f32) -> Dataset<5, 1> {
    let mut rows =
        [[1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 7.0, 7.0, 1.0, 0.0], [2.0; 5], [6.0, 5.0, 4.0, 3.0, 2.0]];
    rows[2][3] = bad;
    Dataset::from_rows(&rows, &[[0.0], [1.0], [0.0], [1.0]]).unwrap()
}

/// `fit` on `$net` returns `Error::InvalidData` naming sample 2, position
/// 3, and leaves every weight as it was.
macro_rules! fit_refuses {
    ($net:expr, $bad:expr) => {{
        let (mut net, bad): (_, f32) = ($net, $bad);
        let before = net.state_dict();
        let err = net.fit(&with_bad_id(bad), &mut Adam::new(0.1), &Mse, Fit::epochs(2)).unwrap_err();
        match &err {
            Error::InvalidData { sample: 2, index: 3, value, reason } => {
                assert_eq!(value.to_bits(), bad.to_bits(), "{err}");
                assert!(reason.contains("integers in 0..8"), "{err}");
            }
            other => panic!("{bad}: {other}"),
        }
        for (a, b) in before.iter().zip(net.state_dict().iter()) {
            assert_eq!(a.data, b.data, "{} changed", a.name);
        }
    }};
}

#[test]
fn fit_refuses_ids_that_are_not_tokens_before_any_step() {
    for bad in [8.0, 2.5, -1.0, 1e9] {
        fit_refuses!(Bag::<Train>::seeded(1), bad);
    }
    // Valid ids train.
    let mut net = Bag::<Train>::seeded(1);
    let history = net.fit(&with_bad_id(3.0), &mut Adam::new(0.05), &Mse, Fit::epochs(20)).unwrap();
    assert!(history.loss[19] < history.loss[0] / 2.0, "{:?}", history.loss);
}

#[test]
fn fit_checks_embeddings_inside_nested_networks_and_every_path() {
    fit_refuses!(Nested::<Train>::seeded(2), 9.0);
    fit_refuses!(Branches::<Train>::seeded(3), 0.5);
}

#[test]
fn a_nan_id_is_reported_as_non_finite_data() {
    // `Dataset` constructors refuse a NaN; standardising by a zero
    // deviation makes one (0 / 0) at position 3 of sample 0.
    let scaler = typenet::Standardizer { mean: [0.0, 0.0, 0.0, 4.0, 0.0], std: [1.0, 1.0, 1.0, 0.0, 1.0] };
    let data = with_bad_id(2.0).standardized(&scaler);
    let err = Bag::<Train>::seeded(4).fit(&data, &mut Adam::new(0.1), &Mse, Fit::epochs(1)).unwrap_err();
    assert!(matches!(err, Error::NonFiniteData { sample: 0, index: 3, .. }), "{err}");
}

#[test]
#[should_panic(expected = "sample 1, position 2 holds 8: Embedding<8, 3> takes token ids, integers in 0..8")]
fn a_forward_on_a_bad_id_panics_naming_its_position() {
    let net = Bag::<Eval>::seeded(5);
    let x = Batch::<5>::from_column_slice(&[0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 8.0, 3.0, 4.0]);
    let _ = net.forward(&x);
}

network! {
    pub struct Normed {
        input: [12, 3],
        norm: LayerNorm(eps = 1e-3),
        rnn: Gru<4, return_sequences = true>,
        out: TimeDistributed(Dense<1>),
    }
}

#[test]
fn layer_norm_streams_step_by_step() {
    let net = Normed::<Eval>::seeded(6);
    let x: Vec<f32> = (0..36).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
    let whole = net.predict(&SVector::<f32, 36>::from_column_slice(&x));
    let mut stream = net.stream();
    for (t, step) in x.chunks(3).enumerate() {
        let y = stream.step(&net, &SVector::<f32, 3>::from_column_slice(step));
        assert!((y[0] - whole[t]).abs() < 1e-5, "step {t}: {} vs {}", y[0], whole[t]);
    }
}

network! {
    pub struct OneWay { input: [6, 1], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) }
}
network! {
    pub struct BothWays {
        input: [6, 1],
        rnn: Bidirectional(Gru<8, return_sequences = true>),
        out: TimeDistributed(Dense<1>),
    }
}

#[test]
fn a_bidirectional_layer_learns_what_only_later_steps_tell() {
    // The target at each step is the next step's input (0 after the last):
    // a layer reading forwards cannot know it, one reading both ways can.
    let mut state = 17u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let inputs: Vec<[f32; 6]> = (0..128).map(|_| std::array::from_fn(|_| next())).collect();
    let targets: Vec<[f32; 6]> =
        inputs.iter().map(|x| std::array::from_fn(|t| if t < 5 { x[t + 1] } else { 0.0 })).collect();
    let data = Dataset::<6, 6>::from_rows(&inputs, &targets).unwrap();
    let settings = || Fit::epochs(60).batch_size(16).seed(3).verbose(false);
    let one_way = OneWay::<Train>::seeded(7).fit(&data, &mut Adam::new(0.02), &Mse, settings()).unwrap();
    let both = BothWays::<Train>::seeded(7).fit(&data, &mut Adam::new(0.02), &Mse, settings()).unwrap();
    let (one_way, both) = (one_way.loss.last().copied().unwrap(), both.loss.last().copied().unwrap());
    assert!(both < one_way / 3.0, "both ways {both}, one way {one_way}");
}
