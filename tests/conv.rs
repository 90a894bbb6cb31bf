//! Convolutional networks end to end: outputs and gradients against a
//! naive convolution written out below, shapes worked out by the macro and
//! shown by the summary, nested backbones that keep their output shape,
//! SpatialDropout's semantics, `#[frozen]`/`#[l2]`/`#[phase]` on the new
//! layers, bit-identical results at every thread count and a large image
//! on a small stack.

use typenet::layers::conv::ConvWeights;
use typenet::prelude::*;
use typenet::{Cols, ColsMut, Geometry, HeapTensor};

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

network! {
    /// Every geometry knob at once, none of them symmetric.
    pub struct Strided2d {
        input: [7, 9, 3],
        conv: Conv2d<4, [3, 2], stride = [2, 1], padding = [1, 2], dilation = [2, 1]>,
    }
}

network! {
    /// No padding: the last row and column of the input are real inputs.
    pub struct Valid2d { input: [5, 6, 2], conv: Conv2d<3, [2, 3]> }
}

network! {
    /// A 1x1 kernel, whose patches are the input itself.
    pub struct Pointwise { input: [3, 4, 5], conv: Conv2d<2, 1> }
}

network! {
    pub struct Strided1d { input: [11, 3], conv: Conv1d<5, 3, stride = 2, padding = 1> }
}

/// One convolution laid out for the naive reference: channels-last input
/// `[h, w, c]`, output `[oh, ow, f]`, and the zeros before each axis.
#[derive(Clone, Copy, Debug)]
struct Layout {
    input: [usize; 3],
    output: [usize; 3],
    kernel: [usize; 2],
    stride: [usize; 2],
    dilation: [usize; 2],
    before: [usize; 2],
}

impl Layout {
    /// The input position a kernel tap reads, or `None` on a padded zero.
    fn tap(&self, out: [usize; 2], kernel: [usize; 2]) -> Option<usize> {
        let [h, w, c] = self.input;
        let row = (out[0] * self.stride[0] + kernel[0] * self.dilation[0]).checked_sub(self.before[0])?;
        let column = (out[1] * self.stride[1] + kernel[1] * self.dilation[1]).checked_sub(self.before[1])?;
        (row < h && column < w).then_some((row * w + column) * c)
    }

    /// Calls `visit(output index, input index, filter, channel, kernel row,
    /// kernel column)` for every product of one sample's convolution.
    fn each_product(&self, mut visit: impl FnMut(usize, usize, usize, usize, usize, usize)) {
        let [oh, ow, f] = self.output;
        for (out_row, out_column) in (0..oh).flat_map(|r| (0..ow).map(move |c| (r, c))) {
            for (kr, kc) in (0..self.kernel[0]).flat_map(|r| (0..self.kernel[1]).map(move |c| (r, c))) {
                let Some(base) = self.tap([out_row, out_column], [kr, kc]) else { continue };
                for filter in 0..f {
                    for channel in 0..self.input[2] {
                        let out = (out_row * ow + out_column) * f + filter;
                        visit(out, base + channel, filter, channel, kr, kc);
                    }
                }
            }
        }
    }
}

/// `y = W * x + b` one multiply at a time, for each sample of `x`.
fn naive_forward<G: Geometry, const F: usize>(
    layout: &Layout,
    weights: &ConvWeights<G, F>,
    bias: &[f32],
    x: &[f32],
) -> Vec<f32> {
    let (in_len, out_len) = (layout.input.iter().product::<usize>(), layout.output.iter().product::<usize>());
    let mut y = Vec::new();
    for sample in x.chunks_exact(in_len) {
        let mut out: Vec<f32> = (0..out_len).map(|i| bias[i % F]).collect();
        layout.each_product(|o, i, f, c, kr, kc| out[o] += weights.get(f, c, kr, kc) * sample[i]);
        y.extend(out);
    }
    y
}

/// The gradients for the output gradient `dy`, one product at a time:
/// `(d weights in PyTorch's [F, C, KH, KW] order, d bias, d x)`.
fn naive_backward<G: Geometry, const F: usize>(
    layout: &Layout,
    weights: &ConvWeights<G, F>,
    x: &[f32],
    dy: &[f32],
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (in_len, out_len) = (layout.input.iter().product::<usize>(), layout.output.iter().product::<usize>());
    let ([kh, kw], channels) = (layout.kernel, layout.input[2]);
    let (mut dw, mut db, mut dx) = (vec![0.0; F * channels * kh * kw], vec![0.0; F], vec![0.0; x.len()]);
    for (sample, (xs, dys)) in x.chunks_exact(in_len).zip(dy.chunks_exact(out_len)).enumerate() {
        dys.iter().enumerate().for_each(|(o, g)| db[o % F] += g);
        layout.each_product(|o, i, f, c, kr, kc| {
            dw[((f * channels + c) * kh + kr) * kw + kc] += dys[o] * xs[i];
            dx[sample * in_len + i] += dys[o] * weights.get(f, c, kr, kc);
        });
    }
    (dw, db, dx)
}

