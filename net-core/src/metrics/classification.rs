//! Classification metrics: accuracy, top-k accuracy, precision, recall,
//! F1 and the confusion matrix, as scikit-learn computes them.

use super::{Metric, MetricValue, Predictions};
use crate::loss::AccuracyKind;

/// The fraction of correct predictions, counted as the loss counts them
/// (the arg-max class, or each yes/no output): what `fit` reports as
/// `accuracy` for every loss that has one. Name: `accuracy`.
///
/// ```
/// use typenet::metrics::{Accuracy, Metric};
/// use typenet::prelude::*;
/// let kind = CrossEntropy.accuracy();
/// let accuracy = Accuracy.compute_slices(2, kind, &[0.1, 0.9, 0.8, 0.2], &[0.0, 1.0, 0.0, 1.0]);
/// assert_eq!(accuracy.scalar(), Some(0.5));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accuracy;

impl Metric for Accuracy {
    /// Correct and counted predictions.
    type State = (u64, u64);
    fn name(&self) -> String {
        "accuracy".into()
    }
    fn higher_is_better(&self) -> bool {
        true
    }
    fn problem(&self, _outputs: usize, kind: AccuracyKind) -> Option<String> {
        (kind == AccuracyKind::None)
            .then(|| "the loss gives no classes to be correct about (a regression loss)".into())
    }
    fn update(&self, state: &mut (u64, u64), batch: &Predictions<'_>) {
        let (correct, counted) = batch.kind.count(batch.outputs, batch.y, batch.t);
        state.0 += correct as u64;
        state.1 += counted as u64;
    }
    fn value(&self, &(correct, counted): &(u64, u64)) -> MetricValue {
        MetricValue::Number((correct as f64 / counted.max(1) as f64) as f32)
    }
}

/// Top-k accuracy of a categorical output: the fraction of samples whose
/// true class is among the `k` largest outputs (a class tied with the k-th
/// counts as inside). scikit-learn's `top_k_accuracy_score`; Keras'
/// `TopKCategoricalAccuracy(k)`. Name: `top_{k}_accuracy`.
///
/// ```
/// use typenet::metrics::{Metric, TopK};
/// use typenet::prelude::*;
/// let y = [0.1, 0.5, 0.4]; // class 2 is second
/// let t = [0.0, 0.0, 1.0];
/// assert_eq!(TopK(2).compute_slices(3, CrossEntropy.accuracy(), &y, &t).scalar(), Some(1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopK(pub usize);

impl Metric for TopK {
    /// Samples inside the top k, and samples.
    type State = (u64, u64);
    fn name(&self) -> String {
        format!("top_{}_accuracy", self.0)
    }
    fn higher_is_better(&self) -> bool {
        true
    }
    fn problem(&self, _outputs: usize, kind: AccuracyKind) -> Option<String> {
        if kind != AccuracyKind::Categorical {
            Some(
                "top-k accuracy needs a categorical loss (one class per sample among several outputs)".into(),
            )
        } else if self.0 == 0 {
            Some("k must be at least 1".into())
        } else {
            None
        }
    }
    fn update(&self, state: &mut (u64, u64), batch: &Predictions<'_>) {
        for (y, t) in batch.samples_iter() {
            let truth = y[batch.true_class(t)];
            let above = y.iter().filter(|&&v| v > truth).count();
            state.0 += u64::from(above < self.0);
            state.1 += 1;
        }
    }
    fn value(&self, &(inside, samples): &(u64, u64)) -> MetricValue {
        MetricValue::Number((inside as f64 / samples.max(1) as f64) as f32)
    }
}

/// How precision, recall and F1 combine classes (scikit-learn's `average`).
///
/// ```
/// use typenet::metrics::{Averaging, F1};
/// assert_eq!(F1::macro_averaged(), F1 { average: Averaging::Macro });
/// assert_eq!(F1::default().average, Averaging::Binary);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Averaging {
    /// The positive class alone: the yes of a binary output (every yes/no
    /// output pooled when there are several), or class 1 of a two-class
    /// categorical output (scikit-learn's `average="binary"`).
    #[default]
    Binary,
    /// The unweighted mean over classes: the classes present in the targets
    /// or the predictions (scikit-learn's `labels=None`), or every output of
    /// a multi-label binary network (scikit-learn's `average="macro"`).
    Macro,
}

/// True positives, false positives and false negatives per class (or per
/// output, for several yes/no outputs): the totals of [`Precision`],
/// [`Recall`] and [`F1`].
///
/// ```
/// use typenet::metrics::{ClassCounts, Metric, Precision, Predictions};
/// use typenet::prelude::*;
/// let mut counts = ClassCounts::default();
/// let batch = Predictions { outputs: 1, kind: BinaryCrossEntropy.accuracy(), y: &[0.9, 0.2], t: &[1.0, 1.0] };
/// Precision::binary().update(&mut counts, &batch);
/// // Class 0: one false positive; class 1: one true positive, one false negative.
/// assert_eq!(counts.per_class, vec![[0, 1, 0], [1, 0, 1]]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    /// `[tp, fp, fn]` per class.
    pub per_class: Vec<[u64; 3]>,
    /// Whether the classes are independent yes/no outputs (multi-label).
    pub multi_label: bool,
}

