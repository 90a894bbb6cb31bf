//! Graphs: `Concat` and `Add` over paths, blocks used many times with
//! their own arguments and input shapes, flat PyTorch names, backward
//! through every path checked against finite differences, the summary
//! indented by block and path, and the same bits at every thread count.

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

fn linear(v: f32) -> f32 {
    v
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

/// `act(W x + b)` of a Dense layer, computed here from its weights.
fn dense<const IN: usize, const OUT: usize>(
    w: &SMatrix<f32, OUT, IN>,
    b: &SVector<f32, OUT>,
    x: &[f32],
    act: fn(f32) -> f32,
) -> Vec<f32> {
    (0..OUT).map(|o| act((0..IN).map(|i| w[(o, i)] * x[i]).sum::<f32>() + b[o])).collect()
}

#[test]
fn concat_joins_and_add_sums_the_paths() {
    let net = Flat::<Eval>::seeded(3);
    let x = Batch::<4>::from_fn(2, |i, j| (i as f32 - 1.5) * 0.3 + j as f32 * 0.1);
    let y = net.forward(&x);
    for sample in 0..2 {
        let x = &x.as_slice()[4 * sample..4 * sample + 4];
        // Concat joins `a`, `b -> c` and the input itself, in that order.
        let mut joined = dense(net.a.weights(), net.a.bias(), x, f32::tanh);
        let b = dense(net.b.weights(), net.b.bias(), x, sigmoid);
        joined.extend(dense(net.c.weights(), net.c.bias(), &b, linear));
        joined.extend_from_slice(x);
        assert_eq!(joined.len(), 9);
        // Add sums `d` and `e`, both fed the joined values.
        let d = dense(net.d.weights(), net.d.bias(), &joined, f32::tanh);
        let e = dense(net.e.weights(), net.e.bias(), &joined, linear);
        let sum: Vec<f32> = d.iter().zip(&e).map(|(d, e)| d + e).collect();
        let want = dense(net.out.weights(), net.out.bias(), &sum, linear)[0];
        assert!(
            (y[(0, sample)] - want).abs() <= 1e-5 * (1.0 + want.abs()),
            "sample {sample}: {} vs {want}",
            y[(0, sample)]
        );
    }
}

#[test]
fn backward_through_every_path_matches_finite_differences() {
    typenet::testing::check_layer_gradients(Flat::<Train>::seeded(4), 3);
    typenet::testing::check_layer_gradients(Tiny::<Train>::seeded(5), 2);
}

#[test]
fn the_summary_indents_layers_under_their_block_and_merge() {
    let summary = Tiny::<Eval>::seeded(1).summary();
    let rows: Vec<(usize, &str, &str, &str)> = summary
        .rows
        .iter()
        .map(|r| (r.depth, r.name.as_str(), r.kind.as_str(), r.output_shape.as_str()))
        .collect();
    let unit = |width: &'static str, conv: &'static str| {
        [
            (3, "conv", conv, width),
            (3, "bn", "BatchNorm(eps = 0.001, momentum = 0.9)", width),
            (3, "act", "Tanh", width),
        ]
    };
    let mut expected = vec![
        (0, "mix", "Pair(2)", "(None, 4, 4, 4)"),
        (1, "cat", "Concat of 2 paths", "(None, 4, 4, 4)"),
        (2, "one", "Unit(2, 1)", "(None, 4, 4, 2)"),
    ];
    expected.extend(unit("(None, 4, 4, 2)", "Conv2d<2, 1, stride = 1, bias = false>"));
    expected.push((2, "pool", "MaxPool2d<3, stride = 1, padding = 1>", "(None, 4, 4, 2)"));
    expected.push((2, "two", "Unit(2, 3, padding = 1)", "(None, 4, 4, 2)"));
    expected.extend(unit("(None, 4, 4, 2)", "Conv2d<2, 3, stride = 1, padding = 1, bias = false>"));
    expected.extend([
        (0, "res", "Residual(4)", "(None, 4, 4, 4)"),
        (1, "sum", "Add of 2 paths", "(None, 4, 4, 4)"),
        (2, "conv1", "Conv2d<4, 3, padding = 1, bias = false>", "(None, 4, 4, 4)"),
        (2, "act1", "Tanh", "(None, 4, 4, 4)"),
        (2, "conv2", "Conv2d<4, 3, padding = 1>", "(None, 4, 4, 4)"),
        (1, "act", "Tanh", "(None, 4, 4, 4)"),
        (0, "gap", "GlobalAvgPool", "(None, 4)"),
        (0, "fc", "Dense<2>", "(None, 2)"),
    ]);
    assert_eq!(rows, expected);
    // A block's or a merge's row counts what is indented under it.
    for (i, row) in summary.rows.iter().enumerate() {
        let inside: Vec<_> = summary.rows[i + 1..].iter().take_while(|r| r.depth > row.depth).collect();
        if !inside.is_empty() {
            let children = inside.iter().filter(|r| r.depth == row.depth + 1);
            let (params, state) = children.fold((0, 0), |(p, s), r| (p + r.params, s + r.state));
            assert_eq!((row.params, row.state), (params, state), "row `{}`", row.name);
        }
    }
    assert_eq!(summary.total_params(), Tiny::PARAMS);
    // The table shows the depth as two spaces a level, numbering only the
    // network's own entries.
    let text = summary.to_string();
    let line = |needle: &str| {
        text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}\n{text}"))
    };
    let column = |needle: &str| line(needle).find(needle).unwrap();
    let top = column("mix (Pair(2))");
    assert_eq!(column("cat (Concat of 2 paths)"), top + 2, "{text}");
    assert_eq!(column("one (Unit(2, 1))"), top + 4, "{text}");
    assert_eq!(column("conv (Conv2d<2, 1,"), top + 6, "{text}");
    assert_eq!(column("conv1 (Conv2d<4, 3"), top + 4, "{text}");
    assert!(line("mix (Pair(2))").trim_start().starts_with("1 "), "{text}");
    assert!(line("res (Residual(4))").trim_start().starts_with("2 "), "{text}");
    assert!(line("sum (Add of 2 paths)").starts_with(' '), "{text}");
}

