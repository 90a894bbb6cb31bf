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

use super::{check_checkpoint, valid, Adam, AdamW, Moments, RmsProp, Sgd};
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
    fn check_mean_squares(&self, buffer: usize) -> Result<()> {
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
fn hyper<T: std::str::FromStr>(dict: &StateDict, key: &str) -> Result<T> {
    let text = dict.metadata.get(key).ok_or_else(|| Error::OptimizerState(format!("`{key}` is missing")))?;
    text.parse().map_err(|_| Error::OptimizerState(format!("`{key}` is `{text}`, which does not parse")))
}

/// `save`, `load` and `load_into` for an optimiser with `to_state_dict` and
/// `from_state_dict`; an example per type so each doc test names its own.
macro_rules! checkpoint_files {
    ($opt:ident, $new:expr) => {
        impl $opt {
            #[doc = concat!("Saves the step count, moments and hyper-parameters as safetensors, atomically.\n\n",
                "# Errors\n`Error::Io` if writing fails; the previous file is then intact.\n\n",
                "```\nuse typenet::prelude::*;\n",
                "let path = std::env::temp_dir().join(format!(\"typenet-", stringify!($opt), "-doc-{}.safetensors\", std::process::id()));\n",
                "let opt = ", $new, ";\nopt.save(&path)?;\n",
                "let back = ", stringify!($opt), "::load(&path)?;\n",
                "assert_eq!(back.iterations(), opt.iterations());\n",
                "# std::fs::remove_file(&path).ok();\n# Ok::<(), typenet::Error>(())\n```")]
            pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
                self.state_dict().save(path)
            }

            #[doc = concat!("An optimiser restored from a file [`save`](Self::save) wrote: it continues ",
                "bit for bit as the saved one would have.\n\n",
                "# Errors\n`Error::Io` and the file errors of `typenet::io::StateDict::read`; ",
                "`Error::OptimizerState` for a file of another optimiser or with missing entries.\n\n",
                "```\nuse typenet::prelude::*;\n",
                "let err = ", stringify!($opt), "::load(\"no/such/checkpoint.safetensors\").unwrap_err();\n",
                "assert!(matches!(err, typenet::Error::Io { .. }));\n```")]
            pub fn load(path: impl AsRef<Path>) -> Result<Self> {
                Self::from_state_dict(&StateDict::read(path)?)
            }

            #[doc = concat!("Replaces this optimiser's state and hyper-parameters with the ",
                "file's; on any error it is left as it was.\n\n",
                "# Errors\nAs [`load`](Self::load).\n\n",
                "```\nuse typenet::prelude::*;\n",
                "let mut opt = ", $new, ";\n",
                "assert!(opt.load_into(\"no/such/checkpoint.safetensors\").is_err());\n",
                "assert_eq!(opt.iterations(), 0);\n```")]
            pub fn load_into(&mut self, path: impl AsRef<Path>) -> Result<()> {
                *self = Self::load(path)?;
                Ok(())
            }
        }
    };
}

impl Sgd {
    /// The state as named tensors and metadata (what [`save`](Self::save)
    /// writes).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let opt = Sgd::new(0.1).momentum(0.9);
    /// let back = Sgd::from_state_dict(&opt.state_dict())?;
    /// assert_eq!(back.learning_rate(), 0.1);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict {
        let hyper = [
            ("lr", self.lr.to_string()),
            ("momentum", self.momentum.to_string()),
            ("nesterov", self.nesterov.to_string()),
            ("decay", self.decay.to_string()),
        ];
        self.moments.to_state_dict("Sgd", self.iterations, &hyper)
    }

    /// The optimiser [`state_dict`](Self::state_dict) describes.
    ///
    /// # Errors
    /// `Error::OptimizerState` if it is another optimiser's or incomplete.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = Sgd::from_state_dict(&Adam::new(0.1).state_dict()).unwrap_err();
    /// assert!(matches!(err, typenet::Error::OptimizerState(_)));
    /// ```
    pub fn from_state_dict(dict: &StateDict) -> Result<Self> {
        let (iterations, moments) = Moments::from_state_dict(dict, "Sgd", SecondMoment::Any)?;
        let opt = Sgd {
            lr: hyper(dict, "lr")?,
            momentum: hyper(dict, "momentum")?,
            nesterov: hyper(dict, "nesterov")?,
            decay: hyper(dict, "decay")?,
            iterations,
            moments,
        };
        check_checkpoint(
            valid::learning_rate(opt.lr)
                .or_else(|| valid::factor("momentum", opt.momentum))
                .or_else(|| valid::non_negative("decay", opt.decay)),
        )?;
        Ok(opt)
    }
}

