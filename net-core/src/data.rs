//! Data sets: [`Dataset`] (inputs and targets as batches), CSV loading,
//! splitting, shuffling and standardisation, and the two real data sets
//! embedded in the crate (nothing downloads).

use std::io::Read;

use rand::seq::SliceRandom;

use crate::error::{Error, Result};
use crate::rng::init_rng;
use crate::tensor::Batch;

/// Samples with `IN` features and `OUT` targets each, one column per sample.
///
/// ```
/// use typenet::prelude::*;
/// let data = Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [1.0, 0.0]], &[[1.0], [0.0]])?;
/// assert_eq!(data.len(), 2);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const IN: usize, const OUT: usize> {
    x: Batch<IN>,
    y: Batch<OUT>,
}

/// How to read a CSV file into a [`Dataset`]. The default: no header, the
/// label in the last column, a raw (not one-hot) target.
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
    pub fn new(x: Batch<IN>, y: Batch<OUT>) -> Result<Self> {
        if x.ncols() != y.ncols() {
            return Err(Error::InvalidArgument(format!(
                "{} input samples but {} target samples",
                x.ncols(),
                y.ncols()
            )));
        }
        Ok(Dataset { x, y })
    }

    /// A data set from rows of inputs and rows of targets.
    pub fn from_rows(x: &[[f32; IN]], y: &[[f32; OUT]]) -> Result<Self> {
        let xs: Vec<f32> = x.iter().flatten().copied().collect();
        let ys: Vec<f32> = y.iter().flatten().copied().collect();
        Self::new(Batch::from_column_slice(&xs), Batch::from_column_slice(&ys))
    }

    /// A data set from an iterator of `(input, target)` rows.
    pub fn from_iter_rows(rows: impl IntoIterator<Item = ([f32; IN], [f32; OUT])>) -> Self {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (x, y) in rows {
            xs.extend_from_slice(&x);
            ys.extend_from_slice(&y);
        }
        Dataset { x: Batch::from_column_slice(&xs), y: Batch::from_column_slice(&ys) }
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
    /// `Error::LabelOutOfRange` (naming the 1-based sample) for a label not
    /// below `OUT`; `Error::InvalidArgument` when the counts differ.
    pub fn from_class_labels(x: Batch<IN>, labels: &[usize]) -> Result<Self> {
        let mut y = Batch::<OUT>::zeros(labels.len());
        for (i, &label) in labels.iter().enumerate() {
            if label >= OUT {
                return Err(Error::LabelOutOfRange { row: i + 1, label: label as i64, classes: OUT });
            }
            y[(label, i)] = 1.0;
        }
        Self::new(x, y)
    }

    /// Reads numeric CSV: `IN` feature columns plus one label column.
    /// Errors name the row and column: ragged rows, non-numeric fields,
    /// labels out of range, an empty file.
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
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (index, record) in csv.records().enumerate() {
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
                        return Err(Error::LabelOutOfRange { row, label: value as i64, classes: OUT });
                    }
                    let mut one_hot = [0.0f32; OUT];
                    one_hot[value as usize] = 1.0;
                    ys.extend_from_slice(&one_hot);
                } else {
                    ys.push(value);
                }
            }
        }
        if xs.is_empty() {
            return Err(Error::Empty("the CSV holds no rows".into()));
        }
        Self::new(Batch::from_column_slice(&xs), Batch::from_column_slice(&ys))
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.ncols()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The inputs, one column per sample.
    pub fn x(&self) -> &Batch<IN> {
        &self.x
    }

    /// The targets, one column per sample.
    pub fn y(&self) -> &Batch<OUT> {
        &self.y
    }

    /// The samples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        let mut x = Batch::<IN>::zeros(indices.len());
        let mut y = Batch::<OUT>::zeros(indices.len());
        for (to, &from) in indices.iter().enumerate() {
            x.column_mut(to).copy_from(&self.x.column(from));
            y.column_mut(to).copy_from(&self.y.column(from));
        }
        Dataset { x, y }
    }

    /// Samples `start..end` (Keras' `validation_split` takes the tail).
    pub fn slice(&self, start: usize, end: usize) -> Self {
        let indices: Vec<usize> = (start..end).collect();
        self.select(&indices)
    }

    /// The samples in an order drawn from `seed`.
    pub fn shuffle(&self, seed: u64) -> Self {
        let mut indices: Vec<usize> = (0..self.len()).collect();
        indices.shuffle(&mut init_rng(seed));
        self.select(&indices)
    }

    /// The class of each sample: the arg-max of one-hot targets, or the
    /// rounded target when there is one output.
    pub fn labels(&self) -> Vec<usize> {
        self.y
            .column_iter()
            .map(|t| if OUT == 1 { t[0].round().max(0.0) as usize } else { t.argmax().0 })
            .collect()
    }

    /// Splits off a held-out part of `fraction` of the samples, stratified
    /// by class (each class contributes the same fraction), in an order drawn
    /// from `seed`. Returns `(rest, held_out)`.
    pub fn split(&self, fraction: f32, seed: u64) -> Result<(Self, Self)> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::InvalidArgument(format!("split fraction {fraction} is outside [0, 1)")));
        }
        let labels = self.labels();
        let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
        let mut rng = init_rng(seed);
        let (mut rest, mut held) = (Vec::new(), Vec::new());
        for class in 0..classes {
            let mut members: Vec<usize> = (0..self.len()).filter(|&i| labels[i] == class).collect();
            members.shuffle(&mut rng);
            let take = (members.len() as f64 * fraction as f64).round() as usize;
            held.extend_from_slice(&members[..take]);
            rest.extend_from_slice(&members[take..]);
        }
        rest.shuffle(&mut rng);
        held.shuffle(&mut rng);
        Ok((self.select(&rest), self.select(&held)))
    }

    /// Per-feature mean and standard deviation of this set (fit it on the
    /// training part only, then apply it to every part).
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

    /// The same samples with inputs standardised by `scaler`.
    pub fn standardized(mut self, scaler: &Standardizer<IN>) -> Self {
        scaler.apply(&mut self.x);
        self
    }
}

/// Per-feature standardisation, `(x - mean) / std`, fitted on one set.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<const IN: usize> {
    /// Per-feature means.
    pub mean: [f32; IN],
    /// Per-feature standard deviations (1 where a feature is constant).
    pub std: [f32; IN],
}

impl<const IN: usize> Standardizer<IN> {
    /// Standardises a batch in place.
    pub fn apply(&self, x: &mut Batch<IN>) {
        for mut col in x.column_iter_mut() {
            for f in 0..IN {
                col[f] = (col[f] - self.mean[f]) / self.std[f];
            }
        }
    }
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
            Err(Error::LabelOutOfRange { row: 1, label: 3, classes: 3 })
        ));
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
            Err(Error::LabelOutOfRange { row: 2, label: 2, classes: 2 })
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
}
