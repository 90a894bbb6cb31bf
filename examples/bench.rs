//! The performance table: the dense workloads W0-W4 and the convolutional
//! CNN_DIGITS and CNN_MNIST, each as a full
//! training step, an Eval forward of the batch and a one-sample `predict`,
//! next to PyTorch's figures from `target/bench_torch.json` when present
//! (`python3 tools/bench_torch.py` writes it), and the real-time rows next to
//! RTNeural's from `target/bench_rtneural.json`
//! (`tools/rtneural_bench.sh <rtneural-checkout>` writes it).
//!
//! ```sh
//! cargo run --release --example bench            # all cores
//! RAYON_NUM_THREADS=1 cargo run --release --example bench
//! BENCH_ONLY=realtime,streaming cargo run --release --example bench
//! ```

#[path = "../benches/support/workloads.rs"]
mod workloads;

#[path = "../tests/models/torchvision.rs"]
#[allow(non_snake_case, dead_code)]
mod torchvision;

use std::hint::black_box;
use std::time::{Duration, Instant};

use typenet::nalgebra::SVector;
use typenet::prelude::*;
use workloads::{flops, CnnDigits, CnnMnist, GruRows, LstmRows, Workload, W0, W1, W2, W3, W4};

/// Median seconds per call of `f`: calls are grouped so one timed group
/// lasts at least ~0.2 ms (timer overhead stays negligible), and groups
/// repeat until `budget` is spent or 201 groups are timed.
fn median_secs(budget: Duration, mut f: impl FnMut()) -> f64 {
    let warm = Instant::now();
    let mut calls = 0u64;
    while warm.elapsed() < budget / 10 || calls < 3 {
        f();
        calls += 1;
    }
    let per_call = warm.elapsed().as_secs_f64() / calls as f64;
    let group = ((2e-4 / per_call).ceil() as u64).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while (start.elapsed() < budget && samples.len() < 201) || samples.len() < 11 {
        let t = Instant::now();
        for _ in 0..group {
            f();
        }
        samples.push(t.elapsed().as_secs_f64() / group as f64);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// PyTorch's figures, in microseconds, by workload and operation.
struct Torch {
    label: String,
    rows: Vec<(String, [Option<f64>; 3])>,
}

/// The value of the first `"key": value` in `s`, unquoted. A flat scan for
/// the few numbers needed keeps the example free of a JSON dependency.
fn json_field(s: &str, key: &str) -> Option<String> {
    let at = s.find(&format!("\"{key}\""))?;
    let rest = s[at + key.len() + 2..].trim_start().strip_prefix(':')?.trim_start();
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next().map(str::to_string);
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim().to_string())
}

fn torch_reference() -> Option<Torch> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench_torch.json");
    let text = std::fs::read_to_string(path).ok()?;
    let field = json_field;
    let label = format!(
        "torch {} on {} threads",
        field(&text, "torch_version").unwrap_or_default(),
        field(&text, "threads").unwrap_or_default()
    );
    let mut rows = Vec::new();
    for name in [
        "W0",
        "W1",
        "W2",
        "W3",
        "W4",
        "CNN_DIGITS",
        "CNN_MNIST",
        "GRU_ROWS",
        "LSTM_ROWS",
        "INCEPTION_V3",
        "RESNET18",
        "SEED",
    ] {
        let Some(at) = text.find(&format!("\"{name}\"")) else { continue };
        let obj = &text[at..at + text[at..].find('}').unwrap_or(text.len() - at)];
        let num = |key| field(obj, key).and_then(|v| v.parse::<f64>().ok());
        rows.push((name.to_string(), [num("train_us"), num("eval_us"), num("predict_us")]));
    }
    Some(Torch { label, rows })
}

/// RTNeural's nanoseconds per step for the real-time rows, as
/// `(model, n, ns)`, for its AVX2 and its `-march=native` build.
struct RtNeural {
    label: String,
    avx2: Vec<(String, usize, f64)>,
    native: Vec<(String, usize, f64)>,
}

impl RtNeural {
    fn ns(rows: &[(String, usize, f64)], model: &str, n: usize) -> Option<f64> {
        rows.iter().find(|r| r.0 == model && r.1 == n).map(|r| r.2)
    }
}

