//! `evaluate`: loss, accuracy and metrics of a network on a data set, in
//! `Eval` behaviour, with optional sample or class weights.

use std::collections::BTreeMap;

use nalgebra::Const;

use super::settings::check_weights;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::Layer;
use crate::loss::{AccuracyKind, Loss};
use crate::metrics::{Confusion, MetricList, MetricSet, MetricValue, Predictions};
use crate::network::{l2_penalty, NetworkDef};
use crate::tensor::{Batch, Cols, ColsMut};

/// Loss and accuracy of a network on a data set, as `evaluate` reports
/// them, with the metrics `evaluate_with` was given.
///
/// ```
/// use typenet::metrics::{ConfusionMatrix, Recall};
/// use typenet::prelude::*;
/// use typenet::train::Evaluate;
/// network! { struct Tiny { input: 2, out: Dense<1, Sigmoid> } }
/// let data = Dataset::<2, 1>::from_rows(&[[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], &[[0.0], [1.0], [1.0]])?;
/// let net = Tiny::<Eval>::seeded(3);
/// let metrics = net.evaluate_with(&data, &BinaryCrossEntropy, Evaluate::new().metrics((Recall::binary(), ConfusionMatrix)))?;
/// assert!(metrics.loss > 0.0 && metrics.accuracy.is_some());
/// assert!(metrics.get("recall").is_some());
/// let matrix = metrics.confusion_matrix().unwrap();
/// assert_eq!(matrix.counts.iter().sum::<u64>(), 3);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// Mean loss (weighted, with `evaluate_with`'s weights), plus the L2
    /// penalty of `#[l2]` layers.
    pub loss: f32,
    /// Fraction correct; `None` for losses without accuracy (`Mse`).
    pub accuracy: Option<f32>,
    /// The value of each metric given to `evaluate_with`, by name.
    pub values: BTreeMap<String, MetricValue>,
}

impl Metrics {
    /// A value by name: `loss`, `accuracy` or a metric's name; `None` for
    /// a name not measured or a confusion matrix.
    pub fn get(&self, name: &str) -> Option<f32> {
        match name {
            "loss" => Some(self.loss),
            "accuracy" if self.accuracy.is_some() => self.accuracy,
            _ => self.values.get(name).and_then(MetricValue::scalar),
        }
    }

    /// The first confusion matrix among the metrics, if there is one.
    pub fn confusion_matrix(&self) -> Option<&Confusion> {
        self.values.values().find_map(MetricValue::matrix)
    }
}

/// What `evaluate_with` measures besides the loss and accuracy: metrics,
/// and weights for the loss (Keras' `evaluate(..., sample_weight=...)`;
/// class weights too, which Keras' `evaluate` lacks but its `fit` has).
///
/// ```
/// use typenet::metrics::{AucRoc, F1};
/// use typenet::train::Evaluate;
/// let weights = [1.0, 0.5, 2.0];
/// let options = Evaluate::new().metrics((F1::binary(), AucRoc)).sample_weight(&weights);
/// # let _ = options;
/// ```
#[derive(Debug, Default)]
pub struct Evaluate<'a> {
    metrics: MetricSet<'a>,
    sample_weight: Option<&'a [f32]>,
    class_weight: Option<BTreeMap<usize, f32>>,
}

impl<'a> Evaluate<'a> {
    /// No metrics and no weights: what `evaluate` measures.
    pub fn new() -> Self {
        Self::default()
    }
    /// Metrics to measure (one metric, a tuple or an array).
    pub fn metrics(mut self, metrics: impl MetricList<'a>) -> Self {
        metrics.add_to(&mut self.metrics);
        self
    }
    /// A weight per sample for the loss, as `Fit::sample_weight`.
    pub fn sample_weight(mut self, weights: &'a [f32]) -> Self {
        self.sample_weight = Some(weights);
        self
    }
    /// A weight per class for the loss, as `Fit::class_weight`.
    pub fn class_weight(mut self, weights: impl IntoIterator<Item = (usize, f32)>) -> Self {
        self.class_weight = Some(weights.into_iter().collect());
        self
    }
}

/// The message of `evaluate`'s panic on an empty data set.
const EMPTY: &str = "evaluate got an empty data set: there is no sample to measure";

