//! [`History`]: the per-epoch curves `fit` returns, as CSV or an SVG plot.

use std::path::Path;

use crate::error::{Error, Result};

/// What `fit` measured, one value per epoch (Keras' `History.history`).
/// Accuracy vectors stay empty for losses without accuracy (`Mse`),
/// validation vectors without a validation split.
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
    /// The learning rate used in each epoch.
    pub learning_rate: Vec<f32>,
    /// With early stopping: the (1-based) epoch whose weights were kept.
    pub best_epoch: Option<usize>,
}

impl History {
    /// Number of epochs run.
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }

    /// The curves as CSV: `epoch,loss,val_loss,accuracy,val_accuracy,learning_rate`
    /// (empty fields where a curve was not measured).
    ///
    /// ```
    /// let mut h = typenet::train::History::default();
    /// h.loss = vec![0.5, 0.25];
    /// assert_eq!(h.to_csv().lines().nth(2), Some("2,0.25,,,,"));
    /// ```
    pub fn to_csv(&self) -> String {
        let cell = |v: &[f32], i: usize| v.get(i).map(|x| x.to_string()).unwrap_or_default();
        let mut out = String::from("epoch,loss,val_loss,accuracy,val_accuracy,learning_rate\n");
        for i in 0..self.epochs() {
            out += &format!(
                "{},{},{},{},{},{}\n",
                i + 1,
                cell(&self.loss, i),
                cell(&self.val_loss, i),
                cell(&self.accuracy, i),
                cell(&self.val_accuracy, i),
                cell(&self.learning_rate, i)
            );
        }
        out
    }

    /// Writes [`to_csv`](Self::to_csv) to a file.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_csv()).map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    /// Draws the loss and accuracy curves, training and validation, with
    /// axes and legends, as an SVG file.
    #[cfg(feature = "plot")]
    pub fn plot_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        use plotters::prelude::*;

        let plot_error = |e: &dyn std::fmt::Display| Error::Plot(e.to_string());
        let root = SVGBackend::new(path.as_ref(), (1000, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(&e))?;
        let (left, right) = root.split_horizontally(500);
        type Curve<'c> = (&'static str, &'c Vec<f32>, RGBColor);
        let panels: [(&str, &_, [Curve<'_>; 2]); 2] = [
            ("Loss", &left, [("loss", &self.loss, BLUE), ("val_loss", &self.val_loss, RED)]),
            (
                "Accuracy",
                &right,
                [("accuracy", &self.accuracy, BLUE), ("val_accuracy", &self.val_accuracy, RED)],
            ),
        ];
        for (title, area, curves) in panels {
            let values: Vec<f32> =
                curves.iter().flat_map(|(_, v, _)| v.iter().copied()).filter(|v| v.is_finite()).collect();
            let (mut low, mut high) =
                values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if !low.is_finite() {
                (low, high) = (0.0, 1.0);
            }
            let pad = ((high - low) * 0.05).max(1e-3);
            let epochs = self.epochs().max(2);
            let mut chart = ChartBuilder::on(area)
                .caption(title, ("sans-serif", 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(1f32..epochs as f32, (low - pad)..(high + pad))
                .map_err(|e| plot_error(&e))?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .y_desc(title.to_lowercase())
                .draw()
                .map_err(|e| plot_error(&e))?;
            for (label, curve, color) in curves {
                if curve.is_empty() {
                    continue;
                }
                let points = curve.iter().enumerate().map(|(i, &v)| ((i + 1) as f32, v));
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
