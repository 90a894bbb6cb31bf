//! Weight IO: safetensors round trips, PyTorch names and layouts, every way
//! a file can be bad (each leaving the network untouched), robustness
//! against mutated files, atomic saves, and optimiser checkpoints.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use typenet::io::{load_bytes_into, LoadOptions, StateDict, SyncWrite};
use typenet::prelude::*;
use typenet::rand::{rngs::StdRng, SeedableRng};
use typenet::TensorKind;

network! {
    pub struct Backbone {
        input: 6,
        fc1: Dense<8, Relu>,
        fc2: Dense<5, Relu>,
    }
}

network! {
    /// Every kind of saved tensor: nested Dense, BatchNorm state, and a
    /// parameter-free layer in between that must save nothing.
    pub struct Full {
        input: 6,
        base: Backbone,
        bn: BatchNorm,
        drop: Dropout(0.1),
        head: Dense<2>,
    }
}

/// A fresh directory for one test under Cargo's per-target scratch space.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("io").join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every saved value's bits, by name: equality means bit-identical.
fn bits<P: Phase>(net: &Full<P>) -> Vec<(String, Vec<u32>)> {
    net.state_dict().iter().map(|t| (t.name.clone(), t.data.iter().map(|v| v.to_bits()).collect())).collect()
}

/// A network whose BatchNorm state is not the default, so loads of it are
/// visible in every tensor.
fn donor(seed: u64) -> Full<Eval> {
    let mut net = Full::<Eval>::seeded(seed);
    for (i, v) in net.bn.running_mean_mut().iter_mut().enumerate() {
        *v = 0.1 * i as f32 + seed as f32;
    }
    for (i, v) in net.bn.running_var_mut().iter_mut().enumerate() {
        *v = 1.0 + 0.25 * i as f32 + seed as f32;
    }
    for v in net.head.bias_mut().iter_mut() {
        *v = seed as f32 * 0.5;
    }
    net
}

/// A safetensors file written by hand, so tests can give tensors any dtype.
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

/// `dict` rewritten with every tensor in `dtype`, each value given by `encode`.
fn with_dtype(dict: &StateDict, dtype: &str, encode: impl Fn(f32) -> Vec<u8>) -> Vec<u8> {
    let tensors: Vec<_> = dict
        .iter()
        .map(|t| (t.name.clone(), dtype, t.shape.clone(), t.data.iter().flat_map(|&v| encode(v)).collect()))
        .collect();
    raw_file(&tensors)
}

/// Values exactly representable in f16, bf16 and f64.
fn small_pattern(dict: &mut StateDict) {
    for t in &mut dict.tensors {
        for (i, v) in t.data.iter_mut().enumerate() {
            *v = (i % 7) as f32 * 0.25 - 0.5;
        }
    }
}

/// f32 -> f16 for values whose exponent fits and whose mantissa has at
/// most 10 bits (what `small_pattern` makes).
fn f16_bits(v: f32) -> u16 {
    if v == 0.0 {
        return 0;
    }
    let b = v.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exponent = ((b >> 23) & 0xff) as i32 - 127 + 15;
    assert!((1..31).contains(&exponent) && b & 0x1fff == 0, "{v} is not exact in f16");
    sign | ((exponent as u16) << 10) | ((b >> 13) & 0x3ff) as u16
}

/// Loads `bytes` into a copy of `donor(1)` and checks it fails without
/// changing anything; returns the error.
fn refused(bytes: &[u8], options: &LoadOptions) -> Error {
    let mut net = donor(1);
    let before = bits(&net);
    let err = load_bytes_into(&mut net, bytes, options).expect_err("the load should fail");
    assert_eq!(bits(&net), before, "a failed load changed the network ({err})");
    err
}

#[test]
fn save_then_load_is_bit_identical() {
    let dir = scratch("round_trip");
    let path = dir.join("full.safetensors");
    let net = donor(3);
    net.save(&path).unwrap();
    let back = Full::<Eval>::load(&path).unwrap();
    assert_eq!(bits(&back), bits(&net));

    let mut train = Full::<Train>::seeded(9);
    train.load_into(&path).unwrap();
    assert_eq!(bits(&train.into_eval()), bits(&net));
    let x = Batch::<6>::from_fn(4, |r, c| (r * 4 + c) as f32 * 0.1 - 1.0);
    assert_eq!(back.forward(&x), net.forward(&x));
}

