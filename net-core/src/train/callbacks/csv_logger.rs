//! `CsvLogger`: Keras' `CSVLogger`, one row per epoch as training goes.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use super::{Callback, Context};
use crate::error::{Error, Result};

/// Writes one CSV row per epoch while training runs, flushed after each
/// row (a crashed run keeps the epochs it finished): the file Keras'
/// `CSVLogger(filename, separator=",", append=False)` writes for the same
/// values. Columns: `epoch`, counted from 0 as Keras does, then every
/// measured value in name order (`accuracy`, `loss`, a metric's name,
/// `val_accuracy`, `val_loss`, ...; not the learning rate), with a
/// `val_` column for each (`NA` without a validation split); numbers as
/// Python prints them, lines ended by `\r\n`.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::train::CsvLogger;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let data = Dataset::<1, 1>::from_iter_rows((0..8).map(|i| ([i as f32], [1.0])))?;
/// let path = std::env::temp_dir().join(format!("typenet-csv-doc-{}.csv", std::process::id()));
/// let settings = Fit::epochs(2).verbose(false).callback(CsvLogger::new(&path));
/// Line::<Train>::seeded(1).fit(&data, &mut Sgd::new(0.01), &Mse, settings)?;
/// let text = std::fs::read_to_string(&path).unwrap();
/// let lines: Vec<&str> = text.lines().collect();
/// assert_eq!(lines[0], "epoch,loss,val_loss");
/// assert!(lines[1].starts_with("0,") && lines[1].ends_with(",NA"));
/// assert_eq!(lines.len(), 3);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Debug)]
pub struct CsvLogger {
    path: PathBuf,
    separator: char,
    append: bool,
    file: Option<File>,
    keys: Option<Vec<String>>,
    write_header: bool,
}

impl CsvLogger {
    /// Logs to `path`, replacing the file.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CsvLogger {
            path: path.into(),
            separator: ',',
            append: false,
            file: None,
            keys: None,
            write_header: true,
        }
    }

    /// The field separator (`,` by default).
    pub fn separator(mut self, separator: char) -> Self {
        self.separator = separator;
        self
    }

    /// Appends to the file if it exists (without a second header when it
    /// is not empty) instead of replacing it.
    pub fn append(mut self, append: bool) -> Self {
        self.append = append;
        self
    }

    fn io_error(&self, source: std::io::Error) -> Error {
        Error::Io { path: self.path.clone(), source }
    }
}

impl Callback for CsvLogger {
    fn on_train_begin(&mut self, _ctx: &mut Context<'_>) -> Result<()> {
        self.write_header = true;
        if self.append {
            if let Ok(file) = File::open(&self.path) {
                let mut first = String::new();
                BufReader::new(file).read_line(&mut first).map_err(|e| self.io_error(e))?;
                self.write_header = first.is_empty();
            }
        }
        let file = File::options()
            .write(true)
            .create(true)
            .append(self.append)
            .truncate(!self.append)
            .open(&self.path)
            .map_err(|e| self.io_error(e))?;
        self.file = Some(file);
        self.keys = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, ctx: &mut Context<'_>) -> Result<()> {
        let keys = self.keys.get_or_insert_with(|| {
            let mut keys: Vec<String> = ctx
                .measured()
                .into_iter()
                .filter(|name| *name != "learning_rate" && ctx.history().metric(name).is_some())
                .map(String::from)
                .collect();
            keys.sort();
            if !keys.iter().any(|k| k.starts_with("val_")) {
                let validation: Vec<String> = keys.iter().map(|k| format!("val_{k}")).collect();
                keys.extend(validation);
            }
            keys
        });
        let sep = self.separator.to_string();
        let mut text = String::new();
        if self.write_header {
            text += &format!("epoch{sep}{}\r\n", keys.join(&sep));
            self.write_header = false;
        }
        let cells: Vec<String> =
            keys.iter().map(|k| ctx.value(k).map_or("NA".to_string(), |v| python_repr(v as f64))).collect();
        text += &format!("{}{sep}{}\r\n", ctx.epoch() - 1, cells.join(&sep));
        let file = self.file.as_mut().expect("on_train_begin opened the file");
        let written = file.write_all(text.as_bytes()).and_then(|()| file.flush());
        written.map_err(|e| self.io_error(e))
    }

    fn on_train_end(&mut self, _ctx: &mut Context<'_>) -> Result<()> {
        self.file = None;
        Ok(())
    }
}

/// A float as Python's `repr` writes it: the shortest digits that read
/// back to the same double, in positional notation for decimal exponents
/// from -4 to 15 (`0.0001`, `1234.5`, `1.0`) and scientific otherwise
/// (`1e-05`, `1.5e+16`).
fn python_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let scientific = format!("{:e}", v.abs());
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let point = exponent + 1;
    let body = if !(-3..=16).contains(&point) {
        let rest = &digits[1..];
        let fraction = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{}{fraction}e{exp_sign}{:02}", &digits[..1], exponent.abs())
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_prints_them() {
        for (v, text) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (0.000123, "0.000123"),
            (1234.5, "1234.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.0, "123456789012345.0"),
            (-0.25, "-0.25"),
            (0.0, "0.0"),
            (0.1f32 as f64, "0.10000000149011612"),
        ] {
            assert_eq!(python_repr(v), text, "{v}");
        }
    }

    /// The file `tools/keras_callbacks.py` had Keras 3's `CSVLogger` write
    /// for the same epoch values, byte for byte.
    #[test]
    fn the_file_is_the_one_keras_writes() {
        for case in crate::train::callbacks::fixture::cases("csv_logger") {
            let epochs: Vec<serde_json::Value> =
                case.get("logs").and_then(|v| v.as_array()).expect("logs").clone();
            let mut history = crate::train::History::default();
            let mut measured = super::super::Measured::default();
            let mut text = Vec::new();
            let mut logger =
                CsvLogger::new("unused").separator(case.string("separator").chars().next().unwrap());
            let mut keys = None;
            for (epoch, logs) in epochs.iter().enumerate() {
                let logs = logs.as_object().expect("an object of values");
                for (name, value) in logs {
                    let value = value.as_f64().expect("a number") as f32;
                    match name.as_str() {
                        "loss" => history.loss.push(value),
                        "val_loss" => history.val_loss.push(value),
                        "accuracy" => history.accuracy.push(value),
                        "val_accuracy" => history.val_accuracy.push(value),
                        other => history.metrics.entry(other.to_string()).or_default().push(value),
                    }
                    if !measured.has(name) {
                        measured.names.push((name.clone(), None));
                    }
                }
                logger.keys = keys.take();
                let mut net = super::super::testing::Saves::default();
                let mut opt = super::super::testing::Rate(0.1);
                let position = super::super::Position { epoch: epoch + 1, ..Default::default() };
                let file = tempfile_path(case.name(), epoch);
                logger.file = Some(File::create(&file).unwrap());
                logger.write_header = epoch == 0;
                let (result, _) = super::super::testing::with_context(
                    &mut net,
                    &mut opt,
                    &history,
                    &measured,
                    position,
                    |ctx| logger.on_epoch_end(ctx),
                );
                result.unwrap();
                keys = logger.keys.clone();
                text.extend(std::fs::read(&file).unwrap());
                std::fs::remove_file(&file).ok();
            }
            assert_eq!(String::from_utf8(text).unwrap(), case.string("file"), "{}", case.name());
        }
    }

    fn tempfile_path(name: &str, epoch: usize) -> PathBuf {
        std::env::temp_dir().join(format!("typenet-csv-{}-{name}-{epoch}.csv", std::process::id()))
    }
}
