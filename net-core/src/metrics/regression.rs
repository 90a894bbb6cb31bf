//! Regression metrics: mean absolute error and root mean squared error.

use super::{Metric, MetricValue, Predictions};

/// Running sums of a regression metric: the summed error and the number of
/// values.
///
/// ```
/// use typenet::metrics::{ErrorSums, Mae, Metric, Predictions};
/// use typenet::prelude::*;
/// let mut sums = ErrorSums::default();
/// Mae.update(&mut sums, &Predictions { outputs: 1, kind: Mse.accuracy(), y: &[1.0, 2.0], t: &[0.0, 0.0] });
/// assert_eq!((sums.sum, sums.count), (3.0, 2));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ErrorSums {
    /// Sum of the per-value errors.
    pub sum: f64,
    /// Values summed.
    pub count: u64,
}

impl ErrorSums {
    fn add(&mut self, batch: &Predictions<'_>, error: impl Fn(f64) -> f64) {
        for (&y, &t) in batch.y.iter().zip(batch.t) {
            self.sum += error(y as f64 - t as f64);
        }
        self.count += batch.y.len() as u64;
    }
    fn mean(&self) -> f64 {
        self.sum / self.count.max(1) as f64
    }
}

/// Mean absolute error over every output of every sample: scikit-learn's
/// `mean_absolute_error` (Keras' `MeanAbsoluteError`). Name: `mae`.
///
/// ```
/// use typenet::metrics::{Mae, Metric};
/// use typenet::prelude::*;
/// assert_eq!(Mae.compute_slices(1, Mse.accuracy(), &[1.0, 2.0], &[1.5, 0.0]).scalar(), Some(1.25));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mae;

impl Metric for Mae {
    type State = ErrorSums;
    fn name(&self) -> String {
        "mae".into()
    }
    fn higher_is_better(&self) -> bool {
        false
    }
    fn update(&self, state: &mut ErrorSums, batch: &Predictions<'_>) {
        state.add(batch, f64::abs);
    }
    fn value(&self, state: &ErrorSums) -> MetricValue {
        MetricValue::Number(state.mean() as f32)
    }
}

/// Root mean squared error over every output of every sample, the root of
/// the mean of all squared errors (Keras' `RootMeanSquaredError`;
/// scikit-learn's `root_mean_squared_error` on the flattened outputs).
/// Name: `rmse`.
///
/// ```
/// use typenet::metrics::{Metric, Rmse};
/// use typenet::prelude::*;
/// assert_eq!(Rmse.compute_slices(1, Mse.accuracy(), &[1.0, 3.0], &[1.0, 1.0]).scalar(), Some(2f32.sqrt()));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rmse;

impl Metric for Rmse {
    type State = ErrorSums;
    fn name(&self) -> String {
        "rmse".into()
    }
    fn higher_is_better(&self) -> bool {
        false
    }
    fn update(&self, state: &mut ErrorSums, batch: &Predictions<'_>) {
        state.add(batch, |e| e * e);
    }
    fn value(&self, state: &ErrorSums) -> MetricValue {
        MetricValue::Number(state.mean().sqrt() as f32)
    }
}
