//! `Dataset`: splitting any targets without losing a sample, bounds of
//! `select` and `slice`, label errors that show the label as given, and
//! non-finite values refused with the sample that holds them.

use typenet::error::DataPart;
use typenet::prelude::*;
use typenet::rand::seq::SliceRandom;
use typenet::{CsvOptions, Standardizer};

/// `n` samples whose only input is their index, with `target(i)` as targets.
fn indexed<const OUT: usize>(n: usize, target: impl Fn(usize) -> [f32; OUT]) -> Dataset<1, OUT> {
    let x: Vec<[f32; 1]> = (0..n).map(|i| [i as f32]).collect();
    let y: Vec<[f32; OUT]> = (0..n).map(target).collect();
    Dataset::from_rows(&x, &y).unwrap()
}

/// Every sample of an `indexed` set of `n` is in `rest` or `held`, exactly once.
fn assert_partition<const OUT: usize>(n: usize, rest: &Dataset<1, OUT>, held: &Dataset<1, OUT>) {
    assert_eq!(rest.len() + held.len(), n, "samples were lost or duplicated");
    let mut seen = vec![false; n];
    for &id in rest.x().iter().chain(held.x().iter()) {
        let id = id as usize;
        assert!(!seen[id], "sample {id} appears twice");
        seen[id] = true;
    }
}

/// The stratified split as it was before plain splits existed: one group
/// per rounded label. Class targets must still split exactly like this.
fn previous_split<const IN: usize, const OUT: usize>(
    data: &Dataset<IN, OUT>,
    fraction: f32,
    seed: u64,
) -> (Dataset<IN, OUT>, Dataset<IN, OUT>) {
    let labels = data.labels();
    let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = typenet::rng::init_rng(seed);
    let (mut rest, mut held) = (Vec::new(), Vec::new());
    for class in 0..classes {
        let mut members: Vec<usize> = (0..data.len()).filter(|&i| labels[i] == class).collect();
        members.shuffle(&mut rng);
        let take = (members.len() as f64 * fraction as f64).round() as usize;
        held.extend_from_slice(&members[..take]);
        rest.extend_from_slice(&members[take..]);
    }
    rest.shuffle(&mut rng);
    held.shuffle(&mut rng);
    (data.select(&rest), data.select(&held))
}

fn bits<const IN: usize, const OUT: usize>(data: &Dataset<IN, OUT>) -> (Vec<u32>, Vec<u32>) {
    (data.x().iter().map(|v| v.to_bits()).collect(), data.y().iter().map(|v| v.to_bits()).collect())
}

fn assert_split_unchanged<const IN: usize, const OUT: usize>(
    data: &Dataset<IN, OUT>,
    fraction: f32,
    seed: u64,
) {
    let (rest, held) = data.split(fraction, seed).unwrap();
    let (old_rest, old_held) = previous_split(data, fraction, seed);
    assert_eq!(bits(&rest), bits(&old_rest), "rest of split({fraction}, {seed})");
    assert_eq!(bits(&held), bits(&old_held), "held-out part of split({fraction}, {seed})");
}

// 1. split

#[test]
fn split_of_regression_targets_holds_out_the_fraction() {
    // Targets up to 1e5: each sample was its own "class" and nothing was
    // held out, (1000, 0).
    let data = indexed(1000, |i| [i as f32 * 100.0]);
    let (rest, held) = data.split(0.2, 7).unwrap();
    assert_eq!((rest.len(), held.len()), (800, 200));
    assert_partition(1000, &rest, &held);
    // Several outputs that are not one-hot are regression targets too.
    let data = indexed(1000, |i| [i as f32, -(i as f32) * 0.5]);
    let (rest, held) = data.split(0.2, 7).unwrap();
    assert_eq!((rest.len(), held.len()), (800, 200));
    assert_partition(1000, &rest, &held);
}

#[test]
fn split_with_huge_targets_loses_no_sample() {
    // A target of 1e30 overflowed the class count in debug builds and
    // dropped every sample in release builds.
    for huge in [1e30, f32::MAX, -1e30, f32::MIN] {
        let data = indexed(10, |i| [if i == 6 { huge } else { (i % 2) as f32 }]);
        let (rest, held) = data.split(0.3, 2).unwrap();
        assert_eq!((rest.len(), held.len()), (7, 3), "target {huge}");
        assert_partition(10, &rest, &held);
    }
}