#[test]
fn tensor_names_shapes_and_layout_follow_pytorch() {
    let net = donor(2);
    let dict = net.state_dict();
    let names: Vec<(&str, &[usize])> = dict.iter().map(|t| (t.name.as_str(), t.shape.as_slice())).collect();
    assert_eq!(
        names,
        [
            ("base.fc1.weight", &[8, 6][..]),
            ("base.fc1.bias", &[8][..]),
            ("base.fc2.weight", &[5, 8][..]),
            ("base.fc2.bias", &[5][..]),
            ("bn.weight", &[5][..]),
            ("bn.bias", &[5][..]),
            ("bn.running_mean", &[5][..]),
            ("bn.running_var", &[5][..]),
            ("head.weight", &[2, 5][..]),
            ("head.bias", &[2][..]),
        ]
    );
    let w = dict.get("base.fc1.weight").unwrap();
    for o in 0..8 {
        for i in 0..6 {
            assert_eq!(w.data[o * 6 + i], net.base.fc1.weights()[(o, i)], "element ({o}, {i})");
        }
    }
    assert_eq!(dict.get("bn.running_var").unwrap().data, net.bn.running_var().as_slice());
    assert_eq!(dict.get("bn.running_var").unwrap().kind, Some(TensorKind::State));
    assert_eq!(dict.get("bn.weight").unwrap().kind, Some(TensorKind::Parameter));
}

