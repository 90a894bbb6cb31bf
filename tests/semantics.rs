//! The questions Keras and PyTorch users keep asking, answered by tests:
//! freezing, pinned phases, noise_shape, BatchNorm, nested networks, L2.

use typenet::prelude::*;
use typenet::testing::check_layer_gradients;

network! {
    /// A backbone with dropout inside, to be frozen under a new head.
    pub struct Backbone {
        input: 6,
        fc1: Dense<16, Relu>,
        drop: Dropout(0.5),
        fc2: Dense<8, Relu>,
    }
}

network! {
    /// Transfer learning: a frozen backbone and a trainable head.
    pub struct Transfer {
        input: 6,
        #[frozen]
        base: Backbone,
        head: Dense<2>,
    }
}

fn batch<const N: usize>(cols: usize, seed: usize) -> Batch<N> {
    Batch::<N>::from_fn(cols, |r, c| ((r * 7 + c * 13 + seed) as f32 * 0.37).sin())
}

#[test]
fn dropout_inside_a_frozen_nested_network_still_drops_in_train_and_not_in_eval() {
    let mut net = Transfer::<Train>::seeded(1);
    let x = batch::<6>(32, 1);
    assert_ne!(net.forward(&x), net.forward(&x), "frozen is not a phase: the inner dropout draws masks");
    let eval = net.clone().into_eval();
    assert_eq!(eval.forward(&x), eval.forward(&x), "identity in Eval");
}

#[test]
fn frozen_weights_stay_bit_identical_while_the_head_trains() {
    let mut net = Transfer::<Train>::seeded(2);
    let base_before = (net.base.fc1.weights().clone_owned(), net.base.fc2.bias().clone_owned());
    let head_before = net.head.weights().clone_owned();
    let mut opt = Adam::new(0.01);
    let (x, t) = (batch::<6>(16, 2), batch::<2>(16, 3));
    for _ in 0..10 {
        let y = net.forward(&x);
        let grads = net.backward(&Mse.grad(&y, &t));
        opt.step(&mut net, &grads);
    }
    assert_eq!((net.base.fc1.weights().clone_owned(), net.base.fc2.bias().clone_owned()), base_before);
    assert_ne!(net.head.weights(), &head_before);
    assert_eq!(Transfer::TRAINABLE_PARAMS, 8 * 2 + 2);
    assert_eq!(Transfer::PARAMS, Backbone::PARAMS + 8 * 2 + 2);
}

