//! `fit`: the epochs, with validation, schedules, early stopping and
//! callbacks around [`run_epoch`](super::epoch::run_epoch).

use std::io::IsTerminal;

use nalgebra::Const;

use super::early_stopping::EarlyStopping;
use super::epoch::{run_epoch, Batches, EpochPlan, Halt};
use super::progress::Progress;
use super::{evaluate, Control, Fit, History};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::layers::{Grads, Layer};
use crate::loss::Loss;
use crate::network::NetworkDef;
use crate::optim::Optimizer;
use crate::tensor::Cols;

/// The training and validation parts: Keras' `validation_split` holds out
/// the last fraction of the samples, before any shuffling.
fn split_for_validation<const IN: usize, const OUT: usize>(
    data: &Dataset<IN, OUT>,
    fraction: f32,
) -> Result<(Dataset<IN, OUT>, Dataset<IN, OUT>)> {
    // Keras: int(n * (1 - split)) in double precision, with the split as
    // the decimal the user wrote (`0.3`, not the f32 nearest to it, which
    // would hold out one sample more).
    let split: f64 = fraction.to_string().parse().unwrap_or(fraction as f64);
    let at = (data.len() as f64 * (1.0 - split)) as usize;
    if at == 0 {
        return Err(Error::Empty("no training samples are left after the validation split".into()));
    }
    Ok((data.slice(0, at), data.slice(at, data.len())))
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
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    O: Optimizer + Clone,
    L: Loss,
{
    settings.validate()?;
    data.check_finite()?;
    net.check_inputs(Cols::new(data.x().as_slice(), IN))?;
    let (train, validation) = split_for_validation(data, settings.validation_split)?;
    let base_lr = opt.learning_rate();
    let outcome = epochs(net, opt, loss, &train, &validation, &mut settings);
    if settings.schedule.is_some() {
        opt.set_learning_rate(base_lr);
    }
    outcome
}

/// The epochs of `fit`, after its checks.
fn epochs<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    opt: &mut O,
    loss: &L,
    train: &Dataset<IN, OUT>,
    validation: &Dataset<IN, OUT>,
    settings: &mut Fit<'_>,
) -> Result<History>
where
    N: NetworkDef<Input = Const<IN>, Output = Const<OUT>>,
    O: Optimizer + Clone,
    L: Loss,
{
    let mut batches = Batches::<IN, OUT>::new(train.len(), settings.batch_size);
    let mut state = (N::Grads::zeros(), <N as Layer>::Cache::default());
    let mut stopping = settings.patience.map(EarlyStopping::new);
    let mut history = History::default();
    let show = settings.verbose && std::io::stderr().is_terminal();
    let base_lr = opt.learning_rate();
    for epoch in 1..=settings.epochs {
        if let Some(schedule) = &settings.schedule {
            let lr = schedule.rate(base_lr, epoch - 1);
            if !(lr.is_finite() && lr >= 0.0) {
                return Err(Error::InvalidArgument(format!(
                    "the schedule gives a learning rate of {lr} for epoch {epoch}"
                )));
            }
            opt.set_learning_rate(lr);
        }
        if settings.shuffle {
            batches.shuffle(settings.seed, epoch);
        }
        // What a step that goes non-finite is rolled back to.
        let snapshot = (net.clone(), opt.clone());
        let mut bar = Progress::new(show, epoch, settings.epochs, batches.steps());
        let plan = EpochPlan { epoch, data: train, loss, clip_norm: settings.clip_norm };
        let stats = match run_epoch(net, opt, &plan, &mut batches, &mut state, &mut bar) {
            Ok(stats) => stats,
            Err(halt) => {
                bar.finish_quietly();
                return Err(match halt {
                    Halt::BeforeStep(error) => error,
                    Halt::AfterStep(error) => {
                        (*net, *opt) = snapshot;
                        error
                    }
                });
            }
        };
        history.loss.push(stats.loss);
        history.accuracy.extend(stats.accuracy);
        if !validation.is_empty() {
            let metrics = evaluate(net, validation, loss);
            if !metrics.loss.is_finite() {
                bar.finish_quietly();
                return Err(Error::NonFiniteValidation { epoch, loss: metrics.loss });
            }
            history.val_loss.push(metrics.loss);
            history.val_accuracy.extend(metrics.accuracy);
        }
        history.learning_rate.push(opt.learning_rate());
        bar.finish(&history);
        let monitored = *history.val_loss.last().unwrap_or(&stats.loss);
        let stop = stopping.as_mut().is_some_and(|s| s.observe(epoch, monitored, net) == Control::Stop);
        let asked =
            settings.on_epoch.as_mut().is_some_and(|callback| callback(epoch, &history) == Control::Stop);
        if stop || asked {
            break;
        }
    }
    history.best_epoch = stopping.and_then(|s| s.restore(net));
    Ok(history)
}