impl ClassCounts {
    fn add(&mut self, batch: &Predictions<'_>) {
        match batch.classes() {
            Some(classes) => {
                self.per_class.resize(classes, [0; 3]);
                for (y, t) in batch.samples_iter() {
                    let (predicted, truth) = (batch.predicted_class(y), batch.true_class(t));
                    if predicted == truth {
                        self.per_class[truth][0] += 1;
                    } else {
                        self.per_class[predicted][1] += 1;
                        self.per_class[truth][2] += 1;
                    }
                }
            }
            None => {
                let threshold = batch.threshold().unwrap_or(0.5);
                self.multi_label = true;
                self.per_class.resize(batch.outputs, [0; 3]);
                for (y, t) in batch.samples_iter() {
                    for (j, (&y, &t)) in y.iter().zip(t).enumerate() {
                        match (y > threshold, t > 0.5) {
                            (true, true) => self.per_class[j][0] += 1,
                            (true, false) => self.per_class[j][1] += 1,
                            (false, true) => self.per_class[j][2] += 1,
                            (false, false) => {}
                        }
                    }
                }
            }
        }
    }

    /// The counts the average is taken over: one entry for `Binary`, one per
    /// class that occurs for `Macro`.
    fn averaged(&self, average: Averaging, score: impl Fn([u64; 3]) -> f64) -> f32 {
        let value = match average {
            Averaging::Binary if self.multi_label => {
                let pooled =
                    self.per_class.iter().fold([0; 3], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2]]);
                score(pooled)
            }
            Averaging::Binary => score(self.per_class.get(1).copied().unwrap_or_default()),
            Averaging::Macro => {
                let present: Vec<[u64; 3]> = if self.multi_label {
                    self.per_class.clone()
                } else {
                    self.per_class.iter().copied().filter(|c| c.iter().any(|&n| n > 0)).collect()
                };
                present.iter().map(|&c| score(c)).sum::<f64>() / present.len().max(1) as f64
            }
        };
        value as f32
    }
}

/// A ratio that is 0 when its denominator is (scikit-learn's
/// `zero_division` default).
fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Why precision, recall or F1 cannot measure these outputs.
fn average_problem(average: Averaging, outputs: usize, kind: AccuracyKind) -> Option<String> {
    match (kind, average) {
        (AccuracyKind::None, _) => Some("the loss gives no classes (a regression loss)".into()),
        (AccuracyKind::Categorical, Averaging::Binary) if outputs != 2 => Some(format!(
            "a binary average needs two classes, the network has {outputs} outputs: use the macro average"
        )),
        _ => None,
    }
}

macro_rules! class_metric {
    ($(#[$doc:meta])* $name:ident, $key:literal, |$c:ident| $score:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            /// How classes combine.
            pub average: Averaging,
        }

        impl $name {
            /// Of the positive class (see [`Averaging::Binary`]).
            pub fn binary() -> Self {
                $name { average: Averaging::Binary }
            }
            /// The unweighted mean over classes (see [`Averaging::Macro`]).
            pub fn macro_averaged() -> Self {
                $name { average: Averaging::Macro }
            }
        }

        impl Metric for $name {
            type State = ClassCounts;
            fn name(&self) -> String {
                match self.average {
                    Averaging::Binary => $key.into(),
                    Averaging::Macro => concat!("macro_", $key).into(),
                }
            }
            fn higher_is_better(&self) -> bool {
                true
            }
            fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String> {
                average_problem(self.average, outputs, kind)
            }
            fn update(&self, state: &mut ClassCounts, batch: &Predictions<'_>) {
                state.add(batch);
            }
            fn value(&self, state: &ClassCounts) -> MetricValue {
                MetricValue::Number(state.averaged(self.average, |$c: [u64; 3]| $score))
            }
        }
    };
}

class_metric!(
    /// Precision, `tp / (tp + fp)` (0 when nothing is predicted positive),
    /// as scikit-learn's `precision_score`. Names: `precision`,
    /// `macro_precision`.
    ///
    /// ```
    /// use typenet::metrics::{Metric, Precision};
    /// use typenet::prelude::*;
    /// // Predicted classes 1, 1, 0 for true classes 1, 0, 0.
    /// let y = [0.2, 0.8, 0.3, 0.7, 0.9, 0.1];
    /// let t = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    /// let kind = CrossEntropy.accuracy();
    /// assert_eq!(Precision::binary().compute_slices(2, kind, &y, &t).scalar(), Some(0.5));
    /// assert_eq!(Precision::macro_averaged().compute_slices(2, kind, &y, &t).scalar(), Some(0.75));
    /// ```
    Precision, "precision", |c| ratio(c[0], c[0] + c[1])
);