fn rtneural_reference() -> Option<RtNeural> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench_rtneural.json");
    let text = std::fs::read_to_string(path).ok()?;
    let build = |name: &str| -> Vec<(String, usize, f64)> {
        let Some(at) = text.find(&format!("\"{name}\"")) else { return Vec::new() };
        let list = &text[at..at + text[at..].find(']').unwrap_or(text.len() - at)];
        list.split('{')
            .skip(1)
            .filter_map(|obj| {
                let model = json_field(obj, "model")?;
                let n = json_field(obj, "n")?.parse().ok()?;
                let ns = json_field(obj, "ns")?.parse().ok()?;
                Some((model, n, ns))
            })
            .collect()
    };
    let label = format!(
        "{}, RTNeural {}, load average {} when measured",
        json_field(&text, "compiler").unwrap_or_default(),
        json_field(&text, "rtneural").unwrap_or_default(),
        json_field(&text, "load").unwrap_or_default(),
    );
    Some(RtNeural { label, avx2: build("avx2"), native: build("native") })
}

/// Prints typenet's real-time rows, `(label, model key, n, ns)`, with
/// RTNeural's two builds beside them when their figures are known.
fn real_time_table(operation: &str, rows: &[(String, &str, usize, f64)], rtneural: Option<&RtNeural>) {
    println!(
        "\n| model (one sample, 1 thread) | typenet {operation} | RTNeural AVX2 | RTNeural / typenet \
         | RTNeural native | RTNeural / typenet |"
    );
    println!("|---|---|---|---|---|---|");
    let cell = |build: Option<&[(String, usize, f64)]>, model: &str, n: usize, ns: f64| {
        let theirs = build.and_then(|rows| RtNeural::ns(rows, model, n));
        theirs.map_or("- | -".to_string(), |theirs| format!("{theirs:.1} ns | {:.2}x", theirs / ns))
    };
    for (label, model, n, ns) in rows {
        println!(
            "| {label} | {ns:.1} ns | {} | {} |",
            cell(rtneural.map(|r| r.avx2.as_slice()), model, *n, *ns),
            cell(rtneural.map(|r| r.native.as_slice()), model, *n, *ns),
        );
    }
}

fn peak_gflops(threads: usize) -> f64 {
    const N: usize = 2048;
    let a: Vec<f32> = (0..N * N).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..N * N).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut c = vec![0.0f32; N * N];
    typenet::set_num_threads(threads);
    let secs = median_secs(Duration::from_millis(1500), || {
        typenet::__matmul_cols(N, N, N, black_box(&a), black_box(&b), &mut c);
    });
    typenet::set_num_threads(0);
    black_box(&c);
    2.0 * (N * N * N) as f64 / secs / 1e9
}

fn format_time(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.2} us", secs * 1e6)
    } else {
        format!("{:.2} ms", secs * 1e3)
    }
}

struct Report {
    peak: f64,
    torch: Option<Torch>,
}

impl Report {
    fn row(&self, name: &str, op: usize, secs: f64, samples: usize, flop: f64) {
        let ops = [
            "train step (allocation-free API)",
            "eval batch",
            "predict 1",
            "train step, input borrowed (as `fit` runs it)",
            "train step (plain API: forward, grad, backward)",
        ];
        let gflops = flop / secs / 1e9;
        let column = if op == 4 { 0 } else { op % 3 };
        let torch =
            self.torch.as_ref().and_then(|t| t.rows.iter().find(|r| r.0 == name)).and_then(|r| r.1[column]);
        let (torch, ratio) = match torch {
            Some(us) => (format!("{us:.2} us"), format!("{:.1}x", us * 1e-6 / secs)),
            None => ("-".to_string(), "-".to_string()),
        };
        println!(
            "| {name} | {} | {} | {:.3e} | {gflops:.2} | {:.1} % | {torch} | {ratio} |",
            ops[op],
            format_time(secs),
            samples as f64 / secs,
            100.0 * gflops / self.peak,
        );
    }

