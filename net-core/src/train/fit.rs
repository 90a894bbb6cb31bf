//! `fit`: the epochs, with validation, schedules, metrics, early stopping
//! and callbacks around [`run_epoch`](super::epoch::run_epoch).

use std::time::Instant;

use nalgebra::Const;

use super::callbacks::{Callback, Context, Measured, Position};
use super::early_stopping::EarlyStopping;
use super::epoch::{run_epoch, BatchEvent, Batches, EpochPlan, Halt};
use super::evaluate::{measure, sample_weights};
use super::progress::Reporter;
use super::{Control, Fit, History};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::{Grads, Layer};
use crate::loss::{AccuracyKind, Loss};
use crate::metrics::{MetricSet, MetricValue};
use crate::network::NetworkDef;
use crate::optim::Optimizer;
use crate::tensor::Cols;

/// Where Keras' `validation_split` cuts: the training part is the first
/// `int(n * (1 - split))` samples, before any shuffling.
fn split_point(samples: usize, fraction: f32) -> Result<usize> {
    // In double precision, with the split as the decimal the user wrote
    // (`0.3`, not the f32 nearest to it, which would hold out one sample
    // more).
    let split: f64 = fraction.to_string().parse().unwrap_or(fraction as f64);
    let at = (samples as f64 * (1.0 - split)) as usize;
    if at == 0 {
        return Err(Error::Empty(format!(
            "no training samples are left after the validation split: {samples} samples with validation_split({fraction})"
        )));
    }
    Ok(at)
}

/// `fit` as `TrainNetwork::fit` calls it. See there for what it does and
/// the errors it returns.
pub fn fit<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    data: &Dataset<IN, OUT>,
    opt: &mut O,
    loss: &L,
    mut settings: Fit<'_>,
) -> Result<History>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>> + 'static,
    O: Optimizer + Clone + 'static,
    L: Loss,
{
    super::notice::debug_build();
    settings.validate()?;
    if data.is_empty() {
        return Err(Error::Empty("fit got an empty data set: there is no sample to train on".into()));
    }
    data.check_finite()?;
    net.check_inputs(Cols::new(data.x().as_slice(), IN))?;
    settings.metrics.check(OUT, loss.accuracy())?;
    let at = split_point(data.len(), settings.validation_split)?;
    let (train, validation) = (data.slice(0, at), data.slice(at, data.len()));
    let weights = sample_weights(data, settings.sample_weight, settings.class_weight.as_ref())?;
    // Class weights weigh the training loss only; sample weights go with
    // their samples into the validation part (Keras).
    let validation_weights = settings.sample_weight.map(|w| &w[at..]);
    let parts = Parts {
        train: &train,
        train_weights: weights.as_deref().map(|w| &w[..at]),
        validation: &validation,
        validation_weights,
    };
    let base_lr = opt.learning_rate();
    let outcome = epochs(net, opt, loss, &parts, &mut settings);
    if settings.schedule.is_some() {
        opt.set_learning_rate(base_lr);
    }
    outcome
}

/// The data of a `fit`, split.
struct Parts<'a, const IN: usize, const OUT: usize> {
    train: &'a Dataset<IN, OUT>,
    train_weights: Option<&'a [f32]>,
    validation: &'a Dataset<IN, OUT>,
    validation_weights: Option<&'a [f32]>,
}

/// What a `fit` measures each epoch, by name, and which way is better.
fn measured(kind: AccuracyKind, metrics: &MetricSet<'_>, validation: bool) -> Measured {
    let mut names: Vec<(String, Option<bool>)> = vec![("loss".into(), Some(false))];
    if kind != AccuracyKind::None {
        names.push(("accuracy".into(), Some(true)));
    }
    for name in metrics.names() {
        if !names.iter().any(|(n, _)| *n == name) {
            let up = metrics.higher_is_better(&name);
            names.push((name, up));
        }
    }
    if validation {
        let validation: Vec<_> = names.iter().map(|(n, up)| (format!("val_{n}"), *up)).collect();
        names.extend(validation);
    }
    names.push(("learning_rate".into(), None));
    Measured { names }
}

/// Which callback method to run.
#[derive(Clone, Copy)]
enum Hook {
    TrainBegin,
    EpochBegin,
    BatchBegin,
    BatchEnd,
    EpochEnd,
    TrainEnd,
}