#[test]
fn split_of_100_000_targets_up_to_1e30_takes_linear_time() {
    // One pass over the samples per class used to take O(n × largest
    // target): hours here, or an overflow. No clock is asserted: this just
    // has to finish.
    let n = 100_000;
    let data = indexed(n, |i| [i as f32 * 1e25]);
    let (rest, held) = data.split(0.2, 11).unwrap();
    assert_eq!((rest.len(), held.len()), (80_000, 20_000));
    assert_partition(n, &rest, &held);
}

#[test]
fn split_of_targets_up_to_1e7_takes_linear_time() {
    // The tester's 268 s case: 1,000 samples, targets up to 1e7.
    let data = indexed(1000, |i| [i as f32 * 1e4]);
    let (rest, held) = data.split(0.2, 1).unwrap();
    assert_eq!((rest.len(), held.len()), (800, 200));
    assert_partition(1000, &rest, &held);
}

#[test]
fn split_of_class_targets_is_unchanged_bit_for_bit() {
    // The examples rely on these exact parts.
    let digits = typenet::data::digits();
    let cancer = typenet::data::breast_cancer();
    for (fraction, seed) in [(0.2, 7), (0.2, 1), (0.1, 3), (0.5, 0), (0.0, 2), (0.33, 11), (0.9, 5)] {
        assert_split_unchanged(&digits, fraction, seed);
        assert_split_unchanged(&cancer, fraction, seed);
    }
    // One-hot with classes missing (only 0 and 2 of 5), 0/1, one class only.
    let sparse =
        indexed(37, |i| if i % 3 == 0 { [0.0, 0.0, 1.0, 0.0, 0.0] } else { [1.0, 0.0, 0.0, 0.0, 0.0] });
    let zero_one = indexed(37, |i| [if i % 4 == 0 { 1.0 } else { 0.0 }]);
    let zeros = indexed(37, |_| [0.0]);
    for (fraction, seed) in [(0.2, 7), (0.25, 1), (0.5, 9)] {
        assert_split_unchanged(&sparse, fraction, seed);
        assert_split_unchanged(&zero_one, fraction, seed);
        assert_split_unchanged(&zeros, fraction, seed);
    }
    let (train, test) = digits.split(0.2, 7).unwrap();
    assert_eq!((train.len(), test.len()), (1438, 359));
}

#[test]
fn split_rejects_a_fraction_that_is_nan_negative_or_not_below_one() {
    let data = indexed(10, |i| [i as f32]);
    for fraction in [f32::NAN, -0.1, -f32::MIN_POSITIVE, 1.0, 1.5, f32::INFINITY, f32::NEG_INFINITY] {
        assert!(matches!(data.split(fraction, 0), Err(Error::InvalidArgument(_))), "fraction {fraction}");
    }
    let (rest, held) = data.split(0.0, 0).unwrap();
    assert_eq!((rest.len(), held.len()), (10, 0));
}

// 2. select and slice

#[test]
#[should_panic(expected = "Dataset::select: index 3 is out of range for a data set of 3 samples")]
fn select_out_of_range_panics_naming_the_index_and_the_length() {
    indexed(3, |i| [i as f32]).select(&[0, 3]);
}

#[test]
#[should_panic(expected = "Dataset::slice: start 2 is after end 1 (data set of 3 samples)")]
fn slice_with_start_after_end_panics_naming_both() {
    indexed(3, |i| [i as f32]).slice(2, 1);
}

#[test]
#[should_panic(expected = "Dataset::slice: end 4 is out of range for a data set of 3 samples")]
fn slice_past_the_end_panics_naming_the_end_and_the_length() {
    indexed(3, |i| [i as f32]).slice(1, 4);
}

#[test]
fn select_and_slice_within_bounds_keep_working() {
    let data = indexed(3, |i| [i as f32]);
    assert_eq!(data.select(&[2, 2, 0]).x().as_slice(), &[2.0, 2.0, 0.0]);
    assert_eq!(data.slice(0, 3), data);
    assert!(data.slice(3, 3).is_empty());
    assert!(data.select(&[]).is_empty());
}

// 3. LabelOutOfRange