impl RmsProp {
    /// The state as named tensors and metadata (what [`save`](Self::save)
    /// writes).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let opt = RmsProp::new(0.01).rho(0.8);
    /// let back = RmsProp::from_state_dict(&opt.state_dict())?;
    /// assert_eq!(back.learning_rate(), 0.01);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict {
        let hyper = [
            ("lr", self.lr.to_string()),
            ("rho", self.rho.to_string()),
            ("epsilon", self.epsilon.to_string()),
        ];
        self.moments.to_state_dict("RmsProp", self.iterations, &hyper)
    }

    /// The optimiser [`state_dict`](Self::state_dict) describes.
    ///
    /// # Errors
    /// `Error::OptimizerState` if it is another optimiser's or incomplete.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = RmsProp::from_state_dict(&Sgd::new(0.1).state_dict()).unwrap_err();
    /// assert!(matches!(err, typenet::Error::OptimizerState(_)));
    /// ```
    pub fn from_state_dict(dict: &StateDict) -> Result<Self> {
        let (iterations, moments) = Moments::from_state_dict(dict, "RmsProp", SecondMoment::Any)?;
        let opt = RmsProp {
            lr: hyper(dict, "lr")?,
            rho: hyper(dict, "rho")?,
            epsilon: hyper(dict, "epsilon")?,
            iterations,
            moments,
        };
        check_checkpoint(
            valid::learning_rate(opt.lr)
                .or_else(|| valid::factor("rho", opt.rho))
                .or_else(|| valid::epsilon(opt.epsilon)),
        )?;
        opt.moments.check_mean_squares(0)?;
        Ok(opt)
    }
}

impl Adam {
    fn state_dict_as(&self, kind: &str) -> StateDict {
        let hyper = [
            ("lr", self.lr.to_string()),
            ("beta1", self.beta1.to_string()),
            ("beta2", self.beta2.to_string()),
            ("epsilon", self.epsilon.to_string()),
            ("weight_decay", self.weight_decay.to_string()),
        ];
        self.moments.to_state_dict(kind, self.iterations, &hyper)
    }

    fn from_state_dict_as(dict: &StateDict, kind: &str) -> Result<Self> {
        let (iterations, moments) = Moments::from_state_dict(dict, kind, SecondMoment::MeanSquare)?;
        let opt = Adam {
            lr: hyper(dict, "lr")?,
            beta1: hyper(dict, "beta1")?,
            beta2: hyper(dict, "beta2")?,
            epsilon: hyper(dict, "epsilon")?,
            weight_decay: hyper(dict, "weight_decay")?,
            iterations,
            moments,
        };
        check_checkpoint(opt.problems())?;
        opt.check_next_step()?;
        Ok(opt)
    }

    /// Refuses moments that are valid one by one but whose next update
    /// overflows (a first moment of 1e38 over a second moment of 0): the
    /// step after loading would write an infinite weight.
    fn check_next_step(&self) -> Result<()> {
        let t = self.iterations.saturating_add(1) as f64;
        let (b1, b2) = (self.beta1 as f64, self.beta2 as f64);
        let alpha = self.lr as f64 * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
        for (i, [first, second]) in self.moments.slots.iter().enumerate() {
            for (at, (&m, &v)) in first.iter().zip(second).enumerate() {
                // With a zero gradient: m and v decay by beta1 and beta2.
                let step =
                    alpha * (m as f64 * b1).abs() / ((v as f64 * b2).max(0.0).sqrt() + self.epsilon as f64);
                if !(step as f32).is_finite() {
                    return Err(Error::OptimizerState(format!(
                        "slot.{i}.first[{at}] is {m} over a second moment of {v}: the next update ({step:e}) overflows f32"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The state as named tensors and metadata (what [`save`](Self::save)
    /// writes).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let opt = Adam::new(0.001).beta1(0.8);
    /// let back = Adam::from_state_dict(&opt.state_dict())?;
    /// assert_eq!(back.learning_rate(), 0.001);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict {
        self.state_dict_as("Adam")
    }

    /// The optimiser [`state_dict`](Self::state_dict) describes.
    ///
    /// # Errors
    /// `Error::OptimizerState` if it is another optimiser's or incomplete.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = Adam::from_state_dict(&AdamW::new(0.1, 0.004).state_dict()).unwrap_err();
    /// assert!(matches!(err, typenet::Error::OptimizerState(_)));
    /// ```
    pub fn from_state_dict(dict: &StateDict) -> Result<Self> {
        Self::from_state_dict_as(dict, "Adam")
    }
}

impl AdamW {
    /// The state as named tensors and metadata (what [`save`](Self::save)
    /// writes).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let opt = AdamW::new(0.001, 0.004);
    /// let back = AdamW::from_state_dict(&opt.state_dict())?;
    /// assert_eq!(back.learning_rate(), 0.001);
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict {
        self.adam.state_dict_as("AdamW")
    }

    /// The optimiser [`state_dict`](Self::state_dict) describes.
    ///
    /// # Errors
    /// `Error::OptimizerState` if it is another optimiser's or incomplete.
    ///
    /// ```
    /// use typenet::prelude::*;
    /// let err = AdamW::from_state_dict(&Adam::new(0.1).state_dict()).unwrap_err();
    /// assert!(matches!(err, typenet::Error::OptimizerState(_)));
    /// ```
    pub fn from_state_dict(dict: &StateDict) -> Result<Self> {
        Ok(AdamW { adam: Adam::from_state_dict_as(dict, "AdamW")? })
    }
}

checkpoint_files!(Sgd, "Sgd::new(0.1).momentum(0.9)");
checkpoint_files!(RmsProp, "RmsProp::new(0.001)");
checkpoint_files!(Adam, "Adam::new(0.001)");
checkpoint_files!(AdamW, "AdamW::new(0.001, 0.004)");
