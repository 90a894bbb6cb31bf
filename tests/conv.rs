//! Convolutional networks end to end: shapes worked out by the macro and
//! shown by the summary, nested backbones that keep their output shape,
//! SpatialDropout's semantics, `#[frozen]`/`#[l2]`/`#[phase]` on the new
//! layers, bit-identical results at every thread count and a large image
//! on a small stack.

use typenet::prelude::*;
use typenet::{Cols, ColsMut};

network! {
    /// the reference digits CNN.
    pub struct DigitsCnn {
        input: [8, 8, 1],
        conv1: Conv2d<16, 3, Relu>,
        conv2: Conv2d<32, 3, Relu, padding = Same>,
        pool: MaxPool2d<2>,
        drop: SpatialDropout(0.2),
        flat: Flatten,
        out: Dense<10>,
    }
}

network! {
    /// A backbone whose output is a map, not a vector.
    pub struct Backbone {
        input: [8, 8, 1],
        conv1: Conv2d<8, 3, Relu>,
        conv2: Conv2d<16, 3, Relu>,
        pool: MaxPool2d<2>,
    }
}

network! {
    pub struct FlatHead {
        input: [8, 8, 1],
        #[frozen] base: Backbone,
        flat: Flatten,
        out: Dense<3>,
    }
}

network! {
    pub struct ConvHead {
        input: [8, 8, 1],
        base: Backbone,
        mix: Conv2d<4, 1, Tanh>,
        bn: BatchNorm,
        gap: GlobalAvgPool,
        out: Dense<2>,
    }
}

network! {
    pub struct ChannelDrop {
        input: [4, 5, 8],
        drop: SpatialDropout(0.5),
    }
}

network! {
    pub struct MonteCarlo {
        input: [6, 4],
        conv: Conv1d<4, 3, padding = Causal>,
        #[phase(Train)] drop: SpatialDropout(0.5),
        flat: Flatten,
        out: Dense<1>,
    }
}

network! {
    pub struct Regularised {
        input: [5, 5, 2],
        #[l2(0.01)] conv: Conv2d<3, 3, Relu>,
        #[frozen] fixed: Conv2d<2, 1>,
        flat: Flatten,
        out: Dense<1>,
    }
}

fn batch<const N: usize>(cols: usize, seed: usize) -> Batch<N> {
    Batch::<N>::from_fn(cols, |i, j| (((i * 7 + j * 13 + seed) % 23) as f32 / 23.0) - 0.4)
}

#[test]
fn the_macro_works_out_shapes_and_the_summary_shows_them() {
    assert_eq!(DigitsCnn::INPUT, 64);
    assert_eq!(DigitsCnn::OUTPUT, 10);
    // conv1 16*9+16, conv2 32*16*9+32, out 288*10+10.
    assert_eq!(DigitsCnn::PARAMS, 160 + 4640 + 2890);
    let summary = DigitsCnn::<Eval>::seeded(0).summary().to_string();
    for expected in [
        "(None, 6, 6, 16)",
        "(None, 6, 6, 32)",
        "(None, 3, 3, 32)",
        "(None, 288)",
        "Conv2d<32, 3, Relu, padding = Same>",
    ] {
        assert!(summary.contains(expected), "summary lacks {expected}:\n{summary}");
    }
}

#[test]
fn a_nested_backbone_keeps_its_output_shape() {
    use typenet::Layer;
    assert_eq!(<Backbone<Eval> as Layer>::OUTPUT_SHAPE, &[2, 2, 16]);
    assert_eq!(FlatHead::PARAMS, Backbone::PARAMS + 64 * 3 + 3);
    assert_eq!(FlatHead::TRAINABLE_PARAMS, 64 * 3 + 3);
    // A conv, a per-channel BatchNorm and a global pool after the backbone
    // see its channels: 16 -> 4 channels, 4 gammas, 4 pooled values.
    assert_eq!(ConvHead::PARAMS, Backbone::PARAMS + (16 * 4 + 4) + 2 * 4 + (4 * 2 + 2));

    let head = FlatHead::<Eval>::seeded(5);
    let x = batch::<64>(3, 1);
    // The head is the backbone's map, flattened in memory order, into `out`.
    let features = head.base.forward(&x);
    let mut by_hand = Batch::<3>::zeros(3);
    typenet::Layer::infer(
        &head.out,
        Cols::new(features.as_slice(), 64),
        ColsMut::new(by_hand.as_mut_slice(), 3),
    );
    assert_eq!(head.forward(&x), by_hand);

    let summary = ConvHead::<Eval>::seeded(1).summary().to_string();
    assert!(summary.contains("(None, 2, 2, 16)") && summary.contains("(None, 2, 2, 4)"), "{summary}");
}