#[test]
fn label_out_of_range_shows_the_label_as_written() {
    let one_hot = CsvOptions { one_hot: true, ..CsvOptions::default() };
    for (text, shown) in [
        ("1,2,1.5\n", "row 1: label 1.5 is out of range for 3 classes"),
        ("1,2,1e30\n", "row 1: label 1e30 is out of range for 3 classes"),
        ("1,2,-1\n", "row 1: label -1 is out of range for 3 classes"),
        ("1,2,0\n4,5,3\n", "row 2: label 3 is out of range for 3 classes"),
    ] {
        let err = Dataset::<2, 3>::from_csv(text.as_bytes(), one_hot).unwrap_err();
        assert_eq!(err.to_string(), shown);
    }
    let x = Batch::<1>::from_column_slice(&[0.5, 0.5]);
    let err = Dataset::<1, 3>::from_class_labels(x, &[0, usize::MAX]).unwrap_err();
    assert_eq!(err.to_string(), "row 2: label 18446744073709551615 is out of range for 3 classes");
}

#[test]
fn label_out_of_range_carries_the_label_text() {
    let one_hot = CsvOptions { one_hot: true, ..CsvOptions::default() };
    let err = Dataset::<2, 3>::from_csv("1,2,2.50\n".as_bytes(), one_hot).unwrap_err();
    assert!(matches!(&err, Error::LabelOutOfRange { row: 1, label, classes: 3 } if label == "2.50"), "{err}");
    let x = Batch::<1>::from_column_slice(&[0.5]);
    let err = Dataset::<1, 3>::from_class_labels(x, &[7]).unwrap_err();
    assert!(matches!(&err, Error::LabelOutOfRange { row: 1, label, classes: 3 } if label == "7"), "{err}");
}

// 4. Non-finite values

#[test]
fn every_constructor_refuses_non_finite_values() {
    assert!(Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [f32::NAN, 0.0]], &[[0.0], [1.0]]).is_err());
    assert!(Dataset::<2, 1>::from_rows(&[[0.0, 1.0]], &[[f32::INFINITY]]).is_err());
    let x = Batch::<1>::from_column_slice(&[0.0, f32::NEG_INFINITY]);
    assert!(Dataset::new(x.clone(), Batch::<1>::from_column_slice(&[0.0, 1.0])).is_err());
    assert!(Dataset::<1, 2>::from_class_labels(x, &[0, 1]).is_err());
    let csv = "1,nan,0\n";
    assert!(Dataset::<2, 1>::from_csv(csv.as_bytes(), CsvOptions::default()).is_err());
}

#[test]
fn non_finite_errors_name_the_sample_the_part_and_the_index() {
    let err = Dataset::<3, 1>::from_rows(&[[0.0; 3], [0.0, 0.0, f32::NAN]], &[[0.0], [1.0]]).unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteData { sample: 1, part: DataPart::Input, index: 2, value } if value.is_nan())
    );
    assert_eq!(err.to_string(), "non-finite data: sample 1 (0-based), input feature 2 is NaN");
    let err =
        Dataset::<1, 2>::from_rows(&[[0.0], [1.0], [2.0]], &[[0.0, 1.0], [1.0, 0.0], [-f32::INFINITY, 0.0]])
            .unwrap_err();
    assert!(matches!(
        err,
        Error::NonFiniteData { sample: 2, part: DataPart::Target, index: 0, value: f32::NEG_INFINITY }
    ));
    assert_eq!(err.to_string(), "non-finite data: sample 2 (0-based), target 0 is -inf");
}

#[test]
fn from_iter_rows_returns_an_error_for_non_finite_values() {
    let rows = (0..5).map(|i| ([i as f32, if i == 3 { f32::INFINITY } else { 0.0 }], [0.0]));
    let err = Dataset::<2, 1>::from_iter_rows(rows).unwrap_err();
    assert!(matches!(err, Error::NonFiniteData { sample: 3, part: DataPart::Input, index: 1, .. }));
    let rows = (0..5).map(|i| ([i as f32, 0.0], [1.0]));
    assert_eq!(Dataset::<2, 1>::from_iter_rows(rows).unwrap().len(), 5);
}

#[test]
fn check_finite_finds_values_made_after_construction() {
    let data = Dataset::<2, 1>::from_rows(&[[1.0, 2.0], [1.0, 4.0]], &[[0.0], [1.0]]).unwrap();
    data.check_finite().unwrap();
    // (2 - 2) / 0 = NaN in sample 0, (4 - 2) / 0 = inf in sample 1: the
    // first is reported.
    let broken = Standardizer { mean: [0.0, 2.0], std: [1.0, 0.0] };
    let err = data.clone().standardized(&broken).check_finite().unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteData { sample: 0, part: DataPart::Input, index: 1, value } if value.is_nan()),
        "{err}"
    );
    let fitted = data.fit_standardizer();
    data.standardized(&fitted).check_finite().unwrap();
}