#[test]
fn metadata_records_architecture_and_version() {
    let dir = scratch("metadata");
    let path = dir.join("full.safetensors");
    donor(1).save(&path).unwrap();
    let dict = StateDict::read(&path).unwrap();
    assert_eq!(dict.metadata["typenet.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(dict.metadata["format"], "pt");
    let arch = &dict.metadata["typenet.architecture"];
    for part in [
        "\"name\":\"Full\"",
        "\"type\":\"Backbone\"",
        "\"type\":\"BatchNorm\"",
        "\"type\":\"Dropout(0.1)\"",
        "\"type\":\"Dense<2>\"",
    ] {
        assert!(arch.contains(part), "{part} not in {arch}");
    }
    // The parameter-free layer saves no tensors.
    assert!(dict.iter().all(|t| !t.name.starts_with("drop")));
}

#[test]
fn missing_tensor_is_an_error_and_changes_nothing() {
    let mut dict = donor(2).state_dict();
    dict.tensors.retain(|t| t.name != "head.bias");
    let err = refused(&dict.to_bytes().unwrap(), &LoadOptions::default());
    assert!(matches!(&err, Error::MissingTensor { name } if name == "head.bias"), "{err}");
    // Missing is missing even when extras are allowed.
    let err = refused(&dict.to_bytes().unwrap(), &LoadOptions::new().allow_extra(true).convert_dtypes(true));
    assert!(matches!(&err, Error::MissingTensor { name } if name == "head.bias"), "{err}");
}

#[test]
fn unexpected_tensor_is_an_error_unless_allowed() {
    let mut dict = donor(2).state_dict();
    dict.tensors.push(typenet::io::NamedTensor {
        name: "head.extra".to_string(),
        shape: vec![3],
        data: vec![1.0, 2.0, 3.0],
        kind: None,
    });
    let bytes = dict.to_bytes().unwrap();
    let err = refused(&bytes, &LoadOptions::default());
    assert!(matches!(&err, Error::UnexpectedTensor { name } if name == "head.extra"), "{err}");

    let mut net = donor(1);
    load_bytes_into(&mut net, &bytes, &LoadOptions::new().allow_extra(true)).unwrap();
    assert_eq!(bits(&net), bits(&donor(2)));
}

#[test]
fn wrong_shape_names_tensor_expected_and_found() {
    let mut dict = donor(2).state_dict();
    let head = dict.tensors.iter_mut().find(|t| t.name == "head.weight").unwrap();
    head.shape = vec![5, 2]; // transposed: same size, wrong shape
    let err = refused(&dict.to_bytes().unwrap(), &LoadOptions::default());
    match &err {
        Error::ShapeMismatch { name, expected, found } => {
            assert_eq!((name.as_str(), &expected[..], &found[..]), ("head.weight", &[2, 5][..], &[5, 2][..]));
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("head.weight") && text.contains("[2, 5]") && text.contains("[5, 2]"), "{text}");
}

#[test]
fn wrong_dtype_is_an_error_unless_conversion_is_asked() {
    let mut dict = donor(2).state_dict();
    small_pattern(&mut dict);
    let expected: Vec<Vec<f32>> = dict.iter().map(|t| t.data.clone()).collect();
    let files = [
        ("F64", with_dtype(&dict, "F64", |v| (v as f64).to_le_bytes().to_vec())),
        ("F16", with_dtype(&dict, "F16", |v| f16_bits(v).to_le_bytes().to_vec())),
        ("BF16", with_dtype(&dict, "BF16", |v| ((v.to_bits() >> 16) as u16).to_le_bytes().to_vec())),
    ];
    for (dtype, bytes) in &files {
        let err = refused(bytes, &LoadOptions::default());
        assert!(
            matches!(&err, Error::DtypeMismatch { name, found, convertible: true } if name == "base.fc1.weight" && found == dtype),
            "{err}"
        );
        let mut net = donor(1);
        load_bytes_into(&mut net, bytes, &LoadOptions::new().convert_dtypes(true)).unwrap();
        let loaded: Vec<Vec<f32>> = net.state_dict().iter().map(|t| t.data.clone()).collect();
        assert_eq!(loaded, expected, "{dtype}");
    }
    // Integers are never weights, conversion or not.
    let ints = with_dtype(&dict, "I32", |v| (v as i32).to_le_bytes().to_vec());
    let err = refused(&ints, &LoadOptions::new().convert_dtypes(true));
    assert!(matches!(&err, Error::DtypeMismatch { convertible: false, .. }), "{err}");
}

#[test]
fn int64_num_batches_tracked_is_ignored() {
    let dict = donor(2).state_dict();
    let mut tensors: Vec<_> = dict
        .iter()
        .map(|t| {
            (t.name.clone(), "F32", t.shape.clone(), t.data.iter().flat_map(|v| v.to_le_bytes()).collect())
        })
        .collect();
    tensors.push(("bn.num_batches_tracked".to_string(), "I64", vec![], 7i64.to_le_bytes().to_vec()));
    let bytes = raw_file(&tensors);
    let mut net = donor(1);
    load_bytes_into(&mut net, &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(bits(&net), bits(&donor(2)));

    // Only next to a BatchNorm: elsewhere it is an unexpected tensor.
    tensors.last_mut().unwrap().0 = "head.num_batches_tracked".to_string();
    let err = refused(&raw_file(&tensors), &LoadOptions::default());
    assert!(matches!(&err, Error::UnexpectedTensor { name } if name == "head.num_batches_tracked"), "{err}");
}

#[test]
fn truncated_file_is_an_error_and_changes_nothing() {
    let bytes = donor(2).state_dict().to_bytes().unwrap();
    let err = refused(&bytes[..bytes.len() - 3], &LoadOptions::default());
    assert!(
        matches!(err, Error::Truncated { expected, found } if expected == bytes.len() as u64 && found == expected - 3),
        "{err}"
    );
    let err = refused(&bytes[..40], &LoadOptions::default());
    assert!(matches!(err, Error::Truncated { found: 40, .. }), "{err}");
    let err = refused(&bytes[..5], &LoadOptions::default());
    assert!(matches!(err, Error::Truncated { expected: 8, found: 5 }), "{err}");
    // Through the file system too.
    let dir = scratch("truncated");
    let path = dir.join("cut.safetensors");
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let mut net = donor(1);
    assert!(matches!(net.load_into(&path), Err(Error::Truncated { .. })));
    assert_eq!(bits(&net), bits(&donor(1)));
    assert!(matches!(Full::<Eval>::load(&path), Err(Error::Truncated { .. })));
}

#[test]
fn garbage_header_is_an_error_and_changes_nothing() {
    let bytes = donor(2).state_dict().to_bytes().unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut garbage = bytes.clone();
    for b in &mut garbage[9..8 + header_len / 2] {
        *b = b'#';
    }
    let err = refused(&garbage, &LoadOptions::default());
    assert!(matches!(err, Error::InvalidHeader(_)), "{err}");

    let mut not_utf8 = bytes.clone();
    not_utf8[12] = 0xff;
    assert!(matches!(refused(&not_utf8, &LoadOptions::default()), Error::InvalidHeader(_)));

    // Valid JSON, offsets that overlap.
    let overlapping = raw_file(&[
        ("a".to_string(), "F32", vec![2], vec![0; 8]),
        ("b".to_string(), "F32", vec![2], vec![0; 8]),
    ]);
    let text = String::from_utf8(overlapping.clone()).unwrap().replace("[8,16]", "[4,12]");
    assert!(matches!(refused(text.as_bytes(), &LoadOptions::default()), Error::InvalidHeader(_)));

    // Bytes after the last tensor.
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(&[0; 4]);
    assert!(matches!(refused(&trailing, &LoadOptions::default()), Error::InvalidHeader(_)));
}

#[test]
fn not_safetensors_is_an_error_and_changes_nothing() {
    let dir = scratch("not_safetensors");
    let cases: [&[u8]; 3] = [
        b"PK\x03\x04 a zip archive, as torch.save writes",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"fc1.weight,fc1.bias\n0.1,0.2\n",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let err = refused(bytes, &LoadOptions::default());
        assert!(matches!(err, Error::NotSafetensors(_)), "case {i}: {err}");
        let path = dir.join(format!("case{i}.bin"));
        fs::write(&path, bytes).unwrap();
        let mut net = donor(1);
        assert!(matches!(net.load_into(&path), Err(Error::NotSafetensors(_))));
        assert_eq!(bits(&net), bits(&donor(1)));
    }
    // A plausible length followed by something that is not JSON.
    let mut fake = 16u64.to_le_bytes().to_vec();
    fake.extend_from_slice(b"<html></html>   ");
    assert!(matches!(refused(&fake, &LoadOptions::default()), Error::NotSafetensors(_)));
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = scratch("missing_file");
    let mut net = donor(1);
    let err = net.load_into(dir.join("absent.safetensors")).unwrap_err();
    assert!(matches!(&err, Error::Io { path, .. } if path.ends_with("absent.safetensors")), "{err}");
    assert_eq!(bits(&net), bits(&donor(1)));
}

/// One random edit: overwrite, flip a bit, insert or delete a byte, or
/// rewrite the header length.
fn mutate(bytes: &mut Vec<u8>, rng: &mut StdRng) {
    let at = rng.random_range(0..bytes.len());
    match rng.random_range(0..6) {
        0 => bytes[at] = rng.random(),
        1 => bytes[at] ^= 1 << rng.random_range(0..8),
        2 => bytes.insert(at, rng.random()),
        3 => {
            bytes.remove(at);
        }
        4 => {
            // Aim at the header, where parsing decisions are made.
            let header =
                8 + (u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize).min(bytes.len() - 8);
            let at = rng.random_range(0..header.max(1));
            bytes[at] = *b"{}[]\":,0123456789 ".get(rng.random_range(0..18)).unwrap();
        }
        _ => {
            let delta: i64 = rng.random_range(-16..16);
            let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as i64 + delta;
            bytes[..8].copy_from_slice(&(len.max(0) as u64).to_le_bytes());
        }
    }
}

#[test]
fn mutated_and_truncated_files_never_panic() {
    let valid = donor(2).state_dict().to_bytes().unwrap();
    let mut outcomes = [0usize; 2];
    let mut check = |bytes: &[u8]| {
        let mut net = donor(1);
        let before = bits(&net);
        match load_bytes_into(&mut net, bytes, &LoadOptions::default()) {
            Ok(()) => outcomes[0] += 1,
            Err(_) => {
                assert_eq!(bits(&net), before, "a failed load changed the network");
                outcomes[1] += 1;
            }
        }
        let _ = StateDict::from_bytes(bytes);
    };
    for len in 0..valid.len() {
        check(&valid[..len]);
    }
    for seed in 0..3000u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut bytes = valid.clone();
        for _ in 0..rng.random_range(1..4) {
            if bytes.len() > 8 {
                mutate(&mut bytes, &mut rng);
            }
        }
        check(&bytes);
    }
    // A few through the path-based API, as users call it.
    let dir = scratch("mutated");
    for seed in 0..20u64 {
        let mut rng = StdRng::seed_from_u64(10_000 + seed);
        let mut bytes = valid.clone();
        mutate(&mut bytes, &mut rng);
        let path = dir.join(format!("m{seed}.safetensors"));
        fs::write(&path, &bytes).unwrap();
        let _ = Full::<Train>::load(&path);
    }
    eprintln!("mutated files: {} loaded, {} refused", outcomes[0], outcomes[1]);
    assert!(outcomes[1] > 2000, "most mutations must be caught: {outcomes:?}");
}

/// Fails once `budget` bytes have been written, or at sync.
struct Failing {
    file: File,
    budget: usize,
    fail_sync: bool,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::other("injected write error"));
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        self.file.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl SyncWrite for Failing {
    fn sync(&mut self) -> io::Result<()> {
        if self.fail_sync {
            return Err(io::Error::other("injected sync error"));
        }
        self.file.sync_all()
    }
}

#[test]
fn failed_save_leaves_the_previous_file_intact() {
    let dir = scratch("failed_save");
    let path = dir.join("net.safetensors");
    donor(1).save(&path).unwrap();
    let old = fs::read(&path).unwrap();

    let new = donor(2);
    for (budget, fail_sync) in [(0, false), (100, false), (old.len() - 1, false), (usize::MAX, true)] {
        let err =
            typenet::io::save_with(&new, &path, |file| Failing { file, budget, fail_sync }).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), old, "budget {budget}: the previous file changed");
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["net.safetensors"], "a temporary file was left behind");
    }
    new.save(&path).unwrap();
    assert_eq!(bits(&Full::<Eval>::load(&path).unwrap()), bits(&new));
}

