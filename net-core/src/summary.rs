//! The Keras-like summary of a network: rows a network's layers fill in,
//! a block's layers indented under it.

use crate::no_std_prelude::*;
use core::fmt;

/// One row of a [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The entry's name.
    pub name: String,
    /// The layer as declared, e.g. `Dense<256, Relu>` or `Dropout(0.2)`.
    pub kind: String,
    /// Output shape with the batch axis as `None`, e.g. `(None, 256)`.
    pub output_shape: String,
    /// Weights and biases.
    pub params: usize,
    /// Non-trained state (running statistics).
    pub state: usize,
    /// Whether an optimiser updates its parameters.
    pub trainable: bool,
    /// Pinned phase, if any.
    pub phase: Option<&'static str>,
    /// How deep inside blocks and paths it sits (0 at the top).
    pub depth: usize,
    /// Whether some of its parameters are frozen (a nested network with
    /// frozen layers inside).
    pub frozen_inside: bool,
}

/// A Keras-like summary of a network; print it with `{}`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Small { input: 4, fc: Dense<3, Relu>, drop: Dropout(0.5), out: Dense<2> } }
/// let text = Small::<Eval>::seeded(0).summary().to_string();
/// assert!(text.contains("Dropout(0.5)") && text.contains("Total params: 23"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The network's name.
    pub name: String,
    /// Input shape, e.g. `(None, 784)`.
    pub input_shape: String,
    /// One row per layer, those inside blocks and paths after the row of
    /// their block, one level deeper.
    pub rows: Vec<SummaryRow>,
    /// The parameters an optimiser updates (frozen layers inside blocks
    /// excluded).
    pub trainable: usize,
}

impl Summary {
    /// The rows of the network's own entries (a block's layers are
    /// counted in the block's row).
    fn top(&self) -> impl Iterator<Item = &SummaryRow> {
        self.rows.iter().filter(|r| r.depth == 0)
    }
    /// Every parameter.
    pub fn total_params(&self) -> usize {
        self.top().map(|r| r.params).sum()
    }
    /// The parameters an optimiser updates.
    pub fn trainable_params(&self) -> usize {
        self.trainable
    }
    /// Non-trained state values.
    pub fn state(&self) -> usize {
        self.top().map(|r| r.state).sum()
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = ["#", "Layer (type)", "Output Shape", "Param #", "Trainable"];
        let mut cells: Vec<[String; 5]> = vec![[
            String::new(),
            "input (Input)".to_string(),
            self.input_shape.clone(),
            "0".to_string(),
            "-".to_string(),
        ]];
        let mut index = 0;
        for r in &self.rows {
            let indent = "  ".repeat(r.depth);
            let kind = match r.phase {
                Some(phase) => format!("{indent}{} ({}) [{}]", r.name, r.kind, phase),
                None => format!("{indent}{} ({})", r.name, r.kind),
            };
            let trainable = if r.params == 0 {
                "-"
            } else if !r.trainable {
                "frozen"
            } else if r.frozen_inside {
                "partly"
            } else {
                "yes"
            };
            if r.depth == 0 {
                index += 1;
            }
            cells.push([
                if r.depth == 0 { index.to_string() } else { String::new() },
                kind,
                r.output_shape.clone(),
                grouped(r.params),
                trainable.to_string(),
            ]);
        }
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let rule: usize = widths.iter().sum::<usize>() + 3 * (widths.len() - 1);
        writeln!(f, "Model: \"{}\"", self.name)?;
        writeln!(f, "{}", "=".repeat(rule))?;
        let line = |f: &mut fmt::Formatter<'_>, row: [&str; 5]| {
            writeln!(
                f,
                "{:>w0$}   {:<w1$}   {:<w2$}   {:>w3$}   {:<w4$}",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4]
            )
        };
        line(f, header)?;
        writeln!(f, "{}", "-".repeat(rule))?;
        for row in &cells {
            line(f, [&row[0], &row[1], &row[2], &row[3], &row[4]])?;
        }
        writeln!(f, "{}", "=".repeat(rule))?;
        let total = self.total_params();
        let trainable = self.trainable_params();
        writeln!(f, "Total params: {} ({:.2} KB)", grouped(total), total as f64 * 4.0 / 1024.0)?;
        writeln!(f, "Trainable params: {}", grouped(trainable))?;
        writeln!(f, "Non-trainable params: {}", grouped(total - trainable))?;
        if self.state() > 0 {
            writeln!(f, "Non-trained state (running statistics): {}", grouped(self.state()))?;
        }
        Ok(())
    }
}

/// `(None, 7, 7, 768)`: a shape with the batch axis first, as Keras prints it.
pub fn shape_text(dims: &[usize]) -> String {
    let mut text = String::from("(None");
    for d in dims {
        text.push_str(&format!(", {d}"));
    }
    text.push(')');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(19_794_433), "19,794,433");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn shapes_print_as_keras_does() {
        assert_eq!(shape_text(&[7, 7, 768]), "(None, 7, 7, 768)");
    }
}
