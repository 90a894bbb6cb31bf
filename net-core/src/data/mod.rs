//! Data sets: [`Dataset`] (inputs and targets as batches), CSV loading,
//! splitting, shuffling and standardisation, and the two real data sets
//! embedded in the crate (nothing downloads).

mod csv;
mod embedded;
mod split;
mod standardize;

pub use csv::CsvOptions;
pub use embedded::{breast_cancer, digits};
pub use standardize::Standardizer;

use nalgebra::{Const, Dyn};
use rand::seq::SliceRandom;

use crate::error::{DataPart, Error, Result};
use crate::rng::init_rng;
use crate::tensor::Batch;

/// Samples with `IN` features and `OUT` targets each, one column per sample.
///
/// Every value is finite: each constructor ([`new`](Dataset::new),
/// [`from_rows`](Dataset::from_rows), [`from_iter_rows`](Dataset::from_iter_rows),
/// [`from_class_labels`](Dataset::from_class_labels)) refuses a NaN or
/// infinite input or target with [`Error::NonFiniteData`], naming the 0-based
/// sample and the feature or target; [`from_csv`](Dataset::from_csv) refuses
/// one with [`Error::Parse`], naming the line and column. A set can still
/// become non-finite afterwards, e.g. through [`standardized`](Dataset::standardized)
/// with a hand-made [`Standardizer`] whose `std` is 0: [`check_finite`](Dataset::check_finite)
/// checks a set however it was made, and is the check to run before training.
///
/// ```
/// use typenet::prelude::*;
/// let data = Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [1.0, 0.0]], &[[1.0], [0.0]])?;
/// assert_eq!(data.len(), 2);
/// assert!(Dataset::<2, 1>::from_rows(&[[0.0, f32::NAN]], &[[1.0]]).is_err());
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const IN: usize, const OUT: usize> {
    x: Batch<IN>,
    y: Batch<OUT>,
}

impl<const IN: usize, const OUT: usize> Dataset<IN, OUT> {
    /// A data set from inputs and targets with the same number of samples.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let x = Batch::<2>::from_column_slice(&[0.0, 1.0, 1.0, 0.0]);
    /// let y = Batch::<1>::from_column_slice(&[1.0, 0.0]);
    /// assert_eq!(Dataset::new(x, y)?.len(), 2);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::InvalidArgument` when the counts differ;
    /// `Error::NonFiniteData` for a NaN or infinite value.
    pub fn new(x: Batch<IN>, y: Batch<OUT>) -> Result<Self> {
        if x.ncols() != y.ncols() {
            return Err(Error::InvalidArgument(format!(
                "{} input samples but {} target samples",
                x.ncols(),
                y.ncols()
            )));
        }
        let data = Dataset { x, y };
        data.check_finite()?;
        Ok(data)
    }

    /// A data set from rows of inputs and rows of targets.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let data = Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [1.0, 0.0]], &[[1.0], [0.0]])?;
    /// assert_eq!(data.x().column(1).as_slice(), &[1.0, 0.0]);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::InvalidArgument` when the counts differ;
    /// `Error::NonFiniteData` for a NaN or infinite value.
    pub fn from_rows(x: &[[f32; IN]], y: &[[f32; OUT]]) -> Result<Self> {
        let xs: Vec<f32> = x.iter().flatten().copied().collect();
        let ys: Vec<f32> = y.iter().flatten().copied().collect();
        Self::new(columns(xs, x.len()), columns(ys, y.len()))
    }

    /// A data set from an iterator of `(input, target)` rows.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let data = Dataset::<1, 1>::from_iter_rows((0..4).map(|i| ([i as f32], [(i % 2) as f32])))?;
    /// assert_eq!(data.len(), 4);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::NonFiniteData` for a NaN or infinite value.
    pub fn from_iter_rows(rows: impl IntoIterator<Item = ([f32; IN], [f32; OUT])>) -> Result<Self> {
        let (mut xs, mut ys, mut n) = (Vec::new(), Vec::new(), 0);
        for (x, y) in rows {
            xs.extend_from_slice(&x);
            ys.extend_from_slice(&y);
            n += 1;
        }
        Self::new(columns(xs, n), columns(ys, n))
    }

