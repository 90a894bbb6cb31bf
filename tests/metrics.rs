//! The metrics against scikit-learn: `tools/sklearn_metrics.py` computed
//! each metric on fixed outputs and targets; the same outputs go through
//! typenet's metrics here.

use typenet::metrics::{
    Accuracy, AucRoc, ConfusionMatrix, Mae, Metric, MetricValue, Precision, Recall, Rmse, TopK, F1,
};
use typenet::prelude::*;
use typenet::train::Evaluate;
use typenet::AccuracyKind;

fn value_of(name: &str, outputs: usize, kind: AccuracyKind, y: &[f32], t: &[f32]) -> MetricValue {
    match name {
        "accuracy" => Accuracy.compute_slices(outputs, kind, y, t),
        "precision" => Precision::binary().compute_slices(outputs, kind, y, t),
        "recall" => Recall::binary().compute_slices(outputs, kind, y, t),
        "f1" => F1::binary().compute_slices(outputs, kind, y, t),
        "macro_precision" => Precision::macro_averaged().compute_slices(outputs, kind, y, t),
        "macro_recall" => Recall::macro_averaged().compute_slices(outputs, kind, y, t),
        "macro_f1" => F1::macro_averaged().compute_slices(outputs, kind, y, t),
        "auc" => AucRoc.compute_slices(outputs, kind, y, t),
        "confusion_matrix" => ConfusionMatrix.compute_slices(outputs, kind, y, t),
        "mae" => Mae.compute_slices(outputs, kind, y, t),
        "rmse" => Rmse.compute_slices(outputs, kind, y, t),
        top => {
            let k =
                top.strip_prefix("top_").and_then(|r| r.strip_suffix("_accuracy")).expect("a known metric");
            TopK(k.parse().unwrap()).compute_slices(outputs, kind, y, t)
        }
    }
}

#[test]
fn every_metric_matches_scikit_learn_on_the_fixture() {
    let text = include_str!("fixtures/sklearn_metrics.json");
    let fixture: serde_json::Value = serde_json::from_str(text).expect("the fixture is JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    let mut checked = 0;
    for case in cases {
        let floats = |key: &str| -> Vec<f32> {
            case[key].as_array().expect("a list").iter().map(|v| v.as_f64().unwrap() as f32).collect()
        };
        let (y, t) = (floats("y"), floats("t"));
        let outputs = case["outputs"].as_u64().unwrap() as usize;
        let kind = match case["kind"].as_str().unwrap() {
            "binary_probs" => BinaryCrossEntropy.accuracy(),
            "binary_logits" => BinaryCrossEntropy::from_logits().accuracy(),
            "categorical" => CrossEntropy.accuracy(),
            _ => Mse.accuracy(),
        };
        let name = case["name"].as_str().unwrap();
        for (metric, expected) in case["expected"].as_object().unwrap() {
            let value = value_of(metric, outputs, kind, &y, &t);
            match (expected.as_f64(), value) {
                (Some(expected), MetricValue::Number(v)) => {
                    assert!(
                        (v as f64 - expected).abs() < 1e-6,
                        "{name} {metric}: {v} against scikit-learn's {expected}"
                    );
                }
                (None, MetricValue::Counts(matrix)) => {
                    let rows: Vec<Vec<u64>> = serde_json::from_value(expected.clone()).unwrap();
                    assert_eq!(matrix.rows(), rows, "{name} {metric}");
                }
                (expected, value) => panic!("{name} {metric}: {value:?} against {expected:?}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} values checked");
}

network! {
    struct Classifier {
        input: 2,
        hidden: Dense<8, Tanh>,
        out: Dense<1, Sigmoid>,
    }
}

/// Two features, the class is whether the first is above the second.
fn data(samples: usize) -> Dataset<2, 1> {
    Dataset::from_iter_rows((0..samples).map(|i| {
        let (a, b) = ((i as f32 * 0.37).sin(), (i as f32 * 0.91).cos());
        ([a, b], [f32::from(a > b)])
    }))
    .unwrap()
}

#[test]
fn fit_keeps_each_metric_per_epoch_by_name_and_the_last_equals_evaluate() {
    let data = data(120);
    let mut net = Classifier::<Train>::seeded(4);
    let settings = Fit::epochs(4).batch_size(16).validation_split(0.25).verbose(false).metrics((
        Precision::binary(),
        Recall::binary(),
        F1::binary(),
        AucRoc,
        ConfusionMatrix,
    ));
    let history = net.fit(&data, &mut Adam::new(0.02), &BinaryCrossEntropy, settings).unwrap();
    for name in ["precision", "recall", "f1", "auc", "val_precision", "val_recall", "val_f1", "val_auc"] {
        assert_eq!(history.metric(name).map(<[f32]>::len), Some(4), "{name}");
    }
    assert_eq!(history.matrices["val_confusion_matrix"].len(), 4);
    // The validation values are those of the network after the epoch: the
    // last ones equal evaluate_with on the held-out part.
    let held_out = data.slice(90, 120);
    let eval = net.into_eval();
    let metrics = eval
        .evaluate_with(
            &held_out,
            &BinaryCrossEntropy,
            Evaluate::new().metrics((F1::binary(), AucRoc, ConfusionMatrix)),
        )
        .unwrap();
    assert_eq!(metrics.get("f1"), history.last("val_f1"));
    assert_eq!(metrics.get("auc"), history.last("val_auc"));
    assert_eq!(Some(metrics.loss), history.last("val_loss"));
    assert_eq!(metrics.confusion_matrix(), history.matrices["val_confusion_matrix"].last());
    assert_eq!(metrics.confusion_matrix().unwrap().counts.iter().sum::<u64>(), 30);
}

#[test]
fn metrics_that_cannot_measure_the_network_are_refused_before_training() {
    let data = data(20);
    let mut net = Classifier::<Train>::seeded(4);
    let before = net.clone();
    let refused =
        net.fit(&data, &mut Sgd::new(0.1), &Mse, Fit::epochs(2).verbose(false).metrics(Precision::binary()));
    assert!(matches!(&refused, Err(Error::InvalidArgument(m)) if m.contains("precision")), "{refused:?}");
    let twice = net.fit(
        &data,
        &mut Sgd::new(0.1),
        &BinaryCrossEntropy,
        Fit::epochs(2).verbose(false).metrics([AucRoc, AucRoc]),
    );
    assert!(matches!(&twice, Err(Error::InvalidArgument(m)) if m.contains("two metrics")), "{twice:?}");
    assert_eq!(net.out.weights(), before.out.weights());
    let eval = net.into_eval();
    let top = eval.evaluate_with(&data, &BinaryCrossEntropy, Evaluate::new().metrics(TopK(2)));
    assert!(matches!(top, Err(Error::InvalidArgument(_))));
}

#[cfg(feature = "plot")]
#[test]
fn the_plot_has_a_panel_per_metric() {
    let data = data(60);
    let mut net = Classifier::<Train>::seeded(2);
    let settings = Fit::epochs(3).validation_split(0.2).verbose(false).metrics((Precision::binary(), AucRoc));
    let history = net.fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, settings).unwrap();
    let path = std::env::temp_dir().join(format!("typenet-metrics-plot-{}.svg", std::process::id()));
    history.plot_svg(&path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    for title in ["Loss", "Accuracy", "Precision", "Auc", "val_precision", "val_auc"] {
        assert!(svg.contains(title), "the plot lacks {title}");
    }
}