network! {
    /// torchvision's BasicConv2d.
    block Basic(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        relu: Relu,
    }

    /// Large enough for the threaded kernels: 16x16 maps, 64 samples.
    pub struct Wide {
        input: [16, 16, 3],
        stem: Basic(16, 3, stride = 2, padding = 1),
        mixed: Concat(
            [b1: Basic(16, 1)],
            [b3_1: Basic(12, 1), b3_2: Basic(16, 3, padding = 1)],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, bp: Basic(8, 1)],
        ),
        res: Add(
            [c1: Conv2d<40, 3, padding = 1, bias = false>, bn1: BatchNorm, r1: Relu, c2: Conv2d<40, 3, padding = 1>],
            [],
        ),
        down: MaxPool2d<3, stride = 2, padding = 1>,
        gap: GlobalAvgPool,
        out: Dense<10>,
    }
}

/// A training forward and backward (with the input gradient) and an Eval
/// forward of `Wide` at `threads` threads.
fn wide_pass(threads: usize) -> [Vec<f32>; 4] {
    typenet::set_num_threads(threads);
    let mut net = Wide::<Train>::seeded(11);
    let x = Batch::<{ 16 * 16 * 3 }>::from_fn(64, |i, j| ((i * 7 + j * 13) % 29) as f32 / 14.5 - 1.0);
    let t = Batch::<10>::from_fn(64, |i, j| ((i + 3 * j) % 5) as f32 / 5.0);
    let y = net.forward(&x);
    let (g, dx) = net.backward_with_input(&Mse.grad(&y, &t));
    let mut flat = Vec::new();
    g.visit(&mut |values| flat.extend_from_slice(values));
    let eval = net.into_eval().forward(&x);
    [y.as_slice().to_vec(), flat, dx.as_slice().to_vec(), eval.as_slice().to_vec()]
}

#[test]
fn a_graph_gives_the_same_bits_at_1_2_3_and_8_threads() {
    let reference = wide_pass(1);
    for threads in [2, 3, 8] {
        let other = wide_pass(threads);
        for (what, (a, b)) in ["forward", "gradients", "input gradient", "Eval forward"]
            .iter()
            .zip(reference.iter().zip(&other))
        {
            assert!(a == b, "{what} differs with {threads} threads");
        }
    }
    typenet::set_num_threads(0);
}

