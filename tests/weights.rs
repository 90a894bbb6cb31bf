//! Class and sample weights against Keras 3: `tools/keras_weights.py` had
//! Keras evaluate and fit (with a learning rate of 0) one Dense layer with
//! fixed weights; typenet's `evaluate_with` and `fit` report the same
//! losses for the same network, data and weights.

use serde_json::Value;
use typenet::prelude::*;
use typenet::train::Evaluate;

network! { struct Binary { input: 3, out: Dense<1, Sigmoid> } }
network! { struct Categorical { input: 4, out: Dense<3> } }
network! { struct Regression { input: 3, out: Dense<2> } }

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().expect("a list").iter().map(|v| v.as_f64().expect("a number") as f32).collect()
}

fn rows(v: &Value) -> Vec<Vec<f32>> {
    v.as_array().expect("rows").iter().map(floats).collect()
}

fn close(ours: f32, keras: f64, what: &str) {
    assert!(((ours as f64 - keras) / keras).abs() < 2e-6, "{what}: {ours} against Keras' {keras}");
}

/// Runs every comparison of one case on a network type.
macro_rules! check_case {
    ($case:expr, $net:ident, $loss:expr, $inputs:literal, $outputs:literal) => {{
        let case: &Value = $case;
        let name = case["name"].as_str().unwrap();
        let mut net = $net::<Train>::seeded(0);
        let kernel = rows(&case["kernel"]);
        let bias = floats(&case["bias"]);
        for o in 0..$outputs {
            for i in 0..$inputs {
                net.out.weights_mut()[(o, i)] = kernel[i][o];
            }
            net.out.bias_mut()[o] = bias[o];
        }
        let (x, y) = (rows(&case["x"]), rows(&case["y"]));
        let data = Dataset::<$inputs, $outputs>::from_iter_rows(x.iter().zip(&y).map(|(x, y)| {
            (<[f32; $inputs]>::try_from(&x[..]).unwrap(), <[f32; $outputs]>::try_from(&y[..]).unwrap())
        }))
        .unwrap();
        let sample_weight = floats(&case["sample_weight"]);
        let class_weight: Vec<(usize, f32)> = case["class_weight"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.parse().unwrap(), v.as_f64().unwrap() as f32)).collect())
            .unwrap_or_default();
        let evaluated =
            net.evaluate_with(&data, &$loss, Evaluate::new().sample_weight(&sample_weight)).unwrap();
        close(
            evaluated.loss,
            case["evaluate_sample_weighted"].as_f64().unwrap(),
            &format!("{name} evaluate"),
        );
        for run in case["fit"].as_array().unwrap() {
            let split = run["validation_split"].as_f64().unwrap() as f32;
            let settings = Fit::epochs(1).batch_size(4).shuffle(false).validation_split(split).verbose(false);
            let settings = match run["weights"].as_str().unwrap() {
                "class" => settings.class_weight(class_weight.iter().copied()),
                _ => settings.sample_weight(&sample_weight),
            };
            let mut trained = net.clone();
            let history = trained.fit(&data, &mut Sgd::new(0.0), &$loss, settings).unwrap();
            let what = format!("{name} fit with {} weights, split {split}", run["weights"]);
            close(history.loss[0], run["loss"].as_f64().unwrap(), &what);
            match run["val_loss"].as_f64() {
                Some(val_loss) => close(history.val_loss[0], val_loss, &format!("{what}, val_loss")),
                None => assert!(history.val_loss.is_empty()),
            }
            assert_eq!(trained.out.weights(), net.out.weights(), "a rate of 0 moves nothing");
        }
    }};
}

#[test]
fn weighted_losses_are_those_keras_reports() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/keras_weights.json")).expect("JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 3);
    check_case!(&cases[0], Binary, BinaryCrossEntropy, 3, 1);
    check_case!(&cases[1], Categorical, CrossEntropy, 4, 3);
    check_case!(&cases[2], Regression, Mse, 3, 2);
}

#[test]
fn weights_change_what_the_gradient_favours() {
    // Two identical inputs with opposite targets: the weighted class wins.
    let mut net = Binary::<Train>::seeded(1);
    let ones = Dataset::<3, 1>::from_rows(&[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], &[[1.0], [0.0]]).unwrap();
    let settings = Fit::epochs(200).batch_size(2).verbose(false).class_weight([(1, 4.0)]);
    net.fit(&ones, &mut Adam::new(0.05), &BinaryCrossEntropy, settings).unwrap();
    let p = net.into_eval().predict(&SVector::<f32, 3>::new(1.0, 0.0, 0.0))[0];
    assert!((p - 0.8).abs() < 0.02, "weights 4:1 give p = 4/5, got {p}");
}

#[test]
fn invalid_weights_are_refused_before_training() {
    let data = Dataset::<3, 1>::from_rows(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], &[[1.0], [0.0]]).unwrap();
    let mut net = Binary::<Train>::seeded(1);
    let fit = |net: &mut Binary<Train>, settings: Fit<'_>| {
        net.fit(&data, &mut Sgd::new(0.1), &BinaryCrossEntropy, settings)
    };
    let quiet = || Fit::epochs(1).verbose(false);
    let short = [1.0];
    let negative = [1.0, -1.0];
    let both = [1.0, 1.0];
    for (settings, needle) in [
        (quiet().sample_weight(&short), "1 sample weights for 2 samples"),
        (quiet().sample_weight(&negative), "sample weight -1 of sample 1"),
        (quiet().class_weight([(0, f32::NAN)]), "class 0"),
        (quiet().sample_weight(&both).class_weight([(0, 2.0)]), "cannot be given together"),
    ] {
        let outcome = fit(&mut net, settings);
        assert!(matches!(&outcome, Err(Error::InvalidArgument(m)) if m.contains(needle)), "{outcome:?}");
    }
    let eval = net.into_eval();
    assert!(eval.evaluate_with(&data, &BinaryCrossEntropy, Evaluate::new().sample_weight(&short)).is_err());
}
