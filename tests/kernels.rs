//! What the kernels promise users: a custom layer whose `visit_trainable`
//! pairs tensors of different lengths is a clear panic (never a read past
//! a buffer, whatever the thread count), and a training step gives the same
//! bits at every thread count, dense or sparse.

use typenet::prelude::*;
use typenet::{Cols, ColsMut, Layer, Phase};

/// A layer with 300,000 parameters whose `visit_trainable` hands the
/// optimiser a gradient one value short: a bug a user can write in safe code
/// by overriding what `#[derive(Tensors)]` would have derived.
#[derive(Clone, Debug, Tensors)]
struct Miscounted {
    weights: Vec<f32>,
}

#[derive(Clone, Debug)]
struct ShortGrads(Vec<f32>);

impl Grads for ShortGrads {
    fn zeros() -> Self {
        ShortGrads(vec![0.0; 300_000 - 1])
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(&self.0);
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(&mut self.0);
    }
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(&mut self.0, &other.0);
    }
}

impl Layer for Miscounted {
    const INPUT: usize = 1;
    const OUTPUT: usize = 1;
    type Cache = ();
    type Grads = ShortGrads;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        _dy: ColsMut<'_>,
        _cache: &mut (),
        _dx: Option<ColsMut<'_>>,
        _grads: Option<&mut ShortGrads>,
    ) {
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }

    fn visit_trainable(&mut self, grads: &ShortGrads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(&mut self.weights, &grads.0);
    }
}

#[test]
fn a_gradient_shorter_than_its_parameters_is_a_panic_at_every_thread_count() {
    for threads in [1, 2, 3] {
        typenet::set_num_threads(threads);
        let outcome = std::panic::catch_unwind(|| {
            let mut layer = Miscounted { weights: vec![1.0; 300_000] };
            let grads = ShortGrads(vec![0.5; 300_000 - 1]);
            Sgd::new(0.1).momentum(0.9).step(&mut layer, &grads);
        });
        let message = outcome.expect_err("the optimiser refused the mismatch");
        let text = message.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(text.contains("300000 parameters") && text.contains("299999"), "{text}");
    }
    typenet::set_num_threads(0);
}

network! {
    /// Wide enough for the packed, threaded kernels and the zero-skipping
    /// path (the sparse input below).
    pub struct Wide { input: 2000, fc1: Dense<256, Relu>, drop: Dropout(0.3), fc2: Dense<64, Tanh>, out: Dense<4> }
}

fn step_at(threads: usize, sparse: bool) -> Vec<f32> {
    typenet::set_num_threads(threads);
    let mut net = Wide::<Train>::seeded(9);
    let x = Batch::<2000>::from_fn(96, |i, j| match sparse {
        true if (i * 31 + j * 7) % 53 != 0 => 0.0,
        _ => ((i * 13 + j * 5) % 17) as f32 / 17.0 - 0.4,
    });
    let t = Batch::<4>::from_fn(96, |i, j| ((i + j) % 3) as f32 - 1.0);
    let mut opt = Adam::new(1e-3);
    let mut out = Vec::new();
    for _ in 0..2 {
        let y = net.forward(&x);
        let g = net.backward(&Mse.grad(&y, &t));
        opt.step(&mut net, &g);
        out.extend_from_slice(y.as_slice());
        g.visit(&mut |v| out.extend_from_slice(v));
    }
    out.extend_from_slice(net.fc1.weights().as_slice());
    out
}

#[test]
fn training_steps_give_the_same_bits_at_1_2_3_and_8_threads() {
    for sparse in [false, true] {
        let reference = step_at(1, sparse);
        for threads in [2, 3, 8] {
            assert!(
                step_at(threads, sparse) == reference,
                "sparse {sparse}: {threads} threads differ from 1"
            );
        }
    }
    typenet::set_num_threads(0);
}
