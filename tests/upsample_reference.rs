//! Transposed convolutions and nearest upsampling checked against PyTorch:
//! each fixture in `tests/fixtures/upsample_*` (written once by
//! `tools/torch_upsample_reference.py`) is a PyTorch `state_dict` plus the
//! input, output, MSE loss and gradients of one training forward and
//! backward, channels last with the batch first. typenet loads each
//! state_dict as is (`ConvTranspose2d`'s `[C, F, KH, KW]` kernels) and must
//! reproduce every value to 1e-5 relative / 1e-6 absolute, as
//! `tests/conv_reference.rs`.

mod support;

use support::Reference;
use typenet::layers::conv::{Bias, ConvWeights};
use typenet::prelude::*;
use typenet::{Geometry, HeapTensor, WeightBiasGrads};

network! {
    pub struct ConvTransposeGeometry {
        input: [4, 5, 3],
        up: Conv2dTranspose<2, [3, 2], Tanh, stride = [2, 3], padding = [1, 0], output_padding = [1, 2]>,
    }
}
network! {
    pub struct ConvTransposeNoBias {
        input: [4, 4, 2],
        up1: Conv2dTranspose<3, 3, Relu, stride = 2, padding = 1, output_padding = 1, bias = false>,
        up2: Conv2dTranspose<2, 1>,
    }
}
network! {
    pub struct Nearest {
        input: [3, 4, 2],
        conv: Conv2d<3, 1>,
        up1: UpSampling2d<2>,
        up2: UpSampling2d<[3, 2]>,
    }
}
network! {
    pub struct Autoencoder {
        input: [6, 6, 1],
        conv: Conv2d<4, 3, Relu, padding = 1>,
        pool: MaxPool2d<2>,
        up: UpSampling2d<2>,
        decode: Conv2dTranspose<2, 3, Sigmoid, stride = 2, padding = 2, output_padding = 1>,
    }
}

/// A kernel of PyTorch's shape `[A, B, KH, KW]` in row-major order, read
/// by those axes (`[F, C, ..]` for a convolution, `[C, F, ..]` for a
/// transposed one).
fn torch_kernel<G: Geometry, const A: usize>(w: &ConvWeights<G, A>) -> Vec<f32> {
    let mut out = Vec::with_capacity(w.values().len());
    for a in 0..A {
        for b in 0..G::C {
            for row in 0..G::KH {
                for column in 0..G::KW {
                    out.push(w.get(a, b, row, column));
                }
            }
        }
    }
    out
}

/// A layer's gradients against `grad.{prefix}weight` and, with a bias,
/// `grad.{prefix}bias`.
fn check_kernel<G: Geometry, const A: usize, const F: usize, const BIAS: bool>(
    r: &mut Reference,
    prefix: &str,
    g: &WeightBiasGrads<ConvWeights<G, A>, Bias<BIAS, F>>,
) {
    r.check(&format!("grad.{prefix}weight"), &torch_kernel(g.weights()));
    if BIAS {
        r.check(&format!("grad.{prefix}bias"), g.bias().values());
    } else {
        assert!(g.bias().values().is_empty());
        assert!(!r.has(&format!("grad.{prefix}bias")));
    }
}

#[test]
fn conv_transpose_with_stride_padding_and_output_padding_matches_pytorch() {
    let mut r = Reference::new("upsample", "conv_transpose_geometry");
    let (net, g, x) = train_step!(r, ConvTransposeGeometry<Train>, "upsample", "conv_transpose_geometry");
    check_kernel(&mut r, "up.", &g.up);
    // The eval network (nothing phase-dependent) gives the same output.
    r.check("y", net.into_eval().forward(&x).as_slice());
    r.report();
}

#[test]
fn conv_transpose_without_bias_and_pointwise_matches_pytorch() {
    let mut r = Reference::new("upsample", "conv_transpose_nobias");
    let (_, g, _) = train_step!(r, ConvTransposeNoBias<Train>, "upsample", "conv_transpose_nobias");
    check_kernel(&mut r, "up1.", &g.up1);
    check_kernel(&mut r, "up2.", &g.up2);
    r.report();
}

#[test]
fn nearest_upsampling_matches_pytorch() {
    let mut r = Reference::new("upsample", "nearest");
    let (_, g, _) = train_step!(r, Nearest<Train>, "upsample", "nearest");
    check_kernel(&mut r, "conv.", &g.conv);
    r.report();
}

#[test]
fn a_small_autoencoder_matches_pytorch() {
    let mut r = Reference::new("upsample", "autoencoder");
    let (_, g, _) = train_step!(r, Autoencoder<Train>, "upsample", "autoencoder");
    check_kernel(&mut r, "conv.", &g.conv);
    check_kernel(&mut r, "decode.", &g.decode);
    r.report();
}
