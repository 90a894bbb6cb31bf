//! Optimiser checkpoints.
//!
//! An optimiser's state is saved as safetensors: one pair of F32 tensors per
//! slot (`slot.{i}.first`, `slot.{i}.second`, in the network's visiting
//! order), the step count and the hyper-parameters as metadata strings. f32
//! and u64 print in Rust's shortest form that parses back to the same bits,
//! so a restored optimiser continues bit for bit where the saved one stopped.
//!
//! A file is untrusted input: every count is checked against the tensors
//! the file holds before anything is allocated for it, every
//! hyper-parameter against its valid range and every moment for being
//! finite (and a mean square for not being negative), so a crafted file is
//! a typed error, never a panic or an optimiser that produces NaN.

use std::path::Path;

use super::{valid, Descent, Moments, Rule};
use crate::error::{Error, Result};
use crate::io::{NamedTensor, StateDict};
use crate::layers::TensorKind;

/// The largest step count a checkpoint may hold: past 2^53 a float no
/// longer counts steps exactly (Adam's bias correction uses it as one).
const MAX_ITERATIONS: u64 = 1 << 53;

/// What a slot's second buffer may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SecondMoment {
    /// Unused (SGD): any finite values.
    Any,
    /// A mean of squares: finite and not negative.
    MeanSquare,
}

const KIND_KEY: &str = "typenet.optimizer";
const ITERATIONS_KEY: &str = "iterations";
const SLOTS_KEY: &str = "slots";

impl Moments {
    fn to_state_dict(&self, kind: &str, iterations: u64, hyper: &[(&str, String)]) -> StateDict {
        let mut dict = StateDict::default();
        for (i, pair) in self.slots.iter().enumerate() {
            for (part, values) in ["first", "second"].iter().zip(pair) {
                dict.tensors.push(NamedTensor {
                    name: format!("slot.{i}.{part}"),
                    shape: vec![values.len()],
                    data: values.clone(),
                    kind: Some(TensorKind::State),
                });
            }
        }
        let meta = &mut dict.metadata;
        meta.insert(KIND_KEY.to_string(), kind.to_string());
        meta.insert(crate::io::VERSION_KEY.to_string(), env!("CARGO_PKG_VERSION").to_string());
        meta.insert(ITERATIONS_KEY.to_string(), iterations.to_string());
        meta.insert(SLOTS_KEY.to_string(), self.slots.len().to_string());
        for (key, value) in hyper {
            meta.insert(key.to_string(), value.clone());
        }
        dict
    }

    /// The step count and moments of a checkpoint of `kind`.
    fn from_state_dict(dict: &StateDict, kind: &str, second: SecondMoment) -> Result<(u64, Moments)> {
        match dict.metadata.get(KIND_KEY) {
            Some(found) if found == kind => {}
            Some(found) => {
                return Err(Error::OptimizerState(format!("the file holds {found} state, not {kind}")))
            }
            None => return Err(Error::OptimizerState("the file holds no optimiser state".to_string())),
        }
        let iterations: u64 = hyper(dict, ITERATIONS_KEY)?;
        if iterations > MAX_ITERATIONS {
            return Err(Error::OptimizerState(format!(
                "{iterations} steps is more than a checkpoint may count ({MAX_ITERATIONS})"
            )));
        }
        let count: usize = hyper(dict, SLOTS_KEY)?;
        // Checked against what the file holds before anything is allocated.
        if count.checked_mul(2) != Some(dict.len()) {
            return Err(Error::OptimizerState(format!("{} tensors for {count} slots", dict.len())));
        }
        let mut slots = Vec::with_capacity(count);
        let second_kind = second;
        for i in 0..count {
            let part = |part: &str| -> Result<Vec<f32>> {
                let name = format!("slot.{i}.{part}");
                let t = dict.get(&name).ok_or(Error::MissingTensor { name })?;
                Ok(t.data.clone())
            };
            let (first, second) = (part("first")?, part("second")?);
            let bad_first = first.iter().position(|v| !v.is_finite());
            let bad_second = second
                .iter()
                .position(|&v| !v.is_finite() || (second_kind == SecondMoment::MeanSquare && v < 0.0));
            if let Some(at) = bad_first {
                return Err(Error::OptimizerState(format!(
                    "slot.{i}.first[{at}] is {}, not a finite moment",
                    first[at]
                )));
            }
            if let Some(at) = bad_second {
                return Err(Error::OptimizerState(format!(
                    "slot.{i}.second[{at}] is {}, not a valid moment",
                    second[at]
                )));
            }
            if first.len() != second.len() {
                return Err(Error::ShapeMismatch {
                    name: format!("slot.{i}.second"),
                    expected: vec![first.len()],
                    found: vec![second.len()],
                });
            }
            slots.push([first, second]);
        }
        Ok((iterations, Moments { slots }))
    }
}