network! {
    /// No dropout: a resumed run can only match an unbroken one if nothing
    /// random happens outside the saved state.
    pub struct Regressor {
        input: 6,
        base: Backbone,
        bn: BatchNorm,
        head: Dense<2>,
    }
}

fn regressor_bits(net: &Regressor<Train>) -> Vec<u32> {
    net.state_dict().iter().flat_map(|t| t.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect()
}

fn train_steps<O: Optimizer>(net: &mut Regressor<Train>, opt: &mut O, from: usize, to: usize) {
    for step in from..to {
        let x = Batch::<6>::from_fn(8, |r, c| ((r * 7 + c * 3 + step * 5) % 11) as f32 * 0.2 - 1.0);
        let t = Batch::<2>::from_fn(8, |r, c| ((r + c + step) % 3) as f32 - 1.0);
        let y = net.forward(&x);
        let grads = net.backward(&Mse.grad(&y, &t));
        opt.step(net, &grads);
    }
}

/// 10 steps in one go against 5 steps, a save of network and optimiser,
/// a load into fresh objects, and 5 more steps: bit for bit equal.
fn resumes_bit_for_bit<O: Optimizer>(
    name: &str,
    make: impl Fn() -> O,
    save: impl Fn(&O, &Path) -> Result<(), Error>,
    load: impl Fn(&Path) -> Result<O, Error>,
) {
    let dir = scratch(&format!("resume_{name}"));
    let mut straight = Regressor::<Train>::seeded(4);
    let mut opt = make();
    train_steps(&mut straight, &mut opt, 0, 10);

    let mut first = Regressor::<Train>::seeded(4);
    let mut opt_first = make();
    train_steps(&mut first, &mut opt_first, 0, 5);
    first.save(dir.join("net.safetensors")).unwrap();
    save(&opt_first, &dir.join("opt.safetensors")).unwrap();
    drop((first, opt_first));

    let mut resumed = Regressor::<Train>::load(dir.join("net.safetensors")).unwrap();
    let mut opt_resumed = load(&dir.join("opt.safetensors")).unwrap();
    assert_eq!(opt_resumed.iterations(), 5, "{name}");
    train_steps(&mut resumed, &mut opt_resumed, 5, 10);

    assert_eq!(opt_resumed.iterations(), opt.iterations(), "{name}");
    assert_eq!(regressor_bits(&resumed), regressor_bits(&straight), "{name}: resumed run differs");
    // And the run really moved: not trivially equal.
    assert_ne!(regressor_bits(&straight), regressor_bits(&Regressor::<Train>::seeded(4)));
}

#[test]
fn optimizer_checkpoints_resume_bit_for_bit() {
    resumes_bit_for_bit("adam", || Adam::new(0.01).beta1(0.85), |o, p| o.save(p), |p| Adam::load(p));
    resumes_bit_for_bit("rmsprop", || RmsProp::new(0.003), |o, p| o.save(p), |p| RmsProp::load(p));
    resumes_bit_for_bit(
        "sgd",
        || Sgd::new(0.05).momentum(0.9).nesterov(true).decay(0.01),
        |o, p| o.save(p),
        |p| Sgd::load(p),
    );
    resumes_bit_for_bit("adamw", || AdamW::new(0.01, 0.004), |o, p| o.save(p), |p| AdamW::load(p));
}

#[test]
fn optimizer_checkpoint_of_another_kind_is_refused() {
    let dir = scratch("optimizer_kind");
    let path = dir.join("opt.safetensors");
    let mut net = Regressor::<Train>::seeded(1);
    let mut rms = RmsProp::new(0.01);
    train_steps(&mut net, &mut rms, 0, 2);
    rms.save(&path).unwrap();

    let mut adam = Adam::new(0.5);
    let err = adam.load_into(&path).unwrap_err();
    assert!(matches!(err, Error::OptimizerState(_)), "{err}");
    assert_eq!((adam.iterations(), adam.learning_rate()), (0, 0.5), "a failed load changed the optimiser");

    // A network file is not an optimiser checkpoint either.
    net.save(dir.join("net.safetensors")).unwrap();
    assert!(matches!(Adam::load(dir.join("net.safetensors")), Err(Error::OptimizerState(_))));
    // And an optimiser checkpoint is not a network.
    assert!(matches!(Regressor::<Train>::load(&path), Err(Error::MissingTensor { .. })));
}
