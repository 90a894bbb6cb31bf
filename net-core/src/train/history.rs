//! [`History`]: the per-epoch curves `fit` returns, as CSV or an SVG plot.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::metrics::Confusion;

/// What `fit` measured, one value per epoch (Keras' `History.history`).
/// Accuracy vectors stay empty for losses without accuracy (`Mse`),
/// validation vectors without a validation split.
///
/// ```
/// use typenet::metrics::Precision;
/// use typenet::prelude::*;
/// network! { struct Tiny { input: 2, out: Dense<1, Sigmoid> } }
/// let data = Dataset::<2, 1>::from_iter_rows((0..40).map(|i| {
///     let x = i as f32 / 40.0;
///     ([x, 1.0 - x], [f32::from(x > 0.5)])
/// }))?;
/// let mut net = Tiny::<Train>::seeded(1);
/// let settings = Fit::epochs(3).validation_split(0.25).metrics(Precision::binary()).verbose(false);
/// let history = net.fit(&data, &mut Adam::new(0.01), &BinaryCrossEntropy, settings)?;
/// assert_eq!(history.metric("val_precision").map(<[f32]>::len), Some(3));
/// assert_eq!(history.metric("loss"), Some(&history.loss[..]));
/// assert_eq!(history.seconds.len(), 3);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Mean training loss (with the L2 penalty), as measured during the epoch.
    pub loss: Vec<f32>,
    /// Validation loss, with dropout off.
    pub val_loss: Vec<f32>,
    /// Training accuracy, as measured during the epoch.
    pub accuracy: Vec<f32>,
    /// Validation accuracy, with dropout off.
    pub val_accuracy: Vec<f32>,
    /// The learning rate of each epoch's last step (a `Schedule` sets one
    /// rate per epoch; a `Warmup` changes it step by step).
    pub learning_rate: Vec<f32>,
    /// With early stopping: the (1-based) epoch whose weights were kept.
    pub best_epoch: Option<usize>,
    /// Every other metric given to `fit` by name (`precision`,
    /// `val_precision`, ...), one value per epoch.
    pub metrics: BTreeMap<String, Vec<f32>>,
    /// Confusion matrices by name (`confusion_matrix`,
    /// `val_confusion_matrix`), one per epoch.
    pub matrices: BTreeMap<String, Vec<Confusion>>,
    /// Wall-clock seconds of each epoch, validation included.
    pub seconds: Vec<f32>,
}

