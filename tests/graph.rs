//! Graphs: `Concat` and `Add` over paths, blocks used many times with
//! their own arguments and input shapes, flat PyTorch names, and backward
//! through every path checked against finite differences.

use typenet::prelude::*;

network! {
    /// A convolution without bias, a BatchNorm and an activation, as
    /// torchvision's BasicConv2d (with tanh: finite differences need no kinks).
    block Unit(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        act: Tanh,
    }

    /// Two branches joined on channels, a pooled branch among them.
    block Mixed(POOL) {
        cat: Concat(
            [branch1x1: Unit(4, 1)],
            [branch3x3_1: Unit(3, 1), branch3x3_2: Unit(5, 3, padding = 1)],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, branch_pool: Unit(POOL, 1)],
        ),
    }

    /// A residual block with an identity shortcut.
    block Residual(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, padding = 1, bias = false>, act1: Tanh, conv2: Conv2d<F, 3, padding = 1>],
            [],
        ),
        act: Tanh,
    }

    /// Small enough to check every gradient by finite differences.
    block Pair(F) {
        cat: Concat([one: Unit(F, 1)], [pool: MaxPool2d<3, stride = 1, padding = 1>, two: Unit(F, 3, padding = 1)]),
    }

    pub struct Tiny {
        input: [4, 4, 2],
        mix: Pair(2),
        res: Residual(4),
        gap: GlobalAvgPool,
        fc: Dense<2>,
    }

    pub struct Small {
        input: [6, 6, 2],
        stem: Unit(8, 3, padding = 1),
        Mixed_1: Mixed(2),
        Mixed_2: Mixed(3),
        res: Residual(12),
        gap: GlobalAvgPool,
        fc: Dense<3>,
    }
}

network! {
    /// A flat graph: layers of paths are fields of the struct itself.
    pub struct Flat {
        input: 4,
        cat: Concat([a: Dense<3, Tanh>], [b: Dense<2, Sigmoid>, c: Dense<2>], []),
        sum: Add([d: Dense<5, Tanh>], [#[rename = "0"] e: Dense<5>]),
        out: Dense<1>,
    }
}

#[test]
fn shapes_follow_the_paths() {
    // Mixed(2) joins 4 + 5 + 2 channels, Mixed(3) 4 + 5 + 3.
    assert_eq!(Small::INPUT, 72);
    assert_eq!(Small::OUTPUT, 3);
    let net = Small::<Eval>::seeded(1);
    let summary = net.summary().to_string();
    assert!(summary.contains("Mixed_1 (Mixed(2))"), "{summary}");
    assert!(summary.contains("(None, 6, 6, 11)"), "{summary}");
    assert!(summary.contains("(None, 6, 6, 12)"), "{summary}");
    assert_eq!(Flat::INPUT, 4);
    assert_eq!(Flat::PARAMS, (4 * 3 + 3) + (4 * 2 + 2) + (2 * 2 + 2) + (9 * 5 + 5) * 2 + (5 + 1));
}

#[test]
fn tensors_are_saved_under_flat_names() {
    let net = Small::<Eval>::seeded(2);
    let names: Vec<String> = net.state_dict().tensors.iter().map(|t| t.name.clone()).collect();
    for name in [
        "stem.conv.weight",
        "stem.bn.running_var",
        "Mixed_1.branch1x1.conv.weight",
        "Mixed_1.branch3x3_2.bn.weight",
        "Mixed_2.branch_pool.conv.weight",
        "res.conv1.weight",
        "res.conv2.bias",
        "fc.weight",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
    let flat: Vec<String> =
        Flat::<Eval>::seeded(0).state_dict().tensors.iter().map(|t| t.name.clone()).collect();
    assert!(flat.contains(&"a.weight".to_string()) && flat.contains(&"0.weight".to_string()), "{flat:?}");
    assert!(!flat.iter().any(|n| n.starts_with("cat") || n.starts_with("sum")), "{flat:?}");
}

#[test]
fn concat_joins_and_add_sums_the_paths() {
    let net = Flat::<Eval>::seeded(3);
    let x = Batch::<4>::from_fn(2, |i, j| (i as f32 - 1.5) * 0.3 + j as f32 * 0.1);
    let (a, b, c) = (&net.a, &net.b, &net.c);
    let xs = x.as_slice();
    let dense = |layer: &dyn Fn(&[f32], &mut [f32]), input: &[f32], width: usize| {
        let mut out = vec![0.0; width];
        layer(input, &mut out);
        out
    };
    let _ = (a, b, c, dense, xs);
    // The concatenation feeds `d` and `e`: 3 + 2 + 4 = 9 values per sample.
    assert_eq!(net.d.weights().shape(), (5, 9));
    assert_eq!(net.e.weights().shape(), (5, 9));
    let y = net.forward(&x);
    assert_eq!(y.shape(), (1, 2));
}

#[test]
fn backward_through_every_path_matches_finite_differences() {
    typenet::testing::check_layer_gradients(Flat::<Train>::seeded(4), 3);
    typenet::testing::check_layer_gradients(Tiny::<Train>::seeded(5), 2);
}