    /// A classification set from inputs and integer class labels, one-hot
    /// encoded into `OUT` targets.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let x = Batch::<2>::from_column_slice(&[0.0, 1.0, 1.0, 0.0]);
    /// let data = Dataset::<2, 3>::from_class_labels(x, &[2, 0])?;
    /// assert_eq!(data.y().column(0).as_slice(), &[0.0, 0.0, 1.0]);
    /// assert_eq!(data.labels(), vec![2, 0]);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::LabelOutOfRange` (naming the 1-based sample and the label as
    /// given) for a label not below `OUT`; `Error::InvalidArgument` when the
    /// counts differ; `Error::NonFiniteData` for a NaN or infinite input.
    pub fn from_class_labels(x: Batch<IN>, labels: &[usize]) -> Result<Self> {
        let mut y = Batch::<OUT>::zeros(labels.len());
        for (i, &label) in labels.iter().enumerate() {
            if label >= OUT {
                return Err(Error::LabelOutOfRange { row: i + 1, label: label.to_string(), classes: OUT });
            }
            y[(label, i)] = 1.0;
        }
        Self::new(x, y)
    }

    /// Checks that every input and target is finite (neither NaN nor
    /// infinite). The constructors already check; this checks a set however
    /// it was made (e.g. after [`standardized`](Dataset::standardized)), so
    /// training can refuse bad data before changing any weight.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// use typenet::Standardizer;
    /// let data = Dataset::<1, 1>::from_rows(&[[1.0], [1.0]], &[[0.0], [1.0]])?;
    /// data.check_finite()?;
    /// let broken = Standardizer { mean: [1.0], std: [0.0] }; // 0 / 0 = NaN
    /// let err = data.standardized(&broken).check_finite().unwrap_err();
    /// assert!(matches!(err, Error::NonFiniteData { sample: 0, index: 0, .. }));
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::NonFiniteData` naming the first offending sample (0-based)
    /// and, within it, the first non-finite feature, else the first target.
    pub fn check_finite(&self) -> Result<()> {
        // Column-major storage: value `at` is entry `at % width` of sample
        // `at / width`.
        let first = |values: &[f32], width: usize, part: DataPart| {
            values.iter().position(|v| !v.is_finite()).map(|at| (at / width, part, at % width, values[at]))
        };
        let bad = match (
            first(self.x.as_slice(), IN, DataPart::Input),
            first(self.y.as_slice(), OUT, DataPart::Target),
        ) {
            (Some(input), Some(target)) => Some(if target.0 < input.0 { target } else { input }),
            (input, target) => input.or(target),
        };
        match bad {
            None => Ok(()),
            Some((sample, part, index, value)) => Err(Error::NonFiniteData { sample, part, index, value }),
        }
    }

    /// Number of samples.
    ///
    /// ```
    /// assert_eq!(typenet::data::breast_cancer().len(), 569);
    /// ```
    pub fn len(&self) -> usize {
        self.x.ncols()
    }

    /// Whether there are no samples.
    ///
    /// ```
    /// let data = typenet::data::breast_cancer();
    /// assert!(!data.is_empty());
    /// assert!(data.slice(3, 3).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The inputs, one column per sample.
    ///
    /// ```
    /// let digits = typenet::data::digits();
    /// assert_eq!(digits.x().shape(), (64, 1797));
    /// ```
    pub fn x(&self) -> &Batch<IN> {
        &self.x
    }

    /// The targets, one column per sample.
    ///
    /// ```
    /// let digits = typenet::data::digits();
    /// assert_eq!(digits.y().column(0).sum(), 1.0); // one-hot
    /// ```
    pub fn y(&self) -> &Batch<OUT> {
        &self.y
    }

