//! `fit` and `evaluate`: what Keras users expect of `model.fit`.

use typenet::prelude::*;

network! {
    struct Classifier {
        input: 2,
        hidden: Dense<16, Relu>,
        drop: Dropout(0.5),
        out: Dense<1, Sigmoid>,
    }
}

network! {
    struct Regressor {
        input: 2,
        out: Dense<1>,
    }
}

/// Points labelled by which side of the line x0 + x1 = 0 they lie on.
fn separable(n: usize) -> Dataset<2, 1> {
    Dataset::from_iter_rows((0..n).map(|i| {
        let (a, b) = (((i * 37) % 100) as f32 / 50.0 - 1.0, ((i * 61) % 100) as f32 / 50.0 - 1.0);
        ([a, b], [if a + b > 0.0 { 1.0 } else { 0.0 }])
    }))
    .expect("finite samples")
}

fn quiet(epochs: usize) -> Fit<'static> {
    Fit::epochs(epochs).batch_size(16).seed(3).verbose(false)
}

#[test]
fn fit_reduces_the_loss_and_reports_one_value_per_epoch() {
    let data = separable(200);
    let mut net = Classifier::<Train>::seeded(1);
    let history =
        net.fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, quiet(30).validation_split(0.2)).unwrap();
    assert_eq!(history.loss.len(), 30);
    assert_eq!(history.val_loss.len(), 30);
    assert_eq!(history.accuracy.len(), 30);
    assert_eq!(history.val_accuracy.len(), 30);
    assert!(history.loss[29] < 0.5 * history.loss[0], "{:?}", history.loss);
    assert!(history.val_accuracy[29] > 0.9);
    let metrics = net.into_eval().evaluate(&data, &BinaryCrossEntropy);
    assert!(metrics.accuracy.unwrap() > 0.9);
}

#[test]
fn mse_reports_no_accuracy() {
    let data = separable(40);
    let mut net = Regressor::<Train>::seeded(1);
    let history = net.fit(&data, &mut Sgd::new(0.05), &Mse, quiet(3)).unwrap();
    assert_eq!(history.loss.len(), 3);
    assert!(history.accuracy.is_empty() && history.val_loss.is_empty());
    assert_eq!(net.into_eval().evaluate(&data, &Mse).accuracy, None);
}

#[test]
fn validation_runs_with_dropout_off() {
    // With a learning rate of 0 nothing changes, so the reported validation
    // loss must equal an Eval evaluation of the held-out tail; a Train-mode
    // (dropping) pass would give a different value.
    let data = separable(100);
    let mut net = Classifier::<Train>::seeded(4);
    let before = net.clone().into_eval();
    let history =
        net.fit(&data, &mut Sgd::new(0.0), &BinaryCrossEntropy, quiet(1).validation_split(0.3)).unwrap();
    let tail = data.slice(70, 100);
    let expected = before.evaluate(&tail, &BinaryCrossEntropy);
    assert_eq!(history.val_loss[0], expected.loss);
    assert_eq!(history.val_accuracy[0], expected.accuracy.unwrap());
    let mut dropping = before.into_train(1);
    let y = dropping.forward(tail.x());
    assert_ne!(BinaryCrossEntropy.loss(&y, tail.y()), expected.loss);
}

#[test]
fn bad_settings_are_errors_before_any_weight_changes() {
    let data = separable(10);
    let mut net = Classifier::<Train>::seeded(2);
    let before = net.hidden.weights().clone_owned();
    let mut opt = Adam::new(0.1);
    for settings in [quiet(1).batch_size(0), quiet(1).validation_split(1.0), quiet(1).validation_split(-0.1)]
    {
        let err = net.fit(&data, &mut opt, &BinaryCrossEntropy, settings).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    }
    let tiny = separable(1);
    let err = net.fit(&tiny, &mut opt, &BinaryCrossEntropy, quiet(1).validation_split(0.5)).unwrap_err();
    assert!(matches!(err, Error::Empty(_)));
    assert_eq!(net.hidden.weights(), &before);
}

