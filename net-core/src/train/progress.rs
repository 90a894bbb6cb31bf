//! Progress display of `fit`: an indicatif bar on a terminal (with the
//! `progress` feature), a line per epoch on a terminal without it, nothing
//! when output is not a terminal or `verbose(false)`.

use super::History;

/// A line summarising an epoch.
fn epoch_line(history: &History) -> String {
    let mut line = format!("loss {:.4}", history.loss.last().copied().unwrap_or(f32::NAN));
    if let Some(a) = history.accuracy.last() {
        line += &format!(", accuracy {:.4}", a);
    }
    if let Some(l) = history.val_loss.last() {
        line += &format!(", val_loss {:.4}", l);
    }
    if let Some(a) = history.val_accuracy.last() {
        line += &format!(", val_accuracy {:.4}", a);
    }
    line
}

pub(super) struct Progress {
    epoch: usize,
    epochs: usize,
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
    #[cfg(not(feature = "progress"))]
    show: bool,
}

impl Progress {
    pub(super) fn new(show: bool, epoch: usize, epochs: usize, steps: usize) -> Self {
        #[cfg(feature = "progress")]
        {
            let bar = show.then(|| {
                let bar = indicatif::ProgressBar::new(steps as u64);
                let style = indicatif::ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
                )
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_prefix(format!("{epoch}/{epochs}"));
                bar
            });
            Progress { epoch, epochs, bar }
        }
        #[cfg(not(feature = "progress"))]
        {
            let _ = steps;
            Progress { epoch, epochs, show }
        }
    }

    pub(super) fn step(&mut self, running_loss: f32) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.set_message(format!("loss {running_loss:.4}"));
            bar.inc(1);
        }
        #[cfg(not(feature = "progress"))]
        let _ = running_loss;
    }

    pub(super) fn finish(&mut self, history: &History) {
        let line = epoch_line(history);
        #[cfg(feature = "progress")]
        if let Some(bar) = self.bar.take() {
            bar.finish_with_message(line);
        }
        #[cfg(not(feature = "progress"))]
        if self.show {
            eprintln!("epoch {}/{}: {line}", self.epoch, self.epochs);
        }
        let _ = (self.epoch, self.epochs);
    }

    pub(super) fn finish_quietly(&mut self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}
