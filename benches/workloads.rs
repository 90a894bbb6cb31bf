//! Criterion benchmarks of issue 6's workloads: a training step, an Eval
//! forward of the batch and a one-sample `predict` for each.
//!
//! ```sh
//! cargo bench --bench workloads            # everything
//! cargo bench --bench workloads -- W3      # one workload
//! ```

#[path = "support/workloads.rs"]
mod workloads;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use workloads::{CnnDigits, CnnMnist, GruRows, LstmRows, Workload, W0, W1, W2, W3, W4};

fn bench<W: Workload>(c: &mut Criterion) {
    let mut w = W::new();
    let mut group = c.benchmark_group(W::NAME);
    if W::NAME == "W4" {
        group.sample_size(20).measurement_time(Duration::from_secs(8));
    }
    group.throughput(Throughput::Elements(W::BATCH as u64));
    group.bench_function("train_step", |b| b.iter(|| w.train_step()));
    group.bench_function("eval_batch", |b| b.iter(|| w.eval()));
    group.throughput(Throughput::Elements(1));
    group.bench_function("predict", |b| b.iter(|| black_box(w.predict())));
    group.finish();
    black_box(w.checksum());
}

fn all(c: &mut Criterion) {
    bench::<W0>(c);
    bench::<W1>(c);
    bench::<W2>(c);
    bench::<W3>(c);
    bench::<W4>(c);
    bench::<CnnDigits>(c);
    bench::<CnnMnist>(c);
    bench::<GruRows>(c);
    bench::<LstmRows>(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
