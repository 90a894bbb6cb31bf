//! Learning-rate schedules and what callbacks answer.

/// What a per-epoch callback tells `fit` to do next.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..8).map(|i| ([i as f32 / 8.0], [i as f32 / 4.0])))?;
/// // Stop once the training loss is below 0.05, or after 200 epochs.
/// let settings = Fit::epochs(200).verbose(false).on_epoch(|_epoch, history| {
///     if history.loss.last().is_some_and(|&loss| loss < 0.05) { Control::Stop } else { Control::Continue }
/// });
/// let history = Line::<Train>::seeded(1).fit(&data, &mut Adam::new(0.05), &Mse, settings)?;
/// assert!(history.epochs() < 200);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// A learning-rate schedule, applied at the start of each epoch to the
/// optimiser's base rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// Multiply the rate by `factor` every `every` epochs.
    Step {
        /// Epochs between drops.
        every: usize,
        /// Factor per drop.
        factor: f32,
    },
    /// Multiply the rate by `rate` every epoch.
    Exponential {
        /// Factor per epoch.
        rate: f32,
    },
    /// Cosine decay from the base rate to `min_lr` over `epochs` epochs.
    Cosine {
        /// Length of the decay.
        epochs: usize,
        /// The final rate.
        min_lr: f32,
    },
}

impl Schedule {
    /// Why the schedule's parameters are refused, if they are: a factor or
    /// rate must be positive and finite, `every` and `epochs` at least 1, a
    /// minimum rate finite and not negative.
    ///
    /// ```
    /// use typenet::train::Schedule;
    /// assert!(Schedule::Exponential { rate: 0.9 }.problem().is_none());
    /// assert!(Schedule::Step { every: 0, factor: 0.5 }.problem().is_some());
    /// assert!(Schedule::Cosine { epochs: 10, min_lr: f32::NAN }.problem().is_some());
    /// ```
    pub fn problem(&self) -> Option<String> {
        let positive = |name: &str, v: f32| {
            (!(v.is_finite() && v > 0.0)).then(|| format!("schedule {name} {v} must be positive and finite"))
        };
        match *self {
            Schedule::Step { every: 0, .. } => {
                Some("a step schedule must drop every 1 epoch or more, not every 0".to_string())
            }
            Schedule::Step { factor, .. } => positive("factor", factor),
            Schedule::Exponential { rate } => positive("rate", rate),
            Schedule::Cosine { epochs: 0, .. } => {
                Some("a cosine schedule needs at least 1 epoch".to_string())
            }
            Schedule::Cosine { min_lr, .. } => (!(min_lr.is_finite() && min_lr >= 0.0))
                .then(|| format!("schedule min_lr {min_lr} must be finite and not negative")),
        }
    }

    /// The rate for (0-based) `epoch` given the base rate.
    pub fn rate(&self, base: f32, epoch: usize) -> f32 {
        match *self {
            Schedule::Step { every, factor } => base * factor.powi((epoch / every.max(1)) as i32),
            Schedule::Exponential { rate } => base * rate.powi(epoch as i32),
            Schedule::Cosine { epochs, min_lr } => {
                let progress = (epoch as f32 / epochs.max(1) as f32).min(1.0);
                min_lr + (base - min_lr) * 0.5 * (1.0 + (std::f32::consts::PI * progress).cos())
            }
        }
    }
}