    /// The samples at `indices`, in that order (an index may repeat).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let data = Dataset::<1, 1>::from_rows(&[[0.0], [1.0], [2.0]], &[[0.0], [1.0], [0.0]])?;
    /// assert_eq!(data.select(&[2, 0, 2]).x().as_slice(), &[2.0, 0.0, 2.0]);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Panics
    /// When an index is not below [`len`](Dataset::len); the message names
    /// the index and the length, as slice indexing does.
    pub fn select(&self, indices: &[usize]) -> Self {
        let len = self.len();
        if let Some(&bad) = indices.iter().find(|&&i| i >= len) {
            panic!("Dataset::select: index {bad} is out of range for a data set of {len} samples");
        }
        let mut x = Batch::<IN>::zeros(indices.len());
        let mut y = Batch::<OUT>::zeros(indices.len());
        for (to, &from) in indices.iter().enumerate() {
            x.column_mut(to).copy_from(&self.x.column(from));
            y.column_mut(to).copy_from(&self.y.column(from));
        }
        Dataset { x, y }
    }

    /// Samples `start..end` (Keras' `validation_split` takes the tail).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let data = Dataset::<1, 1>::from_rows(&[[0.0], [1.0], [2.0]], &[[0.0], [1.0], [0.0]])?;
    /// assert_eq!(data.slice(1, 3).x().as_slice(), &[1.0, 2.0]);
    /// assert!(data.slice(3, 3).is_empty());
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Panics
    /// When `start > end` or `end > len()`, as slice indexing does; the
    /// message names the bounds and the length.
    pub fn slice(&self, start: usize, end: usize) -> Self {
        let len = self.len();
        if start > end {
            panic!("Dataset::slice: start {start} is after end {end} (data set of {len} samples)");
        }
        if end > len {
            panic!("Dataset::slice: end {end} is out of range for a data set of {len} samples");
        }
        let indices: Vec<usize> = (start..end).collect();
        self.select(&indices)
    }

    /// The samples in an order drawn from `seed`.
    ///
    /// ```
    /// let data = typenet::data::breast_cancer();
    /// let shuffled = data.shuffle(1);
    /// assert_eq!(shuffled.len(), data.len());
    /// assert_eq!(shuffled, data.shuffle(1));
    /// ```
    pub fn shuffle(&self, seed: u64) -> Self {
        let mut indices: Vec<usize> = (0..self.len()).collect();
        indices.shuffle(&mut init_rng(seed));
        self.select(&indices)
    }

    /// The class of each sample: the arg-max of the targets when there are
    /// several, or the rounded target when there is one output (negative
    /// and NaN targets give 0, targets beyond `usize` saturate at
    /// `usize::MAX`). Meaningful for class targets only; [`split`](Dataset::split)
    /// does not use it.
    ///
    /// ```
    /// let cancer = typenet::data::breast_cancer();
    /// assert_eq!(cancer.labels().iter().filter(|&&l| l == 1).count(), 357);
    /// ```
    pub fn labels(&self) -> Vec<usize> {
        self.y
            .column_iter()
            .map(|t| if OUT == 1 { t[0].round().max(0.0) as usize } else { t.argmax().0 })
            .collect()
    }
}

/// A batch of `n` samples from their values, sample after sample.
/// (`Batch::from_column_slice` divides by `N`, so it cannot make `N == 0`.)
fn columns<const N: usize>(values: Vec<f32>, n: usize) -> Batch<N> {
    Batch::from_vec_generic(Const::<N>, Dyn(n), values)
}

#[cfg(test)]
mod tests {
    use super::split::tests::indexed;
    use super::*;

