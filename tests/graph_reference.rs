//! Graphs checked against PyTorch: one block of each kind torchvision's
//! InceptionV3 uses (InceptionA to InceptionE) and ResNet's BasicBlock
//! with and without a downsample, in one training step each. The fixtures
//! `tests/fixtures/graph_*` are written by `tools/torch_graph_reference.py`
//! from blocks wired exactly as torchvision's (the script checks its blocks
//! against torchvision's own at their full widths) but with a few channels
//! each. typenet declares the same blocks with the same module names, loads
//! each `state_dict` as it is, and must reproduce the output, the input
//! gradient, every weight gradient and every BatchNorm's running mean to
//! 1e-5 relative / 1e-6 absolute, as the other PyTorch references.

mod support;

use support::Reference;
use typenet::io::StateDict;
use typenet::prelude::*;
use typenet::TensorKind;

network! {
    /// torchvision's BasicConv2d.
    block BasicConv2d(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        relu: Relu,
    }

    /// InceptionA with the fixture's widths.
    block InceptionA(POOL) {
        cat: Concat(
            [branch1x1: BasicConv2d(3, 1)],
            [branch5x5_1: BasicConv2d(2, 1), branch5x5_2: BasicConv2d(3, 5, padding = 2)],
            [branch3x3dbl_1: BasicConv2d(2, 1), branch3x3dbl_2: BasicConv2d(3, 3, padding = 1),
             branch3x3dbl_3: BasicConv2d(3, 3, padding = 1)],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(POOL, 1)],
        ),
    }

    /// InceptionB (a grid reduction) with the fixture's widths.
    block InceptionB {
        cat: Concat(
            [branch3x3: BasicConv2d(5, 3, stride = 2)],
            [branch3x3dbl_1: BasicConv2d(2, 1), branch3x3dbl_2: BasicConv2d(3, 3, padding = 1),
             branch3x3dbl_3: BasicConv2d(3, 3, stride = 2)],
            [pool: MaxPool2d<3, stride = 2>],
        ),
    }

    /// InceptionC (factorised 7x7 convolutions) with the fixture's widths.
    block InceptionC(C7, OUT) {
        cat: Concat(
            [branch1x1: BasicConv2d(OUT, 1)],
            [branch7x7_1: BasicConv2d(C7, 1), branch7x7_2: BasicConv2d(C7, [1, 7], padding = [0, 3]),
             branch7x7_3: BasicConv2d(OUT, [7, 1], padding = [3, 0])],
            [branch7x7dbl_1: BasicConv2d(C7, 1), branch7x7dbl_2: BasicConv2d(C7, [7, 1], padding = [3, 0]),
             branch7x7dbl_3: BasicConv2d(C7, [1, 7], padding = [0, 3]),
             branch7x7dbl_4: BasicConv2d(C7, [7, 1], padding = [3, 0]),
             branch7x7dbl_5: BasicConv2d(OUT, [1, 7], padding = [0, 3])],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(OUT, 1)],
        ),
    }

    /// InceptionD (a grid reduction) with the fixture's widths.
    block InceptionD {
        cat: Concat(
            [branch3x3_1: BasicConv2d(3, 1), branch3x3_2: BasicConv2d(4, 3, stride = 2)],
            [branch7x7x3_1: BasicConv2d(3, 1), branch7x7x3_2: BasicConv2d(3, [1, 7], padding = [0, 3]),
             branch7x7x3_3: BasicConv2d(3, [7, 1], padding = [3, 0]),
             branch7x7x3_4: BasicConv2d(4, 3, stride = 2)],
            [pool: MaxPool2d<3, stride = 2>],
        ),
    }

    /// InceptionE (branches that split and join again inside) with the
    /// fixture's widths.
    block InceptionE {
        cat: Concat(
            [branch1x1: BasicConv2d(3, 1)],
            [branch3x3_1: BasicConv2d(3, 1),
             split: Concat([branch3x3_2a: BasicConv2d(2, [1, 3], padding = [0, 1])],
                           [branch3x3_2b: BasicConv2d(2, [3, 1], padding = [1, 0])])],
            [branch3x3dbl_1: BasicConv2d(3, 1), branch3x3dbl_2: BasicConv2d(3, 3, padding = 1),
             split_dbl: Concat([branch3x3dbl_3a: BasicConv2d(2, [1, 3], padding = [0, 1])],
                               [branch3x3dbl_3b: BasicConv2d(2, [3, 1], padding = [1, 0])])],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: BasicConv2d(2, 1)],
        ),
    }

    pub struct BlockA { input: [5, 6, 4], block: InceptionA(2) }
    pub struct BlockB { input: [9, 8, 4], block: InceptionB }
    pub struct BlockC { input: [7, 6, 4], block: InceptionC(3, 4) }
    pub struct BlockD { input: [9, 8, 4], block: InceptionD }
    pub struct BlockE { input: [5, 6, 4], block: InceptionE }
}

