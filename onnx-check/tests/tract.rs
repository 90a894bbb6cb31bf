//! ONNX export checked by a second inference engine: each network is
//! exported, loaded with tract, and run on random inputs; its outputs must
//! equal typenet's within 1e-5.

use tract_onnx::prelude::*;
use typenet::prelude::*;

network! {
    /// Every activation, dropout dropped, a nested network.
    pub struct Features {
        input: 6,
        fc1: Dense<16, Relu>,
        drop: Dropout(0.3),
        fc2: Dense<12, Gelu>,
    }
}

network! {
    pub struct DenseNet {
        input: 6,
        base: Features,
        noise: GaussianNoise(0.1),
        fc3: Dense<10, LeakyRelu>,
        act: Tanh,
        fc4: Dense<8, Sigmoid>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        out: Dense<3, Softmax>,
    }
}

network! {
    /// Strides, padding, dilation, both pools, BatchNorm on maps, both flattens.
    pub struct Cnn {
        input: [11, 10, 3],
        conv1: Conv2d<6, 3, Relu, padding = 1>,
        bn1: BatchNorm(eps = 1e-5, momentum = 0.9),
        pool1: MaxPool2d<2>,
        conv2: Conv2d<8, [3, 2], Tanh, stride = [2, 1], padding = [1, 0], bias = false>,
        same: Conv2d<6, 2, padding = Same>,
        pool2: AvgPool2d<3, stride = 1, padding = 1>,
        conv3: Conv2d<8, 2, Relu, dilation = 2>,
        flat: Flatten,
        out: Dense<4>,
    }
}

network! {
    pub struct CnnHead {
        input: [9, 9, 2],
        conv: Conv2d<5, 3, Sigmoid, stride = 2>,
        pool: AvgPool2d<2, stride = 1, padding = Same>,
        flat: Flatten(channels_first),
        out: Dense<3>,
    }
}

network! {
    pub struct Cnn1d {
        input: [12, 3],
        conv1: Conv1d<5, 3, Tanh, padding = Causal, dilation = 2>,
        pool: MaxPool1d<2>,
        conv2: Conv1d<4, 1>,
        gap: GlobalAvgPool,
        out: Dense<2>,
    }
}

network! {
    pub struct Recurrent {
        input: [7, 4],
        lstm: Lstm<8, return_sequences = true>,
        td: TimeDistributed(Dense<5, Relu>),
        gru: Gru<6, return_sequences = true>,
        gru2: Gru<3>,
        out: Dense<2>,
    }
}

network! {
    pub struct LastLstm {
        input: [5, 3],
        lstm: Lstm<4>,
    }
}

network! {
    block Unit(F, K, padding = 0) {
        conv: Conv2d<F, K, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        act: Relu,
    }

    /// Concat of maps (a pooled path among them), Add with a renamed
    /// layer and an identity path.
    pub struct Graph {
        input: [6, 6, 2],
        stem: Unit(4, 1),
        cat: Concat([a: Unit(3, 1)], [b: Unit(2, 3, padding = 1)], [p: MaxPool2d<3, stride = 1, padding = 1>]),
        sum: Add([c: Conv2d<9, 1>], []),
        gap: GlobalMaxPool,
        flat_sum: Add([d: Dense<5, Tanh>], [#[rename = "0"] e: Dense<5>]),
        out: Dense<2>,
    }
}

network! {
    pub struct FlatGraph {
        input: 4,
        cat: Concat([a: Dense<3, Tanh>], [b: Dense<2, Sigmoid>, c: Dense<2>], []),
        out: Dense<1>,
    }
}

/// A batch of `cols` samples with values in [-1, 1).
fn random_batch<const N: usize>(cols: usize, seed: u64) -> Batch<N> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    Batch::<N>::from_fn(cols, |_, _| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    })
}

/// The exported model's output on `x`, as tract computes it.
fn tract_output(bytes: &[u8], input_shape: &[usize], x: &[f32]) -> Vec<f32> {
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .expect("tract reads the model")
        .with_input_fact(0, f32::fact(input_shape).into())
        .expect("input fact")
        .into_optimized()
        .expect("tract optimises the model")
        .into_runnable()
        .expect("runnable");
    let input = Tensor::from_shape(input_shape, x).expect("input tensor");
    let out = model.run(tvec!(input.into())).expect("tract runs the model");
    out[0].to_plain_array_view::<f32>().expect("f32 output").iter().copied().collect()
}

