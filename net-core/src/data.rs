//! Data sets: [`Dataset`] (inputs and targets as batches), CSV loading,
//! splitting, shuffling and standardisation, and the two real data sets
//! embedded in the crate (nothing downloads).

use std::io::Read;

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

/// How to read a CSV file into a [`Dataset`]. The default: no header, the
/// label in the last column, a raw (not one-hot) target.
///
/// ```
/// use typenet::CsvOptions;
/// let options = CsvOptions { header: true, ..CsvOptions::default() };
/// assert_eq!(options.label_column, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Whether the first line is a header to skip.
    pub header: bool,
    /// The column holding the label (0-based); `None` for the last one.
    pub label_column: Option<usize>,
    /// Whether the label is a class index to one-hot encode into `OUT`
    /// targets; otherwise `OUT` must be 1 and the label is the target.
    pub one_hot: bool,
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

    /// Reads numeric CSV: `IN` feature columns plus one label column.
    /// Errors name the row and column: ragged rows, non-numeric or
    /// non-finite fields, labels out of range, an empty file.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// use typenet::CsvOptions;
    /// let text = "x0,x1,class\n0.5,1,2\n1.5,0,0\n";
    /// let options = CsvOptions { header: true, one_hot: true, ..CsvOptions::default() };
    /// let data = Dataset::<2, 3>::from_csv(text.as_bytes(), options)?;
    /// assert_eq!(data.labels(), vec![2, 0]);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::Parse`, `Error::RaggedRow`, `Error::LabelOutOfRange` (with the
    /// label's text as written), `Error::Empty`, and `Error::InvalidArgument`
    /// for options that do not fit `IN` and `OUT`.
    pub fn from_csv(reader: impl Read, options: CsvOptions) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(options.header)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let expected = IN + 1;
        let label_at = options.label_column.unwrap_or(IN);
        if label_at > IN {
            return Err(Error::InvalidArgument(format!(
                "label column {label_at} is outside the {expected} columns"
            )));
        }
        if !options.one_hot && OUT != 1 {
            return Err(Error::InvalidArgument(format!(
                "{OUT} targets need one-hot labels (CsvOptions::one_hot)"
            )));
        }
        let (mut xs, mut ys, mut n) = (Vec::new(), Vec::new(), 0);
        for (index, record) in csv.records().enumerate() {
            n += 1;
            let row = index + 1 + usize::from(options.header);
            let record = record.map_err(|e| Error::Parse { row, column: 0, message: e.to_string() })?;
            if record.len() != expected {
                return Err(Error::RaggedRow { row, expected, found: record.len() });
            }
            for (col, field) in record.iter().enumerate() {
                let value: f32 = field.parse().map_err(|_| Error::Parse {
                    row,
                    column: col + 1,
                    message: format!("`{field}` is not a number"),
                })?;
                if !value.is_finite() {
                    return Err(Error::Parse {
                        row,
                        column: col + 1,
                        message: format!("`{field}` is not finite"),
                    });
                }
                if col != label_at {
                    xs.push(value);
                } else if options.one_hot {
                    if value.fract() != 0.0 || value < 0.0 || value as usize >= OUT {
                        return Err(Error::LabelOutOfRange { row, label: field.to_string(), classes: OUT });
                    }
                    let mut one_hot = [0.0f32; OUT];
                    one_hot[value as usize] = 1.0;
                    ys.extend_from_slice(&one_hot);
                } else {
                    ys.push(value);
                }
            }
        }
        if n == 0 {
            return Err(Error::Empty("the CSV holds no rows".into()));
        }
        Self::new(columns(xs, n), columns(ys, n))
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

    /// The class of every sample when the targets are class labels, `None`
    /// otherwise: with `OUT > 1` every target column must be one-hot
    /// (exactly one `1.0`, zeros elsewhere), with `OUT == 1` every target
    /// must be exactly `0.0` or `1.0`. One pass, `O(len × OUT)`.
    fn class_ids(&self) -> Option<Vec<usize>> {
        self.y
            .column_iter()
            .map(|t| {
                if OUT == 1 {
                    return if t[0] == 0.0 {
                        Some(0)
                    } else if t[0] == 1.0 {
                        Some(1)
                    } else {
                        None
                    };
                }
                let mut class = None;
                for (k, &v) in t.iter().enumerate() {
                    if v == 1.0 && class.is_none() {
                        class = Some(k);
                    } else if v != 0.0 {
                        return None;
                    }
                }
                class
            })
            .collect()
    }

    /// Splits off a held-out part of about `fraction` of the samples, in an
    /// order drawn from `seed`. Returns `(rest, held_out)`: every sample is
    /// in exactly one of them, once, whatever the targets.
    ///
    /// The samples are put in groups, each group shuffled and
    /// `round(group size × fraction)` of it held out (halves away from zero,
    /// with `fraction` widened to `f64`); then both parts are shuffled.
    /// - Class targets are stratified, one group per class, so each class
    ///   keeps its share in both parts. Targets are class targets when they
    ///   are one-hot (`OUT > 1`: every sample's targets hold exactly one
    ///   `1.0` and zeros elsewhere) or, with `OUT == 1`, when every target is
    ///   exactly `0.0` or `1.0`. The held-out part may then differ from
    ///   `round(len × fraction)` by about half the number of classes at most.
    /// - Any other targets (regression values, soft labels, integer targets
    ///   other than 0/1 on one output) form a single group: a plain split
    ///   holding out exactly `round(len × fraction)` samples.
    ///
    /// It takes time linear in `len × OUT`, whatever the target values.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// // Classes: stratified, 20 % of each digit held out.
    /// let (train, test) = typenet::data::digits().split(0.2, 7)?;
    /// assert_eq!((train.len(), test.len()), (1438, 359));
    /// // Regression targets: a plain split.
    /// let rows: Vec<([f32; 1], [f32; 1])> = (0..10).map(|i| ([i as f32], [i as f32 * 1e5])).collect();
    /// let (rest, held_out) = Dataset::from_iter_rows(rows)?.split(0.25, 1)?;
    /// assert_eq!((rest.len(), held_out.len()), (7, 3)); // round(2.5) = 3
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::InvalidArgument` when `fraction` is NaN or outside `[0, 1)`.
    pub fn split(&self, fraction: f32, seed: u64) -> Result<(Self, Self)> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::InvalidArgument(format!("split fraction {fraction} is outside [0, 1)")));
        }
        let groups: Vec<Vec<usize>> = match self.class_ids() {
            Some(ids) => {
                // Classes 0..=max in order, members in sample order: the
                // groups (and so the draws from `rng`) of the original
                // stratified split, built in one pass.
                let classes = ids.iter().copied().max().map_or(0, |m| m + 1);
                let mut groups = vec![Vec::new(); classes];
                for (i, &class) in ids.iter().enumerate() {
                    groups[class].push(i);
                }
                groups
            }
            None => vec![(0..self.len()).collect()],
        };
        let mut rng = init_rng(seed);
        let (mut rest, mut held) = (Vec::with_capacity(self.len()), Vec::new());
        for mut members in groups {
            members.shuffle(&mut rng);
            // fraction < 1, so take <= members.len().
            let take = (members.len() as f64 * fraction as f64).round() as usize;
            held.extend_from_slice(&members[..take]);
            rest.extend_from_slice(&members[take..]);
        }
        rest.shuffle(&mut rng);
        held.shuffle(&mut rng);
        Ok((self.select(&rest), self.select(&held)))
    }

    /// Per-feature mean and standard deviation of this set (fit it on the
    /// training part only, then apply it to every part). Computed in f64,
    /// so both always fit in f32 (the mean lies between the values, the
    /// standard deviation is at most half their range), and applying the
    /// scaler to this set gives finite values whatever their magnitude.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let train = Dataset::<1, 1>::from_rows(&[[1.0], [3.0]], &[[0.0], [1.0]])?;
    /// let scaler = train.fit_standardizer();
    /// assert_eq!((scaler.mean, scaler.std), ([2.0], [1.0]));
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn fit_standardizer(&self) -> Standardizer<IN> {
        let n = self.len().max(1) as f64;
        let mut mean = [0.0f32; IN];
        let mut std = [0.0f32; IN];
        for f in 0..IN {
            let row = self.x.row(f);
            let m = row.iter().map(|&v| v as f64).sum::<f64>() / n;
            let var = row.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n;
            mean[f] = m as f32;
            std[f] = if var > 0.0 { var.sqrt() as f32 } else { 1.0 };
        }
        Standardizer { mean, std }
    }

    /// The same samples with inputs standardised by `scaler`. A hand-made
    /// scaler with a zero or non-finite `std` makes non-finite inputs:
    /// [`check_finite`](Dataset::check_finite) finds them.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let (train, test) = typenet::data::breast_cancer().split(0.2, 3)?;
    /// let scaler = train.fit_standardizer();
    /// let (train, test) = (train.standardized(&scaler), test.standardized(&scaler));
    /// assert!(train.x().row(0).mean().abs() < 1e-4);
    /// test.check_finite()?;
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn standardized(mut self, scaler: &Standardizer<IN>) -> Self {
        scaler.apply(&mut self.x);
        self
    }
}

/// Per-feature standardisation, `(x - mean) / std`, fitted on one set.
///
/// ```
/// use typenet::Standardizer;
/// let scaler = Standardizer { mean: [1.0, 0.0], std: [2.0, 1.0] };
/// assert_eq!(scaler.std[0], 2.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<const IN: usize> {
    /// Per-feature means.
    pub mean: [f32; IN],
    /// Per-feature standard deviations (1 where a feature is constant).
    pub std: [f32; IN],
}