network! {
    block Unit2(F) {
        conv: Conv2d<F, 1, bias = false>,
        bn: BatchNorm,
        act: Tanh,
    }

    /// Attributes on a block's use and on entries inside paths.
    pub struct Attributed {
        input: [4, 4, 2],
        #[frozen] stem: Unit2(3),
        cat: Concat(
            [#[l2(0.01)] a: Conv2d<2, 1>],
            [#[frozen] b: Conv2d<2, 1>, #[phase(Train)] drop: Dropout(0.5)],
            [#[phase(Eval)] bn: BatchNorm],
        ),
        gap: GlobalAvgPool,
        out: Dense<1>,
    }

    /// An `#[l2]` inside a path, and the same network without it.
    pub struct L2Path { input: [3, 3, 2], cat: Concat([#[l2(0.05)] a: Conv2d<2, 1>], [b: Conv2d<2, 1>]), gap: GlobalAvgPool, out: Dense<1> }
    pub struct NoL2Path { input: [3, 3, 2], cat: Concat([a: Conv2d<2, 1>], [b: Conv2d<2, 1>]), gap: GlobalAvgPool, out: Dense<1> }
}

#[test]
fn frozen_l2_and_phase_work_inside_paths_and_on_block_uses() {
    let mut net = Attributed::<Train>::seeded(7);
    // Frozen: the block's 3 * 2 + 3 * 2 and `b`'s 2 * 3 + 2 parameters.
    let frozen = 3 * 2 + 3 * 2 + 2 * 3 + 2;
    assert_eq!(net.summary().trainable_params(), Attributed::PARAMS - frozen);
    let kernel_squares: f32 = net.a.weights().values().iter().map(|w| w * w).sum();
    assert!((net.l2_penalty() - 0.01 * kernel_squares).abs() <= 1e-6 * (1.0 + kernel_squares));

    let x = Batch::<32>::from_fn(4, |i, j| ((i * 5 + j * 3) % 7) as f32 / 3.5 - 1.0);
    let t = Batch::<1>::from_fn(4, |_, j| j as f32 / 4.0);
    let before = net.state_dict();
    let y = net.forward(&x);
    let grads = net.backward(&Mse.grad(&y, &t));
    // #[phase(Eval)] inside a path: the running statistics stay as they were.
    let after = net.state_dict();
    for name in ["bn.running_mean", "bn.running_var"] {
        assert_eq!(after.get(name).unwrap().data, before.get(name).unwrap().data, "{name}");
    }
    // Frozen layers keep their weights through an optimiser step.
    let (stem, b) = (net.stem.conv.weights().values().to_vec(), net.b.weights().values().to_vec());
    let a = net.a.weights().values().to_vec();
    Sgd::new(0.1).step(&mut net, &grads);
    assert_eq!(net.stem.conv.weights().values(), stem.as_slice());
    assert_eq!(net.b.weights().values(), b.as_slice());
    assert_ne!(net.a.weights().values(), a.as_slice());
    // #[phase(Train)] inside a path: the Eval network still drops.
    let eval = net.into_eval();
    let first = eval.forward(&x);
    assert!((0..20).any(|_| eval.forward(&x) != first), "the pinned dropout never dropped in Eval");

    // #[l2(λ)] inside a path adds 2λw to that layer's gradient, against the
    // same weights without the attribute.
    let mut with = L2Path::<Train>::seeded(8);
    let mut without = NoL2Path::<Train>::seeded(9);
    let weights = with.state_dict().to_bytes().unwrap();
    typenet::io::load_bytes_into(&mut without, &weights, &typenet::io::LoadOptions::new()).unwrap();
    let x = Batch::<18>::from_fn(3, |i, j| ((i * 5 + j * 3) % 7) as f32 / 3.5 - 1.0);
    let t = Batch::<1>::from_fn(3, |_, j| j as f32 / 3.0);
    let (y, y_plain) = (with.forward(&x), without.forward(&x));
    assert_eq!(y, y_plain);
    let (g, g_plain) = (with.backward(&Mse.grad(&y, &t)), without.backward(&Mse.grad(&y_plain, &t)));
    let w = with.a.weights().values();
    for ((g, g_plain), w) in g.a.weights().values().iter().zip(g_plain.a.weights().values()).zip(w) {
        assert!((g - g_plain - 2.0 * 0.05 * w).abs() <= 1e-6, "{g} - {g_plain} is not 2 * 0.05 * {w}");
    }
    assert_eq!(g.b.weights().values(), g_plain.b.weights().values());
}

#[test]
fn a_graph_saves_and_loads_under_its_flat_names() {
    let net = Small::<Eval>::seeded(12);
    let bytes = net.state_dict().to_bytes().unwrap();
    let mut other = Small::<Eval>::seeded(13);
    let x = Batch::<72>::from_fn(3, |i, j| ((i * 3 + j * 11) % 13) as f32 / 6.5 - 1.0);
    assert_ne!(other.forward(&x), net.forward(&x));
    typenet::io::load_bytes_into(&mut other, &bytes, &typenet::io::LoadOptions::new()).unwrap();
    assert_eq!(other.forward(&x), net.forward(&x));
    assert_eq!(other.state_dict().tensors, net.state_dict().tensors);
}