network! {
    struct Feeder { input: 3, fc: Dense<6, Tanh>, #[frozen] base: Backbone, head: Dense<1> }
}

#[test]
fn the_gradient_of_a_layer_before_a_frozen_network_is_correct() {
    // Backbone's dropout is random in Train, so check in Eval phase, where
    // backward still runs through every layer.
    network! {
        struct Checked { input: 3, fc: Dense<6, Tanh>, #[frozen] #[phase(Eval)] base: Backbone, head: Dense<1> }
    }
    check_layer_gradients(Checked::<Train>::seeded(3), 4);
    let mut net = Feeder::<Train>::seeded(3);
    let y = net.forward(&batch::<3>(5, 1));
    let grads = net.backward(&Mse.grad(&y, &batch::<1>(5, 2)));
    assert!(grads.fc.weights().iter().any(|&g| g != 0.0));
}

network! {
    struct DropAll { input: 4, base: Dense<5, Tanh>, gate: Dropout(1.0), head: Dense<2> }
}

network! {
    struct Stopped { input: 4, base: Dense<5, Tanh>, gate: StopGradient, head: Dense<2> }
}

#[test]
fn dropout_one_and_stop_gradient_block_the_same_gradients_but_differ_forward() {
    let mut dropped = DropAll::<Train>::seeded(4);
    let mut stopped = Stopped::<Train>::seeded(4);
    let (x, t) = (batch::<4>(8, 4), batch::<2>(8, 5));
    let y_dropped = dropped.forward(&x);
    let y_stopped = stopped.forward(&x);
    assert_ne!(y_dropped, y_stopped, "Dropout(1.0) outputs zeros into the head; StopGradient passes values");
    let g_dropped = dropped.backward(&Mse.grad(&y_dropped, &t));
    let g_stopped = stopped.backward(&Mse.grad(&y_stopped, &t));
    assert!(g_dropped.base.weights().iter().all(|&g| g == 0.0));
    assert_eq!(g_dropped.base.weights(), g_stopped.base.weights());
    assert_eq!(g_dropped.base.bias(), g_stopped.base.bias());
    assert!(g_dropped.base.weights().iter().all(|g| !g.is_nan()));
    assert_ne!(g_dropped.head.weights(), g_stopped.head.weights());
}

network! {
    struct MonteCarlo { input: 4, fc: Dense<32, Relu>, #[phase(Train)] drop: Dropout(0.5), out: Dense<1> }
}

#[test]
fn monte_carlo_dropout_averages_to_the_plain_eval_output() {
    let net = MonteCarlo::<Eval>::seeded(5);
    let x = batch::<4>(1, 6);
    let a = net.forward(&x);
    assert_ne!(a, net.forward(&x), "a Train-pinned dropout draws through &self");
    // The plain network: the same weights with the dropout layer following the phase.
    network! {
        struct Plain { input: 4, fc: Dense<32, Relu>, drop: Dropout(0.5), out: Dense<1> }
    }
    let mut plain = Plain::<Eval>::seeded(0);
    *plain.fc.weights_mut() = *net.fc.weights();
    *plain.out.weights_mut() = *net.out.weights();
    let expected = plain.forward(&x)[0];
    let passes = 1000;
    let mean = (0..passes).map(|_| net.forward(&x)[0]).sum::<f32>() / passes as f32;
    let spread = (0..passes).map(|_| (net.forward(&x)[0] - expected).powi(2)).sum::<f32>() / passes as f32;
    let standard_error = (spread / passes as f32).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * standard_error + 1e-4,
        "{mean} vs {expected} (se {standard_error})"
    );
    fn send_sync<T: Send + Sync>() {}
    send_sync::<MonteCarlo<Eval>>();
}

network! {
    /// Sequences of 3 steps with 4 features.
    struct Sequence {
        input: [3, 4],
        drop: Dropout(0.5, noise_shape = [_, 1, 4]),
        flat: Flatten,
        out: Dense<1>,
    }
}

network! {
    struct BatchShared { input: 6, drop: Dropout(0.5, noise_shape = [1, 6]), out: Dense<1> }
}

#[test]
fn noise_shape_masks_have_the_claimed_sharing_pattern() {
    let mut net = Sequence::<Train>::seeded(6);
    let cols = 40;
    net.forward(&Batch::<12>::from_element(cols, 1.0));
    // The input is all ones, so the dropout's output is its mask.
    let mask = net.outputs()[0].1.to_vec();
    let mut samples_differ = false;
    for c in 0..cols {
        for f in 0..4 {
            let first = mask[c * 12 + f];
            for t in 1..3 {
                assert_eq!(mask[c * 12 + t * 4 + f], first, "one value per feature for all time steps");
            }
            samples_differ |= first != mask[f];
        }
    }
    assert!(samples_differ, "each sample draws its own");

    let mut shared = BatchShared::<Train>::seeded(7);
    shared.forward(&Batch::<6>::from_element(cols, 1.0));
    let mask = shared.outputs()[0].1.to_vec();
    for c in 1..cols {
        assert_eq!(mask[c * 6..(c + 1) * 6], mask[..6], "one mask for the whole batch");
    }
    assert!(mask[..6].contains(&0.0) || mask[..6].iter().all(|&m| m == 2.0));
}

network! {
    struct Normed { input: 4, fc: Dense<5>, bn: BatchNorm, act: Relu, out: Dense<2> }
}

network! {
    struct FixedNorm { input: 4, fc: Dense<5>, #[phase(Eval)] bn: BatchNorm, out: Dense<2> }
}

#[test]
fn batch_norm_trains_with_batch_statistics_and_infers_with_running_ones() {
    check_layer_gradients(Normed::<Train>::seeded(8), 6);
    let mut net = Normed::<Train>::seeded(8);
    let x = batch::<4>(16, 9);
    net.forward(&x);
    let running = net.bn.running_mean().clone_owned();
    assert_ne!(running, typenet::nalgebra::SVector::<f32, 5>::zeros(), "Train updates the running mean");
    let eval = net.clone().into_eval();
    let y = eval.forward(&x);
    assert_eq!(eval.bn.running_mean(), &running, "Eval changes nothing");
    // Eval normalises one sample the same way as a batch: running statistics.
    let single = eval.forward(&x.columns(0, 1).into_owned());
    assert!((single[0] - y[0]).abs() < 1e-6);
}

#[test]
fn an_eval_pinned_batch_norm_keeps_its_running_statistics_while_the_rest_trains() {
    check_layer_gradients(FixedNorm::<Train>::seeded(9), 5);
    let mut net = FixedNorm::<Train>::seeded(9);
    net.bn.running_mean_mut().fill(0.5);
    let before = net.bn.running_mean().clone_owned();
    let mut opt = Sgd::new(0.1);
    for _ in 0..3 {
        let y = net.forward(&batch::<4>(8, 1));
        let grads = net.backward(&Mse.grad(&y, &batch::<2>(8, 2)));
        opt.step(&mut net, &grads);
    }
    assert_eq!(net.bn.running_mean(), &before);
    assert!(net.summary().to_string().contains("[Eval]"));
}

network! {
    struct Regularised { input: 3, #[l2(0.01)] fc: Dense<4, Tanh>, out: Dense<1> }
}

network! {
    struct Unregularised { input: 3, fc: Dense<4, Tanh>, out: Dense<1> }
}

#[test]
fn l2_adds_two_lambda_w_to_the_gradient_and_lambda_sum_w2_to_the_loss() {
    let mut with = Regularised::<Train>::seeded(10);
    let mut without = Unregularised::<Train>::seeded(10);
    let (x, t) = (batch::<3>(6, 1), batch::<1>(6, 2));
    let y_with = with.forward(&x);
    let g_with = with.backward(&Mse.grad(&y_with, &t));
    let y_without = without.forward(&x);
    let g_without = without.backward(&Mse.grad(&y_without, &t));
    let expected = g_without.fc.weights() + with.fc.weights() * 0.02;
    assert!((g_with.fc.weights() - expected).abs().max() < 1e-6);
    assert_eq!(g_with.out.weights(), g_without.out.weights());
    let penalty = 0.01 * with.fc.weights().iter().map(|w| w * w).sum::<f32>();
    assert!((with.l2_penalty() - penalty).abs() < 1e-7);
    let data = Dataset::new(x, t).unwrap();
    let with_metrics = with.into_eval().evaluate(&data, &Mse);
    let without_metrics = without.into_eval().evaluate(&data, &Mse);
    assert!((with_metrics.loss - without_metrics.loss - penalty).abs() < 1e-6);
}

#[test]
fn flatten_passes_shaped_inputs_through_unchanged() {
    network! { struct Flat { input: [2, 3], flat: Flatten, out: Dense<1> } }
    let net = Flat::<Eval>::seeded(11);
    let x = batch::<6>(3, 4);
    let by_hand = net.out.weights() * &x;
    let y = net.forward(&x);
    assert!((y - by_hand).abs().max() < 1e-6);
    assert_eq!(Flat::INPUT, 6);
    assert!(net.summary().to_string().contains("(None, 2, 3)"));
}
