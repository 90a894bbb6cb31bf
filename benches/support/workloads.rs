//! The workloads of the benchmark table (issue 6's dense networks, the
//! convolutional ones of issue 12), shared by `benches/workloads.rs`
//! (criterion) and `examples/bench.rs` (the summary table).

#![allow(dead_code)]

use typenet::nalgebra::SVector;
use typenet::prelude::*;
use typenet::rand::rngs::StdRng;
use typenet::rand::SeedableRng;
use typenet::{Cols, ColsMut};

network! {
    pub struct W0Net {
        input: 1,
        fc1: Dense<1, Sigmoid>,
        drop1: Dropout(0.2),
        fc2: Dense<1, Sigmoid>,
        drop2: Dropout(0.2),
    }
}

network! {
    pub struct W1Net {
        input: 1,
        fc1: Dense<32, Relu>,
        drop1: Dropout(0.5),
        out: Dense<1>,
    }
}

network! {
    pub struct W2Net {
        input: 10000,
        fc1: Dense<16, Relu>,
        fc2: Dense<16, Relu>,
        drop: Dropout(0.5),
        out: Dense<1, Sigmoid>,
    }
}

network! {
    pub struct W3Net {
        input: 784,
        fc1: Dense<256, Relu>,
        drop1: Dropout(0.2),
        fc2: Dense<128, Relu>,
        drop2: Dropout(0.2),
        out: Dense<10>,
    }
}

network! {
    pub struct W4Net {
        input: 37632,
        fc1: Dense<512, Relu>,
        fc2: Dense<1024, Relu>,
        drop: Dropout(0.2),
        out: Dense<1, Sigmoid>,
    }
}

network! {
    /// the reference digits CNN on the 8x8 digits.
    pub struct CnnDigitsNet {
        input: [8, 8, 1],
        conv1: Conv2d<16, 3, Relu>,
        conv2: Conv2d<32, 3, Relu, padding = Same>,
        pool: MaxPool2d<2>,
        drop: SpatialDropout(0.2),
        flat: Flatten,
        out: Dense<10>,
    }
}

network! {
    /// Keras' "simple MNIST convnet" (34,826 parameters).
    pub struct CnnMnistNet {
        input: [28, 28, 1],
        conv1: Conv2d<32, 3, Relu>,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<64, 3, Relu>,
        pool2: MaxPool2d<2>,
        flat: Flatten,
        drop: Dropout(0.5),
        out: Dense<10>,
    }
}

network! {
    /// The digits read row by row: 8 steps of 8 pixels (no recurrent
    /// dropout, which PyTorch's GRU does not have).
    pub struct GruRowsNet { input: [8, 8], rnn: Gru<32>, drop: Dropout(0.2), out: Dense<10> }
}

network! {
    /// The same with an LSTM.
    pub struct LstmRowsNet { input: [8, 8], rnn: Lstm<32>, drop: Dropout(0.2), out: Dense<10> }
}

/// What the benchmarks time on every workload.
pub trait Workload {
    /// `W0` .. `W4`, `CNN_DIGITS`, `CNN_MNIST`.
    const NAME: &'static str;
    /// Samples per batch.
    const BATCH: usize;
    /// Multiply-adds per sample of every weighted layer's forward product,
    /// first to last (`in * out` for a Dense layer, output positions times
    /// filters times the patch length for a convolution).
    const MACS: &'static [usize];
    /// Network, optimiser and data, seeded.
    fn new() -> Self;
    /// Train forward with dropout, loss gradient, backward, optimiser step,
    /// through the allocation-free forms (`forward_into`, `grad_into`,
    /// `backward_into`).
    fn train_step(&mut self);
    /// The same step as the README's first example writes it: `forward`,
    /// `grad` and `backward` returning owned values.
    fn train_step_plain(&mut self);
    /// The same step the way `fit` runs it: through the `Layer` methods,
    /// which borrow the input for both passes instead of copying it.
    fn train_step_borrowed(&mut self);
    /// Eval forward of the whole batch.
    fn eval(&mut self);
    /// Eval forward of one sample; returns its first output.
    fn predict(&self) -> f32;
    /// The last training output, so the optimiser cannot skip work.
    fn checksum(&self) -> f32;
    /// `train_step` in its parts, for a breakdown: forward with the loss
    /// gradient, backward, optimiser step.
    fn forward_only(&mut self);
    fn backward_only(&mut self);
    fn step_only(&mut self);
}