    fn workload<W: Workload>(&self, budget: Duration) -> W {
        let mut w = W::new();
        if let Ok(op) = std::env::var("BENCH_OP") {
            match op.as_str() {
                "train" => self.row(
                    W::NAME,
                    0,
                    median_secs(budget, || w.train_step()),
                    W::BATCH,
                    flops::<W>(W::BATCH, true),
                ),
                "eval" => self.row(
                    W::NAME,
                    1,
                    median_secs(budget, || w.eval()),
                    W::BATCH,
                    flops::<W>(W::BATCH, false),
                ),
                _ => self.row(
                    W::NAME,
                    2,
                    median_secs(budget, || {
                        black_box(w.predict());
                    }),
                    1,
                    flops::<W>(1, false),
                ),
            }
            return w;
        }
        let train = median_secs(budget, || w.train_step());
        self.row(W::NAME, 0, train, W::BATCH, flops::<W>(W::BATCH, true));
        let plain = median_secs(budget, || w.train_step_plain());
        self.row(W::NAME, 4, plain, W::BATCH, flops::<W>(W::BATCH, true));
        let borrowed = median_secs(budget, || w.train_step_borrowed());
        self.row(W::NAME, 3, borrowed, W::BATCH, flops::<W>(W::BATCH, true));
        let eval = median_secs(budget, || w.eval());
        self.row(W::NAME, 1, eval, W::BATCH, flops::<W>(W::BATCH, false));
        let predict = median_secs(budget / 2, || {
            black_box(w.predict());
        });
        self.row(W::NAME, 2, predict, 1, flops::<W>(1, false));
        black_box(w.checksum());
        w
    }
}

/// Where a training step's time goes (printed under the table's row).
fn breakdown<W: Workload>(w: &mut W, budget: Duration) {
    if std::env::var_os("BENCH_OP").is_some() {
        return;
    }
    let forward = median_secs(budget, || w.forward_only());
    let backward = median_secs(budget, || {
        w.forward_only();
        w.backward_only();
    }) - forward;
    let step = median_secs(budget, || w.step_only());
    let total = forward + backward + step;
    println!(
        "\n{}: forward + loss gradient {} ({:.0} %), backward {} ({:.0} %), optimiser step {} ({:.0} %)",
        W::NAME,
        format_time(forward),
        100.0 * forward / total,
        format_time(backward),
        100.0 * backward / total,
        format_time(step),
        100.0 * step / total,
    );
}

/// A long training run of W3 on eight rotating batches, one thread: the
/// median step of the first 500 steps and of the last 500. Values that
/// drift towards zero over a long run (optimiser moments of units that
/// stopped receiving gradient, saturated probabilities) would turn
/// subnormal and, on CPUs that slow down on them, make late steps slower.
fn long_run(steps: usize) {
    use typenet::rand::{rngs::StdRng, Rng, SeedableRng};
    typenet::set_num_threads(1);
    let mut rng = StdRng::seed_from_u64(7);
    let batches: Vec<(Batch<784>, Batch<10>)> = (0..8)
        .map(|_| {
            let x = Batch::<784>::from_fn(128, |_, _| rng.random_range(-1.0..1.0));
            let mut t = Batch::<10>::zeros(128);
            for c in 0..128 {
                t[(rng.random_range(0..10), c)] = 1.0;
            }
            (x, t)
        })
        .collect();
    let mut net = workloads::W3Net::<Train>::seeded(3);
    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(128), Batch::<10>::zeros(128));
    let mut grads = workloads::W3NetGrads::zeros();
    let mut times = Vec::with_capacity(steps);
    for step in 0..steps {
        let (x, t) = &batches[step % batches.len()];
        let start = Instant::now();
        net.forward_into(x, &mut y);
        CrossEntropy.grad_into(&y, t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(&mut net, &grads);
        times.push(start.elapsed().as_secs_f64());
    }
    typenet::set_num_threads(0);
    let median = |part: &[f64]| {
        let mut part = part.to_vec();
        part.sort_by(f64::total_cmp);
        part[part.len() / 2]
    };
    let window = 500.min(steps / 2);
    let (first, last) = (median(&times[..window]), median(&times[steps - window..]));
    println!(
        "\nLong run, W3 on 8 rotating batches, Adam, 1 thread, {steps} steps: first {window} steps {} (median), last {window} {} ({:.2}x)",
        format_time(first),
        format_time(last),
        last / first
    );
}