#[test]
fn a_non_finite_loss_stops_with_epoch_and_step_and_keeps_the_last_finite_weights() {
    let mut rows: Vec<([f32; 2], [f32; 1])> = (0..8).map(|i| ([i as f32 / 8.0, 0.5], [1.0])).collect();
    // Finite, but large enough that the loss of its batch overflows.
    rows[5].0[0] = f32::MAX;
    let data = Dataset::from_iter_rows(rows).expect("finite samples");
    let settings = || Fit::epochs(3).batch_size(4).shuffle(false).verbose(false);
    let mut net = Regressor::<Train>::seeded(3);
    let err = net.fit(&data, &mut Sgd::new(0.01), &Mse, settings()).unwrap_err();
    assert!(matches!(err, Error::NonFinite { epoch: 1, step: 2 }), "{err}");

    // The weights are those after step 1 exactly.
    let mut reference = Regressor::<Train>::seeded(3);
    let first = data.slice(0, 4);
    let y = reference.forward(first.x());
    let grads = reference.backward(&Mse.grad(&y, first.y()));
    Sgd::new(0.01).step(&mut reference, &grads);
    assert_eq!(net.out.weights(), reference.out.weights());
}

#[test]
fn early_stopping_restores_the_best_weights() {
    let data = separable(120);
    let mut net = Classifier::<Train>::seeded(5);
    // A large rate makes validation loss bounce, so stopping kicks in.
    let history = net
        .fit(
            &data,
            &mut Adam::new(0.3),
            &BinaryCrossEntropy,
            quiet(200).validation_split(0.25).early_stopping(3),
        )
        .unwrap();
    let best = history.best_epoch.expect("early stopping records the best epoch");
    assert!(history.epochs() < 200);
    assert_eq!(history.epochs(), best + 3, "Keras stops `patience` epochs after the best");
    let best_loss = history.val_loss[best - 1];
    assert!(history.val_loss.iter().all(|&l| l >= best_loss));
    let restored = net.into_eval().evaluate(&data.slice(90, 120), &BinaryCrossEntropy);
    assert_eq!(restored.loss, best_loss);
}

#[test]
fn callbacks_stop_training_and_schedules_set_the_rate() {
    let data = separable(50);
    let mut net = Classifier::<Train>::seeded(6);
    let mut seen = Vec::new();
    let history = net
        .fit(
            &data,
            &mut Sgd::new(0.1),
            &BinaryCrossEntropy,
            quiet(10).schedule(Schedule::Step { every: 2, factor: 0.5 }).on_epoch(|epoch, h| {
                seen.push((epoch, h.loss.len()));
                if epoch == 5 {
                    Control::Stop
                } else {
                    Control::Continue
                }
            }),
        )
        .unwrap();
    assert_eq!(history.epochs(), 5);
    assert_eq!(seen, vec![(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]);
    assert_eq!(history.learning_rate, vec![0.1, 0.1, 0.05, 0.05, 0.025]);
    assert!((Schedule::Cosine { epochs: 10, min_lr: 0.0 }.rate(1.0, 5) - 0.5).abs() < 1e-6);
    assert!((Schedule::Exponential { rate: 0.9 }.rate(1.0, 2) - 0.81).abs() < 1e-6);
}

#[test]
fn gradient_clipping_bounds_the_update() {
    let data = separable(16);
    let mut clipped = Regressor::<Train>::seeded(7);
    let before = clipped.out.weights().clone_owned();
    clipped.fit(&data, &mut Sgd::new(1.0), &Mse, quiet(1).batch_size(16).clip_norm(1e-3)).unwrap();
    let moved = (clipped.out.weights() - before).norm() + 0.0;
    assert!(moved <= 1.001e-3, "{moved}");
}

#[test]
fn history_writes_csv_and_an_svg_with_four_curves() {
    let data = separable(60);
    let mut net = Classifier::<Train>::seeded(8);
    let history =
        net.fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, quiet(4).validation_split(0.2)).unwrap();
    let csv = history.to_csv();
    assert_eq!(csv.lines().count(), 5);
    assert!(csv.starts_with("epoch,loss,val_loss,accuracy,val_accuracy"));
    let path = std::env::temp_dir().join(format!("typenet-history-{}.svg", std::process::id()));
    history.plot_svg(&path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    for label in ["loss", "val_loss", "accuracy", "val_accuracy", "epoch"] {
        assert!(svg.contains(&format!(">{label}<")) || svg.contains(label), "{label} missing");
    }
    assert!(svg.matches("<polyline").count() >= 4, "four curves");
}
