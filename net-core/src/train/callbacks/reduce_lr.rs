//! `ReduceLrOnPlateau`: Keras' `ReduceLROnPlateau`.

use super::{Callback, Context, Mode, Monitor};
use crate::error::Result;
use crate::optim::decimal;

/// Lowers the learning rate when the monitored value stops improving:
/// Keras' `ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10,
/// mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0)`, decision for
/// decision.
///
/// After each epoch: during a cooldown the counter of bad epochs stays at
/// 0; an improvement (by more than `min_delta`) becomes the best; otherwise,
/// outside a cooldown, once `patience` epochs in a row have not improved,
/// the rate becomes `max(rate * factor, min_lr)` (when it is above
/// `min_lr`) and a cooldown of `cooldown` epochs starts. The new rate holds
/// from the next epoch on; a [`Schedule`](crate::train::Schedule) sets the
/// rate at every epoch's start and so overrides it.
///
/// `fit` refuses a `monitor` it does not measure (Keras only warns).
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::ReduceLrOnPlateau;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..16).map(|i| ([i as f32], [1.0])))?;
/// let plateau = ReduceLrOnPlateau::new().monitor("loss").patience(1).factor(0.5);
/// // A rate too small to move the loss by min_delta: every epoch after the
/// // first is a plateau, so the rate halves from the third epoch on.
/// let settings = Fit::epochs(4).verbose(false).callback(plateau);
/// let history = Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(1e-9), &Mse, settings)?;
/// assert_eq!(history.learning_rate, vec![1e-9, 1e-9, 5e-10, 2.5e-10]);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ReduceLrOnPlateau {
    monitor: Monitor,
    factor: f32,
    patience: usize,
    cooldown: usize,
    min_lr: f32,
    wait: usize,
    cooldown_counter: usize,
}

impl Default for ReduceLrOnPlateau {
    fn default() -> Self {
        ReduceLrOnPlateau {
            monitor: Monitor::new("val_loss", 1e-4),
            factor: 0.1,
            patience: 10,
            cooldown: 0,
            min_lr: 0.0,
            wait: 0,
            cooldown_counter: 0,
        }
    }
}

impl ReduceLrOnPlateau {
    /// Keras' defaults: `val_loss`, factor 0.1, patience 10, `min_delta`
    /// 1e-4, no cooldown, `min_lr` 0.
    pub fn new() -> Self {
        Self::default()
    }
    /// The quantity watched.
    pub fn monitor(mut self, name: &str) -> Self {
        self.monitor.name = name.into();
        self
    }
    /// Whether the monitored value should go down or up.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor.mode = mode;
        self
    }
    /// The factor the rate is multiplied by.
    ///
    /// # Panics
    /// Unless `0 < factor < 1` (Keras refuses a factor of 1 or more).
    pub fn factor(mut self, factor: f32) -> Self {
        assert!(factor > 0.0 && factor < 1.0, "ReduceLrOnPlateau factor {factor} must be in (0, 1)");
        self.factor = factor;
        self
    }
    /// Epochs without improvement before the rate drops.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }
    /// The smallest change that counts as an improvement.
    ///
    /// # Panics
    /// If `min_delta` is not finite.
    pub fn min_delta(mut self, min_delta: f32) -> Self {
        assert!(min_delta.is_finite(), "ReduceLrOnPlateau min_delta {min_delta} must be finite");
        self.monitor.min_delta = min_delta;
        self
    }
    /// Epochs after a drop during which epochs without improvement are not
    /// counted.
    pub fn cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }
    /// The rate never drops below this.
    ///
    /// # Panics
    /// If `min_lr` is negative, NaN or infinite.
    pub fn min_lr(mut self, min_lr: f32) -> Self {
        assert!(
            min_lr.is_finite() && min_lr >= 0.0,
            "ReduceLrOnPlateau min_lr {min_lr} must be finite and not negative"
        );
        self.min_lr = min_lr;
        self
    }

    /// Keras' `on_epoch_end` for a monitored value and the current rate:
    /// the new rate, if it drops.
    fn observe(&mut self, current: f32, lr: f32) -> Option<f32> {
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.wait = 0;
        }
        if self.monitor.is_improvement(current) {
            self.monitor.best = Some(current);
            self.wait = 0;
            return None;
        }
        if self.cooldown_counter > 0 {
            return None;
        }
        self.wait += 1;
        if self.wait < self.patience {
            return None;
        }
        // Keras: the old rate read as a double, compared with min_lr as
        // float32, scaled and floored in double precision, then stored as
        // float32.
        let old = lr as f64;
        if old <= self.min_lr as f64 {
            return None;
        }
        let new = (old * decimal(self.factor)).max(decimal(self.min_lr)) as f32;
        self.cooldown_counter = self.cooldown;
        self.wait = 0;
        Some(new)
    }
}

impl Callback for ReduceLrOnPlateau {
    fn on_train_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        self.monitor.best = None;
        self.wait = 0;
        self.cooldown_counter = 0;
        self.monitor.start(ctx, "ReduceLrOnPlateau")
    }

    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let current = self.monitor.current(ctx, "ReduceLrOnPlateau")?;
        if let Some(lr) = self.observe(current, ctx.learning_rate()) {
            ctx.set_learning_rate(lr);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case of `tools/keras_callbacks.py` for `ReduceLROnPlateau`:
    /// the learning rate after each epoch, as Keras 3 set it for the same
    /// monitored values, bit for bit.
    #[test]
    fn every_keras_fixture_case_sets_the_same_rate_each_epoch() {
        let cases = crate::train::callbacks::fixture::cases("reduce_lr");
        assert!(cases.len() >= 12);
        for case in cases {
            let mut plateau = ReduceLrOnPlateau::new()
                .factor(case.f64("factor") as f32)
                .patience(case.u64("patience") as usize)
                .min_delta(case.f64("min_delta") as f32)
                .cooldown(case.u64("cooldown") as usize)
                .min_lr(case.f64("min_lr") as f32);
            plateau.monitor.start_with(case.string("mode") == "min");
            let mut lr = case.f64("initial_lr") as f32;
            let rates: Vec<f32> = case
                .values("values")
                .into_iter()
                .map(|v| {
                    if let Some(new) = plateau.observe(v, lr) {
                        lr = new;
                    }
                    lr
                })
                .collect();
            assert_eq!(rates, case.values("learning_rates"), "{}", case.name());
        }
    }
}
