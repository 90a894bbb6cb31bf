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

/// Values exactly representable in f16, bf16 and f64 (and variances that
/// are not negative).
fn small_pattern(dict: &mut StateDict) {
    for t in &mut dict.tensors {
        let variance = t.name.ends_with("running_var");
        for (i, v) in t.data.iter_mut().enumerate() {
            *v = (i % 7) as f32 * 0.25 - 0.5;
            if variance {
                *v = v.abs();
            }
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
/// The first problem a load reports (a load that fails on several
/// tensors lists them all, in the network's order).
fn first_problem(err: &Error) -> &Error {
    match err {
        Error::LoadProblems { problems } => &problems[0],
        Error::OtherArchitecture { problems, .. } => first_problem(problems),
        single => single,
    }
}

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
            matches!(first_problem(&err), Error::DtypeMismatch { name, found, convertible: true } if name == "base.fc1.weight" && found == dtype),
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
    assert!(matches!(first_problem(&err), Error::DtypeMismatch { convertible: false, .. }), "{err}");
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
            Ok(()) => {
                // What a strict load accepts is finite, variances not negative.
                for t in net.state_dict().iter() {
                    let bad = |v: &f32| !v.is_finite() || (t.name.ends_with("running_var") && *v < 0.0);
                    assert!(!t.data.iter().any(bad), "a load accepted {:?} in `{}`", t.data, t.name);
                }
                outcomes[0] += 1
            }
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
    let err = Regressor::<Train>::load(&path).unwrap_err();
    assert!(matches!(first_problem(&err), Error::MissingTensor { .. }), "{err}");
}

// Weight files with non-finite values (issue 11): refused by default naming
// the tensor, the network left bit for bit as it was; allowed with
// `LoadOptions::allow_non_finite`; saving such a network always works.

#[test]
fn load_options_default_to_strict_and_have_a_builder_per_field() {
    let strict = LoadOptions::default();
    assert_eq!(strict, LoadOptions { allow_extra: false, convert_dtypes: false, allow_non_finite: false });
    assert_eq!(LoadOptions::new(), strict);
    let lenient = LoadOptions::new().allow_extra(true).convert_dtypes(true).allow_non_finite(true);
    assert!(lenient.allow_extra && lenient.convert_dtypes && lenient.allow_non_finite);
    assert!(!lenient.allow_non_finite(false).allow_non_finite);
    // The guide's struct literal (weights chapter), which later options must not break.
    let readme = LoadOptions { allow_extra: true, convert_dtypes: true, ..Default::default() };
    assert_eq!(readme, LoadOptions::new().allow_extra(true).convert_dtypes(true));
    assert!(!readme.allow_non_finite);
}

/// `donor(2)` with `edit` applied: the file a diverged run would save.
fn poisoned(edit: impl FnOnce(&mut Full<Eval>)) -> Full<Eval> {
    let mut net = donor(2);
    edit(&mut net);
    net
}

/// Checks that `net`'s file is refused by default with `InvalidValue`
/// naming `name` and `index`, changing nothing, and loads with
/// `allow_non_finite`, bit for bit.
fn refused_unless_allowed(net: &Full<Eval>, name: &str, index: usize) -> Error {
    let bytes = net.state_dict().to_bytes().expect("saving a non-finite network is allowed");
    let err = refused(&bytes, &LoadOptions::default());
    // With bad values in several tensors, every one is listed; the first in
    // the network's visiting order comes first.
    let first = match &err {
        Error::LoadProblems { problems } => &problems[0],
        single => single,
    };
    match first {
        Error::InvalidValue { name: found, index: at, value } => {
            assert_eq!((found.as_str(), *at), (name, index), "{err}");
            let saved = net.state_dict().get(name).unwrap().data[index];
            assert_eq!(value.to_bits(), saved.to_bits(), "{err}");
        }
        other => panic!("expected InvalidValue for `{name}`, got {other:?}"),
    }
    assert!(err.to_string().contains(&format!("`{name}`")), "{err}");
    assert!(err.to_string().contains("allow_non_finite"), "{err}");
    let mut into = donor(1);
    load_bytes_into(&mut into, &bytes, &LoadOptions::new().allow_non_finite(true)).unwrap();
    assert_eq!(bits(&into), bits(net));
    err
}

#[test]
fn a_nan_weight_is_refused_naming_the_tensor_and_its_index() {
    // Element (3, 4) of an [8, 6] weight: index 3 * 6 + 4 in PyTorch's
    // row-major order, whatever the memory layout.
    let net = poisoned(|n| n.base.fc1.weights_mut()[(3, 4)] = f32::NAN);
    let err = refused_unless_allowed(&net, "base.fc1.weight", 22);
    assert!(matches!(err, Error::InvalidValue { value, .. } if value.is_nan()));
    assert_eq!(
        err.to_string(),
        "tensor `base.fc1.weight` holds NaN at index 22 (set LoadOptions::allow_non_finite to load it anyway)"
    );
}

#[test]
fn an_infinite_bias_is_refused() {
    let net = poisoned(|n| n.head.bias_mut()[1] = f32::INFINITY);
    refused_unless_allowed(&net, "head.bias", 1);
    let net = poisoned(|n| n.base.fc2.bias_mut()[0] = f32::NEG_INFINITY);
    refused_unless_allowed(&net, "base.fc2.bias", 0);
}

#[test]
fn batch_norm_state_must_be_finite_and_its_variance_not_negative() {
    let net = poisoned(|n| n.bn.running_var_mut()[3] = -0.5);
    let err = refused_unless_allowed(&net, "bn.running_var", 3);
    assert_eq!(
        err.to_string(),
        "tensor `bn.running_var` holds -0.5 at index 3, but its values are never negative \
         (set LoadOptions::allow_non_finite to load it anyway)"
    );
    let net = poisoned(|n| n.bn.running_var_mut()[0] = f32::INFINITY);
    refused_unless_allowed(&net, "bn.running_var", 0);
    let net = poisoned(|n| n.bn.running_mean_mut()[4] = f32::NAN);
    refused_unless_allowed(&net, "bn.running_mean", 4);
    let net = poisoned(|n| n.bn.weights_mut()[2] = f32::NEG_INFINITY);
    refused_unless_allowed(&net, "bn.weight", 2);

    // A zero variance is a variance (epsilon is added), and a negative
    // mean or gamma is just a number.
    let fine = poisoned(|n| {
        n.bn.running_var_mut()[1] = 0.0;
        n.bn.running_var_mut()[2] = -0.0;
        n.bn.running_mean_mut()[0] = -3.0;
        n.bn.weights_mut()[0] = -1.0;
    });
    let mut net = donor(1);
    load_bytes_into(&mut net, &fine.state_dict().to_bytes().unwrap(), &LoadOptions::default()).unwrap();
    assert_eq!(bits(&net), bits(&fine));
}

#[test]
fn the_first_bad_value_is_reported_and_other_checks_still_apply() {
    // Two bad values: the first in the network's visiting order is named.
    let net = poisoned(|n| {
        n.head.weights_mut()[(1, 1)] = f32::NAN;
        n.base.fc2.weights_mut()[(4, 7)] = f32::INFINITY;
        n.base.fc2.weights_mut()[(0, 2)] = f32::NAN;
    });
    let err = refused_unless_allowed(&net, "base.fc2.weight", 2);
    assert!(
        matches!(&err, Error::LoadProblems { problems } if problems.len() == 2
            && matches!(&problems[1], Error::InvalidValue { name, index: 6, .. } if name == "head.weight")),
        "{err}"
    );
    // allow_non_finite allows values, nothing else: a missing tensor is
    // still missing.
    let mut dict = net.state_dict();
    dict.tensors.retain(|t| t.name != "bn.bias");
    let err = refused(&dict.to_bytes().unwrap(), &LoadOptions::new().allow_non_finite(true));
    assert!(matches!(&err, Error::MissingTensor { name } if name == "bn.bias"), "{err}");
}

#[test]
fn an_f64_value_beyond_f32_range_is_named_as_the_file_holds_it() {
    let mut dict = donor(2).state_dict();
    small_pattern(&mut dict);
    let bytes =
        with_dtype(&dict, "F64", |v| if v == 0.25 { 1e300f64 } else { v as f64 }.to_le_bytes().to_vec());
    let first = dict.tensors[0].data.iter().position(|&v| v == 0.25).unwrap();
    let err = refused(&bytes, &LoadOptions::new().convert_dtypes(true));
    assert!(
        matches!(first_problem(&err), Error::OutOfF32Range { name, index, value: 1e300 } if name == "base.fc1.weight" && *index == first),
        "{err}"
    );
    let message = first_problem(&err).to_string();
    assert!(message.contains("holds 1e300 (F64)") && message.contains("beyond f32's range"), "{message}");
    // Allowed, it loads as the infinity it becomes.
    let mut net = donor(1);
    let options = LoadOptions::new().convert_dtypes(true).allow_non_finite(true);
    load_bytes_into(&mut net, &bytes, &options).unwrap();
    assert_eq!(net.state_dict().tensors[0].data[first], f32::INFINITY);
}

#[test]
fn a_network_holding_nan_saves_loads_only_when_allowed() {
    let dir = scratch("non_finite_file");
    let path = dir.join("diverged.safetensors");
    let net = poisoned(|n| {
        n.base.fc1.weights_mut()[(0, 0)] = f32::NAN;
        n.bn.running_var_mut()[0] = -1.0;
    });
    net.save(&path).expect("saving a diverged network is allowed, to inspect it");

    let err = Full::<Eval>::load(&path).unwrap_err();
    assert!(
        matches!(first_problem(&err), Error::InvalidValue { name, index: 0, .. } if name == "base.fc1.weight"),
        "{err}"
    );
    let mut into = donor(1);
    let err = into.load_into(&path).unwrap_err();
    assert!(matches!(&err, Error::LoadProblems { problems } if problems.len() == 2), "{err}");
    assert_eq!(bits(&into), bits(&donor(1)), "a failed load changed the network");
    let err = Full::<Train>::load(&path).unwrap_err();
    assert!(matches!(first_problem(&err), Error::InvalidValue { .. }), "{err}");

    let allow = LoadOptions::new().allow_non_finite(true);
    let back = Full::<Eval>::load_with(&path, &allow).unwrap();
    assert_eq!(bits(&back), bits(&net));
    into.load_into_with(&path, &allow).unwrap();
    assert_eq!(bits(&into), bits(&net));
    // `StateDict::read` reads any file as it is.
    let dict = StateDict::read(&path).unwrap();
    assert!(dict.get("base.fc1.weight").unwrap().data[0].is_nan());
}

// Optimiser checkpoints crafted by hand (issue 11): typed errors, never a
// panic, never an optimiser that produces NaN.

/// An Adam that has taken 3 steps on `Regressor`, so it has moments.
fn trained_adam() -> (Regressor<Train>, Adam) {
    let mut net = Regressor::<Train>::seeded(2);
    let mut opt = Adam::new(0.01);
    train_steps(&mut net, &mut opt, 0, 3);
    (net, opt)
}

/// Refused from the dictionary, from its bytes and from a file (through
/// `load` and `load_into`, which leaves the optimiser as it was): the
/// error of `from_state_dict`.
fn checkpoint_refused(dict: &StateDict, context: &str) -> Error {
    let err = Adam::from_state_dict(dict).expect_err(context);
    let bytes = dict.to_bytes().unwrap();
    let read = StateDict::from_bytes(&bytes).unwrap();
    let again = Adam::from_state_dict(&read).expect_err(context);
    assert_eq!(again.to_string(), err.to_string(), "{context}");

    // One directory per call: tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = scratch(&format!("crafted_checkpoint_{call}")).join("adam.safetensors");
    fs::write(&path, &bytes).unwrap();
    let from_file = Adam::load(&path).expect_err(context);
    assert_eq!(from_file.to_string(), err.to_string(), "{context}");
    let (_, mut opt) = trained_adam();
    let before = opt.state_dict();
    assert!(opt.load_into(&path).is_err(), "{context}");
    assert_eq!(opt.state_dict(), before, "{context}: a failed load changed the optimiser");
    err
}

/// The checkpoint with metadata `key` set to `value`.
fn with_meta(key: &str, value: &str) -> StateDict {
    let mut dict = trained_adam().1.state_dict();
    dict.metadata.insert(key.to_string(), value.to_string());
    dict
}

#[test]
fn crafted_slot_counts_are_typed_errors() {
    let slots = trained_adam().1.state_dict().metadata["slots"].clone();
    let real: usize = slots.parse().unwrap();
    let counts = [
        (1u64 << 63).to_string(),
        usize::MAX.to_string(),
        (usize::MAX / 2 + 1).to_string(),
        (real + 1).to_string(),
        (real - 1).to_string(),
        "0".to_string(),
        "-1".to_string(),
        "1e3".to_string(),
        "".to_string(),
    ];
    for count in counts {
        let err = checkpoint_refused(&with_meta("slots", &count), &format!("slots = {count:?}"));
        assert!(matches!(err, Error::OptimizerState(_)), "slots = {count:?}: {err}");
    }
    // The tensors do not match the count the metadata gives.
    let mut dict = trained_adam().1.state_dict();
    dict.tensors.pop();
    assert!(matches!(checkpoint_refused(&dict, "a tensor removed"), Error::OptimizerState(_)));
    // The right number of tensors under the wrong names.
    let mut dict = trained_adam().1.state_dict();
    dict.tensors[0].name = "slot.99.first".to_string();
    let err = checkpoint_refused(&dict, "a renamed tensor");
    assert!(matches!(&err, Error::MissingTensor { name } if name == "slot.0.first"), "{err}");
    // First and second moments of different lengths.
    let mut dict = trained_adam().1.state_dict();
    dict.tensors[1].data.push(0.0);
    dict.tensors[1].shape = vec![dict.tensors[1].data.len()];
    assert!(matches!(checkpoint_refused(&dict, "lengths differ"), Error::ShapeMismatch { .. }));
}

#[test]
fn crafted_step_counts_are_typed_errors() {
    for iterations in [u64::MAX.to_string(), ((1u64 << 53) + 1).to_string(), "-1".into(), "many".into()] {
        let err = checkpoint_refused(&with_meta("iterations", &iterations), &iterations);
        assert!(matches!(err, Error::OptimizerState(_)), "iterations = {iterations}: {err}");
    }
    // The largest count a float still counts exactly loads, and steps to
    // finite weights.
    let dict = with_meta("iterations", &(1u64 << 53).to_string());
    let mut opt = Adam::from_state_dict(&dict).unwrap();
    let (mut net, _) = trained_adam();
    train_steps(&mut net, &mut opt, 3, 4);
    assert!(net.state_dict().iter().all(|t| t.data.iter().all(|v| v.is_finite())));
}

#[test]
fn crafted_hyper_parameters_are_typed_errors() {
    let cases = [
        ("lr", "NaN"),
        ("lr", "inf"),
        ("lr", "-0.1"),
        ("beta1", "1"),
        ("beta1", "-0.5"),
        ("beta2", "NaN"),
        ("beta2", "1.5"),
        ("epsilon", "0"),
        ("epsilon", "-1e-7"),
        ("epsilon", "inf"),
        ("weight_decay", "NaN"),
        ("weight_decay", "-1"),
        ("lr", "fast"),
    ];
    for (key, value) in cases {
        let err = checkpoint_refused(&with_meta(key, value), &format!("{key} = {value}"));
        // Named as the builders name it, or by its metadata key when it
        // does not parse.
        let spoken = match key {
            "lr" if value == "fast" => "lr",
            "lr" => "learning rate",
            "weight_decay" => "weight decay",
            other => other,
        };
        assert!(matches!(&err, Error::OptimizerState(m) if m.contains(spoken)), "{key} = {value}: {err}");
    }
    let mut dict = trained_adam().1.state_dict();
    dict.metadata.remove("beta2");
    assert!(matches!(checkpoint_refused(&dict, "no beta2"), Error::OptimizerState(m) if m.contains("beta2")));
}

#[test]
fn crafted_moments_are_typed_errors() {
    let edits: [(&str, usize, f32); 5] = [
        ("negative second moment", 1, -1e-3),
        ("NaN first moment", 0, f32::NAN),
        ("infinite first moment", 2, f32::NEG_INFINITY),
        ("NaN second moment", 3, f32::NAN),
        ("infinite second moment", 1, f32::INFINITY),
    ];
    for (what, tensor, value) in edits {
        let mut dict = trained_adam().1.state_dict();
        dict.tensors[tensor].data[0] = value;
        let err = checkpoint_refused(&dict, what);
        let name = &dict.tensors[tensor].name;
        assert!(matches!(&err, Error::OptimizerState(m) if m.contains(name.as_str())), "{what}: {err}");
    }
    // Each moment valid on its own, but the next update overflows (found by
    // the `optimizer_checkpoint` fuzz target).
    let mut dict = trained_adam().1.state_dict();
    let (first, second) = (
        dict.tensors.iter().position(|t| t.name == "slot.0.first").unwrap(),
        dict.tensors.iter().position(|t| t.name == "slot.0.second").unwrap(),
    );
    dict.tensors[first].data[0] = 1e38;
    dict.tensors[second].data[0] = 0.0;
    let err = checkpoint_refused(&dict, "an update that overflows");
    assert!(err.to_string().contains("overflows"), "{err}");
    // RMSprop keeps its mean squares in the first buffer; SGD's velocity
    // may be negative but not NaN.
    let (mut net, mut rms) = (Regressor::<Train>::seeded(2), RmsProp::new(0.01));
    train_steps(&mut net, &mut rms, 0, 2);
    let mut dict = rms.state_dict();
    dict.tensors[0].data[0] = -1.0;
    assert!(matches!(RmsProp::from_state_dict(&dict), Err(Error::OptimizerState(_))));
    let mut sgd = Sgd::new(0.01).momentum(0.9);
    train_steps(&mut net, &mut sgd, 0, 2);
    let mut dict = sgd.state_dict();
    dict.tensors[0].data[0] = -1.0;
    Sgd::from_state_dict(&dict).expect("a negative velocity is a velocity");
    dict.tensors[0].data[0] = f32::NAN;
    assert!(matches!(Sgd::from_state_dict(&dict), Err(Error::OptimizerState(_))));
    dict.tensors[0].data[0] = 0.0;
    dict.metadata.insert("lr".into(), "NaN".into());
    assert!(matches!(Sgd::from_state_dict(&dict), Err(Error::OptimizerState(_))));
}

#[test]
fn a_valid_crafted_checkpoint_still_loads_bit_for_bit() {
    let (_, opt) = trained_adam();
    let dict = opt.state_dict();
    let back = Adam::from_state_dict(&StateDict::from_bytes(&dict.to_bytes().unwrap()).unwrap()).unwrap();
    assert_eq!(back.state_dict(), dict);
}

network! {
    /// Another network over the same input: a file of it does not fit `Full`.
    pub struct Other { input: 6, fc1: Dense<4, Relu>, out: Dense<3> }
}

#[test]
fn a_file_from_another_network_lists_every_problem_and_the_first_differing_row() {
    let dir = scratch("other_network");
    let path = dir.join("other.safetensors");
    Other::<Eval>::seeded(1).save(&path).unwrap();
    let mut net = donor(1);
    let before = bits(&net);
    let err = net.load_into(&path).unwrap_err();
    assert_eq!(bits(&net), before, "a failed load changed the network");
    let Error::OtherArchitecture { saved_from, row, file, network, problems } = &err else {
        panic!("expected OtherArchitecture, got {err:?}");
    };
    assert_eq!((saved_from.as_str(), *row), ("Other", 0), "{err}");
    assert!(file.starts_with("fc1: Dense<4, Relu>") && network.starts_with("base: Backbone"), "{err}");
    // Every tensor the network misses and every one the file adds, in one error.
    let Error::LoadProblems { problems } = problems.as_ref() else { panic!("expected every problem: {err}") };
    let missing = problems.iter().filter(|p| matches!(p, Error::MissingTensor { .. })).count();
    let unexpected: Vec<_> = problems
        .iter()
        .filter_map(|p| if let Error::UnexpectedTensor { name } = p { Some(name.as_str()) } else { None })
        .collect();
    assert_eq!(missing, StateDict::of(&net).len(), "{err}");
    assert_eq!(unexpected, ["fc1.bias", "fc1.weight", "out.bias", "out.weight"], "{err}");
    let message = err.to_string();
    assert!(
        message.contains("`base.fc1.weight` is missing") && message.contains("`head.bias` is missing"),
        "{message}"
    );
    // A file of the same network with one tensor reshaped is not from another network.
    let mut dict = donor(2).state_dict();
    let t = dict.tensors.iter_mut().find(|t| t.name == "head.bias").unwrap();
    t.shape = vec![1, 2];
    let reshaped = dir.join("reshaped.safetensors");
    fs::write(&reshaped, dict.to_bytes().unwrap()).unwrap();
    let err = net.load_into(&reshaped).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}
