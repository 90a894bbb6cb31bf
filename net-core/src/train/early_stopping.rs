//! Early stopping as Keras does it, as a component `fit` asks after each
//! epoch.

use super::Control;

/// Keras' `EarlyStopping(patience=p, restore_best_weights=True)`: an epoch
/// improves on the best when its monitored loss is strictly lower; after
/// `max(p, 1)` epochs in a row that do not, training stops; the best
/// epoch's weights are restored at the end either way.
pub(super) struct EarlyStopping<N> {
    patience: usize,
    best: Option<(f32, usize, N)>,
    /// Epochs since the best.
    wait: usize,
}

impl<N: Clone> EarlyStopping<N> {
    pub(super) fn new(patience: usize) -> Self {
        EarlyStopping { patience, best: None, wait: 0 }
    }

    /// Records (1-based) `epoch`'s monitored loss (finite) and the weights
    /// it ended with; says whether to go on.
    pub(super) fn observe(&mut self, epoch: usize, monitored: f32, net: &N) -> Control {
        let improved = self.best.as_ref().is_none_or(|(best, ..)| monitored < *best);
        if improved {
            self.best = Some((monitored, epoch, net.clone()));
            self.wait = 0;
            return Control::Continue;
        }
        self.wait += 1;
        if self.wait >= self.patience.max(1) {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    /// Puts the best epoch's weights back; returns that epoch.
    pub(super) fn restore(self, net: &mut N) -> Option<usize> {
        let (_, epoch, weights) = self.best?;
        *net = weights;
        Some(epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epochs run and the epoch restored for a loss sequence.
    fn run(losses: &[f32], patience: usize) -> (usize, Option<usize>) {
        let mut stopping = EarlyStopping::new(patience);
        let mut epochs = 0;
        for (i, &loss) in losses.iter().enumerate() {
            epochs += 1;
            if stopping.observe(i + 1, loss, &(i + 1)) == Control::Stop {
                break;
            }
        }
        let mut net = 0;
        (epochs, stopping.restore(&mut net))
    }

    /// Every case of `tools/keras_early_stopping.py`: Keras 3's own
    /// `EarlyStopping` fed the same validation losses.
    #[test]
    fn every_keras_fixture_case_stops_and_restores_at_the_same_epoch() {
        let text = include_str!("../../../tests/fixtures/keras_early_stopping.json");
        let fixture: serde_json::Value = serde_json::from_str(text).expect("the fixture is JSON");
        let cases = fixture["cases"].as_array().expect("cases");
        assert!(cases.len() >= 28);
        for case in cases {
            let losses: Vec<f32> = case["val_loss"]
                .as_array()
                .expect("losses")
                .iter()
                .map(|v| v.as_f64().map_or(f32::NAN, |v| v as f32))
                .collect();
            let patience = case["patience"].as_u64().expect("patience") as usize;
            let expected = (
                case["epochs_run"].as_u64().expect("epochs") as usize,
                case["restored_epoch"].as_u64().map(|e| e as usize),
            );
            assert_eq!(run(&losses, patience), expected, "{} with patience {patience}", case["name"]);
        }
    }

    #[test]
    fn patience_counts_epochs_without_improvement_as_keras_does() {
        let worse = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
        assert_eq!(run(&worse, 1), (2, Some(1)));
        assert_eq!(run(&worse, 3), (4, Some(1)));
        assert_eq!(run(&worse, 0), (2, Some(1)), "patience 0 behaves as 1");
        assert_eq!(run(&[1.0, 0.8, 0.8, 0.8, 0.7], 2), (4, Some(2)), "an equal loss is no improvement");
    }
}