    #[test]
    fn class_labels_are_one_hot_encoded_and_checked() {
        let x = Batch::<1>::from_column_slice(&[0.5, 0.25]);
        assert!(matches!(
            Dataset::<1, 2>::from_class_labels(x.clone(), &[1, 2]),
            Err(Error::LabelOutOfRange { row: 2, ref label, classes: 2 }) if label == "2"
        ));
        let one = Batch::<1>::from_column_slice(&[0.5]);
        assert!(matches!(
            Dataset::<1, 2>::from_class_labels(one, &[usize::MAX]),
            Err(Error::LabelOutOfRange { row: 1, ref label, classes: 2 }) if *label == usize::MAX.to_string()
        ));
        assert!(matches!(Dataset::<1, 2>::from_class_labels(x, &[1]), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn non_finite_values_are_refused_naming_sample_part_and_index() {
        let err =
            Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [f32::INFINITY, 0.0]], &[[0.0], [1.0]]).unwrap_err();
        assert!(matches!(
            err,
            Error::NonFiniteData { sample: 1, part: DataPart::Input, index: 0, value: f32::INFINITY }
        ));
        let err = Dataset::<1, 2>::from_rows(&[[0.0], [1.0]], &[[0.0, 1.0], [0.0, f32::NAN]]).unwrap_err();
        assert!(
            matches!(err, Error::NonFiniteData { sample: 1, part: DataPart::Target, index: 1, value } if value.is_nan())
        );
        // The first bad sample wins; within it, the inputs come first.
        let x = Batch::<1>::from_column_slice(&[0.0, f32::NAN, f32::NAN]);
        let y = Batch::<1>::from_column_slice(&[f32::NEG_INFINITY, f32::NAN, 0.0]);
        assert!(matches!(
            Dataset::new(x.clone(), y),
            Err(Error::NonFiniteData { sample: 0, part: DataPart::Target, index: 0, .. })
        ));
        assert!(matches!(
            Dataset::<1, 2>::from_class_labels(x, &[0, 1, 1]),
            Err(Error::NonFiniteData { sample: 1, part: DataPart::Input, index: 0, .. })
        ));
        let rows = (0..3).map(|i| ([i as f32], [if i == 2 { f32::INFINITY } else { 0.0 }]));
        assert!(matches!(
            Dataset::<1, 1>::from_iter_rows(rows),
            Err(Error::NonFiniteData { sample: 2, part: DataPart::Target, index: 0, .. })
        ));
        // Finite extremes are fine.
        assert!(Dataset::<1, 1>::from_rows(&[[f32::MAX]], &[[f32::MIN]]).unwrap().check_finite().is_ok());
    }

    #[test]
    fn check_finite_finds_values_made_after_construction() {
        let data = Dataset::<2, 1>::from_rows(&[[1.0, 2.0], [1.0, 3.0]], &[[0.0], [1.0]]).unwrap();
        let scaler = Standardizer { mean: [0.0, 2.0], std: [1.0, 0.0] };
        let err = data.standardized(&scaler).check_finite().unwrap_err();
        // Sample 0 has (2 - 2) / 0 = NaN in feature 1.
        assert!(matches!(err, Error::NonFiniteData { sample: 0, part: DataPart::Input, index: 1, .. }));
        assert_eq!(err.to_string(), "non-finite data: sample 0 (0-based), input feature 1 is NaN");
    }

    #[test]
    fn select_and_slice_check_their_bounds() {
        let data = indexed(3, |i| [i as f32]);
        let message = |f: &dyn Fn()| {
            let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
            payload.downcast_ref::<String>().cloned().unwrap_or_default()
        };
        assert_eq!(
            message(&|| drop(data.select(&[0, 3]))),
            "Dataset::select: index 3 is out of range for a data set of 3 samples"
        );
        assert_eq!(
            message(&|| drop(data.slice(2, 1))),
            "Dataset::slice: start 2 is after end 1 (data set of 3 samples)"
        );
        assert_eq!(
            message(&|| drop(data.slice(1, 4))),
            "Dataset::slice: end 4 is out of range for a data set of 3 samples"
        );
        assert_eq!(data.slice(0, 3), data);
        assert!(data.slice(3, 3).is_empty());
        assert!(data.select(&[]).is_empty());
    }
}
