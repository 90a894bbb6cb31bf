//! The generated network end to end: shapes, phases, gradients of whole
//! stacks against finite differences, dropout statistics, construction.

use typenet::prelude::*;
use typenet::testing::check_layer_gradients;

const HIDDEN: usize = 6;

network! {
    /// Every deterministic built-in layer in one stack.
    pub struct Stack {
        input: 5,
        fc1: Dense<HIDDEN, Gelu>,
        fc2: Dense<6, LeakyRelu>,
        act: Tanh,
        fc3: Dense<5, Sigmoid>,
        fc4: Dense<4, Softmax>,
        out: Dense<3>,
    }
}

network! {
    pub struct WithDropout {
        input: 4,
        fc1: Dense<16, Relu>,
        drop: Dropout(0.5),
        out: Dense<2>,
    }
}

network! {
    struct FrozenMiddle {
        input: 3,
        fc1: Dense<4, Tanh>,
        #[frozen]
        fc2: Dense<4, Sigmoid>,
        out: Dense<2>,
    }
}

fn batch<const N: usize>(cols: usize, seed: u32) -> Batch<N> {
    Batch::<N>::from_fn(cols, |r, c| ((r * 7 + c * 13 + seed as usize) as f32 * 0.37).sin())
}

#[test]
fn whole_stack_backward_matches_finite_differences() {
    check_layer_gradients(Stack::<Train>::seeded(3), 4);
    check_layer_gradients(Stack::<Eval>::seeded(4), 2);
}

#[test]
fn gradient_flows_through_a_frozen_layer_to_the_layers_before_it() {
    check_layer_gradients(FrozenMiddle::<Train>::seeded(5), 3);
    let mut net = FrozenMiddle::<Train>::seeded(5);
    let y = net.forward(&batch::<3>(4, 1));
    let grads = net.backward(&Mse.grad(&y, &batch::<2>(4, 2)));
    assert!(grads.fc1.weights().iter().any(|&g| g != 0.0));
    assert_eq!(FrozenMiddle::TRAINABLE_PARAMS, FrozenMiddle::PARAMS - 20);
}

#[test]
fn same_seed_gives_the_same_network_bit_for_bit() {
    let a = Stack::<Eval>::seeded(9);
    let b = Stack::<Eval>::seeded(9);
    assert_eq!(a.fc1.weights(), b.fc1.weights());
    assert_eq!(a.out.weights(), b.out.weights());
    assert_ne!(a.fc1.weights(), Stack::<Eval>::seeded(10).fc1.weights());
    assert!(a.fc1.bias().iter().all(|&v| v == 0.0));
}

#[test]
fn eval_forward_predict_and_forward_into_agree() {
    let net = Stack::<Eval>::seeded(1);
    let x = batch::<5>(7, 3);
    let y = net.forward(&x);
    let mut into = Batch::<3>::zeros(7);
    net.forward_into(&x, &mut into);
    assert_eq!(y, into);
    for c in 0..7 {
        let p = net.predict(&x.column(c).into_owned());
        for r in 0..3 {
            assert!((p[r] - y[(r, c)]).abs() < 1e-6);
        }
    }
}

#[test]
fn dropout_is_the_identity_in_eval_and_masks_in_train() {
    let train = WithDropout::<Train>::seeded(2);
    let eval = train.clone().into_eval();
    let x = batch::<4>(64, 5);
    let y_eval = eval.forward(&x);
    assert_eq!(y_eval, eval.forward(&x), "Eval is deterministic");

    let mut train = eval.clone().into_train(11);
    let first = train.forward(&x);
    let second = train.forward(&x);
    assert_ne!(first, second, "a new mask every training forward");
    assert_ne!(first, y_eval);

    let mut again = eval.into_train(11);
    assert_eq!(again.forward(&x), first, "same seed, same masks");
}

#[test]
fn train_and_eval_agree_without_dropout_and_weights_survive_phase_changes() {
    let eval = Stack::<Eval>::seeded(8);
    let x = batch::<5>(3, 9);
    let y = eval.forward(&x);
    let mut train = eval.clone().into_train(0);
    assert_eq!(train.forward(&x), y);
    assert_eq!(train.into_eval().fc2.weights(), eval.fc2.weights());
}