impl<const IN: usize> Standardizer<IN> {
    /// Standardises a batch in place.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// use typenet::Standardizer;
    /// let mut x = Batch::<2>::from_column_slice(&[3.0, 5.0]);
    /// Standardizer { mean: [1.0, 0.0], std: [2.0, 1.0] }.apply(&mut x);
    /// assert_eq!(x.as_slice(), &[1.0, 5.0]);
    /// ```
    pub fn apply(&self, x: &mut Batch<IN>) {
        // In f64: `x - mean` of two finite f32 values may overflow f32
        // (-3e38 - 1e38), though the standardised value is small.
        for mut col in x.column_iter_mut() {
            for f in 0..IN {
                col[f] = ((col[f] as f64 - self.mean[f] as f64) / self.std[f] as f64) as f32;
            }
        }
    }
}

/// A batch of `n` samples from their values, sample after sample.
/// (`Batch::from_column_slice` divides by `N`, so it cannot make `N == 0`.)
fn columns<const N: usize>(values: Vec<f32>, n: usize) -> Batch<N> {
    Batch::from_vec_generic(Const::<N>, Dyn(n), values)
}

static DIGITS_GZ: &[u8] = include_bytes!("../data/digits.csv.gz");
static BREAST_CANCER_CSV: &[u8] = include_bytes!("../data/breast_cancer.csv");

