//! Checked against PyTorch: each fixture in `tests/fixtures` (written by
//! `tools/torch_reference.py`) is a PyTorch `state_dict` saved with
//! `safetensors.torch.save_file` plus the inputs, outputs, loss and
//! gradients of one training forward and backward. typenet loads the
//! state_dict as is and must reproduce all of them, each value within
//! 1e-6 + 1e-5 × |PyTorch's value|. The networks' field names are PyTorch's module names.
//!
//! Two Adam steps from each fixture's state must land on the parameters
//! PyTorch's `torch.optim.Adam` reaches (`NAME.adam.safetensors`, written by
//! `tools/torch_reference.py --adam-steps`), to the same tolerance.
//!
//! Each test also saves the loaded network under Cargo's scratch directory
//! (`torch_reference/NAME.safetensors`), for the reverse check:
//! `python3 tools/torch_reference.py --check-typenet FILE --arch NAME`.

use std::path::{Path, PathBuf};

use typenet::io::{NamedTensor, StateDict};
use typenet::prelude::*;

network! {
    pub struct DenseBce { input: 5, fc1: Dense<8, Relu>, fc2: Dense<4, Relu>, out: Dense<1, Sigmoid> }
}
network! {
    pub struct TanhSoftmaxCe { input: 6, fc1: Dense<10, Tanh>, out: Dense<4, Softmax> }
}
network! {
    pub struct GeluLogitsCe { input: 6, fc1: Dense<10, Gelu>, fc2: Dense<8, LeakyRelu>, out: Dense<4> }
}
network! {
    pub struct BatchNormNet { input: 5, fc1: Dense<8>, bn: BatchNorm, act: Relu, out: Dense<3> }
}
network! {
    pub struct Backbone { input: 6, fc1: Dense<8, Relu>, fc2: Dense<5, Relu> }
}
network! {
    pub struct Nested { input: 6, base: Backbone, head: Dense<2> }
}

const REL: f32 = 1e-5;
const ABS: f32 = 1e-6;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The fixture's reference tensors and the largest deviations seen.
struct Reference {
    arch: &'static str,
    io: StateDict,
    max_abs: f32,
    max_rel: f32,
    worst_rel: String,
    compared: usize,
}

impl Reference {
    fn new(arch: &'static str) -> Self {
        let io = StateDict::read(fixture(&format!("{arch}.io.safetensors"))).unwrap();
        Reference { arch, io, max_abs: 0.0, max_rel: 0.0, worst_rel: String::new(), compared: 0 }
    }

    fn tensor(&self, name: &str) -> &NamedTensor {
        self.io.get(name).unwrap_or_else(|| panic!("{}: no `{name}` in the fixture", self.arch))
    }

    /// Compares `ours` (already in PyTorch's row-major order) with the
    /// fixture's tensor `name`.
    fn check(&mut self, name: &str, ours: &[f32]) {
        let want = self.tensor(name).data.clone();
        assert_eq!(
            ours.len(),
            want.len(),
            "{}: `{name}` has {} values, torch {}",
            self.arch,
            ours.len(),
            want.len()
        );
        for (i, (&a, &b)) in ours.iter().zip(&want).enumerate() {
            let err = (a - b).abs();
            assert!(
                err <= ABS + REL * b.abs(),
                "{}: `{name}`[{i}] is {a}, torch has {b} (difference {err})",
                self.arch
            );
            self.max_abs = self.max_abs.max(err);
            // Relative error is only meaningful away from zero.
            if b.abs() > 1e-3 && err / b.abs() > self.max_rel {
                self.max_rel = err / b.abs();
                self.worst_rel = format!("{name}[{i}]");
            }
            self.compared += 1;
        }
    }

    /// A Dense layer's gradients against torch's `grad.{prefix}weight`
    /// (`[out, in]` row-major) and `grad.{prefix}bias`.
    fn check_dense<const IN: usize, const OUT: usize>(&mut self, prefix: &str, g: &DenseGrads<IN, OUT>) {
        self.check(&format!("grad.{prefix}weight"), g.weights().transpose().as_slice());
        self.check(&format!("grad.{prefix}bias"), g.bias().as_slice());
    }