network! { pub struct Tanh8 { input: 8, fc: Dense<8, Tanh> } }
network! { pub struct Tanh16 { input: 16, fc: Dense<16, Tanh> } }
network! { pub struct Tanh32 { input: 32, fc: Dense<32, Tanh> } }
network! { pub struct Tanh64 { input: 64, fc: Dense<64, Tanh> } }

/// One sample through a Dense N->N tanh network, one thread, in
/// nanoseconds, with a different input each call (as audio would).
fn real_time<const N: usize, Net>(net: &Net) -> f64
where
    Net: EvalNetwork
        + typenet::__private::NetworkDef<
            Input = typenet::nalgebra::Const<N>,
            Output = typenet::nalgebra::Const<N>,
        >,
{
    let inputs: Vec<SVector<f32, N>> =
        (0..64).map(|i| SVector::from_fn(|r, _| ((r * 7 + i * 13) as f32 * 0.01).sin())).collect();
    let mut i = 0;
    let mut sink = 0.0f32;
    let secs = median_secs(Duration::from_millis(400), || {
        let y = net.predict(black_box(&inputs[i & 63]));
        sink += y[0];
        i += 1;
    });
    black_box(sink);
    secs * 1e9
}

/// The real-time rows: `predict` on Dense N->N tanh, beside RTNeural's
/// figures for the same models when `target/bench_rtneural.json` holds them.
fn real_time_rows(rtneural: Option<&RtNeural>) {
    typenet::set_num_threads(1);
    let rows = [
        (8, real_time::<8, _>(&Tanh8::<Eval>::seeded(1))),
        (16, real_time::<16, _>(&Tanh16::<Eval>::seeded(1))),
        (32, real_time::<32, _>(&Tanh32::<Eval>::seeded(1))),
        (64, real_time::<64, _>(&Tanh64::<Eval>::seeded(1))),
    ];
    typenet::set_num_threads(0);
    let rows = rows.map(|(n, ns)| (format!("Dense {n}->{n} + tanh"), "dense_tanh", n, ns));
    real_time_table("`predict`", &rows, rtneural);
}

