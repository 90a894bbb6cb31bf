//! What the PyTorch fixture tests of convolutions and recurrent layers
//! share: reading a fixture, comparing with a tolerance, checking that a
//! loaded network saves the file's tensors bit for bit.

#![allow(dead_code)] // Each test binary uses its own part.

use std::path::{Path, PathBuf};

use typenet::io::{NamedTensor, StateDict};
use typenet::prelude::*;

/// The tolerance of every comparison, as `tests/torch_reference.rs`.
pub const REL: f32 = 1e-5;
pub const ABS: f32 = 1e-6;

/// A file in `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A fixture's tensors (`{family}_{arch}.io.safetensors`) and the largest
/// deviation seen so far.
pub struct Reference {
    pub arch: &'static str,
    io: StateDict,
    max_abs: f32,
    compared: usize,
}

impl Reference {
    pub fn new(family: &str, arch: &'static str) -> Self {
        let io = StateDict::read(fixture(&format!("{family}_{arch}.io.safetensors"))).unwrap();
        Reference { arch, io, max_abs: 0.0, compared: 0 }
    }

    pub fn tensor(&self, name: &str) -> &NamedTensor {
        self.io.get(name).unwrap_or_else(|| panic!("{}: no `{name}` in the fixture", self.arch))
    }

    /// The names of the fixture's tensors, in file order.
    pub fn names(&self) -> Vec<String> {
        self.io.iter().map(|t| t.name.clone()).collect()
    }

    /// Whether the fixture has a tensor `name`.
    pub fn has(&self, name: &str) -> bool {
        self.io.get(name).is_some()
    }

    /// `ours` (in PyTorch's row-major order) against the fixture's `name`.
    pub fn check(&mut self, name: &str, ours: &[f32]) {
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
            self.compared += 1;
        }
    }

    /// A Dense layer's gradients against `grad.{prefix}weight` (`[out, in]`)
    /// and `grad.{prefix}bias`.
    pub fn check_dense<const IN: usize, const OUT: usize>(&mut self, prefix: &str, g: &DenseGrads<IN, OUT>) {
        self.check(&format!("grad.{prefix}weight"), g.weights().transpose().as_slice());
        self.check(&format!("grad.{prefix}bias"), g.bias().as_slice());
    }

    pub fn report(&self) {
        eprintln!("{}: {} values compared, max abs error {:.3e}", self.arch, self.compared, self.max_abs);
    }
}

/// The network saved by typenet holds exactly the floats of the PyTorch
/// file `{family}_{arch}.model.safetensors` (its int64
/// `num_batches_tracked` aside), under the same names and shapes.
pub fn assert_round_trip<N: Network>(family: &str, arch: &str, net: &N) {
    let saved = StateDict::of(net);
    let torch = StateDict::read(fixture(&format!("{family}_{arch}.model.safetensors"))).unwrap();
    let floats: Vec<&NamedTensor> =
        torch.iter().filter(|t| !t.name.ends_with("num_batches_tracked")).collect();
    assert_eq!(saved.len(), floats.len(), "{arch}: tensor count");
    for t in floats {
        let ours = saved.get(&t.name).unwrap_or_else(|| panic!("{arch}: `{}` not saved", t.name));
        assert_eq!(ours.shape, t.shape, "{arch}: `{}` shape", t.name);
        assert_eq!(ours.data, t.data, "{arch}: `{}` does not round-trip bit for bit", t.name);
    }
}

/// Loads `$net` from `{$family}_{$arch}`, checks its round trip, then one
/// training forward and backward on the fixture's batch against `y`,
/// `loss` (MSE) and `grad.x`; gives the network, its gradients and `x`.
#[macro_export]
macro_rules! train_step {
    ($r:expr, $net:ty, $family:literal, $arch:literal) => {{
        let mut net =
            <$net>::load(support::fixture(concat!($family, "_", $arch, ".model.safetensors"))).unwrap();
        support::assert_round_trip($family, $arch, &net);
        let x = Batch::<{ <$net>::INPUT }>::from_column_slice(&$r.tensor("x").data);
        let t = Batch::<{ <$net>::OUTPUT }>::from_column_slice(&$r.tensor("t").data);
        let y = net.forward(&x);
        $r.check("y", y.as_slice());
        $r.check("loss", &[Mse.loss(&y, &t)]);
        let (grads, grad_x) = net.backward_with_input(&Mse.grad(&y, &t));
        $r.check("grad.x", grad_x.as_slice());
        (net, grads, x)
    }};
}