    fn report(&self) {
        eprintln!(
            "{}: {} values compared, max abs error {:.3e}, max rel error {:.3e} (|torch| > 1e-3, at {})",
            self.arch, self.compared, self.max_abs, self.max_rel, self.worst_rel
        );
    }
}

/// The fixture's `x` as a typenet batch: torch's `[B, IN]` row-major bytes
/// are typenet's column-major `IN x B`.
fn input<const IN: usize>(reference: &Reference) -> Batch<IN> {
    Batch::<IN>::from_column_slice(&reference.tensor("x").data)
}

fn target<const OUT: usize>(reference: &Reference) -> Batch<OUT> {
    Batch::<OUT>::from_column_slice(&reference.tensor("t").data)
}

/// Saves `net` where the reverse check can find it, and checks that the
/// saved file holds exactly the PyTorch file's float tensors.
fn save_for_torch<N: Network>(arch: &str, net: &N, same_as_model_file: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("torch_reference");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{arch}.safetensors"));
    typenet::io::save(net, &path).unwrap();
    let saved = StateDict::read(&path).unwrap();
    let torch = StateDict::read(fixture(&format!("{arch}.model.safetensors"))).unwrap();
    let torch_floats: Vec<&NamedTensor> =
        torch.iter().filter(|t| !t.name.ends_with("num_batches_tracked")).collect();
    assert_eq!(saved.len(), torch_floats.len(), "{arch}: tensor count");
    for t in torch_floats {
        let ours = saved.get(&t.name).unwrap_or_else(|| panic!("{arch}: `{}` not saved", t.name));
        assert_eq!(ours.shape, t.shape, "{arch}: `{}` shape", t.name);
        if same_as_model_file {
            assert_eq!(ours.data, t.data, "{arch}: `{}` does not round-trip bit for bit", t.name);
        }
    }
    eprintln!("{arch}: saved for the reverse check at {}", path.display());
    path
}

/// Guards Adam (its bias correction, both moments, epsilon's place) against
/// PyTorch: two steps at lr 0.05 on the fixture's `x` and `t`, and every
/// parameter after each step compared with `NAME.adam.safetensors`, except
/// those in `unsteady` (see the batchnorm test). Evaluates to the stepped
/// network.
macro_rules! two_adam_steps_match_pytorch {
    ($arch:literal, $net:expr, $x:expr, $t:expr, $loss:expr, unsteady = $unsteady:expr) => {{
        let (mut net, x, t, loss) = ($net, $x, $t, $loss);
        let want = StateDict::read(fixture(concat!($arch, ".adam.safetensors"))).unwrap();
        let mut opt = Adam::new(0.05);
        for step in 1..=2 {
            let y = net.forward(x);
            let g = net.backward(&loss.grad(&y, t));
            opt.step(&mut net, &g);
            check_adam_step($arch, step, &StateDict::of(&net), &want, $unsteady);
        }
        net
    }};
    ($arch:literal, $net:expr, $x:expr, $t:expr, $loss:expr) => {
        two_adam_steps_match_pytorch!($arch, $net, $x, $t, $loss, unsteady = &[])
    };
}

