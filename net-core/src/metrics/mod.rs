//! Metrics: what `fit` and `evaluate` measure besides the loss, Keras'
//! `metrics=[...]`. Each [`Metric`] is a small value (`Accuracy`,
//! `TopK(3)`, `F1::macro_averaged()`) with running totals of its own type,
//! updated batch by batch and read once per epoch.
//!
//! Metrics read the network's outputs the way its loss does
//! ([`AccuracyKind`]): a categorical loss predicts the arg-max class, a
//! binary one says yes where the output is above 0.5 (0 on logits). As with
//! Keras' `metrics=` (not `weighted_metrics=`), sample and class weights
//! change the loss only, never a metric.
//!
//! ```
//! use typenet::metrics::{F1, Metric, MetricValue, Precision};
//! use typenet::prelude::*;
//! // Three samples of a sigmoid output against their 0/1 targets.
//! let (y, t) = ([0.9, 0.4, 0.7], [1.0, 1.0, 0.0]);
//! let kind = BinaryCrossEntropy.accuracy();
//! assert_eq!(Precision::binary().compute_slices(1, kind, &y, &t), MetricValue::Number(0.5));
//! assert_eq!(F1::binary().compute_slices(1, kind, &y, &t).scalar(), Some(0.5));
//! ```

mod auc;
mod classification;
mod regression;

use std::collections::BTreeMap;

pub use auc::AucRoc;
pub use classification::{
    Accuracy, Averaging, ClassCounts, Confusion, ConfusionMatrix, Precision, Recall, TopK, F1,
};
pub use regression::{ErrorSums, Mae, Rmse};

use crate::error::{Error, Result};
use crate::loss::{AccuracyKind, Loss};
use crate::tensor::Batch;

/// One batch of outputs and targets as a metric sees it: `outputs` values
/// per sample, column-major (one sample after another), and how the loss
/// reads them as predictions.
///
/// ```
/// use typenet::metrics::Predictions;
/// use typenet::prelude::*;
/// let batch = Predictions { outputs: 2, kind: CrossEntropy.accuracy(), y: &[0.2, 0.8, 0.9, 0.1], t: &[0.0, 1.0, 0.0, 1.0] };
/// assert_eq!(batch.samples(), 2);
/// assert_eq!(batch.classes(), Some(2));
/// let (y, t) = batch.samples_iter().nth(1).unwrap();
/// assert_eq!((batch.predicted_class(y), batch.true_class(t)), (0, 1));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Predictions<'a> {
    /// Outputs per sample.
    pub outputs: usize,
    /// How the outputs read as predictions (from the loss).
    pub kind: AccuracyKind,
    /// The network's outputs, `outputs` per sample.
    pub y: &'a [f32],
    /// The targets, laid out as `y`.
    pub t: &'a [f32],
}

impl<'a> Predictions<'a> {
    /// Samples in the batch.
    pub fn samples(&self) -> usize {
        self.y.len() / self.outputs.max(1)
    }

    /// Each sample's `(outputs, targets)`.
    pub fn samples_iter(&self) -> impl Iterator<Item = (&'a [f32], &'a [f32])> + 'a {
        let rows = self.outputs.max(1);
        self.y.chunks_exact(rows).zip(self.t.chunks_exact(rows))
    }

    /// Whether each sample has one class (a categorical loss, or a binary
    /// loss on one output: classes 0 and 1), and how many classes there
    /// are; `None` for several yes/no outputs (multi-label) or no
    /// classification at all.
    pub fn classes(&self) -> Option<usize> {
        match self.kind {
            AccuracyKind::Categorical => Some(self.outputs),
            AccuracyKind::Binary { .. } if self.outputs == 1 => Some(2),
            _ => None,
        }
    }

    /// The class a sample's outputs predict: the arg-max (the first of
    /// equal maxima), or for one binary output whether it is above the
    /// threshold.
    pub fn predicted_class(&self, y: &[f32]) -> usize {
        match self.kind {
            AccuracyKind::Binary { threshold } => usize::from(y[0] > threshold),
            _ => argmax(y),
        }
    }

    /// The class a sample's targets name: the arg-max of a one-hot target,
    /// or for one binary target whether it is above 0.5.
    pub fn true_class(&self, t: &[f32]) -> usize {
        match self.kind {
            AccuracyKind::Binary { .. } => usize::from(t[0] > 0.5),
            _ => argmax(t),
        }
    }

    /// The yes/no threshold of binary outputs.
    fn threshold(&self) -> Option<f32> {
        match self.kind {
            AccuracyKind::Binary { threshold } => Some(threshold),
            _ => None,
        }
    }
}

/// The index of the first largest value.
fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
        .0
}

/// What a metric reports: a number, or a confusion matrix.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricValue {
    /// A number per epoch (what [`History`](crate::History) keeps and plots).
    Number(f32),
    /// Counts of (true class, predicted class).
    Counts(Confusion),
}