#[test]
fn training_reduces_the_loss() {
    let mut net = WithDropout::<Train>::seeded(4);
    let x = batch::<4>(32, 1);
    // Class 0 when the first feature is positive: learnable from x.
    let t = Batch::<2>::from_fn(32, |r, c| if (x[(0, c)] > 0.0) == (r == 0) { 1.0 } else { 0.0 });
    let mut opt = Adam::new(0.01);
    let first = CrossEntropy.loss(&net.clone().into_eval().forward(&x), &t);
    for _ in 0..200 {
        let y = net.forward(&x);
        let grads = net.backward(&CrossEntropy.grad(&y, &t));
        opt.step(&mut net, &grads);
    }
    let last = CrossEntropy.loss(&net.into_eval().forward(&x), &t);
    assert!(last < 0.5 * first, "{first} -> {last}");
}

#[test]
fn grads_accumulate_and_backward_into_overwrites() {
    let mut net = Stack::<Train>::seeded(2);
    let x = batch::<5>(4, 1);
    let y = net.forward(&x);
    let g = Mse.grad(&y, &batch::<3>(4, 7));
    let once = net.backward(&g);
    let mut sum = once.clone();
    sum += &once;
    assert_eq!(*sum.fc1.weights(), *once.fc1.weights() * 2.0);
    let mut reused = sum.clone();
    net.backward_into(&g, &mut reused);
    assert_eq!(reused.fc1.weights(), once.fc1.weights());
}

#[test]
fn dropout_statistics_at_network_level() {
    network! { struct Wide { input: 1000, drop: Dropout(0.3), out: Dense<1> } }
    let mut net = Wide::<Train>::seeded(1);
    let x = Batch::<1000>::from_element(100, 1.0);
    net.forward(&x);
    // The input is all ones, so the dropout's output is its mask.
    let outputs = net.outputs();
    let (name, mask) = outputs[0];
    assert_eq!(name, "drop");
    let dropped = mask.iter().filter(|&&v| v == 0.0).count() as f64;
    let n = 100_000.0;
    assert!((dropped - 0.3 * n).abs() < 3.0 * (n * 0.3 * 0.7f64).sqrt());
    assert!(mask.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-6));
}

#[test]
fn summary_lists_layers_and_totals() {
    let text = WithDropout::<Eval>::seeded(0).summary().to_string();
    assert!(text.contains("drop (Dropout(0.5))"));
    assert!(text.contains(&format!("Total params: {}", WithDropout::PARAMS)));
    assert_eq!(WithDropout::INPUT, 4);
    assert_eq!(WithDropout::OUTPUT, 2);
    assert_eq!(<WithDropout<Train> as Tensors>::PARAMS, 4 * 16 + 16 + 16 * 2 + 2);
    assert_eq!(<WithDropout<Train> as Layer>::INPUT, 4);
}

#[test]
fn eval_networks_are_send_and_sync_and_everything_is_clone_and_debug() {
    fn send_sync<T: Send + Sync>() {}
    fn clone_debug<T: Clone + std::fmt::Debug>() {}
    send_sync::<WithDropout<Eval>>();
    send_sync::<WithDropout<Train>>();
    clone_debug::<WithDropout<Train>>();
    clone_debug::<WithDropoutGrads>();
}

network! {
    /// The transfer-learning head of the performance workloads.
    pub struct BigHead {
        input: 37632,
        fc1: Dense<512, Relu>,
        fc2: Dense<1024, Relu>,
        drop: Dropout(0.2),
        out: Dense<1, Sigmoid>,
    }
}

#[test]
fn a_large_network_builds_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let net = BigHead::<Train>::seeded(1);
            let grads = BigHeadGrads::zeros();
            let copy = net.clone();
            (net.fc1.weights()[(3, 5)], copy.fc1.weights()[(3, 5)], grads.fc2.weights()[(0, 0)])
        })
        .expect("thread spawns");
    let (a, b, g) = handle.join().expect("no stack overflow");
    assert_eq!(a, b);
    assert_eq!(g, 0.0);
    assert_eq!(BigHead::PARAMS, 19_794_433);
}

