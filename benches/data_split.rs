//! `Dataset::split` at 10^4, 10^5 and 10^6 samples, for targets spanning 31
//! orders of magnitude and for one-hot classes: measures how its time grows
//! with the number of samples (the README quotes the numbers). Criterion
//! reports the time and the throughput in samples per second.
//!
//! ```sh
//! cargo bench --bench data_split -- --quick   # a few seconds per size
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use typenet::prelude::*;

/// `n` samples of one input with targets from `target`.
fn dataset<const OUT: usize>(n: usize, target: impl Fn(usize) -> [f32; OUT]) -> Dataset<1, OUT> {
    Dataset::from_iter_rows((0..n).map(|i| ([i as f32], target(i)))).expect("finite rows")
}

fn one_hot(i: usize) -> [f32; 10] {
    let mut row = [0.0; 10];
    row[(i * 7) % 10] = 1.0;
    row
}

fn split(c: &mut Criterion) {
    let mut group = c.benchmark_group("split");
    for n in [10_000usize, 100_000, 1_000_000] {
        group.throughput(Throughput::Elements(n as u64));
        // Regression targets spanning 25 orders of magnitude: one group.
        let huge = dataset(n, |i| [i as f32 * 1e25]);
        group.bench_with_input(BenchmarkId::new("huge_regression_targets", n), &huge, |b, data| {
            b.iter(|| black_box(data.split(0.2, 5).expect("valid fraction")))
        });
        // Ten one-hot classes: stratified, one group per class.
        let classes = dataset(n, one_hot);
        group.bench_with_input(BenchmarkId::new("one_hot_classes", n), &classes, |b, data| {
            b.iter(|| black_box(data.split(0.2, 5).expect("valid fraction")))
        });
    }
    group.finish();
}

criterion_group!(benches, split);
criterion_main!(benches);
