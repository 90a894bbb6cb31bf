//! Answers that used to be wrong without a word: each is now right or an
//! error naming the problem. (Empty evaluation sets are in tests/train.rs,
//! F64 values beyond f32 in tests/io.rs, a custom layer whose output
//! shape disagrees with its width in tests/ui.)

use typenet::io::{NamedTensor, StateDict};
use typenet::prelude::*;
use typenet::Standardizer;

#[test]
fn a_state_dict_refuses_names_its_file_could_not_hold() {
    let tensor = |name: &str| NamedTensor { name: name.into(), shape: vec![1], data: vec![1.0], kind: None };
    for names in [vec!["__metadata__"], vec![""], vec!["fc.bias", "fc.bias"]] {
        let tensors = names.iter().map(|n| tensor(n)).collect();
        let err = StateDict::from_tensors(tensors).unwrap_err();
        assert!(matches!(&err, Error::InvalidArgument(m) if m.contains("could not be read back")), "{err}");
    }
    // Every dictionary it builds survives its own file format.
    let dict = StateDict::from_tensors(vec![tensor("fc.bias"), tensor("fc.weight")]).unwrap();
    let read = StateDict::from_bytes(&dict.to_bytes().unwrap()).unwrap();
    assert_eq!(read.len(), 2);
}

#[test]
fn standardising_values_near_the_f32_limit_stays_finite() {
    let data = Dataset::<1, 1>::from_rows(&[[3e38], [-3e38], [3e38]], &[[0.0], [1.0], [0.0]]).unwrap();
    let scaler: Standardizer<1> = data.fit_standardizer();
    assert!(scaler.mean[0].is_finite() && scaler.std[0].is_finite());
    let standardized = data.standardized(&scaler);
    standardized.check_finite().unwrap();
    let x = standardized.x();
    let (half, whole) = (std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::SQRT_2);
    assert!((x[0] - half).abs() < 1e-5 && (x[1] + whole).abs() < 1e-5, "{x}");
}

network! {
    pub struct Normed { input: 2, bn: BatchNorm(momentum = 0.5), out: Dense<1> }
}

#[test]
fn batch_norm_running_statistics_follow_what_training_used_for_huge_features() {
    let rows: Vec<[f32; 2]> =
        (0..16).map(|i| [if i % 2 == 0 { 1e20 } else { -1e20 }, (i % 4) as f32 - 1.5]).collect();
    let targets: Vec<[f32; 1]> = (0..16).map(|i| [(i % 2) as f32]).collect();
    let data = Dataset::<2, 1>::from_rows(&rows, &targets).unwrap();
    let mut net = Normed::<Train>::seeded(3);
    net.fit(&data, &mut Adam::new(1e-2), &Mse, Fit::epochs(30).batch_size(16).verbose(false)).unwrap();
    // The running statistics are the (full) batch's, as training used them;
    // before, this channel's update was skipped and its variance stayed 1.
    let running = net.bn.running_var()[0];
    assert!(running.is_finite() && running > 1e38, "the running variance followed the batches: {running}");
    // So the Eval network gives what training computed (it predicted 6.1e18).
    let trained = net.forward(&data.x().clone_owned());
    let net = net.into_eval();
    for (i, row) in rows.iter().enumerate() {
        let y = net.predict(&SVector::<f32, 2>::from_column_slice(row))[0];
        assert!(
            (y - trained[i]).abs() <= 1e-4 * (1.0 + trained[i].abs()),
            "{row:?}: Eval {y}, Train {}",
            trained[i]
        );
    }
}

network! {
    pub struct Amp { input: [6, 1], rnn: Gru<4, return_sequences = true>, out: TimeDistributed(Dense<1>) }
}

#[test]
fn a_checked_stream_step_refuses_nan_before_it_poisons_the_state() {
    let net = Amp::<Eval>::seeded(1);
    let mut checked = net.stream();
    let mut plain = net.stream();
    let step = |v: f32| SVector::<f32, 1>::new(v);
    assert_eq!(checked.try_step(&net, &step(0.5)).unwrap(), plain.step(&net, &step(0.5)));
    let err = checked.try_step(&net, &step(f32::NAN)).unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteStep { step: 1, output: false, index: 0, value } if value.is_nan())
    );
    assert!(err.to_string().contains("stream step 1"), "{err}");
    // The refused step changed nothing: the stream goes on as one that never saw it.
    assert_eq!(checked.try_step(&net, &step(-0.25)).unwrap(), plain.step(&net, &step(-0.25)));
    // An unchecked NaN poisons every later step until reset.
    let _ = plain.step(&net, &step(f32::NAN));
    assert!(plain.step(&net, &step(0.1))[0].is_nan());
    plain.reset();
    checked.reset();
    assert_eq!(checked.try_step(&net, &step(0.1)).unwrap(), plain.step(&net, &step(0.1)));
}