/// A kernel (or its gradient) in PyTorch's `[F, C, KH, KW]` row-major order.
fn torch_order<G: Geometry, const F: usize>(w: &ConvWeights<G, F>) -> Vec<f32> {
    let indices = (0..F).flat_map(|f| {
        (0..G::C).flat_map(move |c| (0..G::KH).flat_map(move |r| (0..G::KW).map(move |k| (f, c, r, k))))
    });
    indices.map(|(f, c, r, k)| w.get(f, c, r, k)).collect()
}

/// Runs one training forward and backward of the one-convolution network
/// `$net` (seeded, so its bias is zero until set here) on a fixed batch and
/// compares the output and the weight, bias and input gradients with the
/// naive reference.
macro_rules! assert_matches_the_naive_convolution {
    ($net:ident, $layout:expr) => {{
        let layout: Layout = $layout;
        let mut net = $net::<Train>::seeded(3);
        for (i, b) in net.conv.bias_mut().values_mut().iter_mut().enumerate() {
            *b = 0.1 * i as f32 - 0.15;
        }
        let x = batch::<{ $net::INPUT }>(3, 8);
        let y = net.forward(&x);
        let want = naive_forward(&layout, net.conv.weights(), net.conv.bias().values(), x.as_slice());
        assert_close(stringify!($net), "y", y.as_slice(), &want);

        let dy = Mse.grad(&y, &batch::<{ $net::OUTPUT }>(3, 2));
        let (g, dx) = net.backward_with_input(&dy);
        let (dw, db, want_dx) = naive_backward(&layout, net.conv.weights(), x.as_slice(), dy.as_slice());
        assert_close(stringify!($net), "d weights", &torch_order(g.conv.weights()), &dw);
        assert_close(stringify!($net), "d bias", g.conv.bias().values(), &db);
        assert_close(stringify!($net), "d x", dx.as_slice(), &want_dx);
    }};
}

fn assert_close(net: &str, what: &str, ours: &[f32], want: &[f32]) {
    assert_eq!(ours.len(), want.len(), "{net}: {what} length");
    for (i, (a, b)) in ours.iter().zip(want).enumerate() {
        let error = (a - b).abs();
        assert!(
            error <= 1e-5 * (1.0 + b.abs()),
            "{net}: {what}[{i}] is {a}, the naive convolution gives {b}"
        );
    }
}

/// Guards the convolution's arithmetic (im2col, the packed product, bias,
/// col2im): stride, padding and dilation that differ per axis, a valid
/// convolution whose last row and column are read, a 1x1 kernel and a
/// strided, padded Conv1d.
#[test]
fn convolutions_match_a_naive_convolution_forward_and_backward() {
    let layout = |input, output, kernel, stride, dilation, before| Layout {
        input,
        output,
        kernel,
        stride,
        dilation,
        before,
    };
    assert_matches_the_naive_convolution!(
        Strided2d,
        layout([7, 9, 3], [3, 12, 4], [3, 2], [2, 1], [2, 1], [1, 2])
    );
    assert_matches_the_naive_convolution!(
        Valid2d,
        layout([5, 6, 2], [4, 4, 3], [2, 3], [1, 1], [1, 1], [0, 0])
    );
    assert_matches_the_naive_convolution!(
        Pointwise,
        layout([3, 4, 5], [3, 4, 2], [1, 1], [1, 1], [1, 1], [0, 0])
    );
    assert_matches_the_naive_convolution!(
        Strided1d,
        layout([1, 11, 3], [1, 6, 5], [1, 3], [1, 2], [1, 1], [0, 1])
    );
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
            let expected = constant_image_output(&net, 0.5);
            let eval = net.into_eval();
            let mut out = [0.0f32; 2];
            eval.predict_slice(x.column(0).as_slice(), &mut out);
            (y.column(1).iter().copied().collect::<Vec<_>>(), out, expected, g.conv.bias().values().len())
        })
        .expect("thread spawns");
    let (train, eval, expected, biases) = handle.join().expect("no stack overflow");
    for (what, ours) in [("train", &train[..]), ("eval", &eval[..])] {
        for (o, (a, b)) in ours.iter().zip(&expected).enumerate() {
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{what} output {o} is {a}, expected {b}");
        }
    }
    assert_eq!(biases, 16);
}

/// `LargeImage`'s output on an image whose every value is `value`: a valid
/// convolution sees the same window everywhere, so each channel of the map
/// (and of its max and mean) is `relu(value * sum of the filter + bias)`.
fn constant_image_output(net: &LargeImage<Train>, value: f32) -> Vec<f32> {
    let kernel = net.conv.weights();
    let channel: Vec<f32> = (0..16)
        .map(|f| {
            let taps = (0..3).flat_map(|c| (0..3).flat_map(move |r| (0..3).map(move |k| (c, r, k))));
            let sum: f32 = taps.map(|(c, r, k)| kernel.get(f, c, r, k)).sum();
            (value * sum + net.conv.bias().values()[f]).max(0.0)
        })
        .collect();
    (0..2)
        .map(|o| net.out.bias()[o] + (0..16).map(|i| net.out.weights()[(o, i)] * channel[i]).sum::<f32>())
        .collect()
}