network! { pub struct Gru8 { input: [1, 1], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Gru16 { input: [1, 1], rnn: Gru<16, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Gru32 { input: [1, 1], rnn: Gru<32, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Gru64 { input: [1, 1], rnn: Gru<64, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Lstm8 { input: [1, 1], rnn: Lstm<8, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Lstm16 { input: [1, 1], rnn: Lstm<16, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Lstm32 { input: [1, 1], rnn: Lstm<32, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Lstm64 { input: [1, 1], rnn: Lstm<64, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
network! { pub struct Causal8 { input: [1, 8], conv: Conv1d<8, 3, padding = Causal> } }
network! { pub struct Causal16 { input: [1, 16], conv: Conv1d<16, 3, padding = Causal> } }
network! { pub struct Causal32 { input: [1, 32], conv: Conv1d<32, 3, padding = Causal> } }

/// One streamed step of one sample, one thread, in nanoseconds, with a
/// different input each step (as audio would).
fn stream_step<const I: usize, const O: usize, Net>(net: &Net) -> f64
where
    Net: EvalNetwork
        + typenet::__private::NetworkDef<
            StepInput = typenet::nalgebra::Const<I>,
            StepOutput = typenet::nalgebra::Const<O>,
        >,
    Net::Layers: typenet::StreamChain,
{
    let inputs: Vec<SVector<f32, I>> =
        (0..64).map(|i| SVector::from_fn(|r, _| ((r * 7 + i * 13) as f32 * 0.01).sin())).collect();
    let mut stream = net.stream();
    let mut i = 0;
    let mut sink = 0.0f32;
    let secs = median_secs(Duration::from_millis(400), || {
        let y = stream.step(net, black_box(&inputs[i & 63]));
        sink += y[0];
        i += 1;
    });
    black_box(sink);
    secs * 1e9
}

/// The streaming rows: `stream.step` on RTNeural's benchmark models, beside
/// RTNeural's figures when `target/bench_rtneural.json` holds them.
fn streaming_rows(rtneural: Option<&RtNeural>) {
    typenet::set_num_threads(1);
    let gru = [
        stream_step::<1, 1, _>(&Gru8::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Gru16::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Gru32::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Gru64::<Eval>::seeded(1)),
    ];
    let lstm = [
        stream_step::<1, 1, _>(&Lstm8::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Lstm16::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Lstm32::<Eval>::seeded(1)),
        stream_step::<1, 1, _>(&Lstm64::<Eval>::seeded(1)),
    ];
    let conv = [
        stream_step::<8, 8, _>(&Causal8::<Eval>::seeded(1)),
        stream_step::<16, 16, _>(&Causal16::<Eval>::seeded(1)),
        stream_step::<32, 32, _>(&Causal32::<Eval>::seeded(1)),
    ];
    typenet::set_num_threads(0);
    let mut rows = Vec::new();
    for (n, ns) in [8, 16, 32, 64].into_iter().zip(gru) {
        rows.push((format!("GRU 1->{n} + Dense {n}->1"), "gru", n, ns));
    }
    for (n, ns) in [8, 16, 32, 64].into_iter().zip(lstm) {
        rows.push((format!("LSTM 1->{n} + Dense {n}->1"), "lstm", n, ns));
    }
    for (n, ns) in [8, 16, 32].into_iter().zip(conv) {
        rows.push((format!("causal Conv1d {n}->{n}, kernel 3"), "conv1d", n, ns));
    }
    real_time_table("`stream.step`", &rows, rtneural);
}

network! {
    /// The seed's network: torchvision's InceptionV3 cut after `Mixed_6e`,
    /// frozen and kept in inference mode, under the seed's head.
    pub struct Seed {
        input: [150, 150, 3],
        #[frozen] #[phase(Eval)] base: torchvision::InceptionMixed7,
        flat: Flatten,
        fc1: Dense<512, Relu>,
        fc2: Dense<1024, Relu>,
        drop: Dropout(0.2),
        fc3: Dense<1, Sigmoid>,
    }
}

/// Multiply-adds per sample of a network's convolutions and Dense layers,
/// read from its summary: output positions times weights per position.
fn summary_macs(summary: &typenet::Summary) -> f64 {
    let mut macs = 0.0;
    for row in &summary.rows {
        let dense = row.kind.starts_with("Dense<");
        if !(dense || row.kind.starts_with("Conv2d<")) {
            continue;
        }
        let dims: Vec<usize> = row
            .output_shape
            .trim_matches(|c| c == '(' || c == ')')
            .split(", ")
            .filter_map(|d| d.parse().ok())
            .collect();
        let (&width, positions) = dims.split_last().expect("a shaped output");
        let bias = if row.kind.contains("bias = false") { 0 } else { width };
        macs += positions.iter().product::<usize>() as f64 * (row.params - bias) as f64;
    }
    macs
}

/// The graph rows: torchvision's InceptionV3 (Eval, batch 4 at 299x299),
/// ResNet-18 (a train step, SGD with momentum, batch 8 at 224x224) and the
/// seed's network (a train step of the head over the frozen, Eval-pinned
/// InceptionV3 to `Mixed_6e`, Adam, batch 16 at 150x150).
fn graph_rows(report: &Report) {
    use typenet::rand::{rngs::StdRng, Rng, SeedableRng};
    let budget = Duration::from_millis(6000);
    let mut rng = StdRng::seed_from_u64(5);

    const INCEPTION_IN: usize = 299 * 299 * 3;
    let net = torchvision::InceptionV3::<Eval>::seeded(1);
    let macs = summary_macs(&net.summary());
    let x = Batch::<INCEPTION_IN>::from_fn(4, |_, _| rng.random_range(0.0..1.0));
    let mut y = Batch::<1000>::zeros(4);
    let secs = median_secs(budget, || net.forward_into(black_box(&x), &mut y));
    report.row("INCEPTION_V3", 1, secs, 4, 2.0 * 4.0 * macs);
    drop(net);

    const RESNET_IN: usize = 224 * 224 * 3;
    let mut net = torchvision::ResNet18::<Train>::seeded(1);
    let macs = summary_macs(&net.summary());
    let mut opt = Sgd::new(0.01).momentum(0.9);
    let x = Batch::<RESNET_IN>::from_fn(8, |_, _| rng.random_range(0.0..1.0));
    let mut t = Batch::<1000>::zeros(8);
    for c in 0..8 {
        t[(rng.random_range(0..1000), c)] = 1.0;
    }
    let (mut y, mut dy) = (Batch::<1000>::zeros(8), Batch::<1000>::zeros(8));
    let mut grads = torchvision::ResNet18Grads::zeros();
    let secs = median_secs(budget, || {
        net.forward_into(&x, &mut y);
        CrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(&mut net, &grads);
    });
    report.row("RESNET18", 0, secs, 8, 6.0 * 8.0 * macs);
    drop(net);

    const SEED_IN: usize = 150 * 150 * 3;
    let mut net = Seed::<Train>::seeded(1);
    // Forward everywhere; backward and the update only in the head.
    let summary = net.summary();
    let macs = summary_macs(&summary);
    let head =
        summary.rows.iter().filter(|r| r.kind.starts_with("Dense<")).map(|r| r.params as f64).sum::<f64>();
    let mut opt = Adam::new(1e-3);
    let x = Batch::<SEED_IN>::from_fn(16, |_, _| rng.random_range(0.0..1.0));
    let t = Batch::<1>::from_fn(16, |_, c| (c % 2) as f32);
    let (mut y, mut dy) = (Batch::<1>::zeros(16), Batch::<1>::zeros(16));
    let mut grads = SeedGrads::zeros();
    let secs = median_secs(budget, || {
        net.forward_into(&x, &mut y);
        BinaryCrossEntropy.grad_into(&y, &t, &mut dy);
        net.backward_into(&dy, &mut grads);
        opt.step(&mut net, &grads);
    });
    report.row("SEED", 0, secs, 16, 2.0 * 16.0 * (macs + 2.0 * head));
}

fn main() {
    let threads = typenet::num_threads();
    let quick = std::env::var_os("BENCH_ONLY").is_some();
    let peak1 = if quick { f64::NAN } else { peak_gflops(1) };
    let peak = if threads > 1 && !quick { peak_gflops(threads) } else { peak1 };
    let torch = torch_reference();
    println!(
        "typenet {} | {} threads | measured peak (2048^3 sgemm): {peak:.1} GFLOP/s ({peak1:.1} on one thread)",
        env!("CARGO_PKG_VERSION"),
        threads,
    );
    match &torch {
        Some(t) => println!("PyTorch reference: {} (target/bench_torch.json)", t.label),
        None => println!("PyTorch reference: none (run `python3 tools/bench_torch.py` to add it)"),
    }
    let rtneural = rtneural_reference();
    match &rtneural {
        Some(r) => println!("RTNeural reference: {} (target/bench_rtneural.json)", r.label),
        None => {
            println!("RTNeural reference: none (run `tools/rtneural_bench.sh <rtneural-checkout>` to add it)")
        }
    }
    println!();
    println!(
        "| workload | operation | median | samples/s | GFLOP/s | % of peak | PyTorch | PyTorch / typenet |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let report = Report { peak, torch };
    let budget = Duration::from_millis(800);
    // `BENCH_ONLY=W3` runs one workload (`BENCH_ONLY=realtime,streaming`
    // several), `BENCH_OP=train|eval|predict` one operation (for profiling).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    if run("W0") {
        report.workload::<W0>(budget);
    }
    if run("W1") {
        report.workload::<W1>(budget);
    }
    if run("W2") {
        breakdown(&mut report.workload::<W2>(budget), budget);
    }
    if run("W3") {
        breakdown(&mut report.workload::<W3>(budget), budget);
    }
    if run("W4") {
        let budget = Duration::from_millis(3000);
        breakdown(&mut report.workload::<W4>(budget), budget);
    }
    if run("CNN_DIGITS") {
        breakdown(&mut report.workload::<CnnDigits>(budget), budget);
    }
    if run("CNN_MNIST") {
        let budget = Duration::from_millis(2000);
        breakdown(&mut report.workload::<CnnMnist>(budget), budget);
    }
    if run("GRU_ROWS") {
        breakdown(&mut report.workload::<GruRows>(budget), budget);
    }
    if run("LSTM_ROWS") {
        breakdown(&mut report.workload::<LstmRows>(budget), budget);
    }
    if run("graphs") {
        graph_rows(&report);
    }
    if run("realtime") {
        real_time_rows(rtneural.as_ref());
    }
    if run("streaming") {
        streaming_rows(rtneural.as_ref());
    }
    if run("long") {
        long_run(std::env::var("BENCH_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000));
    }
}