/// Compares every parameter after Adam step `step` with PyTorch's
/// `step{step}.{name}`.
fn check_adam_step(arch: &str, step: usize, ours: &StateDict, want: &StateDict, unsteady: &[&str]) {
    let prefix = format!("step{step}.");
    let mut compared = 0;
    for reference in want.iter() {
        let Some(name) = reference.name.strip_prefix(&prefix) else { continue };
        if unsteady.contains(&name) {
            continue;
        }
        let tensor = ours.get(name).unwrap_or_else(|| panic!("{arch}: no `{name}` in typenet's network"));
        assert_eq!(tensor.data.len(), reference.data.len(), "{arch}: `{name}` length");
        for (i, (&a, &b)) in tensor.data.iter().zip(&reference.data).enumerate() {
            let err = (a - b).abs();
            assert!(
                err <= ABS + REL * b.abs(),
                "{arch}: `{name}`[{i}] after Adam step {step} is {a}, torch has {b} (difference {err})"
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "{arch}: no parameters after step {step} in the fixture");
}

/// Saves a network typenet has trained two steps further, with typenet's
/// eval output on the fixture's `x` next to it (`NAME.stepped.y.json`, a
/// flat `[B, OUT]` row-major list), so the reverse check compares PyTorch's
/// output for weights PyTorch never saw.
fn save_stepped<N: Network>(arch: &str, net: &N, y_eval: &[f32]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("torch_reference");
    std::fs::create_dir_all(&dir).unwrap();
    typenet::io::save(net, dir.join(format!("{arch}.stepped.safetensors"))).unwrap();
    let values: Vec<String> = y_eval.iter().map(|v| format!("{v:e}")).collect();
    std::fs::write(dir.join(format!("{arch}.stepped.y.json")), format!("[{}]", values.join(","))).unwrap();
}

#[test]
fn dense_bce_matches_pytorch() {
    let mut r = Reference::new("dense_bce");
    let mut net = DenseBce::<Train>::load(fixture("dense_bce.model.safetensors")).unwrap();
    let (x, t) = (input::<5>(&r), target::<1>(&r));
    let y = net.forward(&x);
    r.check("y", y.as_slice());
    r.check("loss", &[BinaryCrossEntropy.loss(&y, &t)]);
    let g = net.backward(&BinaryCrossEntropy.grad(&y, &t));
    r.check_dense("fc1.", &g.fc1);
    r.check_dense("fc2.", &g.fc2);
    r.check_dense("out.", &g.out);
    r.report();
    save_for_torch("dense_bce", &net, true);
    let stepped = two_adam_steps_match_pytorch!("dense_bce", net, &x, &t, BinaryCrossEntropy).into_eval();
    save_stepped("dense_bce", &stepped, stepped.forward(&x).as_slice());
}

#[test]
fn tanh_softmax_ce_matches_pytorch() {
    let mut r = Reference::new("tanh_softmax_ce");
    let mut net = TanhSoftmaxCe::<Train>::load(fixture("tanh_softmax_ce.model.safetensors")).unwrap();
    let (x, t) = (input::<6>(&r), target::<4>(&r));
    let loss = CrossEntropy::from_probs();
    let y = net.forward(&x);
    r.check("y", y.as_slice());
    r.check("loss", &[loss.loss(&y, &t)]);
    let g = net.backward(&loss.grad(&y, &t));
    r.check_dense("fc1.", &g.fc1);
    r.check_dense("out.", &g.out);
    r.report();
    save_for_torch("tanh_softmax_ce", &net, true);
    let stepped = two_adam_steps_match_pytorch!("tanh_softmax_ce", net, &x, &t, loss).into_eval();
    save_stepped("tanh_softmax_ce", &stepped, stepped.forward(&x).as_slice());
}

#[test]
fn gelu_logits_ce_matches_pytorch() {
    let mut r = Reference::new("gelu_logits_ce");
    let mut net = GeluLogitsCe::<Train>::load(fixture("gelu_logits_ce.model.safetensors")).unwrap();
    let (x, t) = (input::<6>(&r), target::<4>(&r));
    let y = net.forward(&x);
    r.check("y", y.as_slice());
    r.check("loss", &[CrossEntropy.loss(&y, &t)]);
    let g = net.backward(&CrossEntropy.grad(&y, &t));
    r.check_dense("fc1.", &g.fc1);
    r.check_dense("fc2.", &g.fc2);
    r.check_dense("out.", &g.out);
    r.report();
    save_for_torch("gelu_logits_ce", &net, true);
    let stepped = two_adam_steps_match_pytorch!("gelu_logits_ce", net, &x, &t, CrossEntropy).into_eval();
    save_stepped("gelu_logits_ce", &stepped, stepped.forward(&x).as_slice());
}

#[test]
fn batchnorm_matches_pytorch() {
    let mut r = Reference::new("batchnorm");
    // The PyTorch file carries int64 `num_batches_tracked`: accepted, ignored.
    let mut net = BatchNormNet::<Train>::load(fixture("batchnorm.model.safetensors")).unwrap();
    let (x, t) = (input::<5>(&r), target::<3>(&r));
    let y = net.forward(&x);
    r.check("y", y.as_slice());
    r.check("loss", &[Mse.loss(&y, &t)]);
    let g = net.backward(&Mse.grad(&y, &t));
    // fc1's bias gradient is zero in exact arithmetic (the batch mean
    // removes it): the absolute tolerance is what applies there.
    r.check_dense("fc1.", &g.fc1);
    r.check("grad.bn.weight", g.bn.weights().as_slice());
    r.check("grad.bn.bias", g.bn.bias().as_slice());
    r.check_dense("out.", &g.out);
    // fc1's bias gradient is rounding noise around zero, and Adam's first
    // step divides it by its own size: the sign of noise is not compared.
    let stepped =
        two_adam_steps_match_pytorch!("batchnorm", net.clone(), &x, &t, Mse, unsteady = &["fc1.bias"]);
    let stepped = stepped.into_eval();
    save_stepped("batchnorm", &stepped, stepped.forward(&x).as_slice());

    // Keras-style running update with the biased batch variance.
    r.check("running_mean_after", net.bn.running_mean().as_slice());
    r.check("running_var_after_biased", net.bn.running_var().as_slice());
    let path = save_for_torch("batchnorm", &net, false);

    let eval = net.into_eval();
    r.check("y_eval", eval.forward(&x).as_slice());
    // The saved file holds the updated statistics.
    let reloaded = BatchNormNet::<Eval>::load(&path).unwrap();
    r.check("y_eval", reloaded.forward(&x).as_slice());
    r.report();
}

#[test]
fn nested_matches_pytorch() {
    let mut r = Reference::new("nested");
    let mut net = Nested::<Train>::load(fixture("nested.model.safetensors")).unwrap();
    let (x, t) = (input::<6>(&r), target::<2>(&r));
    let y = net.forward(&x);
    r.check("y", y.as_slice());
    r.check("loss", &[Mse.loss(&y, &t)]);
    let g = net.backward(&Mse.grad(&y, &t));
    r.check_dense("base.fc1.", &g.base.fc1);
    r.check_dense("base.fc2.", &g.base.fc2);
    r.check_dense("head.", &g.head);
    r.report();
    save_for_torch("nested", &net, true);
    let stepped = two_adam_steps_match_pytorch!("nested", net, &x, &t, Mse).into_eval();
    save_stepped("nested", &stepped, stepped.forward(&x).as_slice());
}

#[test]
fn every_fixture_parameter_has_a_gradient_checked() {
    // Guards the tests above against a torch parameter nobody compares.
    let expected: [(&str, &[&str]); 5] = [
        ("dense_bce", &["fc1.", "fc2.", "out."]),
        ("tanh_softmax_ce", &["fc1.", "out."]),
        ("gelu_logits_ce", &["fc1.", "fc2.", "out."]),
        ("batchnorm", &["fc1.", "bn.", "out."]),
        ("nested", &["base.fc1.", "base.fc2.", "head."]),
    ];
    for (arch, prefixes) in expected {
        let io = StateDict::read(fixture(&format!("{arch}.io.safetensors"))).unwrap();
        let mut grads: Vec<String> =
            io.iter().filter_map(|t| t.name.strip_prefix("grad.").map(str::to_string)).collect();
        grads.sort();
        let mut want: Vec<String> =
            prefixes.iter().flat_map(|p| [format!("{p}weight"), format!("{p}bias")]).collect();
        want.sort();
        assert_eq!(grads, want, "{arch}");
    }
}