/// Multiply-adds times two, for the work actually done: every forward
/// product, each weight gradient, and the input gradient of all but the
/// first layer (the network skips that one).
pub fn flops<W: Workload>(batch: usize, train: bool) -> f64 {
    let mut total = 0.0;
    for (i, &macs) in W::MACS.iter().enumerate() {
        let product = 2.0 * (macs * batch) as f64;
        total += product;
        if train {
            total += product;
            if i > 0 {
                total += product;
            }
        }
    }
    total
}

fn uniform(rng: &mut StdRng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

fn labels(rng: &mut StdRng, len: usize) -> Vec<f32> {
    (0..len).map(|_| if rng.random_bool(0.5) { 1.0 } else { 0.0 }).collect()
}

fn one_hot(rng: &mut StdRng, classes: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; classes * cols];
    for c in 0..cols {
        t[c * classes + rng.random_range(0..classes)] = 1.0;
    }
    t
}

/// 0/1 inputs with about 1.5 % ones (W2's sparse features).
fn sparse(rng: &mut StdRng, len: usize) -> Vec<f32> {
    (0..len).map(|_| if rng.random_bool(0.015) { 1.0 } else { 0.0 }).collect()
}

macro_rules! workload {
    (
        $state:ident, $net:ident, $grads:ident, $name:literal, batch $batch:literal,
        $n_in:literal -> $n_out:literal, macs $macs:expr, loss $loss:expr, opt $opt:expr,
        x $x:ident, t $t:ident
    ) => {
        pub struct $state {
            net: $net<Train>,
            eval_net: $net<Eval>,
            opt: Box<dyn DynOpt<$net<Train>>>,
            x: Batch<$n_in>,
            t: Batch<$n_out>,
            y: Batch<$n_out>,
            dy: Batch<$n_out>,
            grads: $grads,
            y_eval: Batch<$n_out>,
            sample: SVector<f32, $n_in>,
            /// The buffers the `Layer` path keeps (what `fit` uses).
            cache: <$net<Train> as Layer>::Cache,
        }

        impl Workload for $state {
            const NAME: &'static str = $name;
            const BATCH: usize = $batch;
            const MACS: &'static [usize] = $macs;

            fn new() -> Self {
                let mut rng = StdRng::seed_from_u64(1234);
                let x = Batch::<$n_in>::from_vec($x(&mut rng, $n_in * $batch));
                let t = Batch::<$n_out>::from_vec($t(&mut rng, $n_out, $batch));
                let sample = SVector::<f32, $n_in>::from_column_slice(&x.as_slice()[..$n_in]);
                $state {
                    net: $net::<Train>::seeded(42),
                    eval_net: $net::<Eval>::seeded(42),
                    opt: Box::new($opt),
                    x,
                    t,
                    y: Batch::<$n_out>::zeros($batch),
                    dy: Batch::<$n_out>::zeros($batch),
                    grads: $grads::zeros(),
                    y_eval: Batch::<$n_out>::zeros($batch),
                    sample,
                    cache: Default::default(),
                }
            }

            fn train_step(&mut self) {
                self.net.forward_into(&self.x, &mut self.y);
                $loss.grad_into(&self.y, &self.t, &mut self.dy);
                self.net.backward_into(&self.dy, &mut self.grads);
                self.opt.step_dyn(&mut self.net, &self.grads);
            }

            fn train_step_plain(&mut self) {
                let y = self.net.forward(&self.x);
                let grads = self.net.backward(&$loss.grad(&y, &self.t));
                self.opt.step_dyn(&mut self.net, &grads);
                self.y = y;
            }

            fn train_step_borrowed(&mut self) {
                self.net.train_forward(
                    Cols::new(self.x.as_slice(), $n_in),
                    ColsMut::new(self.y.as_mut_slice(), $n_out),
                    &mut self.cache,
                );
                $loss.grad_into(&self.y, &self.t, &mut self.dy);
                self.net.train_backward(
                    Cols::new(self.x.as_slice(), $n_in),
                    Cols::new(self.y.as_slice(), $n_out),
                    ColsMut::new(self.dy.as_mut_slice(), $n_out),
                    &mut self.cache,
                    None,
                    Some(&mut self.grads),
                );
                self.opt.step_dyn(&mut self.net, &self.grads);
            }

            fn forward_only(&mut self) {
                self.net.forward_into(&self.x, &mut self.y);
                $loss.grad_into(&self.y, &self.t, &mut self.dy);
            }

            fn backward_only(&mut self) {
                self.net.backward_into(&self.dy, &mut self.grads);
            }

            fn step_only(&mut self) {
                self.opt.step_dyn(&mut self.net, &self.grads);
            }

            fn eval(&mut self) {
                self.eval_net.forward_into(&self.x, &mut self.y_eval);
            }

            fn predict(&self) -> f32 {
                self.eval_net.predict(&self.sample)[0]
            }

            fn checksum(&self) -> f32 {
                self.y[0] + self.y_eval[0]
            }
        }
    };
}

