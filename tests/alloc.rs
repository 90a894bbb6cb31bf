//! A warmed training step and an Eval forward allocate nothing (dense,
//! convolutional, recurrent and graph networks, and stream steps): a counting
//! global allocator (every thread, the product helpers included) watches
//! W3 (784 -> 256 -> 128 -> 10 with dropout, softmax cross-entropy, Adam),
//! whose products are large enough to use the packed kernel and the helper
//! threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use typenet::prelude::*;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static TRACE: AtomicBool = AtomicBool::new(false);

// SAFETY: forwards to the system allocator; counting has no effect on it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            trace(layout);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// With `TYPENET_ALLOC_TRACE=1`, prints where the first counted
/// allocation came from (to find a regression).
fn trace(layout: Layout) {
    static TRACED: AtomicBool = AtomicBool::new(false);
    if TRACE.load(Ordering::Relaxed) && !TRACED.swap(true, Ordering::SeqCst) {
        COUNTING.store(false, Ordering::SeqCst);
        eprintln!("allocation of {layout:?} at\n{}", std::backtrace::Backtrace::force_capture());
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

network! {
    struct W3 {
        input: 784,
        fc1: Dense<256, Relu>,
        drop1: Dropout(0.2),
        fc2: Dense<128, Relu>,
        drop2: Dropout(0.2),
        out: Dense<10>,
    }
}

/// Allocations (on any thread, helpers included) while `f` runs.
fn allocations(f: impl FnOnce()) -> usize {
    // Read here, not in the allocator: reading the environment allocates.
    TRACE.store(std::env::var_os("TYPENET_ALLOC_TRACE").is_some(), Ordering::SeqCst);
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

/// The W3 setup: a batch of 128, its one-hot targets, a Train network.
fn setup() -> (Batch<784>, Batch<10>, W3<Train>) {
    const BATCH: usize = 128;
    let x = Batch::<784>::from_fn(BATCH, |i, j| ((i * 31 + j * 17) % 97) as f32 / 97.0);
    let mut t = Batch::<10>::zeros(BATCH);
    for j in 0..BATCH {
        t[(j % 10, j)] = 1.0;
    }
    (x, t, W3::<Train>::seeded(1))
}

/// The first steps of a stream fed one sample over and over give the
/// per-step outputs of the whole constant sequence.
fn assert_streams_the_constant_sequence(streamed: &[f32], whole: &[f32]) {
    for (t, (a, b)) in streamed.iter().zip(whole).enumerate() {
        assert!((a - b).abs() <= 1e-5 + 1e-4 * b.abs(), "step {t}: streamed {a}, whole sequence {b}");
    }
}

/// One test runs every check in turn: the counter is global, and with
/// several tests in the binary the harness allocates on its own thread
/// (printing a finished test's name) while another test counts.
#[test]
fn warmed_steps_forwards_predicts_and_stream_steps_allocate_nothing() {
    warmed_forward_loss_gradient_backward_and_eval_forward_allocate_nothing();
    warmed_training_step_with_adam_allocates_nothing();
    a_warmed_cnn_step_eval_forward_and_predict_allocate_nothing();
    a_warmed_autoencoder_step_with_noise_and_upsampling_allocates_nothing();
    a_warmed_recurrent_step_and_a_stream_step_allocate_nothing();
    a_warmed_graph_step_eval_forward_predict_and_stream_step_allocate_nothing();
}

fn warmed_forward_loss_gradient_backward_and_eval_forward_allocate_nothing() {
    let (x, t, mut net) = setup();
    let (mut y, mut dy) = (Batch::<10>::zeros(x.ncols()), Batch::<10>::zeros(x.ncols()));
    let mut grads = W3Grads::zeros();
    let mut pass = |net: &mut W3<Train>| {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
    };
    // Warm-up: buffers, per-thread packing buffers and the helper threads
    // are created here.
    for _ in 0..3 {
        pass(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..20 {
            pass(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed forward/backward allocated");

    let eval = net.into_eval();
    let mut out = Batch::<10>::zeros(x.ncols());
    eval.forward_into(&x, &mut out);
    let during_eval = allocations(|| {
        for _ in 0..20 {
            eval.forward_into(&x, &mut out);
        }
    });
    assert_eq!(during_eval, 0, "a warmed Eval forward allocated");
    // The reused buffers give what the allocating forward gives.
    assert_eq!(out, eval.forward(&x));

    // One sample: no heap at all, warmed or not.
    let sample = x.column(0).into_owned();
    let mut predicted = eval.predict(&sample);
    let during_predict = allocations(|| predicted = eval.predict(&sample));
    assert_eq!(during_predict, 0, "predict allocated");
    assert!((predicted[0] - out[(0, 0)]).abs() < 1e-5);
}

fn warmed_training_step_with_adam_allocates_nothing() {
    let (x, t, mut net) = setup();
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(x.ncols()), Batch::<10>::zeros(x.ncols()));
    let mut grads = W3Grads::zeros();
    let mut step = |net: &mut W3<Train>| {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(net, &grads);
    };
    // Warm-up: also creates the optimiser's moment buffers.
    for _ in 0..3 {
        step(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..20 {
            step(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed training step allocated");
}

network! {
    /// Convolutions (im2col and the packed product), pooling, per-channel
    /// BatchNorm and channel dropout.
    struct Cnn {
        input: [12, 12, 1],
        conv1: Conv2d<16, 3, Relu>,
        bn: BatchNorm,
        conv2: Conv2d<32, 3, Relu, padding = Same>,
        pool: MaxPool2d<2>,
        drop: SpatialDropout(0.2),
        flat: Flatten(channels_first),
        out: Dense<10>,
    }
}

fn a_warmed_cnn_step_eval_forward_and_predict_allocate_nothing() {
    const BATCH: usize = 64;
    let x = Batch::<144>::from_fn(BATCH, |i, j| ((i * 7 + j * 3) % 11) as f32 / 11.0);
    let mut t = Batch::<10>::zeros(BATCH);
    for j in 0..BATCH {
        t[(j % 10, j)] = 1.0;
    }
    let mut net = Cnn::<Train>::seeded(3);
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(BATCH), Batch::<10>::zeros(BATCH));
    let mut grads = CnnGrads::zeros();
    let mut step = |net: &mut Cnn<Train>| {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(net, &grads);
    };
    for _ in 0..3 {
        step(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..10 {
            step(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed CNN training step allocated");

    let eval = net.into_eval();
    let mut out = Batch::<10>::zeros(BATCH);
    eval.forward_into(&x, &mut out);
    let sample = x.column(0).into_owned();
    let mut predicted = eval.predict(&sample);
    let during_eval = allocations(|| {
        for _ in 0..10 {
            eval.forward_into(&x, &mut out);
            predicted = eval.predict(&sample);
        }
    });
    assert_eq!(during_eval, 0, "a warmed CNN Eval forward or predict allocated");
    assert!((predicted[0] - out[(0, 0)]).abs() < 1e-5);
}

network! {
    /// Augmentation and noise (per-sample draws), then an encoder and a
    /// decoder: nearest upsampling and a strided transposed convolution
    /// (its packed product and col2im).
    struct Autoencoder {
        input: [12, 12, 1],
        flip: RandomFlip,
        shift: RandomTranslation(0.2),
        noise: GaussianNoise(0.1),
        conv: Conv2d<8, 3, Relu, padding = Same>,
        pool: MaxPool2d<2>,
        drop: GaussianDropout(0.1),
        up: UpSampling2d<2>,
        decode: Conv2dTranspose<4, 3, Relu, stride = 2, padding = 1, output_padding = 1>,
        out: Conv2d<1, 2, stride = 2>,
    }
}

fn a_warmed_autoencoder_step_with_noise_and_upsampling_allocates_nothing() {
    const BATCH: usize = 64;
    let x = Batch::<144>::from_fn(BATCH, |i, j| ((i * 7 + j * 3) % 11) as f32 / 11.0);
    let mut net = Autoencoder::<Train>::seeded(3);
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<144>::zeros(BATCH), Batch::<144>::zeros(BATCH));
    let mut grads = AutoencoderGrads::zeros();
    let mut step = |net: &mut Autoencoder<Train>| {
        net.forward_into(&x, &mut y);
        Mse.grad_into(&y, &x, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(net, &grads);
    };
    for _ in 0..3 {
        step(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..10 {
            step(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed autoencoder training step allocated");

    let eval = net.into_eval();
    let mut out = Batch::<144>::zeros(BATCH);
    eval.forward_into(&x, &mut out);
    let during_eval = allocations(|| {
        for _ in 0..10 {
            eval.forward_into(&x, &mut out);
        }
    });
    assert_eq!(during_eval, 0, "a warmed autoencoder Eval forward allocated");
}

network! {
    /// Both cells, with Keras' dropout masks, and a per-step head.
    struct Rows {
        input: [8, 8],
        lstm: Lstm<16, return_sequences = true, dropout = 0.1, recurrent_dropout = 0.2>,
        gru: Gru<12, return_sequences = true>,
        head: TimeDistributed(Dense<3, Tanh>),
        flat: Flatten,
        out: Dense<10>,
    }
}

network! {
    struct Streamed {
        input: [64, 2],
        conv: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>,
        rnn: Lstm<16, return_sequences = true>,
        out: TimeDistributed(Dense<1>),
    }
}

fn a_warmed_recurrent_step_and_a_stream_step_allocate_nothing() {
    const BATCH: usize = 32;
    let x = Batch::<64>::from_fn(BATCH, |i, j| ((i * 5 + j * 3) % 13) as f32 / 13.0 - 0.5);
    let mut t = Batch::<10>::zeros(BATCH);
    for j in 0..BATCH {
        t[(j % 10, j)] = 1.0;
    }
    let mut net = Rows::<Train>::seeded(2);
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(BATCH), Batch::<10>::zeros(BATCH));
    let mut grads = RowsGrads::zeros();
    let mut step = |net: &mut Rows<Train>| {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(net, &grads);
    };
    for _ in 0..3 {
        step(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..10 {
            step(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed recurrent training step allocated");
    let eval = net.into_eval();
    let mut out = Batch::<10>::zeros(BATCH);
    eval.forward_into(&x, &mut out);
    let during_eval = allocations(|| eval.forward_into(&x, &mut out));
    assert_eq!(during_eval, 0, "a warmed recurrent Eval forward allocated");

    let net = Streamed::<Eval>::seeded(4);
    let mut stream = net.stream();
    let sample = SVector::<f32, 2>::new(0.3, -0.2);
    let mut outputs = vec![0.0f32; 1000];
    let during_stream = allocations(|| outputs.iter_mut().for_each(|o| *o = stream.step(&net, &sample)[0]));
    assert_eq!(during_stream, 0, "a stream step allocated");
    assert_streams_the_constant_sequence(
        &outputs,
        net.predict(&SVector::from_fn(|i, _| sample[i % 2])).as_slice(),
    );
}

network! {
    /// torchvision's BasicConv2d.
    block Basic(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3, momentum = 0.9),
        relu: Relu,
    }

    /// An Inception-like Concat (a nested one inside a path), a residual
    /// Add with an identity path, padded pools and channel dropout.
    struct Graph {
        input: [12, 12, 3],
        stem: Basic(16, 3, stride = 2, padding = 1),
        mixed: Concat(
            [b1: Basic(8, 1)],
            [b3_1: Basic(6, 1), split: Concat([b3_a: Basic(4, [1, 3], padding = [0, 1])], [b3_b: Basic(4, [3, 1], padding = [1, 0])])],
            [pool: AvgPool2d<3, stride = 1, padding = 1>, bp: Basic(4, 1)],
        ),
        res: Add([c1: Conv2d<20, 3, padding = 1, bias = false>, bn1: BatchNorm, r1: Relu, c2: Conv2d<20, 3, padding = 1>], []),
        down: MaxPool2d<3, stride = 2, padding = 1>,
        drop: SpatialDropout(0.2),
        gap: GlobalAvgPool,
        out: Dense<10>,
    }
}

network! {
    /// A TCN residual block and a Concat of causal paths, streamed.
    struct StreamedGraph {
        input: [64, 2],
        stem: Conv1d<8, 1>,
        res: Add([conv: Conv1d<8, 3, Tanh, padding = Causal, dilation = 2>, mix: Conv1d<8, 1>], []),
        join: Concat([gate: Conv1d<4, 2, Sigmoid, padding = Causal>], [rnn: Gru<4, return_sequences = true>], []),
        out: TimeDistributed(Dense<1>),
    }
}

fn a_warmed_graph_step_eval_forward_predict_and_stream_step_allocate_nothing() {
    const BATCH: usize = 64;
    let x = Batch::<{ 12 * 12 * 3 }>::from_fn(BATCH, |i, j| ((i * 7 + j * 3) % 11) as f32 / 11.0);
    let mut t = Batch::<10>::zeros(BATCH);
    for j in 0..BATCH {
        t[(j % 10, j)] = 1.0;
    }
    let mut net = Graph::<Train>::seeded(5);
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(BATCH), Batch::<10>::zeros(BATCH));
    let mut grads = GraphGrads::zeros();
    let mut step = |net: &mut Graph<Train>| {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(net, &grads);
    };
    for _ in 0..3 {
        step(&mut net);
    }
    let during = allocations(|| {
        for _ in 0..10 {
            step(&mut net);
        }
    });
    assert_eq!(during, 0, "a warmed graph training step allocated");

    let eval = net.into_eval();
    let mut out = Batch::<10>::zeros(BATCH);
    eval.forward_into(&x, &mut out);
    let sample = x.column(0).into_owned();
    let mut predicted = eval.predict(&sample);
    let during_eval = allocations(|| {
        for _ in 0..10 {
            eval.forward_into(&x, &mut out);
            predicted = eval.predict(&sample);
        }
    });
    assert_eq!(during_eval, 0, "a warmed graph Eval forward or predict allocated");
    assert!((predicted[0] - out[(0, 0)]).abs() < 1e-5);

    let net = StreamedGraph::<Eval>::seeded(6);
    let mut stream = net.stream();
    let sample = SVector::<f32, 2>::new(0.3, -0.2);
    let mut outputs = vec![0.0f32; 1000];
    let during_stream = allocations(|| outputs.iter_mut().for_each(|o| *o = stream.step(&net, &sample)[0]));
    assert_eq!(during_stream, 0, "a stream step through merges allocated");
    assert_streams_the_constant_sequence(
        &outputs,
        net.predict(&SVector::from_fn(|i, _| sample[i % 2])).as_slice(),
    );
}
