//! Reading a [`Dataset`] from numeric CSV.

use std::io::Read;

use super::{columns, Dataset};
use crate::error::{Error, Result};

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
