//! `Warmup`: a linear ramp of the learning rate over the first steps.

use super::{Callback, Context};
use crate::error::Result;

/// Ramps the learning rate linearly over the first steps of training, then
/// leaves it to the schedule: at step `s` (counted from 0 when `fit`
/// starts) below `steps`, the rate is
/// `initial + (target - initial) * s / steps`, where `target` is the rate
/// the optimiser would use then (its base rate, or what a
/// [`Schedule`](crate::train::Schedule) or another callback set for the
/// epoch). From step `steps` on, the target itself. This is the warm-up of
/// Keras' `CosineDecay(initial_learning_rate, warmup_target=..,
/// warmup_steps=..)`, rate for rate (with `initial` 0, the first step's rate
/// is 0, as in Keras).
///
/// The rate is set before each step and put back after it, so the
/// optimiser's own rate, `History::learning_rate` and other callbacks see
/// the schedule's rate.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::{Callback, Context, Warmup};
///
/// /// Records the rate each step uses.
/// struct Rates(std::rc::Rc<std::cell::RefCell<Vec<f32>>>);
/// impl Callback for Rates {
///     fn on_batch_begin(&mut self, ctx: &mut Context<'_>) -> typenet::Result<()> {
///         self.0.borrow_mut().push(ctx.learning_rate());
///         Ok(())
///     }
/// }
///
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..8).map(|i| ([i as f32], [1.0])))?;
/// let rates = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
/// let settings = Fit::epochs(3).batch_size(4).verbose(false).callback(Warmup::steps(4)).callback(Rates(rates.clone()));
/// Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.1), &Mse, settings)?;
/// let expected = [0.0, 0.025, 0.05, 0.075, 0.1, 0.1];
/// assert!(rates.borrow().iter().zip(expected).all(|(rate, e)| (rate - e).abs() < 1e-7));
/// assert_eq!(rates.borrow().len(), 6);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Warmup {
    length: Length,
    initial_learning_rate: f32,
    /// The rate to put back after the current step.
    target: Option<f32>,
}

#[derive(Clone, Copy, Debug)]
enum Length {
    Steps(usize),
    Epochs(usize),
}

impl Warmup {
    /// A warm-up over the first `steps` steps (Keras' `warmup_steps`).
    pub fn steps(steps: usize) -> Self {
        Warmup { length: Length::Steps(steps), initial_learning_rate: 0.0, target: None }
    }

    /// A warm-up over the steps of the first `epochs` epochs.
    pub fn epochs(epochs: usize) -> Self {
        Warmup { length: Length::Epochs(epochs), initial_learning_rate: 0.0, target: None }
    }

    /// The rate of the first step (Keras' `initial_learning_rate`; 0 by
    /// default).
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite.
    pub fn initial_learning_rate(mut self, lr: f32) -> Self {
        assert!(
            lr.is_finite() && lr >= 0.0,
            "Warmup initial learning rate {lr} must be finite and not negative"
        );
        self.initial_learning_rate = lr;
        self
    }

    fn length(&self, steps_per_epoch: usize) -> usize {
        match self.length {
            Length::Steps(steps) => steps,
            Length::Epochs(epochs) => epochs * steps_per_epoch,
        }
    }

    /// The rate of (0-based) `step` of a warm-up of `length` steps towards
    /// `target`, in f32 as Keras' compiled graph computes it (the multiply
    /// and the add fused, rounded once); `None` after the warm-up.
    fn rate(&self, step: usize, length: usize, target: f32) -> Option<f32> {
        (step < length).then(|| {
            let done = step as f32 / length as f32;
            (target - self.initial_learning_rate).mul_add(done, self.initial_learning_rate)
        })
    }
}

impl Callback for Warmup {
    fn on_batch_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let target = ctx.learning_rate();
        if let Some(lr) = self.rate(ctx.global_step(), self.length(ctx.steps_per_epoch()), target) {
            ctx.set_learning_rate(lr.max(0.0));
            self.target = Some(target);
        }
        Ok(())
    }

    fn on_batch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        if let Some(target) = self.target.take() {
            ctx.set_learning_rate(target);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case of `tools/keras_callbacks.py` for the warm-up: the rate
    /// of each step of Keras 3's `CosineDecay` with `alpha=1` (constant
    /// after the warm-up), bit for bit.
    #[test]
    fn every_keras_fixture_case_gives_the_same_rate_each_step() {
        let cases = crate::train::callbacks::fixture::cases("warmup");
        assert!(cases.len() >= 4);
        for case in cases {
            let warmup = Warmup::steps(case.u64("warmup_steps") as usize)
                .initial_learning_rate(case.f64("initial_learning_rate") as f32);
            let target = case.f64("warmup_target") as f32;
            let expected = case.values("learning_rates");
            let length = warmup.length(1);
            let rates: Vec<f32> =
                (0..expected.len()).map(|s| warmup.rate(s, length, target).unwrap_or(target)).collect();
            assert_eq!(rates, expected, "{}", case.name());
        }
    }
}