impl MetricValue {
    /// The number, if this is one.
    ///
    /// ```
    /// use typenet::metrics::MetricValue;
    /// assert_eq!(MetricValue::Number(0.5).scalar(), Some(0.5));
    /// ```
    pub fn scalar(&self) -> Option<f32> {
        match self {
            MetricValue::Number(v) => Some(*v),
            MetricValue::Counts(_) => None,
        }
    }

    /// The confusion matrix, if this is one.
    pub fn matrix(&self) -> Option<&Confusion> {
        match self {
            MetricValue::Counts(m) => Some(m),
            MetricValue::Number(_) => None,
        }
    }
}

/// A metric: a name, running totals (`State`) updated batch by batch, and
/// the value they give. Implement it for a metric of your own; `fit` and
/// `evaluate` take any list of metrics (see [`MetricList`]).
///
/// ```
/// use typenet::metrics::{Metric, MetricValue, Predictions};
/// use typenet::prelude::*;
///
/// /// The largest absolute error seen.
/// struct MaxError;
///
/// impl Metric for MaxError {
///     type State = f32;
///     fn name(&self) -> String {
///         "max_error".into()
///     }
///     fn higher_is_better(&self) -> bool {
///         false
///     }
///     fn update(&self, state: &mut f32, batch: &Predictions<'_>) {
///         for (y, t) in batch.y.iter().zip(batch.t) {
///             *state = state.max((y - t).abs());
///         }
///     }
///     fn value(&self, state: &f32) -> MetricValue {
///         MetricValue::Number(*state)
///     }
/// }
///
/// assert_eq!(MaxError.compute_slices(1, Mse.accuracy(), &[1.0, 2.0], &[1.5, 0.0]).scalar(), Some(2.0));
/// ```
pub trait Metric {
    /// The running totals over the batches of an epoch; `Default` is the
    /// empty state.
    type State: Default;

    /// The name `History` and `Metrics` keep the value under (`val_` is
    /// put in front for the validation part).
    fn name(&self) -> String;

    /// Whether a larger value is better (what `Checkpoint` and
    /// `ReduceLrOnPlateau` use for `Mode::Auto`).
    fn higher_is_better(&self) -> bool;

    /// Why this metric cannot measure a network with `outputs` outputs
    /// trained with a loss of this kind, if it cannot; `fit` and
    /// `evaluate_with` refuse such a list before anything runs.
    fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String> {
        let _ = (outputs, kind);
        None
    }

    /// Adds one batch to the totals.
    fn update(&self, state: &mut Self::State, batch: &Predictions<'_>);

    /// The value of the totals.
    fn value(&self, state: &Self::State) -> MetricValue;

    /// The value over one set of column-major outputs and targets, at once.
    ///
    /// # Panics
    /// If the metric cannot measure such outputs (see
    /// [`problem`](Self::problem)) or `y` and `t` differ in length.
    fn compute_slices(&self, outputs: usize, kind: AccuracyKind, y: &[f32], t: &[f32]) -> MetricValue {
        if let Some(problem) = self.problem(outputs, kind) {
            panic!("{}: {problem}", self.name());
        }
        assert_eq!(y.len(), t.len(), "outputs and targets differ in length");
        let mut state = Self::State::default();
        self.update(&mut state, &Predictions { outputs, kind, y, t });
        self.value(&state)
    }

    /// The value over a batch of outputs against targets, read the way
    /// `loss` reads them.
    ///
    /// ```
    /// use typenet::metrics::{Metric, TopK};
    /// use typenet::prelude::*;
    /// let y = Batch::<3>::from_column_slice(&[0.1, 0.5, 0.4, 0.7, 0.2, 0.1]);
    /// let t = Batch::<3>::from_column_slice(&[0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    /// assert_eq!(TopK(2).compute(&CrossEntropy, &y, &t).scalar(), Some(1.0));
    /// assert_eq!(TopK(1).compute(&CrossEntropy, &y, &t).scalar(), Some(0.0));
    /// ```
    ///
    /// # Panics
    /// As [`compute_slices`](Self::compute_slices).
    fn compute<L: Loss, const N: usize>(&self, loss: &L, y: &Batch<N>, t: &Batch<N>) -> MetricValue {
        self.compute_slices(N, loss.accuracy(), y.as_slice(), t.as_slice())
    }
}

/// A metric with its totals, behind one object-safe face.
trait Tracker {
    fn name(&self) -> String;
    fn higher_is_better(&self) -> bool;
    fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String>;
    fn reset(&mut self);
    fn update(&mut self, batch: &Predictions<'_>);
    fn value(&self) -> MetricValue;
}

struct Tracked<M: Metric> {
    metric: M,
    state: M::State,
}

impl<M: Metric> Tracker for Tracked<M> {
    fn name(&self) -> String {
        self.metric.name()
    }
    fn higher_is_better(&self) -> bool {
        self.metric.higher_is_better()
    }
    fn problem(&self, outputs: usize, kind: AccuracyKind) -> Option<String> {
        self.metric.problem(outputs, kind)
    }
    fn reset(&mut self) {
        self.state = M::State::default();
    }
    fn update(&mut self, batch: &Predictions<'_>) {
        self.metric.update(&mut self.state, batch);
    }
    fn value(&self) -> MetricValue {
        self.metric.value(&self.state)
    }
}

/// The metrics `fit` or `evaluate_with` measure, in the order given; made
/// from a [`MetricList`].
#[derive(Default)]
pub struct MetricSet<'a> {
    trackers: Vec<Box<dyn Tracker + 'a>>,
}

impl<'a> MetricSet<'a> {
    /// The set of a list of metrics.
    ///
    /// ```
    /// use typenet::metrics::{Accuracy, MetricSet, Precision, TopK};
    /// assert_eq!(MetricSet::of((Accuracy, TopK(3), Precision::binary())).names(), ["accuracy", "top_3_accuracy", "precision"]);
    /// ```
    pub fn of(list: impl MetricList<'a>) -> Self {
        let mut set = MetricSet::default();
        list.add_to(&mut set);
        set
    }