/// The UCI optical handwritten digits (1,797 images of 8x8 pixels), pixels
/// scaled from 0..16 to [0, 1], one-hot labels. Embedded in the crate
/// (CC BY 4.0, E. Alpaydin and C. Kaynak; see `net-core/data/README.md`).
///
/// ```
/// let digits = typenet::data::digits();
/// assert_eq!(digits.len(), 1797);
/// ```
pub fn digits() -> Dataset<64, 10> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(DIGITS_GZ)
        .read_to_end(&mut text)
        .expect("the embedded digits data is valid gzip");
    let options = CsvOptions { header: false, label_column: Some(64), one_hot: true };
    let mut data = Dataset::<64, 10>::from_csv(&text[..], options).expect("the embedded digits data parses");
    data.x /= 16.0;
    data
}

/// The Breast Cancer Wisconsin (Diagnostic) set: 569 samples, 30 raw
/// features, target 0 = malignant, 1 = benign. Embedded in the crate
/// (CC BY 4.0, W. Wolberg et al.; see `net-core/data/README.md`).
///
/// ```
/// let cancer = typenet::data::breast_cancer();
/// assert_eq!(cancer.len(), 569);
/// ```
pub fn breast_cancer() -> Dataset<30, 1> {
    let options = CsvOptions { header: true, label_column: Some(30), one_hot: false };
    Dataset::<30, 1>::from_csv(BREAST_CANCER_CSV, options).expect("the embedded breast cancer data parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sets_load_with_expected_shapes_and_labels() {
        let digits = digits();
        assert_eq!(digits.len(), 1797);
        assert!(digits.x().iter().all(|&v| (0.0..=1.0).contains(&v)));
        let mut counts = [0usize; 10];
        for l in digits.labels() {
            counts[l] += 1;
        }
        assert!(counts.iter().all(|&c| c > 150));
        let cancer = breast_cancer();
        assert_eq!(cancer.len(), 569);
        assert_eq!(cancer.labels().iter().filter(|&&l| l == 1).count(), 357);
    }

    #[test]
    fn csv_errors_name_row_and_column() {
        let ragged = "1,2,0\n1,2\n";
        assert!(matches!(
            Dataset::<2, 1>::from_csv(ragged.as_bytes(), CsvOptions::default()),
            Err(Error::RaggedRow { row: 2, expected: 3, found: 2 })
        ));
        let text = "1,x,0\n";
        assert!(matches!(
            Dataset::<2, 1>::from_csv(text.as_bytes(), CsvOptions::default()),
            Err(Error::Parse { row: 1, column: 2, .. })
        ));
        let label = "1,2,3\n";
        let one_hot = CsvOptions { one_hot: true, ..CsvOptions::default() };
        assert!(matches!(
            Dataset::<2, 3>::from_csv(label.as_bytes(), one_hot),
            Err(Error::LabelOutOfRange { row: 1, ref label, classes: 3 }) if label == "3"
        ));
        for (text, written) in
            [("1,2,1.5\n", "1.5"), ("1,2,-1\n", "-1"), ("1,2,1e30\n", "1e30"), ("1,2, 7 \n", "7")]
        {
            let err = Dataset::<2, 3>::from_csv(text.as_bytes(), one_hot).unwrap_err();
            assert!(
                matches!(&err, Error::LabelOutOfRange { row: 1, label, .. } if label == written),
                "{err}"
            );
        }
        assert!(matches!(
            Dataset::<2, 1>::from_csv("".as_bytes(), CsvOptions::default()),
            Err(Error::Empty(_))
        ));
        let header = "a,b,label\n1,2,1\n";
        let with_header = CsvOptions { header: true, ..CsvOptions::default() };
        assert_eq!(Dataset::<2, 1>::from_csv(header.as_bytes(), with_header).unwrap().len(), 1);
    }

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
    fn split_is_stratified_and_sized() {
        let data = digits();
        let (train, test) = data.split(0.2, 1).unwrap();
        assert_eq!(train.len() + test.len(), data.len());
        assert!((test.len() as f32 - 0.2 * data.len() as f32).abs() <= 10.0);
        let mut counts = [0usize; 10];
        for l in test.labels() {
            counts[l] += 1;
        }
        assert!(counts.iter().all(|&c| (34..=38).contains(&c)), "{counts:?}");
        assert!(data.split(1.0, 1).is_err());
    }

    #[test]
    fn standardizer_is_fitted_on_the_set_it_is_given() {
        let train = Dataset::<1, 1>::from_rows(&[[1.0], [3.0]], &[[0.0], [1.0]]).unwrap();
        let test = Dataset::<1, 1>::from_rows(&[[5.0]], &[[0.0]]).unwrap();
        let scaler = train.fit_standardizer();
        assert_eq!((scaler.mean[0], scaler.std[0]), (2.0, 1.0));
        assert_eq!(test.standardized(&scaler).x()[0], 3.0);
    }

    /// `n` samples whose input is their index, with `target(i)` as targets.
    fn indexed<const OUT: usize>(n: usize, target: impl Fn(usize) -> [f32; OUT]) -> Dataset<1, OUT> {
        Dataset::from_iter_rows((0..n).map(|i| ([i as f32], target(i)))).unwrap()
    }

    /// Every sample of an `indexed` set of `n` is in `rest` or `held`, once.
    fn assert_partition<const OUT: usize>(n: usize, rest: &Dataset<1, OUT>, held: &Dataset<1, OUT>) {
        assert_eq!(rest.len() + held.len(), n);
        let mut seen = vec![false; n];
        for &id in rest.x().iter().chain(held.x().iter()) {
            assert!(!std::mem::replace(&mut seen[id as usize], true), "sample {id} twice");
        }
    }

    #[test]
    fn class_targets_are_one_hot_rows_or_zero_one_values() {
        // One-hot: stratify by the position of the 1.
        let one_hot = indexed(6, |i| {
            let mut t = [0.0; 3];
            t[i % 3] = 1.0;
            t
        });
        assert_eq!(one_hot.class_ids(), Some(vec![0, 1, 2, 0, 1, 2]));
        // 0/1 on one output, including a set of one class only.
        assert_eq!(indexed(4, |i| [(i % 2) as f32]).class_ids(), Some(vec![0, 1, 0, 1]));
        assert_eq!(indexed(3, |_| [0.0]).class_ids(), Some(vec![0, 0, 0]));
        // Regression, soft labels, other integers, two 1s, an all-zero row.
        assert_eq!(indexed(4, |i| [i as f32 * 1e5]).class_ids(), None);
        assert_eq!(indexed(4, |i| [(i % 3) as f32]).class_ids(), None);
        assert_eq!(indexed(2, |_| [0.25, 0.75]).class_ids(), None);
        assert_eq!(indexed(2, |i| if i == 0 { [1.0, 0.0] } else { [1.0, 1.0] }).class_ids(), None);
        assert_eq!(indexed(2, |i| if i == 0 { [1.0, 0.0] } else { [0.0, 0.0] }).class_ids(), None);
        // A single huge target among 0/1 ones.
        assert_eq!(indexed(5, |i| [if i == 3 { 1e30 } else { (i % 2) as f32 }]).class_ids(), None);
        // No targets at all: nothing to stratify by.
        assert_eq!(indexed(2, |_| []).class_ids(), None);
    }

    #[test]
    fn split_of_regression_targets_is_plain_and_exact() {
        let data = indexed(1000, |i| [i as f32 * 100.0]);
        let (rest, held) = data.split(0.2, 3).unwrap();
        assert_eq!((rest.len(), held.len()), (800, 200));
        assert_partition(1000, &rest, &held);
        let (rest, held) = data.split(0.0, 3).unwrap();
        assert_eq!((rest.len(), held.len()), (1000, 0));
    }

    #[test]
    fn split_with_a_single_huge_target_loses_no_sample() {
        for huge in [1e30, f32::MAX, -1e30, -f32::MAX] {
            let data = indexed(10, |i| [if i == 4 { huge } else { (i % 2) as f32 }]);
            let (rest, held) = data.split(0.3, 1).unwrap();
            assert_eq!((rest.len(), held.len()), (7, 3), "{huge}");
            assert_partition(10, &rest, &held);
        }
    }

    #[test]
    fn split_takes_linear_time_whatever_the_targets() {
        // The class-by-class split took O(n × largest target) here (and
        // overflowed): this finishes in milliseconds now.
        let n = 100_000;
        for scale in [1e25f32, 1e4] {
            let data = indexed(n, |i| [i as f32 * scale]);
            let (rest, held) = data.split(0.2, 5).unwrap();
            assert_eq!(held.len(), 20_000);
            assert_partition(n, &rest, &held);
        }
    }

    #[test]
    fn split_of_zero_one_targets_stays_stratified() {
        let data = indexed(100, |i| [if i % 10 == 0 { 1.0 } else { 0.0 }]);
        let (rest, held) = data.split(0.2, 9).unwrap();
        assert_partition(100, &rest, &held);
        assert_eq!(held.labels().iter().filter(|&&l| l == 1).count(), 2);
        assert_eq!(held.len(), 20);
    }

    #[test]
    fn split_rejects_a_fraction_outside_zero_one() {
        let data = indexed(4, |i| [i as f32]);
        for fraction in [f32::NAN, -0.1, -0.0 - f32::MIN_POSITIVE, 1.0, 1.5, f32::INFINITY, f32::NEG_INFINITY]
        {
            assert!(matches!(data.split(fraction, 0), Err(Error::InvalidArgument(_))), "{fraction}");
        }
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