class_metric!(
    /// Recall, `tp / (tp + fn)` (0 when there is no positive), as
    /// scikit-learn's `recall_score`. Names: `recall`, `macro_recall`.
    ///
    /// ```
    /// use typenet::metrics::{Metric, Recall};
    /// use typenet::prelude::*;
    /// let kind = BinaryCrossEntropy.accuracy();
    /// let recall = Recall::binary().compute_slices(1, kind, &[0.9, 0.2, 0.6], &[1.0, 1.0, 0.0]);
    /// assert_eq!(recall.scalar(), Some(0.5));
    /// ```
    Recall, "recall", |c| ratio(c[0], c[0] + c[2])
);

class_metric!(
    /// F1, `2 tp / (2 tp + fp + fn)` (0 when undefined), as scikit-learn's
    /// `f1_score`; the macro average is the mean of the classes' F1, not
    /// the F1 of the mean precision and recall. Names: `f1`, `macro_f1`.
    ///
    /// ```
    /// use typenet::metrics::{Metric, F1};
    /// use typenet::prelude::*;
    /// let kind = BinaryCrossEntropy.accuracy();
    /// let f1 = F1::binary().compute_slices(1, kind, &[0.9, 0.2, 0.6], &[1.0, 1.0, 0.0]);
    /// assert_eq!(f1.scalar(), Some(0.5));
    /// ```
    F1, "f1", |c| ratio(2 * c[0], 2 * c[0] + c[1] + c[2])
);

/// Counts of (true class, predicted class) over `classes` classes, rows
/// true and columns predicted, as scikit-learn's `confusion_matrix`.
///
/// ```
/// use typenet::metrics::{ConfusionMatrix, Metric};
/// use typenet::prelude::*;
/// let kind = BinaryCrossEntropy.accuracy();
/// let value = ConfusionMatrix.compute_slices(1, kind, &[0.9, 0.2, 0.6], &[1.0, 1.0, 0.0]);
/// let matrix = value.matrix().unwrap();
/// assert_eq!(matrix.get(1, 0), 1); // one positive predicted negative
/// assert_eq!(matrix.rows(), vec![vec![0, 1], vec![1, 1]]);
/// println!("{matrix}");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Number of classes.
    pub classes: usize,
    /// `classes * classes` counts, row-major: `counts[truth * classes + predicted]`.
    pub counts: Vec<u64>,
}

impl Confusion {
    /// Samples of class `truth` predicted as `predicted`.
    ///
    /// # Panics
    /// If either is not below `classes`.
    pub fn get(&self, truth: usize, predicted: usize) -> u64 {
        assert!(truth < self.classes && predicted < self.classes, "class out of range");
        self.counts[truth * self.classes + predicted]
    }

    /// The matrix as rows (true classes) of columns (predicted classes).
    pub fn rows(&self) -> Vec<Vec<u64>> {
        self.counts.chunks(self.classes.max(1)).map(<[u64]>::to_vec).collect()
    }
}

impl std::fmt::Display for Confusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let width = self
            .counts
            .iter()
            .map(|c| c.to_string().len())
            .max()
            .unwrap_or(1)
            .max(self.classes.to_string().len());
        write!(f, "true\\pred")?;
        for c in 0..self.classes {
            write!(f, " {c:>width$}")?;
        }
        for (truth, row) in self.rows().iter().enumerate() {
            write!(f, "\n{truth:>9}")?;
            for count in row {
                write!(f, " {count:>width$}")?;
            }
        }
        Ok(())
    }
}

/// The confusion matrix of a network with one class per sample (a
/// categorical loss, or one binary output: classes 0 and 1). Its value is
/// [`MetricValue::Counts`]; `History` keeps one per epoch in `matrices`.
/// Name: `confusion_matrix`.
///
/// ```
/// use typenet::metrics::{ConfusionMatrix, Metric};
/// use typenet::prelude::*;
/// let y = [0.1, 0.8, 0.1, 0.6, 0.3, 0.1]; // predicts 1, then 0
/// let t = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]; // truly 1, then 2
/// let value = ConfusionMatrix.compute_slices(3, CrossEntropy.accuracy(), &y, &t);
/// assert_eq!(value.matrix().unwrap().rows(), vec![vec![0, 0, 0], vec![0, 1, 0], vec![1, 0, 0]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfusionMatrix;

impl Metric for ConfusionMatrix {
    type State = Confusion;
    fn name(&self) -> String {
        "confusion_matrix".into()
    }
    fn higher_is_better(&self) -> bool {
        true
    }
    fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String> {
        match (kind, outputs) {
            (AccuracyKind::Categorical, _) | (AccuracyKind::Binary { .. }, 1) => None,
            (AccuracyKind::None, _) => Some("the loss gives no classes (a regression loss)".into()),
            _ => Some("several yes/no outputs have no single class per sample".into()),
        }
    }
    fn update(&self, state: &mut Confusion, batch: &Predictions<'_>) {
        let classes = batch.classes().unwrap_or(0);
        if state.classes != classes {
            *state = Confusion { classes, counts: vec![0; classes * classes] };
        }
        for (y, t) in batch.samples_iter() {
            state.counts[batch.true_class(t) * classes + batch.predicted_class(y)] += 1;
        }
    }
    fn value(&self, state: &Confusion) -> MetricValue {
        MetricValue::Counts(state.clone())
    }
}
