//! `Checkpoint`: Keras' `ModelCheckpoint`, saving through the network's
//! atomic `save`.

use std::path::PathBuf;

use super::{Callback, Context, Mode, Monitor};
use crate::error::{Error, Result};

/// Saves the network during training: Keras'
/// `ModelCheckpoint(filepath, monitor="val_loss", save_best_only=False,
/// mode="auto", initial_value_threshold=None)`, with the network's own
/// `save` (safetensors, atomic: a crash mid-save leaves the previous file).
///
/// - [`Checkpoint::new`] saves after every epoch; [`every(k)`](Self::every)
///   after every k-th (Keras' `save_freq` counts batches instead; `every(k)`
///   saves where `save_freq = k * steps_per_epoch` would).
/// - [`Checkpoint::best`] (`save_best_only(true)`) saves only when the
///   monitored value improves on the best so far (strictly; the first epoch
///   always does unless `initial_value_threshold` is set).
/// - The path may name the epoch and measured values, as Keras' does:
///   `"ckpt-{epoch:03d}-{val_loss:.4f}.safetensors"` (`{epoch}` counts from 1).
///
/// `fit` refuses a `monitor` it does not measure (Keras only warns).
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::{Checkpoint, Mode};
/// network! { struct Tiny { input: 2, out: Dense<1, Sigmoid> } }
/// let data = Dataset::<2, 1>::from_iter_rows((0..40).map(|i| {
///     let x = i as f32 / 40.0;
///     ([x, 1.0 - x], [f32::from(x > 0.5)])
/// }))?;
/// let dir = std::env::temp_dir().join(format!("typenet-checkpoint-doc-{}", std::process::id()));
/// let settings = Fit::epochs(4)
///     .validation_split(0.25)
///     .verbose(false)
///     .callback(Checkpoint::best(dir.join("best.safetensors")))
///     .callback(Checkpoint::new(dir.join("epoch-{epoch:02d}.safetensors")).every(2))
///     .callback(Checkpoint::best(dir.join("accurate.safetensors")).monitor("val_accuracy").mode(Mode::Maximize));
/// Tiny::<Train>::seeded(1).fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, settings)?;
/// assert!(dir.join("best.safetensors").exists());
/// assert!(dir.join("epoch-02.safetensors").exists() && dir.join("epoch-04.safetensors").exists());
/// assert!(!dir.join("epoch-01.safetensors").exists());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Checkpoint {
    path: PathBuf,
    monitor: Monitor,
    save_best_only: bool,
    every: usize,
    initial_value_threshold: Option<f32>,
    saved: Vec<usize>,
}

impl Checkpoint {
    /// Saves to `path` after every epoch (directories are created).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Checkpoint {
            path: path.into(),
            monitor: Monitor::new("val_loss", 0.0),
            save_best_only: false,
            every: 1,
            initial_value_threshold: None,
            saved: Vec::new(),
        }
    }

    /// Saves to `path` whenever the monitored value (`val_loss` unless
    /// [`monitor`](Self::monitor) says otherwise) is the best so far.
    pub fn best(path: impl Into<PathBuf>) -> Self {
        Checkpoint::new(path).save_best_only(true)
    }

    /// The quantity `save_best_only` watches: `val_loss` (the default),
    /// `loss`, `val_accuracy`, a metric's name, ...
    pub fn monitor(mut self, name: &str) -> Self {
        self.monitor.name = name.into();
        self
    }

    /// Whether the monitored value should go down or up.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor.mode = mode;
        self
    }

    /// Save only on improvement (Keras' `save_best_only`).
    pub fn save_best_only(mut self, save_best_only: bool) -> Self {
        self.save_best_only = save_best_only;
        self
    }

    /// Consider saving after every `k`-th epoch only.
    ///
    /// # Panics
    /// If `k` is 0.
    pub fn every(mut self, k: usize) -> Self {
        assert!(k >= 1, "Checkpoint::every needs at least 1 epoch, got 0");
        self.every = k;
        self
    }

    /// A value the monitored quantity must beat before the first save
    /// (Keras' `initial_value_threshold`).
    pub fn initial_value_threshold(mut self, value: f32) -> Self {
        self.initial_value_threshold = Some(value);
        self
    }

    /// The epochs saved so far.
    pub fn saved_epochs(&self) -> &[usize] {
        &self.saved
    }

    /// Whether (1-based) `epoch` saves, given the monitored value then.
    fn should_save(&mut self, epoch: usize, current: Option<f32>) -> bool {
        if !epoch.is_multiple_of(self.every) {
            return false;
        }
        if !self.save_best_only {
            return true;
        }
        let Some(current) = current else { return true };
        if self.monitor.is_improvement(current) {
            self.monitor.best = Some(current);
            true
        } else {
            false
        }
    }
}