/// Lets one field hold any optimiser without naming its type in the macro.
pub trait DynOpt<N: Layer> {
    fn step_dyn(&mut self, net: &mut N, grads: &N::Grads);
}

impl<N: Layer, O: Optimizer> DynOpt<N> for O {
    fn step_dyn(&mut self, net: &mut N, grads: &N::Grads) {
        self.step(net, grads);
    }
}

fn binary(rng: &mut StdRng, n_out: usize, cols: usize) -> Vec<f32> {
    labels(rng, n_out * cols)
}

fn real(rng: &mut StdRng, n_out: usize, cols: usize) -> Vec<f32> {
    uniform(rng, n_out * cols)
}

workload!(W0, W0Net, W0NetGrads, "W0", batch 32, 1 -> 1, macs &[1, 1],
    loss BinaryCrossEntropy, opt Sgd::new(0.01).momentum(0.9).nesterov(true), x uniform, t binary);
workload!(W1, W1Net, W1NetGrads, "W1", batch 32, 1 -> 1, macs &[32, 32],
    loss Mse, opt Adam::new(1e-3), x uniform, t real);
workload!(W2, W2Net, W2NetGrads, "W2", batch 512, 10000 -> 1, macs &[10000 * 16, 16 * 16, 16],
    loss BinaryCrossEntropy, opt RmsProp::new(1e-3), x sparse, t binary);
workload!(W3, W3Net, W3NetGrads, "W3", batch 128, 784 -> 10, macs &[784 * 256, 256 * 128, 128 * 10],
    loss CrossEntropy, opt Adam::new(1e-3), x uniform, t one_hot);
workload!(W4, W4Net, W4NetGrads, "W4", batch 32, 37632 -> 1, macs &[37632 * 512, 512 * 1024, 1024],
    loss BinaryCrossEntropy, opt RmsProp::new(1e-3), x uniform, t binary);
// conv1: 6 * 6 positions * 16 filters * 9; conv2: 6 * 6 * 32 * (9 * 16); out: 288 * 10.
workload!(CnnDigits, CnnDigitsNet, CnnDigitsNetGrads, "CNN_DIGITS", batch 64, 64 -> 10,
    macs &[6 * 6 * 16 * 9, 6 * 6 * 32 * 9 * 16, 288 * 10],
    loss CrossEntropy, opt Adam::new(1e-3), x uniform, t one_hot);
// conv1: 26 * 26 * 32 * 9; conv2: 11 * 11 * 64 * (9 * 32); out: 1600 * 10.
workload!(CnnMnist, CnnMnistNet, CnnMnistNetGrads, "CNN_MNIST", batch 128, 784 -> 10,
    macs &[26 * 26 * 32 * 9, 11 * 11 * 64 * 9 * 32, 1600 * 10],
    loss CrossEntropy, opt Adam::new(1e-3), x uniform, t one_hot);
// Per step: the input product 8 x G*32, the state product 32 x G*32;
// 8 steps; then 32 * 10.
workload!(GruRows, GruRowsNet, GruRowsNetGrads, "GRU_ROWS", batch 32, 64 -> 10,
    macs &[8 * (8 * 96 + 32 * 96), 32 * 10],
    loss CrossEntropy, opt Adam::new(1e-3), x uniform, t one_hot);
workload!(LstmRows, LstmRowsNet, LstmRowsNetGrads, "LSTM_ROWS", batch 32, 64 -> 10,
    macs &[8 * (8 * 128 + 32 * 128), 32 * 10],
    loss CrossEntropy, opt Adam::new(1e-3), x uniform, t one_hot);
