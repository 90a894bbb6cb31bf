//! "How do I run a typenet network elsewhere, or train it in PyTorch?"
//! Exports one small network per layer kind as ONNX and as a PyTorch
//! module, with its weights, a random input and typenet's output on it:
//! what `tools/onnx_check.py` (ONNX Runtime) and
//! `tools/pytorch_roundtrip.py` compare against.
//!
//! Run: `cargo run --release --example export_onnx -- DIR` (writes the
//! files into DIR), then `-- reload DIR` after the round trip: loads each
//! `KIND.trained.safetensors` PyTorch wrote and records typenet's output
//! on the same input.

use std::path::{Path, PathBuf};

use typenet::nalgebra::Const;
use typenet::prelude::*;

network! {
    /// Every activation, with dropout between them.
    pub struct DenseKind {
        input: 6,
        fc1: Dense<16, Relu>,
        drop: Dropout(0.3),
        fc2: Dense<12, Gelu>,
        fc3: Dense<10, LeakyRelu>,
        fc4: Dense<8, Sigmoid>,
        act: Tanh,
        out: Dense<3, Softmax>,
    }
}

network! {
    pub struct BatchNormKind {
        input: [5, 5, 3],
        bn1: BatchNorm(eps = 1e-5, momentum = 0.9),
        flat: Flatten,
        fc: Dense<8>,
        bn2: BatchNorm,
        out: Dense<2>,
    }
}

network! {
    pub struct Conv2dKind {
        input: [11, 10, 3],
        conv1: Conv2d<6, 3, Relu, padding = 1>,
        conv2: Conv2d<8, [3, 2], Tanh, stride = [2, 1], padding = [1, 0], bias = false>,
        same: Conv2d<6, 2, padding = Same>,
        conv3: Conv2d<4, 2, dilation = 2>,
        flat: Flatten,
        out: Dense<3>,
    }
}

network! {
    pub struct Conv1dKind {
        input: [12, 3],
        conv1: Conv1d<5, 3, Tanh, padding = Causal, dilation = 2>,
        conv2: Conv1d<4, 2, stride = 2>,
        flat: Flatten,
        out: Dense<2>,
    }
}

network! {
    pub struct PoolKind {
        input: [10, 10, 2],
        max: MaxPool2d<2>,
        avg: AvgPool2d<3, stride = 1, padding = 1>,
        same: AvgPool2d<2, stride = 1, padding = Same>,
        flat: Flatten(channels_first),
        out: Dense<3>,
    }
}

network! {
    pub struct GlobalPoolKind {
        input: [6, 6, 4],
        conv: Conv2d<5, 3, Relu>,
        gap: GlobalAvgPool,
        out: Dense<2>,
    }
}

network! {
    pub struct LstmKind {
        input: [7, 4],
        seq: Lstm<8, return_sequences = true>,
        last: Lstm<5>,
        out: Dense<2>,
    }
}

network! {
    pub struct GruKind {
        input: [7, 4],
        seq: Gru<8, return_sequences = true>,
        td: TimeDistributed(Dense<5, Relu>),
        last: Gru<6>,
        out: Dense<2>,
    }
}

network! {
    pub struct Inner {
        input: 6,
        fc: Dense<8, Tanh>,
        bn: BatchNorm,
    }
}

network! {
    pub struct NestedKind {
        input: 6,
        base: Inner,
        out: Dense<2>,
    }
}

network! {
    block Unit(F, K, padding = 0) {
        conv: Conv2d<F, K, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        act: Relu,
    }

    /// Concat of maps with a pooled path, Add with an identity path.
    pub struct GraphKind {
        input: [6, 6, 2],
        stem: Unit(4, 1),
        cat: Concat([a: Unit(3, 1)], [b: Unit(2, 3, padding = 1)], [p: MaxPool2d<3, stride = 1, padding = 1>]),
        sum: Add([c: Conv2d<9, 1>], []),
        gmp: GlobalMaxPool,
        out: Dense<2>,
    }
}

/// `cols` samples with values in [-1, 1), the same on every run.
fn random_batch<const N: usize>(cols: usize, seed: u64) -> Batch<N> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    Batch::<N>::from_fn(cols, |_, _| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    })
}