    /// Adds one metric.
    pub fn push<M: Metric + 'a>(&mut self, metric: M) {
        self.trackers.push(Box::new(Tracked { metric, state: M::State::default() }));
    }

    /// The metrics' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.trackers.iter().map(|t| t.name()).collect()
    }

    /// Whether there is no metric.
    pub fn is_empty(&self) -> bool {
        self.trackers.is_empty()
    }

    /// Whether a larger value of the metric `name` is better, if the set
    /// has it.
    pub(crate) fn higher_is_better(&self, name: &str) -> Option<bool> {
        self.trackers.iter().find(|t| t.name() == name).map(|t| t.higher_is_better())
    }

    /// Refuses a metric that cannot measure these outputs, or two with the
    /// same name.
    pub(crate) fn check(&self, outputs: usize, kind: AccuracyKind) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for tracker in &self.trackers {
            let name = tracker.name();
            if let Some(problem) = tracker.problem(outputs, kind) {
                return Err(Error::InvalidArgument(format!("metric `{name}`: {problem}")));
            }
            if name == "loss" || !seen.insert(name.clone()) {
                return Err(Error::InvalidArgument(format!("two metrics are named `{name}`")));
            }
        }
        Ok(())
    }

    pub(crate) fn reset(&mut self) {
        self.trackers.iter_mut().for_each(|t| t.reset());
    }

    pub(crate) fn update(&mut self, batch: &Predictions<'_>) {
        self.trackers.iter_mut().for_each(|t| t.update(batch));
    }

    /// Every metric's value by name, then the totals start again.
    pub(crate) fn take_values(&mut self) -> BTreeMap<String, MetricValue> {
        let values = self.trackers.iter().map(|t| (t.name(), t.value())).collect();
        self.reset();
        values
    }
}

impl std::fmt::Debug for MetricSet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// What `.metrics(..)` takes: one metric, a tuple of metrics of different
/// types (up to 8), an array or a `Vec` of metrics of one type.
///
/// ```
/// use typenet::metrics::{Accuracy, AucRoc, MetricSet, Precision, Recall, TopK};
/// assert_eq!(MetricSet::of(AucRoc).names(), ["auc"]);
/// assert_eq!(MetricSet::of((Precision::binary(), Recall::binary(), AucRoc)).names().len(), 3);
/// assert_eq!(MetricSet::of([TopK(1), TopK(3)]).names(), ["top_1_accuracy", "top_3_accuracy"]);
/// assert_eq!(MetricSet::of(vec![Accuracy]).names(), ["accuracy"]);
/// ```
pub trait MetricList<'a> {
    /// Adds every metric of the list to `set`.
    fn add_to(self, set: &mut MetricSet<'a>);
}

impl<'a, M: Metric + 'a> MetricList<'a> for M {
    fn add_to(self, set: &mut MetricSet<'a>) {
        set.push(self);
    }
}

impl<'a, M: Metric + 'a, const N: usize> MetricList<'a> for [M; N] {
    fn add_to(self, set: &mut MetricSet<'a>) {
        self.into_iter().for_each(|m| set.push(m));
    }
}

impl<'a, M: Metric + 'a> MetricList<'a> for Vec<M> {
    fn add_to(self, set: &mut MetricSet<'a>) {
        self.into_iter().for_each(|m| set.push(m));
    }
}

macro_rules! tuple_lists {
    ($(($($name:ident),+)),+ $(,)?) => {$(
        impl<'a, $($name: Metric + 'a),+> MetricList<'a> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn add_to(self, set: &mut MetricSet<'a>) {
                let ($($name,)+) = self;
                $(set.push($name);)+
            }
        }
    )+};
}

tuple_lists!(
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);
