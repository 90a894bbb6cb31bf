//! The area under the ROC curve, exactly (every threshold), as
//! scikit-learn's `roc_auc_score`.

use super::{Metric, MetricValue, Predictions};
use crate::loss::AccuracyKind;

/// The area under the ROC curve of a binary classifier: one binary output
/// (its value is the score), or a two-class categorical output (the score
/// is `y[1] - y[0]`, which orders samples as the probability of class 1
/// does). Computed exactly over every threshold, ties as scikit-learn's
/// `roc_auc_score` takes them (Keras' `AUC` approximates it with 200
/// thresholds). Keeps every score of the epoch. NaN while only one class
/// has been seen (the area is not defined). Name: `auc`.
///
/// ```
/// use typenet::metrics::{AucRoc, Metric};
/// use typenet::prelude::*;
/// let kind = BinaryCrossEntropy.accuracy();
/// let auc = AucRoc.compute_slices(1, kind, &[0.1, 0.4, 0.35, 0.8], &[0.0, 0.0, 1.0, 1.0]);
/// assert_eq!(auc.scalar(), Some(0.75));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AucRoc;

impl Metric for AucRoc {
    /// Every `(score, positive)` seen.
    type State = Vec<(f32, bool)>;
    fn name(&self) -> String {
        "auc".into()
    }
    fn higher_is_better(&self) -> bool {
        true
    }
    fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String> {
        match (kind, outputs) {
            (AccuracyKind::Binary { .. }, 1) | (AccuracyKind::Categorical, 2) => None,
            _ => Some(format!(
                "the ROC AUC here is binary: one binary output or two classes, not {outputs} outputs of {kind:?}"
            )),
        }
    }
    fn update(&self, state: &mut Vec<(f32, bool)>, batch: &Predictions<'_>) {
        for (y, t) in batch.samples_iter() {
            let score = if y.len() == 1 { y[0] } else { y[1] - y[0] };
            state.push((score, batch.true_class(t) == 1));
        }
    }
    fn value(&self, state: &Vec<(f32, bool)>) -> MetricValue {
        let mut scored = state.clone();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let positives = scored.iter().filter(|s| s.1).count() as f64;
        let negatives = scored.len() as f64 - positives;
        if positives == 0.0 || negatives == 0.0 {
            return MetricValue::Number(f32::NAN);
        }
        // Walk the thresholds from the highest score down; samples with
        // equal scores move the curve together (a diagonal step).
        let (mut tp, mut fp, mut area) = (0.0f64, 0.0f64, 0.0f64);
        let mut i = 0;
        while i < scored.len() {
            let (tp0, fp0) = (tp, fp);
            let score = scored[i].0;
            while i < scored.len() && scored[i].0 == score {
                if scored[i].1 {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
                i += 1;
            }
            area += (fp - fp0) * (tp + tp0) / 2.0;
        }
        MetricValue::Number((area / (positives * negatives)) as f32)
    }
}
