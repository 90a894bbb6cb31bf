//! Convolution, pooling (with PyTorch's padding, and Keras' `Same` for
//! averages) and per-channel BatchNorm checked against PyTorch:
//! each fixture in `tests/fixtures/conv_*` (written once by
//! `tools/torch_conv_reference.py`) is a PyTorch `state_dict` as saved by
//! `safetensors.torch.save_file` plus the input, output, MSE loss and
//! gradients of one training forward and backward, channels last with the
//! batch first. typenet loads each state_dict as is (`[F, C, KH, KW]`
//! kernels, int64 `num_batches_tracked` ignored) and must reproduce every
//! value within 1e-6 + 1e-5 × |PyTorch's value|, as `tests/torch_reference.rs`.

mod support;

use support::{fixture, Reference};
use typenet::layers::conv::{Bias, ConvWeights};
use typenet::prelude::*;
use typenet::{Geometry, HeapTensor, WeightBiasGrads};

network! {
    pub struct Conv2dGeometry {
        input: [7, 9, 3],
        conv: Conv2d<4, [3, 2], Tanh, stride = [2, 1], padding = 1, dilation = 2>,
    }
}
network! {
    pub struct Conv2dSameNoBias {
        input: [6, 5, 2],
        conv1: Conv2d<3, 3, Relu, padding = Same>,
        conv2: Conv2d<2, 3, padding = Same, bias = false>,
    }
}
network! {
    pub struct Conv1dCausal { input: [10, 3], conv: Conv1d<4, 3, Tanh, padding = Causal, dilation = 2> }
}
network! {
    /// Even kernels with `Same`: 3 zeros per axis, PyTorch's odd one after the input.
    pub struct Conv2dSameEven {
        input: [7, 6, 2],
        conv: Conv2d<3, [2, 4], Tanh, padding = Same, dilation = [3, 1]>,
    }
}
network! {
    pub struct Conv1dSameEven { input: [9, 3], conv: Conv1d<4, 2, padding = Same, dilation = 3> }
}
network! {
    pub struct PoolMax2d { input: [6, 7, 3], conv: Conv2d<4, 1>, pool: MaxPool2d<2> }
}
network! {
    pub struct PoolAvg2d { input: [7, 7, 3], conv: Conv2d<4, 1>, pool: AvgPool2d<3, stride = 2> }
}
network! {
    pub struct PoolMax1d { input: [9, 4], conv: Conv1d<5, 2>, pool: MaxPool1d<2> }
}
network! {
    pub struct PoolAvg1d { input: [9, 4], conv: Conv1d<5, 2>, pool: AvgPool1d<3, stride = 2> }
}
network! {
    pub struct PoolMax2dPadded { input: [7, 6, 3], conv: Conv2d<4, 1>, pool: MaxPool2d<3, stride = 2, padding = 1> }
}
network! {
    /// PyTorch's `AvgPool2d((3, 2), stride=(2, 1), padding=1)`, which counts the padded zeros.
    pub struct PoolAvg2dPadded {
        input: [7, 6, 3],
        conv: Conv2d<4, 1>,
        pool: AvgPool2d<[3, 2], stride = [2, 1], padding = [1, 1]>,
    }
}
network! {
    pub struct PoolMax1dPadded { input: [9, 4], conv: Conv1d<5, 2>, pool: MaxPool1d<3, stride = 2, padding = 1> }
}
network! {
    pub struct PoolAvg1dPadded { input: [9, 4], conv: Conv1d<5, 2>, pool: AvgPool1d<3, stride = 1, padding = 1> }
}
network! {
    /// Keras' `padding="same"`: an even window pads after, and the zeros are not counted.
    pub struct PoolAvg2dSame { input: [6, 5, 3], conv: Conv2d<4, 1>, pool: AvgPool2d<2, stride = 1, padding = Same> }
}
network! {
    /// A window of 4: one zero before, two after, none counted.
    pub struct PoolAvg1dSame { input: [9, 4], conv: Conv1d<5, 2>, pool: AvgPool1d<4, stride = 1, padding = Same> }
}
network! {
    pub struct PoolGlobalAvg { input: [5, 6, 3], conv: Conv2d<4, 3, padding = Same>, pool: GlobalAvgPool }
}
network! {
    pub struct PoolGlobalMax { input: [5, 6, 3], conv: Conv2d<4, 3, padding = Same>, pool: GlobalMaxPool }
}
network! {
    /// PyTorch's `BatchNorm2d(eps=1e-5, momentum=0.1)` is typenet's
    /// `momentum = 0.9` (the weight of the old running value).
    pub struct Bn2d {
        input: [5, 5, 3],
        conv: Conv2d<4, 3, padding = 1, bias = false>,
        bn: BatchNorm(eps = 1e-5, momentum = 0.9),
        act: Relu,
        out: Conv2d<2, 1>,
    }
}
network! {
    pub struct CnnClassifier {
        input: [8, 8, 1],
        conv1: Conv2d<6, 3, Relu>,
        pool: MaxPool2d<2>,
        conv2: Conv2d<8, 2, Relu>,
        flat: Flatten(channels_first),
        fc: Dense<10>,
    }
}

