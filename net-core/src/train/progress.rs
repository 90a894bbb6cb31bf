//! What `fit` shows while it trains: a progress bar on a terminal, one
//! line per epoch otherwise (Keras' `verbose=2`), or nothing.

use std::io::{IsTerminal, Write};

use super::History;

/// How much `fit` shows while it trains.
///
/// `Fit::verbose` takes a `Verbosity` or a `bool` (`true` is [`Bar`](Self::Bar),
/// `false` is [`Silent`](Self::Silent)).
///
/// ```
/// use typenet::train::{Fit, Verbosity};
/// assert_eq!(Verbosity::from(true), Verbosity::Bar);
/// let settings = Fit::epochs(3).verbose(Verbosity::Lines);
/// let quiet = Fit::epochs(3).verbose(false);
/// # let _ = (settings, quiet);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// Nothing.
    Silent,
    /// A progress bar per epoch when standard error is a terminal (with
    /// the `progress` feature); one line per epoch otherwise, as
    /// [`Lines`](Self::Lines). The default.
    #[default]
    Bar,
    /// One line per epoch, Keras' `verbose=2`: the epoch, its seconds, the
    /// loss and every metric, training then validation.
    Lines,
}

impl From<bool> for Verbosity {
    fn from(verbose: bool) -> Self {
        if verbose {
            Verbosity::Bar
        } else {
            Verbosity::Silent
        }
    }
}

/// The line of an epoch: `epoch 3/40 - 0.12s - loss: 0.1234 - accuracy: ...`,
/// with the metrics in the order given and the validation ones after.
pub(super) fn epoch_line(history: &History, epoch: usize, epochs: usize, metric_names: &[String]) -> String {
    let mut line = format!("epoch {epoch}/{epochs}");
    if let Some(seconds) = history.seconds.last() {
        line += &format!(" - {seconds:.2}s");
    }
    let mut push = |name: &str| {
        if let Some(value) = history.last(name) {
            line += &format!(" - {name}: {value:.4}");
        }
    };
    for prefix in ["", "val_"] {
        push(&format!("{prefix}loss"));
        push(&format!("{prefix}accuracy"));
        for name in metric_names.iter().filter(|n| n.as_str() != "accuracy") {
            push(&format!("{prefix}{name}"));
        }
    }
    line
}

/// Where the lines go.
enum Screen<'a> {
    Silent,
    #[cfg(feature = "progress")]
    Bar(Option<indicatif::ProgressBar>),
    /// To the sink, or to standard error through `eprintln!` (which a test
    /// harness captures).
    Lines(Option<Box<dyn Write + 'a>>),
}

/// The display of one `fit`.
pub(super) struct Reporter<'a> {
    display: Screen<'a>,
    epochs: usize,
    metric_names: Vec<String>,
}

impl<'a> Reporter<'a> {
    /// `sink` replaces standard error (and is never a terminal).
    pub(super) fn new(
        verbosity: Verbosity,
        sink: Option<Box<dyn Write + 'a>>,
        epochs: usize,
        metric_names: Vec<String>,
    ) -> Self {
        let lines = Screen::Lines;
        let display = match verbosity {
            Verbosity::Silent => Screen::Silent,
            Verbosity::Lines => lines(sink),
            Verbosity::Bar if sink.is_some() || !std::io::stderr().is_terminal() => lines(sink),
            #[cfg(feature = "progress")]
            Verbosity::Bar => Screen::Bar(None),
            #[cfg(not(feature = "progress"))]
            Verbosity::Bar => lines(None),
        };
        Reporter { display, epochs, metric_names }
    }

    pub(super) fn begin_epoch(&mut self, epoch: usize, steps: usize) {
        #[cfg(feature = "progress")]
        if let Screen::Bar(bar) = &mut self.display {
            let new = indicatif::ProgressBar::new(steps as u64);
            let style = indicatif::ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            new.set_style(style);
            new.set_prefix(format!("{epoch}/{}", self.epochs));
            *bar = Some(new);
        }
        let _ = (epoch, steps);
    }

    pub(super) fn step(&mut self, running_loss: f32) {
        #[cfg(feature = "progress")]
        if let Screen::Bar(Some(bar)) = &self.display {
            bar.set_message(format!("loss {running_loss:.4}"));
            bar.inc(1);
        }
        let _ = running_loss;
    }

    /// Shows the epoch just ended (the last one in `history`).
    ///
    /// # Errors
    /// `Error::Io` if the sink refuses the line.
    pub(super) fn end_epoch(&mut self, history: &History) -> crate::error::Result<()> {
        let epoch = history.epochs();
        match &mut self.display {
            Screen::Silent => {}
            #[cfg(feature = "progress")]
            Screen::Bar(bar) => {
                if let Some(bar) = bar.take() {
                    let line = epoch_line(history, epoch, self.epochs, &self.metric_names);
                    let line = line.split_once(" - ").map_or(line.clone(), |(_, rest)| rest.to_string());
                    bar.finish_with_message(line);
                }
            }
            Screen::Lines(None) => {
                eprintln!("{}", epoch_line(history, epoch, self.epochs, &self.metric_names))
            }
            Screen::Lines(Some(sink)) => {
                let line = epoch_line(history, epoch, self.epochs, &self.metric_names);
                writeln!(sink, "{line}")
                    .and_then(|()| sink.flush())
                    .map_err(|source| crate::error::Error::Io { path: "<fit log>".into(), source })?;
            }
        }
        Ok(())
    }

    /// Takes the bar down without a final line (training failed).
    pub(super) fn abandon(&mut self) {
        #[cfg(feature = "progress")]
        if let Screen::Bar(bar) = &mut self.display {
            if let Some(bar) = bar.take() {
                bar.abandon();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_every_measured_value_in_order() {
        let mut history =
            History { loss: vec![0.5], accuracy: vec![0.75], seconds: vec![0.25], ..History::default() };
        history.val_loss.push(0.25);
        history.metrics.insert("precision".into(), vec![0.5]);
        history.metrics.insert("val_precision".into(), vec![1.0]);
        let line = epoch_line(&history, 1, 3, &["precision".into()]);
        assert_eq!(
            line,
            "epoch 1/3 - 0.25s - loss: 0.5000 - accuracy: 0.7500 - precision: 0.5000 - val_loss: 0.2500 - val_precision: 1.0000"
        );
    }
}
