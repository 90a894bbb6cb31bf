//! CSV: bytes -> `Dataset::from_csv` with the `CsvOptions` the first byte
//! picks (bit 0 `header`, bit 1 `one_hot`, bits 2-4 the label column: 0
//! for the last one, else column `n - 1`, up to past the end), read as
//! `Dataset<4, 2>` (one-hot classes) and `Dataset<4, 1>` (a raw target).
//! The second byte seeds `shuffle` and `split`.
//! Properties: no panic; on `Ok` the set is not empty and `check_finite`
//! passes, `split(0.25, seed)` keeps every sample exactly once, `shuffle`
//! is a permutation, and `slice` within bounds has the length asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::prelude::*;
use typenet::CsvOptions;

/// Each sample's inputs and targets as bits, for multiset comparisons.
fn samples<const IN: usize, const OUT: usize>(data: &Dataset<IN, OUT>) -> Vec<Vec<u32>> {
    let mut all: Vec<Vec<u32>> = (0..data.len())
        .map(|i| data.x().column(i).iter().chain(data.y().column(i).iter()).map(|v| v.to_bits()).collect())
        .collect();
    all.sort();
    all
}

fn exercise<const IN: usize, const OUT: usize>(text: &[u8], options: CsvOptions, seed: u64) {
    let data = match Dataset::<IN, OUT>::from_csv(text, options) {
        Ok(data) => data,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let n = data.len();
    assert!(n > 0, "from_csv returned an empty data set");
    data.check_finite().expect("from_csv returned non-finite values");
    let all = samples(&data);

    let (rest, held) = data.split(0.25, seed).expect("0.25 is a valid fraction");
    assert_eq!(rest.len() + held.len(), n, "split lost or duplicated samples");
    let mut both = samples(&rest);
    both.extend(samples(&held));
    both.sort();
    assert_eq!(both, all, "split changed the samples");

    let shuffled = data.shuffle(seed);
    assert_eq!(samples(&shuffled), all, "shuffle is not a permutation");

    let (a, b) = ((seed as usize) % (n + 1), (seed as usize / 7) % (n + 1));
    let (start, end) = (a.min(b), a.max(b));
    let part = data.slice(start, end);
    assert_eq!(part.len(), end - start);
    assert_eq!(part, data.select(&(start..end).collect::<Vec<_>>()));
    let _ = data.labels();
}

fuzz_target!(|data: &[u8]| {
    let [selector, seed, text @ ..] = data else {
        return;
    };
    let column = (selector >> 2) & 7;
    let options = CsvOptions {
        header: selector & 1 != 0,
        one_hot: selector & 2 != 0,
        label_column: if column == 0 { None } else { Some(usize::from(column) - 1) },
    };
    let seed = u64::from(*seed);
    exercise::<4, 2>(text, options, seed);
    exercise::<4, 1>(text, options, seed);
});
