//! Every built-in layer's backward against central finite differences
//! (the layers' own unit tests cover the same for Dense and BatchNorm with
//! more cases).

use typenet::prelude::*;
use typenet::testing::check_layer_gradients;
use typenet::{Cols, ColsMut, Layer};

#[test]
fn standalone_activations() {
    check_layer_gradients(Activation::<5, Relu>::new(), 3);
    check_layer_gradients(Activation::<5, Sigmoid>::new(), 3);
    check_layer_gradients(Activation::<5, Tanh>::new(), 3);
    check_layer_gradients(Activation::<5, Softmax>::new(), 3);
    check_layer_gradients(Activation::<5, LeakyRelu>::new(), 3);
    check_layer_gradients(Activation::<5, Gelu>::new(), 3);
}

#[test]
fn dense_with_every_activation() {
    check_layer_gradients(Dense::<6, 4, Linear>::seeded(1), 5);
    check_layer_gradients(Dense::<6, 4, Relu>::seeded(2), 5);
    check_layer_gradients(Dense::<6, 4, Sigmoid>::seeded(3), 5);
    check_layer_gradients(Dense::<6, 4, Tanh>::seeded(4), 5);
    check_layer_gradients(Dense::<6, 4, Softmax>::seeded(5), 5);
    check_layer_gradients(Dense::<6, 4, LeakyRelu>::seeded(6), 5);
    check_layer_gradients(Dense::<6, 4, Gelu>::seeded(7), 5);
}

#[test]
fn dropout_in_eval_flatten_and_batch_norm() {
    check_layer_gradients(Dropout::<7, Eval>::new(0.5, 1), 3);
    check_layer_gradients(Dropout::<7, Train>::new(0.0, 1), 3);
    check_layer_gradients(Flatten::<7>, 3);
    check_layer_gradients(BatchNorm::<4, Train>::new(), 6);
    check_layer_gradients(BatchNorm::<4, Eval>::new(), 6);
}

/// Guards Dropout's inverted scaling: in Train each kept unit is
/// multiplied by `1 / (1 - rate)` (4/3 here) forward and backward, each
/// dropped one is zero, about `rate` of them are dropped, and the
/// Monte-Carlo forward through `&self` scales the same way.
#[test]
fn dropout_in_train_scales_kept_units_by_one_over_one_minus_rate() {
    const N: usize = 50;
    const COLS: usize = 40;
    let (rate, scale) = (0.25f32, 4.0f32 / 3.0);
    let mut layer = Dropout::<N, Train>::new(rate, 7);
    let x: Vec<f32> = (0..N * COLS).map(|i| 0.5 + (i % 13) as f32 / 13.0).collect();
    let kept_scaled = |y: &[f32]| {
        let mut dropped = 0;
        for (i, (&input, &output)) in x.iter().zip(y).enumerate() {
            if output == 0.0 {
                dropped += 1;
            } else {
                assert!((output - input * scale).abs() <= 1e-6, "unit {i}: {input} became {output}");
            }
        }
        // 2000 units at rate 0.25: 500 expected, standard deviation 19.
        assert!((400..=600).contains(&dropped), "{dropped} of 2000 dropped");
    };

    let mut y = vec![0.0f32; N * COLS];
    let mut cache = Default::default();
    layer.train_forward(Cols::new(&x, N), ColsMut::new(&mut y, N), &mut cache);
    kept_scaled(&y);
    let (mut dy, mut dx) = (vec![1.0f32; N * COLS], vec![0.0f32; N * COLS]);
    layer.train_backward(
        Cols::new(&x, N),
        Cols::new(&y, N),
        ColsMut::new(&mut dy, N),
        &mut cache,
        Some(ColsMut::new(&mut dx, N)),
        None,
    );
    for (i, (&d, &output)) in dx.iter().zip(&y).enumerate() {
        let want = if output == 0.0 { 0.0 } else { scale };
        assert!((d - want).abs() <= 1e-6, "unit {i}: gradient {d}, expected {want}");
    }

    let mut monte_carlo = vec![0.0f32; N * COLS];
    layer.infer(Cols::new(&x, N), ColsMut::new(&mut monte_carlo, N));
    kept_scaled(&monte_carlo);
}

#[test]
#[should_panic(expected = "input gradient")]
fn the_checker_catches_a_wrong_backward() {
    // StopGradient's backward is zero on purpose: the checker must notice
    // that it is not the derivative of its (identity) forward.
    check_layer_gradients(StopGradient::<3>, 2);
}