impl Callback for Checkpoint {
    fn on_train_begin(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        self.monitor.best = self.initial_value_threshold;
        self.saved.clear();
        if self.save_best_only {
            self.monitor.start(ctx, "Checkpoint")?;
        }
        Ok(())
    }

    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let epoch = ctx.epoch();
        let current = if self.save_best_only { Some(self.monitor.current(ctx, "Checkpoint")?) } else { None };
        if self.should_save(epoch, current) {
            let path = format_path(&self.path.to_string_lossy(), epoch, |name| ctx.value(name))?;
            let path = PathBuf::from(path);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                std::fs::create_dir_all(dir)
                    .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
            }
            ctx.save(&path)?;
            self.saved.push(epoch);
        }
        Ok(())
    }
}

/// Fills `{epoch}`, `{epoch:03d}`, `{name}` and `{name:.4f}` in a path
/// template, as Python's `str.format` does for Keras' checkpoint paths
/// (`{{` and `}}` are literal braces).
fn format_path(template: &str, epoch: usize, value: impl Fn(&str) -> Option<f32>) -> Result<String> {
    let bad = |why: String| Error::InvalidArgument(format!("checkpoint path `{template}`: {why}"));
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out += &rest[..i];
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(tail.as_bytes()[0] as char);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(bad("a `}` without its `{`".into()));
        }
        let end = tail.find('}').ok_or_else(|| bad("a `{` without its `}`".into()))?;
        let field = &tail[1..end];
        let (key, spec) = field.split_once(':').unwrap_or((field, ""));
        let text = if key == "epoch" {
            let width = spec.trim_end_matches('d');
            match width.strip_prefix('0').filter(|w| !w.is_empty()).map(str::parse::<usize>) {
                Some(Ok(width)) => format!("{epoch:0width$}"),
                None if width.is_empty() => epoch.to_string(),
                _ => return Err(bad(format!("cannot format the epoch as `{spec}`"))),
            }
        } else {
            let v = value(key).ok_or_else(|| bad(format!("`{key}` is not measured")))?;
            let digits = spec.strip_prefix('.').map(|s| s.trim_end_matches('f'));
            match digits.map(str::parse::<usize>) {
                Some(Ok(digits)) => format!("{v:.digits$}"),
                None if spec.is_empty() => v.to_string(),
                _ => return Err(bad(format!("cannot format `{key}` as `{spec}`"))),
            }
        };
        out += &text;
        rest = &tail[end + 1..];
    }
    out += rest;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_epoch_and_values_as_keras_formats_them() {
        let value = |name: &str| (name == "val_loss").then_some(0.123_456);
        assert_eq!(format_path("a/{epoch}.st", 7, value).unwrap(), "a/7.st");
        assert_eq!(format_path("e{epoch:03d}-{val_loss:.2f}", 7, value).unwrap(), "e007-0.12");
        assert_eq!(format_path("{{x}}{epoch:02}", 3, value).unwrap(), "{x}03");
        assert!(format_path("{accuracy}", 1, value).is_err());
        assert!(format_path("{epoch", 1, value).is_err());
    }

    /// Every case of `tools/keras_callbacks.py` for `ModelCheckpoint`: the
    /// epochs Keras 3 saved for the same monitored values.
    #[test]
    fn every_keras_fixture_case_saves_the_same_epochs() {
        let fixture = crate::train::callbacks::fixture::cases("checkpoint");
        assert!(fixture.len() >= 12);
        for case in fixture {
            let mut checkpoint = Checkpoint::new("unused").save_best_only(case.flag("save_best_only"));
            if let Some(k) = case.get("every").and_then(|v| v.as_u64()) {
                checkpoint = checkpoint.every(k as usize);
            }
            if let Some(v) = case.get("initial_value_threshold").and_then(|v| v.as_f64()) {
                checkpoint = checkpoint.initial_value_threshold(v as f32);
            }
            checkpoint.monitor.best = checkpoint.initial_value_threshold;
            checkpoint.monitor.start_with(case.string("mode") == "min");
            let values = case.values("values");
            let saved: Vec<u64> = (1..=values.len())
                .filter(|&e| checkpoint.should_save(e, Some(values[e - 1])))
                .map(|e| e as u64)
                .collect();
            assert_eq!(saved, case.epochs("saved_epochs"), "{}", case.name());
        }
    }
}