/// Loss (with the L2 penalty) and accuracy of `net` on `data`, with every
/// layer that is not pinned to a phase behaving as in `Eval`.
///
/// # Panics
/// If `data` is empty (a loss of nothing is not 0): use [`try_evaluate`]
/// where an empty set can happen.
pub fn evaluate<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
) -> Metrics
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    L: Loss,
{
    assert!(!data.is_empty(), "{EMPTY}; use try_evaluate to get Error::Empty instead");
    measure(net, data, loss, None, &mut MetricSet::default())
}

/// [`evaluate`], with an empty data set an error.
///
/// # Errors
/// `Error::Empty` if `data` has no sample.
pub fn try_evaluate<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
) -> Result<Metrics>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    L: Loss,
{
    evaluate_with(net, data, loss, Evaluate::new())
}

/// [`evaluate`] with metrics and weights.
///
/// # Errors
/// `Error::Empty` if `data` has no sample; `Error::InvalidArgument` for a
/// metric that cannot measure this network's outputs, two metrics of one
/// name, a weight that is negative or not finite, a count of sample weights
/// other than the data's, or sample and class weights together.
pub fn evaluate_with<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
    mut options: Evaluate<'_>,
) -> Result<Metrics>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    L: Loss,
{
    if data.is_empty() {
        return Err(Error::Empty(EMPTY.into()));
    }
    net.check_inputs(crate::tensor::Cols::new(data.x().as_slice(), IN))?;
    options.metrics.check(OUT, loss.accuracy())?;
    let weights = sample_weights(data, options.sample_weight, options.class_weight.as_ref())?;
    Ok(measure(net, data, loss, weights.as_deref(), &mut options.metrics))
}

/// One weight per sample from sample or class weights (checked), or `None`
/// without either.
pub(super) fn sample_weights<const IN: usize, const OUT: usize>(
    data: &Dataset<IN, OUT>,
    sample: Option<&[f32]>,
    class: Option<&BTreeMap<usize, f32>>,
) -> Result<Option<Vec<f32>>> {
    check_weights(sample, class)?;
    if let Some(weights) = sample {
        if weights.len() != data.len() {
            return Err(Error::InvalidArgument(format!(
                "{} sample weights for {} samples: give one weight per sample",
                weights.len(),
                data.len()
            )));
        }
        return Ok(Some(weights.to_vec()));
    }
    Ok(class.map(|class| {
        (0..data.len())
            .map(|i| {
                let target = data.y().column(i);
                // Keras: the arg-max of a one-hot target, the rounded value
                // (half to even) of a single one.
                let label = if OUT == 1 {
                    let rounded = target[0].round_ties_even();
                    (rounded >= 0.0).then_some(rounded as usize)
                } else {
                    Some(
                        target
                            .iter()
                            .enumerate()
                            .fold((0, f32::NEG_INFINITY), |b, (i, &v)| if v > b.1 { (i, v) } else { b })
                            .0,
                    )
                };
                label.and_then(|l| class.get(&l).copied()).unwrap_or(1.0)
            })
            .collect()
    }))
}

/// Loss, accuracy and `metrics` of `net` on a non-empty `data`.
pub(super) fn measure<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<IN, OUT>,
    loss: &L,
    weights: Option<&[f32]>,
    metrics: &mut MetricSet<'_>,
) -> Metrics
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    L: Loss,
{
    let mut y = Batch::<OUT>::zeros(data.len());
    net.infer_eval(Cols::new(data.x().as_slice(), IN), ColsMut::new(y.as_mut_slice(), OUT));
    let (y, t) = (y.as_slice(), data.y().as_slice());
    let value = match weights {
        Some(w) => loss.weighted_loss_slices(OUT, y, t, w),
        None => loss.loss_slices(OUT, y, t),
    } + l2_penalty(net);
    let kind = loss.accuracy();
    let accuracy = (kind != AccuracyKind::None).then(|| {
        let (correct, total) = kind.count(OUT, y, t);
        correct as f32 / total.max(1) as f32
    });
    metrics.reset();
    metrics.update(&Predictions { outputs: OUT, kind, y, t });
    Metrics { loss: value, accuracy, values: metrics.take_values() }
}