impl Moments {
    /// RMSprop keeps its mean squares in the first buffer: none may be negative.
    pub(super) fn check_mean_squares(&self, buffer: usize) -> Result<()> {
        for (i, slot) in self.slots.iter().enumerate() {
            if let Some(at) = slot[buffer].iter().position(|&v| v < 0.0) {
                let part = if buffer == 0 { "first" } else { "second" };
                return Err(Error::OptimizerState(format!(
                    "slot.{i}.{part}[{at}] is {}, but a mean square is never negative",
                    slot[buffer][at]
                )));
            }
        }
        Ok(())
    }
}

/// A metadata value of a checkpoint, parsed.
pub(super) fn hyper<T: std::str::FromStr>(dict: &StateDict, key: &str) -> Result<T> {
    let text = dict.metadata.get(key).ok_or_else(|| Error::OptimizerState(format!("`{key}` is missing")))?;
    text.parse().map_err(|_| Error::OptimizerState(format!("`{key}` is `{text}`, which does not parse")))
}

impl<R: Rule> Descent<R> {
    /// The state as named tensors and metadata (what [`save`](Self::save)
    /// writes): the step count, the moments and the hyper-parameters.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let opt = Adam::new(0.001).beta1(0.8);
    /// let back = Adam::from_state_dict(&opt.state_dict())?;
    /// assert_eq!(back.learning_rate(), 0.001);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict {
        let mut hyper = vec![("lr", self.lr.to_string())];
        hyper.extend(self.rule.hyper());
        self.moments.to_state_dict(R::KIND, self.iterations, &hyper)
    }

    /// The optimiser [`state_dict`](Self::state_dict) describes.
    ///
    /// # Errors
    /// `Error::OptimizerState` if it is another optimiser's, incomplete,
    /// or holds invalid hyper-parameters or moments.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = Adam::from_state_dict(&AdamW::new(0.1, 0.004).state_dict()).unwrap_err();
    /// assert!(matches!(err, typenet::Error::OptimizerState(_)));
    /// ```
    pub fn from_state_dict(dict: &StateDict) -> Result<Self> {
        let second = if R::MEAN_SQUARE_SECOND { SecondMoment::MeanSquare } else { SecondMoment::Any };
        let (iterations, moments) = Moments::from_state_dict(dict, R::KIND, second)?;
        let lr: f32 = hyper(dict, "lr")?;
        let rule = R::from_hyper(dict)?;
        if let Some(problem) = valid::learning_rate(lr).or_else(|| rule.problems()) {
            return Err(Error::OptimizerState(format!("the checkpoint's {problem}")));
        }
        rule.check_state(lr, iterations, &moments)?;
        Ok(Descent { rule, lr, iterations, moments })
    }

    /// Saves the step count, moments and hyper-parameters as safetensors, atomically.
    ///
    /// # Errors
    /// `Error::Io` if writing fails; the previous file is then intact.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let path = std::env::temp_dir().join(format!("typenet-opt-doc-{}.safetensors", std::process::id()));
    /// let opt = Sgd::new(0.1).momentum(0.9);
    /// opt.save(&path)?;
    /// let back = Sgd::load(&path)?;
    /// assert_eq!(back.iterations(), opt.iterations());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.state_dict().save(path)
    }

    /// An optimiser restored from a file [`save`](Self::save) wrote: it
    /// continues bit for bit as the saved one would have.
    ///
    /// # Errors
    /// `Error::Io` and the file errors of `typenet::io::StateDict::read`;
    /// `Error::OptimizerState` for a file of another optimiser or with
    /// missing entries.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = RmsProp::load("no/such/checkpoint.safetensors").unwrap_err();
    /// assert!(matches!(err, typenet::Error::Io { .. }));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_state_dict(&StateDict::read(path)?)
    }

    /// Replaces this optimiser's state and hyper-parameters with the
    /// file's; on any error it is left as it was.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let mut opt = AdamW::new(0.001, 0.004);
    /// assert!(opt.load_into("no/such/checkpoint.safetensors").is_err());
    /// assert_eq!(opt.iterations(), 0);
    /// ```
    pub fn load_into(&mut self, path: impl AsRef<Path>) -> Result<()> {
        *self = Self::load(path)?;
        Ok(())
    }
}
