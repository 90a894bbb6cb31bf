//! What every `network!` type shares: the [`Network`] trait with its
//! compile-time sizes, the Keras-like [`Summary`], and the scratch space
//! that `&self` forwards use.

use std::cell::RefCell;
use std::fmt;

use crate::layers::Layer;

mod api;

/// A network declared with `network!`, in any phase.
///
/// The sizes are also inherent constants of the `Eval` type, so
/// `Mnist::PARAMS` works without this trait in scope; in generic code, or
/// on a `Train` type, they come from here.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Small { input: 4, fc: Dense<3, Relu>, drop: Dropout(0.5), out: Dense<2> } }
/// assert_eq!(Small::PARAMS, 4 * 3 + 3 + 3 * 2 + 2);
/// fn params<N: Network>() -> usize { N::PARAMS }
/// assert_eq!(params::<Small<Train>>(), Small::PARAMS);
/// ```
pub trait Network: Layer {
    /// Input features.
    const INPUT: usize;
    /// Output features.
    const OUTPUT: usize;
    /// Every weight and bias, frozen ones included; batch normalisation's
    /// running statistics are not counted (as PyTorch's `parameters()`).
    const PARAMS: usize;
    /// The parameters an optimiser updates (frozen layers excluded).
    const TRAINABLE_PARAMS: usize;

    /// The Keras-like table of layers.
    fn summary(&self) -> Summary;
}

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
    /// One row per layer.
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Every parameter.
    pub fn total_params(&self) -> usize {
        self.rows.iter().map(|r| r.params).sum()
    }
    /// The parameters an optimiser updates.
    pub fn trainable_params(&self) -> usize {
        self.rows.iter().filter(|r| r.trainable).map(|r| r.params).sum()
    }
    /// Non-trained state values.
    pub fn state(&self) -> usize {
        self.rows.iter().map(|r| r.state).sum()
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
        for (i, r) in self.rows.iter().enumerate() {
            let kind = match r.phase {
                Some(phase) => format!("{} ({}) [{}]", r.name, r.kind, phase),
                None => format!("{} ({})", r.name, r.kind),
            };
            let trainable = if r.params == 0 {
                "-"
            } else if r.trainable {
                "yes"
            } else {
                "frozen"
            };
            cells.push([
                (i + 1).to_string(),
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

thread_local! {
    /// Buffers reused by `&self` forwards on this thread.
    static SCRATCH: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
}

fn take_scratch(len: usize) -> Vec<f32> {
    let mut buf = SCRATCH.with(|pool| pool.borrow_mut().pop()).unwrap_or_default();
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    buf
}

fn return_scratch(buf: Vec<f32>) {
    SCRATCH.with(|pool| pool.borrow_mut().push(buf));
}

/// Runs `f` with two scratch buffers of `len` values each, taken from a
/// per-thread pool: an `Eval` forward through `&self` ping-pongs its
/// activations between them and allocates nothing once warmed. Nested
/// networks take their own pair.
pub fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32], &mut [f32]) -> R) -> R {
    let mut a = take_scratch(len);
    let mut b = take_scratch(len);
    let result = f(&mut a[..len], &mut b[..len]);
    return_scratch(b);
    return_scratch(a);
    result
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
    fn scratch_is_reused() {
        let first = with_scratch(100, |a, _| a.as_ptr() as usize);
        let second = with_scratch(50, |a, _| a.as_ptr() as usize);
        assert_eq!(first, second);
    }
}