/// BatchNorm statistics and biases away from their initial values, so
/// that a layer which ignored them would show.
fn perturb<N: Network>(net: &mut N, seed: u64) {
    let mut dict = net.state_dict();
    for (i, t) in dict.tensors.iter_mut().enumerate() {
        let noise = random_batch::<1>(t.data.len(), seed + i as u64);
        if t.name.ends_with("running_var") {
            t.data.iter_mut().zip(noise.iter()).for_each(|(v, n)| *v = 0.5 + n.abs());
        } else if t.name.ends_with("running_mean")
            || t.name.ends_with("bias")
            || t.name.ends_with("bias_hh_l0")
        {
            t.data.iter_mut().zip(noise.iter()).for_each(|(v, n)| *v += 0.3 * n);
        }
    }
    typenet::io::load_bytes_into(net, &dict.to_bytes().unwrap(), &Default::default()).unwrap();
}

fn write_json(path: &Path, shape: &[usize], input: &[f32], output: &[f32], output_shape: &[usize]) {
    let json = serde_json::json!({
        "input_shape": shape, "input": input, "output_shape": output_shape, "output": output,
    });
    std::fs::write(path, json.to_string()).unwrap();
}

/// Writes KIND.onnx, KIND.py, KIND.safetensors and KIND.json.
fn export<N, const IN: usize, const OUT: usize>(dir: &Path, kind: &str, seed: u64)
where
    N: EvalNetwork<Input = Const<IN>, Output = Const<OUT>> + Network,
{
    let mut net = N::seeded(seed);
    perturb(&mut net, seed + 1);
    let cols = 4;
    let x = random_batch::<IN>(cols, seed + 2);
    let y = net.forward(&x);
    net.to_onnx(dir.join(format!("{kind}.onnx"))).unwrap();
    net.save(dir.join(format!("{kind}.safetensors"))).unwrap();
    std::fs::write(dir.join(format!("{kind}.py")), net.to_pytorch_module().unwrap()).unwrap();
    let mut shape = vec![cols];
    shape.extend_from_slice(N::INPUT_SHAPE);
    let mut out_shape = vec![cols];
    out_shape.extend_from_slice(N::ENTRIES[N::ENTRIES.len() - 1].shape);
    write_json(&dir.join(format!("{kind}.json")), &shape, x.as_slice(), y.as_slice(), &out_shape);
    println!("{kind:<12} {:>6} parameters  -> {kind}.onnx, {kind}.py", N::PARAMS);
}

/// Loads KIND.trained.safetensors and writes typenet's output on KIND.json's input.
fn reload<N, const IN: usize, const OUT: usize>(dir: &Path, kind: &str)
where
    N: EvalNetwork<Input = Const<IN>, Output = Const<OUT>> + Network,
{
    let trained = dir.join(format!("{kind}.trained.safetensors"));
    if !trained.exists() {
        return;
    }
    let net = N::load(&trained).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{kind}.json"))).unwrap()).unwrap();
    let input: Vec<f32> =
        json["input"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
    let x = Batch::<IN>::from_column_slice(&input);
    let y = net.forward(&x);
    let shape: Vec<usize> = serde_json::from_value(json["input_shape"].clone()).unwrap();
    let out_shape: Vec<usize> = serde_json::from_value(json["output_shape"].clone()).unwrap();
    write_json(&dir.join(format!("{kind}.reloaded.json")), &shape, &input, y.as_slice(), &out_shape);
    println!("{kind:<12} reloaded");
}

macro_rules! every_kind {
    ($run:ident, $dir:expr $(, $seed:expr)?) => {{
        $run::<DenseKind<Eval>, 6, 3>($dir, "dense" $(, $seed)?);
        $run::<BatchNormKind<Eval>, 75, 2>($dir, "batchnorm" $(, $seed + 10)?);
        $run::<Conv2dKind<Eval>, 330, 3>($dir, "conv2d" $(, $seed + 20)?);
        $run::<Conv1dKind<Eval>, 36, 2>($dir, "conv1d" $(, $seed + 30)?);
        $run::<PoolKind<Eval>, 200, 3>($dir, "pools" $(, $seed + 40)?);
        $run::<GlobalPoolKind<Eval>, 144, 2>($dir, "globalpool" $(, $seed + 50)?);
        $run::<LstmKind<Eval>, 28, 2>($dir, "lstm" $(, $seed + 60)?);
        $run::<GruKind<Eval>, 28, 2>($dir, "gru_td" $(, $seed + 70)?);
        $run::<NestedKind<Eval>, 6, 2>($dir, "nested" $(, $seed + 80)?);
        $run::<GraphKind<Eval>, 72, 2>($dir, "graph" $(, $seed + 90)?);
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, dir] if cmd == "reload" => every_kind!(reload, Path::new(dir)),
        [dir] => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            every_kind!(export, &dir, 1);
        }
        _ => eprintln!("usage: export_onnx DIR | export_onnx reload DIR"),
    }
}
