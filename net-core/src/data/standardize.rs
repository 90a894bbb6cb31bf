//! Per-feature standardisation fitted on one set and applied to others.

use super::Dataset;
use crate::tensor::Batch;

impl<const IN: usize, const OUT: usize> Dataset<IN, OUT> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardizer_is_fitted_on_the_set_it_is_given() {
        let train = Dataset::<1, 1>::from_rows(&[[1.0], [3.0]], &[[0.0], [1.0]]).unwrap();
        let test = Dataset::<1, 1>::from_rows(&[[5.0]], &[[0.0]]).unwrap();
        let scaler = train.fit_standardizer();
        assert_eq!((scaler.mean[0], scaler.std[0]), (2.0, 1.0));
        assert_eq!(test.standardized(&scaler).x()[0], 3.0);
    }
}