#[test]
fn the_layer_path_without_an_input_copy_gives_the_same_gradients() {
    // `fit` and outer networks call `Layer::train_forward`/`train_backward`,
    // which borrow the input instead of copying it.
    use typenet::{Cols, ColsMut, Grads, Layer};
    let x = batch::<5>(6, 2);
    let t = batch::<3>(6, 4);
    let mut by_api = Stack::<Train>::seeded(12);
    let mut by_layer = by_api.clone();
    let y = by_api.forward(&x);
    let expected = by_api.backward(&Mse.grad(&y, &t));

    let mut y2 = Batch::<3>::zeros(6);
    let mut cache = Default::default();
    by_layer.train_forward(Cols::new(x.as_slice(), 5), ColsMut::new(y2.as_mut_slice(), 3), &mut cache);
    assert_eq!(y, y2);
    let mut dy = Mse.grad(&y2, &t);
    let mut grads = StackGrads::zeros();
    by_layer.train_backward(
        Cols::new(x.as_slice(), 5),
        Cols::new(y2.as_slice(), 3),
        ColsMut::new(dy.as_mut_slice(), 3),
        &mut cache,
        None,
        Some(&mut grads),
    );
    let (mut a, mut b) = (Vec::new(), Vec::new());
    expected.visit(&mut |g| a.extend_from_slice(g));
    grads.visit(&mut |g| b.extend_from_slice(g));
    assert_eq!(a, b);
}

#[test]
fn predict_slice_gives_what_predict_gives() {
    let net = Stack::<Eval>::seeded(3);
    for sample in 0..4 {
        let x = SVector::<f32, 5>::from_fn(|i, _| (i * 3 + sample) as f32 * 0.2 - 1.0);
        let mut out = [0.0f32; 3];
        net.predict_slice(x.as_slice(), &mut out);
        assert_eq!(out, *net.predict(&x).as_slice(), "sample {sample}");
    }
    // A phase-dependent network in Eval: dropout is the identity here too.
    let net = WithDropout::<Eval>::seeded(1);
    let x = SVector::<f32, 4>::new(0.5, -1.0, 2.0, 0.25);
    let mut out = vec![0.0f32; 2];
    net.predict_slice(x.as_slice(), &mut out);
    assert_eq!(out, net.predict(&x).as_slice());
}

#[test]
#[should_panic(expected = "predict_slice: the input has 4 values, the network takes 5")]
fn predict_slice_with_a_short_input_panics() {
    Stack::<Eval>::seeded(3).predict_slice(&[0.0; 4], &mut [0.0; 3]);
}

#[test]
#[should_panic(expected = "predict_slice: the output has room for 4 values, the network gives 3")]
fn predict_slice_with_a_long_output_panics() {
    Stack::<Eval>::seeded(3).predict_slice(&[0.0; 5], &mut [0.0; 4]);
}

network! {
    /// Narrow, then wider than any layer before it: inference ping-pongs
    /// between two scratch buffers that must each hold the widest output.
    pub struct NarrowThenWide {
        input: 4,
        fc1: Dense<2, Tanh>,
        fc2: Dense<3, Tanh>,
        fc3: Dense<50, Tanh>,
        fc4: Dense<7, Tanh>,
        out: Dense<1>,
    }
}

#[test]
fn inference_through_a_layer_wider_than_those_before_it_matches_training() {
    let mut net = NarrowThenWide::<Train>::seeded(8);
    let x = Batch::<4>::from_fn(5, |i, j| (i as f32 - j as f32) / 4.0);
    let trained = net.forward(&x);
    let eval = net.into_eval();
    assert_eq!(eval.forward(&x), trained);
    // One sample takes the fixed-size kernel: the same within rounding.
    let one = eval.predict(&x.column(2).into_owned());
    assert!((one[0] - trained[(0, 2)]).abs() < 1e-6);
}