/// Exports `net`, runs it in tract on a random batch and compares.
fn check<N, const IN: usize, const OUT: usize>(net: &N, seed: u64)
where
    N: EvalNetwork<Input = typenet::nalgebra::Const<IN>, Output = typenet::nalgebra::Const<OUT>>,
{
    let cols = 5;
    let x = random_batch::<IN>(cols, seed);
    let y = net.forward(&x);
    let bytes = net.to_onnx_bytes().expect("export");
    let mut shape = vec![cols];
    shape.extend_from_slice(N::INPUT_SHAPE);
    let got = tract_output(&bytes, &shape, x.as_slice());
    assert_eq!(got.len(), y.len(), "{}: output size", N::NAME);
    let worst = got.iter().zip(y.as_slice()).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("{}: largest difference from typenet {worst:.1e}", N::NAME);
    assert!(worst <= 1e-5, "{}: largest difference {worst:e}", N::NAME);
}

/// BatchNorm with statistics that are not the defaults, so using them shows.
fn perturb_state<N: Network>(net: &mut N, seed: u64) {
    let mut dict = net.state_dict();
    for (i, t) in dict.tensors.iter_mut().enumerate() {
        if t.name.ends_with("running_mean") || t.name.ends_with("bias") || t.name.ends_with("bias_hh_l0") {
            let noise = random_batch::<1>(t.data.len(), seed + i as u64);
            t.data.iter_mut().zip(noise.iter()).for_each(|(v, n)| *v += 0.3 * n);
        }
        if t.name.ends_with("running_var") {
            let noise = random_batch::<1>(t.data.len(), seed + 100 + i as u64);
            t.data.iter_mut().zip(noise.iter()).for_each(|(v, n)| *v = 0.5 + n.abs());
        }
    }
    let bytes = dict.to_bytes().expect("bytes");
    typenet::io::load_bytes_into(net, &bytes, &Default::default()).expect("load");
}

#[test]
fn dense_networks_run_the_same_in_tract() {
    let mut net = DenseNet::<Eval>::seeded(1);
    perturb_state(&mut net, 2);
    check(&net, 3);
    check(&FlatGraph::<Eval>::seeded(4), 5);
}

#[test]
fn convolutional_networks_run_the_same_in_tract() {
    let mut net = Cnn::<Eval>::seeded(6);
    perturb_state(&mut net, 7);
    check(&net, 8);
    check(&CnnHead::<Eval>::seeded(9), 10);
    check(&Cnn1d::<Eval>::seeded(11), 12);
}

#[test]
fn recurrent_networks_run_the_same_in_tract() {
    let mut net = Recurrent::<Eval>::seeded(13);
    perturb_state(&mut net, 14);
    check(&net, 15);
    check(&LastLstm::<Eval>::seeded(16), 17);
}

#[test]
fn graphs_run_the_same_in_tract() {
    let mut net = Graph::<Eval>::seeded(18);
    perturb_state(&mut net, 19);
    check(&net, 20);
}

#[test]
fn initializers_carry_pytorch_names() {
    let bytes = Graph::<Eval>::seeded(1).to_onnx_bytes().unwrap();
    let has = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
    for name in ["stem.conv.weight", "b.bn.running_var", "0.weight", "out.bias"] {
        assert!(has(name), "no initializer {name}");
    }
    let bytes = Recurrent::<Eval>::seeded(1).to_onnx_bytes().unwrap();
    assert!(bytes.windows(6).any(|w| w == b"lstm.W"));
}

network! {
    pub struct WithEmbedding {
        input: 4,
        emb: Embedding<10, 3>,
        flat: Flatten,
        out: Dense<1>,
    }
}

#[test]
fn a_layer_without_onnx_form_is_named() {
    let err = WithEmbedding::<Eval>::seeded(1).to_onnx_bytes().unwrap_err();
    assert!(matches!(&err, Error::Export { layer, .. } if layer == "emb"), "{err}");
}