#[test]
fn training_through_a_frozen_backbone_leaves_it_bit_identical() {
    let mut net = FlatHead::<Train>::seeded(2);
    let before = typenet::io::StateDict::of(&net.base);
    let (x, t) = (batch::<64>(8, 3), batch::<3>(8, 4));
    let mut opt = Adam::new(0.01);
    for _ in 0..5 {
        let y = net.forward(&x);
        let g = net.backward(&Mse.grad(&y, &t));
        opt.step(&mut net, &g);
    }
    let after = typenet::io::StateDict::of(&net.base);
    for (a, b) in before.iter().zip(after.iter()) {
        assert_eq!(a.data, b.data, "`{}` changed", a.name);
    }
}

#[test]
fn spatial_dropout_drops_whole_channels_and_scales_the_rest() {
    let mut net = ChannelDrop::<Train>::seeded(9);
    let x = Batch::<160>::from_element(64, 1.0);
    let y = net.forward(&x);
    let (mut dropped, mut kept) = (0, 0);
    for sample in y.column_iter() {
        // [4, 5, 8]: channel c of position p is at p * 8 + c.
        for c in 0..8 {
            let values: Vec<f32> = (0..20).map(|p| sample[p * 8 + c]).collect();
            if values.iter().all(|&v| v == 0.0) {
                dropped += 1;
            } else {
                assert!(values.iter().all(|&v| v == 2.0), "a channel is partly dropped: {values:?}");
                kept += 1;
            }
        }
    }
    // 512 channels at rate 0.5: far from all or none.
    assert!((150..=362).contains(&dropped), "dropped {dropped} of {}", dropped + kept);
    // Eval is the identity.
    assert_eq!(net.into_eval().forward(&x), x);
}

#[test]
fn a_pinned_spatial_dropout_keeps_dropping_in_eval() {
    let net = MonteCarlo::<Eval>::seeded(4);
    let x = batch::<24>(1, 2);
    let first = net.forward(&x);
    let differs = (0..20).any(|_| net.forward(&x) != first);
    assert!(differs, "Monte-Carlo dropout gave the same output 20 times");
}

#[test]
fn l2_and_frozen_apply_to_convolutions() {
    let mut net = Regularised::<Train>::seeded(6);
    let kernel_squares: f32 = net.conv.weights().values().iter().map(|w| w * w).sum();
    assert!((net.l2_penalty() - 0.01 * kernel_squares).abs() <= 1e-6 * (1.0 + kernel_squares));
    let fixed = net.fixed.weights().values().to_vec();
    let (x, t) = (batch::<50>(4, 1), batch::<1>(4, 2));
    let mut opt = Sgd::new(0.1);
    for _ in 0..3 {
        let y = net.forward(&x);
        let g = net.backward(&Mse.grad(&y, &t));
        opt.step(&mut net, &g);
    }
    assert_eq!(net.fixed.weights().values(), fixed.as_slice());
}

/// One training forward and backward of the digits CNN.
fn train_pass(threads: usize) -> (Vec<f32>, Vec<f32>) {
    typenet::set_num_threads(threads);
    let mut net = DigitsCnn::<Train>::seeded(11);
    let (x, t) = (batch::<64>(96, 5), batch::<10>(96, 6));
    let y = net.forward(&x);
    let g = net.backward(&Mse.grad(&y, &t));
    let mut flat = Vec::new();
    g.visit(&mut |values| flat.extend_from_slice(values));
    (y.as_slice().to_vec(), flat)
}

#[test]
fn results_are_bit_identical_at_every_thread_count() {
    let reference = train_pass(1);
    for threads in [2, 3, 8] {
        let other = train_pass(threads);
        assert!(reference.0 == other.0, "forward differs with {threads} threads");
        assert!(reference.1 == other.1, "gradients differ with {threads} threads");
    }
    typenet::set_num_threads(0);
}

network! {
    /// An ImageNet-sized input: every buffer on the heap.
    pub struct LargeImage {
        input: [224, 224, 3],
        conv: Conv2d<16, 3, Relu, stride = 2>,
        pool: MaxPool2d<2>,
        gap: GlobalAvgPool,
        out: Dense<2>,
    }
}

#[test]
fn a_large_image_network_runs_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let mut net = LargeImage::<Train>::seeded(1);
            let x = Batch::<{ 224 * 224 * 3 }>::from_element(2, 0.5);
            let y = net.forward(&x);
            let g = net.backward(&Mse.grad(&y, &Batch::<2>::zeros(2)));
            let eval = net.into_eval();
            let mut out = [0.0f32; 2];
            eval.predict_slice(x.column(0).as_slice(), &mut out);
            (y[(0, 0)], out[0], g.conv.bias().values().len())
        })
        .expect("thread spawns");
    let (train, eval, biases) = handle.join().expect("no stack overflow");
    assert!(train.is_finite() && eval.is_finite());
    assert_eq!(biases, 16);
}