/// A convolution's gradients against `grad.{prefix}weight` (PyTorch's
/// `[F, C, KH, KW]`) and, with a bias, `grad.{prefix}bias`.
fn check_conv<G: Geometry, const F: usize, const BIAS: bool>(
    r: &mut Reference,
    prefix: &str,
    g: &WeightBiasGrads<ConvWeights<G, F>, Bias<BIAS, F>>,
) {
    r.check(&format!("grad.{prefix}weight"), &torch_kernel(g.weights()));
    if BIAS {
        r.check(&format!("grad.{prefix}bias"), g.bias().values());
    } else {
        assert!(g.bias().values().is_empty());
        assert!(!r.has(&format!("grad.{prefix}bias")));
    }
}

/// A kernel in PyTorch's `[F, C, KH, KW]` row-major order.
fn torch_kernel<G: Geometry, const F: usize>(w: &ConvWeights<G, F>) -> Vec<f32> {
    let mut out = Vec::with_capacity(w.values().len());
    for f in 0..F {
        for c in 0..G::C {
            for row in 0..G::KH {
                for column in 0..G::KW {
                    out.push(w.get(f, c, row, column));
                }
            }
        }
    }
    out
}

#[test]
fn conv2d_with_stride_padding_and_dilation_matches_pytorch() {
    let mut r = Reference::new("conv", "conv2d_geometry");
    let (_, g, _) = train_step!(r, Conv2dGeometry<Train>, "conv", "conv2d_geometry");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn conv2d_same_padding_without_bias_matches_pytorch() {
    let mut r = Reference::new("conv", "conv2d_same_nobias");
    let (_, g, _) = train_step!(r, Conv2dSameNoBias<Train>, "conv", "conv2d_same_nobias");
    check_conv(&mut r, "conv1.", &g.conv1);
    check_conv(&mut r, "conv2.", &g.conv2);
    r.report();
}

/// Guards where `padding = Same` puts the odd zero of an even kernel:
/// after the input, as PyTorch does (placing it before shifts every output).
#[test]
fn same_padding_with_even_kernels_and_dilation_puts_the_odd_zero_after() {
    let mut r = Reference::new("conv", "conv2d_same_even");
    let (_, g, _) = train_step!(r, Conv2dSameEven<Train>, "conv", "conv2d_same_even");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "conv1d_same_even");
    let (_, g, _) = train_step!(r, Conv1dSameEven<Train>, "conv", "conv1d_same_even");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn conv1d_causal_matches_pytorch() {
    let mut r = Reference::new("conv", "conv1d_causal");
    let (_, g, _) = train_step!(r, Conv1dCausal<Train>, "conv", "conv1d_causal");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn pools_match_pytorch() {
    let mut r = Reference::new("conv", "pool_max2d");
    let (_, g, _) = train_step!(r, PoolMax2d<Train>, "conv", "pool_max2d");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg2d");
    let (_, g, _) = train_step!(r, PoolAvg2d<Train>, "conv", "pool_avg2d");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_max1d");
    let (_, g, _) = train_step!(r, PoolMax1d<Train>, "conv", "pool_max1d");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg1d");
    let (_, g, _) = train_step!(r, PoolAvg1d<Train>, "conv", "pool_avg1d");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn pools_with_padding_match_pytorch_and_keras() {
    let mut r = Reference::new("conv", "pool_max2d_padded");
    let (_, g, _) = train_step!(r, PoolMax2dPadded<Train>, "conv", "pool_max2d_padded");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg2d_padded");
    let (_, g, _) = train_step!(r, PoolAvg2dPadded<Train>, "conv", "pool_avg2d_padded");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_max1d_padded");
    let (_, g, _) = train_step!(r, PoolMax1dPadded<Train>, "conv", "pool_max1d_padded");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg1d_padded");
    let (_, g, _) = train_step!(r, PoolAvg1dPadded<Train>, "conv", "pool_avg1d_padded");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg2d_same");
    let (_, g, _) = train_step!(r, PoolAvg2dSame<Train>, "conv", "pool_avg2d_same");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_avg1d_same");
    let (_, g, _) = train_step!(r, PoolAvg1dSame<Train>, "conv", "pool_avg1d_same");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn global_pools_match_pytorch() {
    let mut r = Reference::new("conv", "pool_global_avg");
    let (_, g, _) = train_step!(r, PoolGlobalAvg<Train>, "conv", "pool_global_avg");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
    let mut r = Reference::new("conv", "pool_global_max");
    let (_, g, _) = train_step!(r, PoolGlobalMax<Train>, "conv", "pool_global_max");
    check_conv(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn per_channel_batch_norm_matches_pytorch() {
    let mut r = Reference::new("conv", "bn2d");
    let (net, g, x) = train_step!(r, Bn2d<Train>, "conv", "bn2d");
    check_conv(&mut r, "conv.", &g.conv);
    r.check("grad.bn.weight", g.bn.weights().as_slice());
    r.check("grad.bn.bias", g.bn.bias().as_slice());
    check_conv(&mut r, "out.", &g.out);
    // The running statistics use the biased batch variance over N*H*W
    // values, as Keras; the fixture rescales PyTorch's unbiased update.
    r.check("running_mean_after", net.bn.running_mean().as_slice());
    r.check("running_var_after_biased", net.bn.running_var().as_slice());
    let eval = net.into_eval();
    r.check("y_eval", eval.forward(&x).as_slice());
    r.report();
}

#[test]
fn cnn_classifier_with_channels_first_flatten_matches_pytorch() {
    let mut r = Reference::new("conv", "cnn_classifier");
    let (net, g, x) = train_step!(r, CnnClassifier<Train>, "conv", "cnn_classifier");
    check_conv(&mut r, "conv1.", &g.conv1);
    check_conv(&mut r, "conv2.", &g.conv2);
    r.check("grad.fc.weight", g.fc.weights().transpose().as_slice());
    r.check("grad.fc.bias", g.fc.bias().as_slice());
    // Eval has no dropout here: the same output as the training forward.
    let eval = net.into_eval();
    r.check("y", eval.forward(&x).as_slice());
    r.report();
}

#[test]
fn a_conv_shape_mismatch_names_the_tensor_and_both_shapes() {
    network! {
        pub struct WrongKernel { input: [7, 9, 3], conv: Conv2d<4, 3, Tanh, stride = [2, 1], padding = 1, dilation = 2> }
    }
    let err = WrongKernel::<Eval>::load(fixture("conv_conv2d_geometry.model.safetensors")).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("conv.weight"), "{message}");
    assert!(message.contains("[4, 3, 3, 3]") && message.contains("[4, 3, 3, 2]"), "{message}");
}
