//! The two real data sets embedded in the crate (nothing downloads).

use std::io::Read;

use super::{CsvOptions, Dataset};

static DIGITS_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");
static BREAST_CANCER_CSV: &[u8] = include_bytes!("../../data/breast_cancer.csv");

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
}