network! {
    /// torchvision's BasicBlock with an identity shortcut.
    block BasicBlock(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, padding = 1, bias = false>, bn1: BatchNorm(eps = 1e-5, momentum = 0.9),
             relu1: Relu, conv2: Conv2d<F, 3, padding = 1, bias = false>,
             bn2: BatchNorm(eps = 1e-5, momentum = 0.9)],
            [],
        ),
        relu: Relu,
    }

    /// `nn.Sequential(conv1x1, BatchNorm2d)`: its children are named `0` and `1`.
    block Downsample(F) {
        #[rename = "0"] conv: Conv2d<F, 1, stride = 2, bias = false>,
        #[rename = "1"] bn: BatchNorm(eps = 1e-5, momentum = 0.9),
    }

    /// torchvision's BasicBlock(stride = 2) with a downsample.
    block DownBlock(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, stride = 2, padding = 1, bias = false>,
             bn1: BatchNorm(eps = 1e-5, momentum = 0.9), relu1: Relu,
             conv2: Conv2d<F, 3, padding = 1, bias = false>, bn2: BatchNorm(eps = 1e-5, momentum = 0.9)],
            [downsample: Downsample(F)],
        ),
        relu: Relu,
    }

    pub struct Residual { input: [6, 5, 4], block: BasicBlock(4) }
    pub struct Downsampled { input: [9, 8, 4], block: DownBlock(6) }
}

/// Every weight gradient against the fixture's `grad.{name}`, and every
/// BatchNorm's running mean after the step against `after.{name}`.
///
/// A copy of the network whose parameters are replaced by their gradients
/// (paired block for block, as an optimiser pairs them) saves the gradients
/// under PyTorch's names and in PyTorch's layouts.
fn check_weights_and_state<N: Network + Clone>(r: &mut Reference, net: &N, grads: &<N as Layer>::Grads) {
    let mut as_gradients = net.clone();
    as_gradients.visit_trainable(grads, &mut |w, g| w.copy_from_slice(g));
    let mut checked = Vec::new();
    for t in StateDict::of(&as_gradients).iter() {
        if t.kind == Some(TensorKind::Parameter) {
            let name = format!("grad.{}", t.name);
            r.check(&name, &t.data);
            checked.push(name);
        }
    }
    let after = StateDict::of(net);
    for t in after.iter().filter(|t| t.name.ends_with("running_mean")) {
        let name = format!("after.{}", t.name);
        r.check(&name, &t.data);
        checked.push(name);
    }
    // Nothing in the fixture is left unchecked: every parameter PyTorch has
    // a gradient for is one of ours, and every BatchNorm is.
    for name in r.names() {
        let other = ["x", "t", "y", "loss", "grad.x"].contains(&name.as_str());
        assert!(other || checked.contains(&name), "{}: `{name}` was not compared", r.arch);
    }
}

macro_rules! block_matches_pytorch {
    ($test:ident, $net:ident, $arch:literal) => {
        #[test]
        fn $test() {
            let mut r = Reference::new("graph", $arch);
            let (net, grads, _) = train_step!(r, $net<Train>, "graph", $arch);
            check_weights_and_state(&mut r, &net, &grads);
            r.report();
        }
    };
}

block_matches_pytorch!(inception_a_matches_pytorch, BlockA, "inception_a");
block_matches_pytorch!(inception_b_matches_pytorch, BlockB, "inception_b");
block_matches_pytorch!(inception_c_matches_pytorch, BlockC, "inception_c");
block_matches_pytorch!(inception_d_matches_pytorch, BlockD, "inception_d");
block_matches_pytorch!(inception_e_matches_pytorch, BlockE, "inception_e");
block_matches_pytorch!(basic_block_matches_pytorch, Residual, "basic_block");
block_matches_pytorch!(basic_block_with_downsample_matches_pytorch, Downsampled, "basic_block_down");

#[test]
fn a_block_s_gradients_are_reachable_by_its_field_names() {
    // The generic comparison above goes through names; the typed fields
    // hold the same values.
    let mut r = Reference::new("graph", "inception_e");
    let (_, grads, _) = train_step!(r, BlockE<Train>, "graph", "inception_e");
    let gamma = grads.block.branch3x3dbl_3b.bn.weights().as_slice().to_vec();
    r.check("grad.block.branch3x3dbl_3b.bn.weight", &gamma);
}