impl History {
    /// Number of epochs run.
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }

    /// A curve by name: `loss`, `val_loss`, `accuracy`, `val_accuracy`,
    /// `learning_rate` or the name of a metric given to `fit` (with `val_`
    /// for the validation part); `None` for a name `fit` did not measure.
    pub fn metric(&self, name: &str) -> Option<&[f32]> {
        let fixed = match name {
            "loss" => Some(&self.loss),
            "val_loss" => Some(&self.val_loss),
            "accuracy" => Some(&self.accuracy),
            "val_accuracy" => Some(&self.val_accuracy),
            "learning_rate" => Some(&self.learning_rate),
            _ => None,
        };
        fixed.filter(|v| !v.is_empty()).or_else(|| self.metrics.get(name)).map(Vec::as_slice)
    }

    /// The last value of the curve `name` (see [`metric`](Self::metric)).
    pub fn last(&self, name: &str) -> Option<f32> {
        self.metric(name).and_then(|v| v.last().copied())
    }

    /// The names of every curve measured, as [`metric`](Self::metric) takes
    /// them (the loss first).
    pub fn names(&self) -> Vec<String> {
        let fixed = ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"];
        let mut names: Vec<String> =
            fixed.iter().filter(|n| self.metric(n).is_some()).map(|n| n.to_string()).collect();
        names.extend(self.metrics.keys().filter(|k| !fixed.contains(&k.as_str())).cloned());
        names
    }

    /// The curves as CSV: `epoch,loss,val_loss,accuracy,val_accuracy,learning_rate`
    /// (empty fields where a curve was not measured), then one column per
    /// other metric in name order.
    ///
    /// ```
    /// let mut h = typenet::train::History::default();
    /// h.loss = vec![0.5, 0.25];
    /// assert_eq!(h.to_csv().lines().nth(2), Some("2,0.25,,,,"));
    /// ```
    pub fn to_csv(&self) -> String {
        let cell = |v: &[f32], i: usize| v.get(i).map(|x| x.to_string()).unwrap_or_default();
        let mut out = String::from("epoch,loss,val_loss,accuracy,val_accuracy,learning_rate");
        for name in self.metrics.keys() {
            out += &format!(",{name}");
        }
        out.push('\n');
        for i in 0..self.epochs() {
            out += &format!(
                "{},{},{},{},{},{}",
                i + 1,
                cell(&self.loss, i),
                cell(&self.val_loss, i),
                cell(&self.accuracy, i),
                cell(&self.val_accuracy, i),
                cell(&self.learning_rate, i)
            );
            for values in self.metrics.values() {
                out += &format!(",{}", cell(values, i));
            }
            out.push('\n');
        }
        out
    }

    /// Writes [`to_csv`](Self::to_csv) to a file.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_csv()).map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    /// Draws the curves, training and validation, with axes and legends,
    /// as an SVG file: one panel for the loss, one for accuracy, and one per
    /// other metric given to `fit`, two panels a row.
    ///
    /// # Errors
    /// `Error::Plot` if drawing or writing the file fails.
    #[cfg(feature = "plot")]
    pub fn plot_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        use plotters::prelude::*;

        let plot_error = |e: &dyn std::fmt::Display| Error::Plot(e.to_string());
        let empty = Vec::new();
        let curve = |name: &str| self.metric(name).unwrap_or(&empty[..]);
        let mut panels: Vec<(String, &[f32], &[f32])> = vec![
            ("loss".into(), &self.loss, &self.val_loss),
            ("accuracy".into(), &self.accuracy, &self.val_accuracy),
        ];
        for name in self.metrics.keys().filter(|k| !k.starts_with("val_")) {
            panels.push((name.clone(), curve(name), curve(&format!("val_{name}"))));
        }
        for name in self.metrics.keys().filter_map(|k| k.strip_prefix("val_")) {
            if !self.metrics.contains_key(name) {
                panels.push((name.to_string(), &empty, curve(&format!("val_{name}"))));
            }
        }
        let rows = panels.len().div_ceil(2);
        let root = SVGBackend::new(path.as_ref(), (1000, 420 * rows as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(&e))?;
        let areas = root.split_evenly((rows, 2));
        for ((name, train, validation), area) in panels.iter().zip(&areas) {
            let title = name.replace('_', " ");
            let title = title[..1].to_uppercase() + &title[1..];
            let values: Vec<f32> =
                train.iter().chain(validation.iter()).copied().filter(|v| v.is_finite()).collect();
            let (mut low, mut high) =
                values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if !low.is_finite() {
                (low, high) = (0.0, 1.0);
            }
            let pad = ((high - low) * 0.05).max(1e-3);
            let epochs = self.epochs().max(2);
            let mut chart = ChartBuilder::on(area)
                .caption(&title, ("sans-serif", 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(1f32..epochs as f32, (low - pad)..(high + pad))
                .map_err(|e| plot_error(&e))?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .y_desc(name.as_str())
                .draw()
                .map_err(|e| plot_error(&e))?;
            let val_name = format!("val_{name}");
            for (label, curve, color) in
                [(name.as_str(), *train, BLUE), (val_name.as_str(), *validation, RED)]
            {
                if curve.is_empty() {
                    continue;
                }
                let points = curve
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, &v)| ((i + 1) as f32, v));
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .map_err(|e| plot_error(&e))?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| plot_error(&e))?;
        }
        root.present().map_err(|e| plot_error(&e))?;
        Ok(())
    }
}
