//! Writes the seed inputs of the five fuzz targets into `seeds/<target>/`
//! (committed; the corpora libFuzzer grows from them are not). Run from
//! anywhere with `cargo run --example seeds` inside `fuzz/`.

use std::fs;
use std::path::{Path, PathBuf};

use typenet::io::StateDict;
use typenet::prelude::*;

network! {
    pub struct Backbone { input: 6, fc1: Dense<8, Relu>, fc2: Dense<5, Relu> }
}
network! {
    pub struct Full { input: 6, base: Backbone, bn: BatchNorm, drop: Dropout(0.1), head: Dense<2> }
}
network! {
    pub struct Small { input: 3, fc: Dense<4, Relu>, bn: BatchNorm, out: Dense<2> }
}

// The other networks of `weight_loader` (selector bits 3-5 = 1..=4).
network! {
    pub struct Convs {
        input: [6, 6, 2],
        conv: Conv2d<3, 3, Relu, padding = Same>,
        bn: BatchNorm,
        pool: MaxPool2d<2>,
        flat: Flatten,
        out: Dense<2>,
    }
}
network! {
    pub struct Causal {
        input: [8, 2],
        conv: Conv1d<3, 2, Tanh, padding = Causal, dilation = 2>,
        mix: Conv1d<2, 1>,
        rnn: Gru<3>,
    }
}
network! {
    pub struct Recurrent {
        input: [5, 3],
        lstm: Lstm<4, return_sequences = true>,
        bi: Bidirectional(Gru<2, return_sequences = true>),
        out: TimeDistributed(Dense<2>),
    }
}
network! {
    block Residual(F) {
        conv: Conv1d<F, 3, Tanh, padding = Causal>,
        bn: BatchNorm,
    }

    pub struct Graph {
        input: [6, 2],
        cat: Concat([a: Conv1d<2, 1>], [b: Lstm<2, return_sequences = true>]),
        sum: Add([r: Residual(4)], [p: Conv1d<4, 1>]),
        out: TimeDistributed(Dense<1>),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("seeds").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn prefixed(first: &[u8], rest: &[u8]) -> Vec<u8> {
    [first, rest].concat()
}

/// A safetensors file written by hand, so tensors can have any dtype.
fn raw_file(tensors: &[(String, &str, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let mut header = String::from("{");
    let mut data = Vec::new();
    for (i, (name, dtype, shape, bytes)) in tensors.iter().enumerate() {
        if i > 0 {
            header.push(',');
        }
        let (start, end) = (data.len(), data.len() + bytes.len());
        header.push_str(&format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape:?},\"data_offsets\":[{start},{end}]}}"
        ));
        data.extend_from_slice(bytes);
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header.as_bytes());
    file.extend_from_slice(&data);
    file
}

fn with_dtype(dict: &StateDict, dtype: &str, encode: impl Fn(f32) -> Vec<u8>) -> Vec<u8> {
    let tensors: Vec<_> = dict
        .iter()
        .map(|t| (t.name.clone(), dtype, t.shape.clone(), t.data.iter().flat_map(|&v| encode(v)).collect()))
        .collect();
    raw_file(&tensors)
}

fn weight_loader() {
    let net = Full::<Eval>::seeded(2);
    let mut dict = net.state_dict();
    let bytes = dict.to_bytes().unwrap();
    // Strict, each option alone, and all of them.
    for selector in [0u8, 1, 2, 4, 7] {
        write("weight_loader", &format!("state_dict_{selector}"), &prefixed(&[selector], &bytes));
    }
    dict.metadata.clear();
    write("weight_loader", "no_metadata", &prefixed(&[0], &dict.to_bytes().unwrap()));
    write(
        "weight_loader",
        "f64",
        &prefixed(&[2], &with_dtype(&dict, "F64", |v| (v as f64).to_le_bytes().to_vec())),
    );
    write(
        "weight_loader",
        "bf16",
        &prefixed(&[2], &with_dtype(&dict, "BF16", |v| (v.to_bits() >> 16).to_le_bytes()[..2].to_vec())),
    );
    // PyTorch's BatchNorm counter and a tensor the network does not have.
    let mut tensors: Vec<_> = dict
        .iter()
        .map(|t| {
            (t.name.clone(), "F32", t.shape.clone(), t.data.iter().flat_map(|v| v.to_le_bytes()).collect())
        })
        .collect();
    tensors.push(("bn.num_batches_tracked".to_string(), "I64", vec![], 7i64.to_le_bytes().to_vec()));
    write("weight_loader", "batch_counter", &prefixed(&[0], &raw_file(&tensors)));
    tensors.push(("extra.weight".to_string(), "F16", vec![2], vec![0, 0x3c, 0, 0xc0]));
    write("weight_loader", "extra", &prefixed(&[1], &raw_file(&tensors)));
}

/// Each other network's own file, strict and converting (F64).
fn weight_loader_networks() {
    let dicts = [
        Convs::<Eval>::seeded(2).state_dict(),
        Causal::<Eval>::seeded(2).state_dict(),
        Recurrent::<Eval>::seeded(2).state_dict(),
        Graph::<Eval>::seeded(2).state_dict(),
    ];
    for (k, dict) in dicts.iter().enumerate() {
        let network = (k as u8 + 1) << 3;
        write("weight_loader", &format!("network_{}", k + 1), &prefixed(&[network], &dict.to_bytes().unwrap()));
        let f64s = with_dtype(dict, "F64", |v| (v as f64).to_le_bytes().to_vec());
        write("weight_loader", &format!("network_{}_f64", k + 1), &prefixed(&[network | 2], &f64s));
    }
}

/// Each network of `stream_step` with two seeds and a varied sequence.
fn stream_step() {
    for network in 0..5u8 {
        for seed in [1u64, 7] {
            let mut bytes = vec![network];
            bytes.extend(seed.to_le_bytes());
            bytes.extend((0..24u8).map(|i| i.wrapping_mul(37)));
            write("stream_step", &format!("network_{network}_seed_{seed}"), &bytes);
        }
    }
}

fn optimizer_checkpoint() {
    let mut net = Small::<Train>::seeded(1);
    let x = Batch::<3>::from_fn(4, |r, c| (r + 2 * c) as f32 * 0.3 - 1.0);
    let t = Batch::<2>::from_fn(4, |r, c| ((r * c) % 2) as f32);
    let y = net.forward(&x);
    let grads = net.backward(&Mse.grad(&y, &t));
    let mut dicts = Vec::new();
    let mut sgd = Sgd::new(0.1).momentum(0.9).nesterov(true).decay(0.01);
    let mut rms = RmsProp::new(0.01).rho(0.8);
    let mut adam = Adam::new(0.001).beta1(0.8);
    let mut adamw = AdamW::new(0.001, 0.004);
    for _ in 0..2 {
        sgd.step(&mut net.clone(), &grads);
        rms.step(&mut net.clone(), &grads);
        adam.step(&mut net.clone(), &grads);
        adamw.step(&mut net.clone(), &grads);
    }
    dicts.push(("sgd", sgd.state_dict()));
    dicts.push(("sgd_fresh", Sgd::new(0.01).state_dict()));
    dicts.push(("rmsprop", rms.state_dict()));
    dicts.push(("adam", adam.state_dict()));
    dicts.push(("adamw", adamw.state_dict()));
    for (name, dict) in dicts {
        write(
            "optimizer_checkpoint",
            &format!("{name}.safetensors"),
            &prefixed(&[0], &dict.to_bytes().unwrap()),
        );
        let mut text = String::new();
        for (key, value) in &dict.metadata {
            text.push_str(&format!("{key}={value}\n"));
        }
        for t in dict.iter() {
            let values: Vec<String> = t.data.iter().map(|v| v.to_string()).collect();
            text.push_str(&format!("{}={}\n", t.name, values.join(",")));
        }
        write("optimizer_checkpoint", &format!("{name}.txt"), &prefixed(&[1], text.as_bytes()));
    }
}

fn csv_reader() {
    // selector: bit 0 header, bit 1 one-hot, bits 2-4 label column + 1.
    let cases: [(&str, u8, &str); 6] = [
        ("one_hot_header", 0b011, "a,b,c,d,label\n0.5,1,2,3,1\n1.5,0,0,-1,0\n2,2,2,2,1\n-3,1e3,0.25,4,0\n"),
        ("raw_target", 0b000, "0.5,1,2,3,0.7\n1.5,0,0,-1,2.5\n2,2,2,2,1e5\n"),
        ("label_first", 0b00110, "1,0.5,1,2,3\n0,1.5,0,0,-1\n1,2,2,2,2\n"),
        ("binary", 0b001, "x0,x1,x2,x3,y\n1,2,3,4,0\n4,3,2,1,1\n0,0,0,0,1\n9,9,9,9,0\n"),
        ("quoted_spaces", 0b011, "\"a\",\"b\",c,d,e\n 1 , 2 ,3,4, 1\n\"5\",6,7,8,0\n"),
        ("ragged", 0b010, "1,2,3,4,1\n1,2,3\n"),
    ];
    for (name, selector, text) in cases {
        write("csv_reader", name, &prefixed(&[selector, 5], text.as_bytes()));
    }
}

/// The text between the delimiters after each `network!` in `source`.
fn declarations(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("network!") {
        rest = &rest[at + "network!".len()..];
        let trimmed = rest.trim_start();
        let Some(open) = trimmed.chars().next() else { break };
        let close = match open {
            '{' => '}',
            '(' => ')',
            '[' => ']',
            _ => continue,
        };
        let mut depth = 0;
        for (i, c) in trimmed.char_indices() {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    found.push(trimmed[1..i].trim().to_string());
                    break;
                }
            }
        }
    }
    found
}

fn macro_front() {
    let repo = root().join("..");
    let mut files: Vec<PathBuf> = vec![repo.join("README.md")];
    // The guide's chapters hold most of the documented declarations.
    let mut chapters: Vec<PathBuf> = fs::read_dir(repo.join("docs/guide"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    files.extend(chapters);
    for dir in ["tests", "tests/models", "tests/ui"] {
        let mut rs: Vec<PathBuf> = fs::read_dir(repo.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        rs.sort();
        files.extend(rs);
    }
    let mut seen = std::collections::HashSet::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let prefix = if file.parent().unwrap().ends_with("ui") { format!("ui_{stem}") } else { stem };
        for (i, decl) in declarations(&source).into_iter().enumerate() {
            if decl.contains("struct") && seen.insert(decl.clone()) {
                write("macro_front", &format!("{prefix}_{i}"), decl.as_bytes());
            }
        }
    }
}

fn main() {
    let seeds = root().join("seeds");
    for target in ["weight_loader", "optimizer_checkpoint", "csv_reader", "macro_front", "stream_step"] {
        let _ = fs::remove_dir_all(seeds.join(target));
    }
    weight_loader();
    weight_loader_networks();
    stream_step();
    optimizer_checkpoint();
    csv_reader();
    macro_front();
}