/// Runs `hook` of every callback in order; returns whether one asked to
/// stop.
fn run_hook<N, O>(
    callbacks: &mut [Box<dyn Callback + '_>],
    hook: Hook,
    net: &mut N,
    opt: &mut O,
    history: &History,
    measured: &Measured,
    position: Position,
) -> Result<bool>
where
    N: super::callbacks::DynNetwork,
    O: super::callbacks::DynOptimizer,
{
    let mut stop = false;
    for callback in callbacks.iter_mut() {
        let mut ctx = Context { net, opt, history, measured, position, stop: &mut stop };
        match hook {
            Hook::TrainBegin => callback.on_train_begin(&mut ctx),
            Hook::EpochBegin => callback.on_epoch_begin(&mut ctx),
            Hook::BatchBegin => callback.on_batch_begin(&mut ctx),
            Hook::BatchEnd => callback.on_batch_end(&mut ctx),
            Hook::EpochEnd => callback.on_epoch_end(&mut ctx),
            Hook::TrainEnd => callback.on_train_end(&mut ctx),
        }?;
    }
    Ok(stop)
}

/// Puts an epoch's metric values into the history under `prefix`.
fn record(history: &mut History, prefix: &str, values: std::collections::BTreeMap<String, MetricValue>) {
    for (name, value) in values {
        let key = format!("{prefix}{name}");
        match value {
            // The loss's own accuracy is already in `accuracy`.
            MetricValue::Number(_) if name == "accuracy" => {}
            MetricValue::Number(v) => history.metrics.entry(key).or_default().push(v),
            MetricValue::Counts(m) => history.matrices.entry(key).or_default().push(m),
        }
    }
}

/// The epochs of `fit`, after its checks.
fn epochs<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    opt: &mut O,
    loss: &L,
    parts: &Parts<'_, IN, OUT>,
    settings: &mut Fit<'_>,
) -> Result<History>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>> + 'static,
    O: Optimizer + Clone + 'static,
    L: Loss,
{
    let (train, validation) = (parts.train, parts.validation);
    let mut batches = Batches::<IN, OUT>::new(train.len(), settings.batch_size);
    let mut state = (N::Grads::zeros(), <N as Layer>::Cache::default());
    let mut stopping = settings.patience.map(EarlyStopping::new);
    let mut history = History::default();
    let measured = measured(loss.accuracy(), &settings.metrics, !validation.is_empty());
    let mut reporter =
        Reporter::new(settings.verbose, settings.log.take(), settings.epochs, settings.metrics.names());
    let base_lr = opt.learning_rate();
    let steps = batches.steps();
    let mut position = Position { epochs: settings.epochs, steps, ..Position::default() };
    let callbacks = &mut settings.callbacks;
    let mut stop = run_hook(callbacks, Hook::TrainBegin, net, opt, &history, &measured, position)?;
    for epoch in 1..=settings.epochs {
        if stop {
            break;
        }
        let started = Instant::now();
        position = Position { epoch, step: None, batch_loss: None, ..position };
        if let Some(schedule) = &settings.schedule {
            let lr = schedule.rate(base_lr, epoch - 1);
            if !(lr.is_finite() && lr >= 0.0) {
                return Err(Error::InvalidArgument(format!(
                    "the schedule gives a learning rate of {lr} for epoch {epoch}"
                )));
            }
            opt.set_learning_rate(lr);
        }
        stop |= run_hook(callbacks, Hook::EpochBegin, net, opt, &history, &measured, position)?;
        if settings.shuffle {
            batches.shuffle(settings.seed, epoch);
        }
        // What a step that goes non-finite is rolled back to.
        let snapshot = (net.clone(), opt.clone());
        reporter.begin_epoch(epoch, steps);
        let plan = EpochPlan {
            epoch,
            data: train,
            weights: parts.train_weights,
            loss,
            clip_norm: settings.clip_norm,
        };
        let mut hooks = |net: &mut N, opt: &mut O, event: BatchEvent| -> Result<bool> {
            let (hook, at) = match event {
                BatchEvent::Begin(step) => {
                    (Hook::BatchBegin, Position { step: Some(step), batch_loss: None, ..position })
                }
                BatchEvent::End(step, loss) => {
                    (Hook::BatchEnd, Position { step: Some(step), batch_loss: Some(loss), ..position })
                }
            };
            let asked = run_hook(callbacks, hook, net, opt, &history, &measured, at)?;
            if let BatchEvent::End(..) = event {
                position.global_step += 1;
            }
            stop |= asked;
            Ok(stop)
        };
        let outcome = run_epoch(
            net,
            opt,
            &plan,
            &mut batches,
            &mut state,
            &mut reporter,
            &mut settings.metrics,
            &mut hooks,
        );
        let stats = match outcome {
            Ok(stats) => stats,
            Err(halt) => {
                reporter.abandon();
                return Err(match halt {
                    Halt::BeforeStep(error) => error,
                    Halt::AfterStep(error) => {
                        (*net, *opt) = snapshot;
                        error
                    }
                });
            }
        };
        position.step = None;
        history.loss.push(stats.loss);
        history.accuracy.extend(stats.accuracy);
        let train_values = settings.metrics.take_values();
        record(&mut history, "", train_values);
        if !validation.is_empty() {
            let metrics = measure(net, validation, loss, parts.validation_weights, &mut settings.metrics);
            if !metrics.loss.is_finite() {
                reporter.abandon();
                return Err(Error::NonFiniteValidation { epoch, loss: metrics.loss });
            }
            history.val_loss.push(metrics.loss);
            history.val_accuracy.extend(metrics.accuracy);
            record(&mut history, "val_", metrics.values);
        }
        history.learning_rate.push(stats.learning_rate);
        history.seconds.push(started.elapsed().as_secs_f32());
        reporter.end_epoch(&history)?;
        let monitored = *history.val_loss.last().unwrap_or(&stats.loss);
        if stopping.as_mut().is_some_and(|s| s.observe(epoch, monitored, net) == Control::Stop) {
            stop = true;
        }
        stop |= run_hook(callbacks, Hook::EpochEnd, net, opt, &history, &measured, position)?;
    }
    history.best_epoch = stopping.and_then(|s| s.restore(net));
    run_hook(callbacks, Hook::TrainEnd, net, opt, &history, &measured, position)?;
    Ok(history)
}
