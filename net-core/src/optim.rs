//! Optimisers with Keras 3's defaults and update rules, step for step.
//!
//! An optimiser keeps one state slot per trainable tensor, in the order the
//! network visits them, created on the first step. Frozen layers have no
//! gradients and are never visited, so no optimiser can touch them.

use std::path::Path;

use crate::error::{Error, Result};
use crate::io::{NamedTensor, StateDict};
use crate::layers::{Layer, TensorKind};

/// Something that updates a network's trainable parameters from gradients.
pub trait Optimizer {
    /// Applies one update; `grads` are those `backward` returned.
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads);
    /// The base learning rate.
    fn learning_rate(&self) -> f32;
    /// Sets the base learning rate (what schedules use).
    fn set_learning_rate(&mut self, lr: f32);
    /// Steps applied so far.
    fn iterations(&self) -> u64;
}

/// The shortest decimal that rounds to `x`, as a double: what a Keras user
/// typed (`0.999`) rather than the nearest f32 (`0.99900001287`).
/// Allocation-free, unlike formatting and parsing.
pub(crate) fn decimal(x: f32) -> f64 {
    let d = x as f64;
    if d == 0.0 || !d.is_finite() {
        return d;
    }
    let magnitude = d.abs().log10().floor() as i32;
    for digits in 1..=9 {
        let scale = 10f64.powi(digits - 1 - magnitude);
        let rounded = (d * scale).round() / scale;
        if rounded as f32 == x {
            return rounded;
        }
    }
    d
}

/// `1 - x` as Keras computes it: in double precision from the decimal
/// hyper-parameter, then rounded to f32 (0.999f32 gives 0.001, not
/// 0.0009999871), which keeps Adam and RMSprop bit-exact with Keras 3.
fn complement(x: f32) -> f32 {
    (1.0 - decimal(x)) as f32
}

/// An element-wise update of one tensor: its parameters, gradient and two
/// moment buffers of the same length.
trait Update: Sync {
    fn apply(&self, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]);
}

/// Compiles `U::apply` for AVX-512 (inlined here, so the loop is vectorised
/// 16 wide); the results are the same bits, as IEEE sqrt and division are
/// exact in every width and nothing is fused.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn apply_avx512<U: Update>(update: &U, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    update.apply(w, g, m, v);
}

fn apply_best<U: Update>(update: &U, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F.
        unsafe { apply_avx512(update, w, g, m, v) };
        return;
    }
    update.apply(w, g, m, v);
}

/// Tensors at least this long are updated by every allowed thread: the
/// update is memory-bound, and two cores pull twice the bandwidth.
const PARALLEL_UPDATE: usize = 1 << 18;

/// Runs `update` over one tensor, split over threads when it is large.
fn run_update<U: Update>(update: &U, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    let len = w.len();
    if len < PARALLEL_UPDATE || crate::linalg::num_threads() < 2 {
        apply_best(update, w, g, m, v);
        return;
    }
    struct Parts(*mut f32, *const f32, *mut f32, *mut f32);
    // SAFETY: each chunk below touches a disjoint range of the four buffers,
    // and `parallel_for` returns only when every chunk is done.
    unsafe impl Sync for Parts {}
    let parts = Parts(w.as_mut_ptr(), g.as_ptr(), m.as_mut_ptr(), v.as_mut_ptr());
    let chunks = 4 * crate::linalg::num_threads();
    let size = len.div_ceil(chunks).next_multiple_of(16);
    crate::linalg::parallel_for(len.div_ceil(size), &|i| {
        let (start, end) = (i * size, ((i + 1) * size).min(len));
        let parts = &parts;
        // SAFETY: `start..end` lies within all four buffers (same length) and
        // no other chunk overlaps it.
        unsafe {
            apply_best(
                update,
                std::slice::from_raw_parts_mut(parts.0.add(start), end - start),
                std::slice::from_raw_parts(parts.1.add(start), end - start),
                std::slice::from_raw_parts_mut(parts.2.add(start), end - start),
                std::slice::from_raw_parts_mut(parts.3.add(start), end - start),
            )
        };
    });
}

/// Keras 3's SGD update (`velocity` in the first buffer).
struct SgdUpdate {
    lr: f32,
    momentum: f32,
    nesterov: bool,
}

impl Update for SgdUpdate {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], velocity: &mut [f32], _: &mut [f32]) {
        let (lr, momentum) = (self.lr, self.momentum);
        if momentum == 0.0 {
            for (w, g) in w.iter_mut().zip(g) {
                *w -= g * lr;
            }
        } else if self.nesterov {
            for ((w, g), m) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *m = *m * momentum - g * lr;
                *w += *m * momentum - g * lr;
            }
        } else {
            for ((w, g), m) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *m = *m * momentum - g * lr;
                *w += *m;
            }
        }
    }
}

/// Keras 3's RMSprop update (`velocity` in the first buffer).
struct RmsPropUpdate {
    lr: f32,
    rho: f32,
    one_minus_rho: f32,
    epsilon: f32,
}

impl Update for RmsPropUpdate {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], velocity: &mut [f32], _: &mut [f32]) {
        let Self { lr, rho, one_minus_rho, epsilon } = *self;
        for ((w, g), v) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
            *v = rho * *v + one_minus_rho * (g * g);
            *w -= lr * g / (*v + epsilon).sqrt();
        }
    }
}

/// Keras 3's Adam update, with AdamW's decoupled decay when `decay != 0`.
struct AdamUpdate {
    alpha: f32,
    one_minus_b1: f32,
    one_minus_b2: f32,
    epsilon: f32,
    weight_decay: f32,
    lr: f32,
}

impl Update for AdamUpdate {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let Self { alpha, one_minus_b1, one_minus_b2, epsilon, weight_decay, lr } = *self;
        for (((w, g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            if weight_decay != 0.0 {
                *w -= *w * weight_decay * lr;
            }
            *m += (g - *m) * one_minus_b1;
            *v += (g * g - *v) * one_minus_b2;
            *w -= *m * alpha / (v.sqrt() + epsilon);
        }
    }
}

/// Per-tensor moment buffers, sized on first use.
#[derive(Clone, Debug, Default)]
struct Moments {
    slots: Vec<[Vec<f32>; 2]>,
}

impl Moments {
    /// Runs `update(index, params, grads, first, second)` over every
    /// trainable tensor of `net`.
    fn for_each<N: Layer>(
        &mut self,
        net: &mut N,
        grads: &N::Grads,
        mut update: impl FnMut(&mut [f32], &[f32], &mut [f32], &mut [f32]),
    ) {
        let mut index = 0;
        let slots = &mut self.slots;
        net.visit_trainable(grads, &mut |params, grads| {
            if slots.len() <= index {
                slots.push([Vec::new(), Vec::new()]);
            }
            let [first, second] = &mut slots[index];
            if first.len() != params.len() {
                *first = vec![0.0; params.len()];
                *second = vec![0.0; params.len()];
            }
            update(params, grads, first, second);
            index += 1;
        });
    }
}

/// Stochastic gradient descent, with optional (Nesterov) momentum and the
/// Keras 2 learning-rate decay `lr / (1 + decay * iterations)`.
///
/// ```
/// use typenet::prelude::*;
/// let opt = Sgd::new(0.009).momentum(0.9).nesterov(true).decay(1e-10);
/// assert_eq!(opt.learning_rate(), 0.009);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd {
    lr: f32,
    momentum: f32,
    nesterov: bool,
    decay: f32,
    iterations: u64,
    moments: Moments,
}

impl Sgd {
    /// Plain SGD with learning rate `lr` (Keras' default is 0.01).
    pub fn new(lr: f32) -> Self {
        Sgd { lr, momentum: 0.0, nesterov: false, decay: 0.0, iterations: 0, moments: Moments::default() }
    }
    /// Momentum (default 0).
    pub fn momentum(mut self, momentum: f32) -> Self {
        self.momentum = momentum;
        self
    }
    /// Nesterov momentum (default off).
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
    /// Keras 2 time-based decay of the learning rate (default 0).
    pub fn decay(mut self, decay: f32) -> Self {
        self.decay = decay;
        self
    }
}

impl Optimizer for Sgd {
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
        let lr = self.lr / (1.0 + self.decay * self.iterations as f32);
        let update = SgdUpdate { lr, momentum: self.momentum, nesterov: self.nesterov };
        self.moments
            .for_each(net, grads, |w, g, velocity, unused| run_update(&update, w, g, velocity, unused));
        self.iterations += 1;
    }
    fn learning_rate(&self) -> f32 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }
    fn iterations(&self) -> u64 {
        self.iterations
    }
}

/// RMSprop (Keras 3: rho 0.9, epsilon 1e-7, `w -= lr g / sqrt(v + eps)`).
///
/// ```
/// use typenet::prelude::*;
/// let opt = RmsProp::new(0.001).rho(0.95);
/// assert_eq!(opt.iterations(), 0);
/// ```
#[derive(Clone, Debug)]
pub struct RmsProp {
    lr: f32,
    rho: f32,
    epsilon: f32,
    iterations: u64,
    moments: Moments,
}

impl RmsProp {
    /// RMSprop with learning rate `lr` (Keras' default is 0.001).
    pub fn new(lr: f32) -> Self {
        RmsProp { lr, rho: 0.9, epsilon: 1e-7, iterations: 0, moments: Moments::default() }
    }
    /// Discount of the squared-gradient average (default 0.9).
    pub fn rho(mut self, rho: f32) -> Self {
        self.rho = rho;
        self
    }
    /// Stability constant (default 1e-7).
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl Optimizer for RmsProp {
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
        let update = RmsPropUpdate {
            lr: self.lr,
            rho: self.rho,
            one_minus_rho: complement(self.rho),
            epsilon: self.epsilon,
        };
        self.moments
            .for_each(net, grads, |w, g, velocity, unused| run_update(&update, w, g, velocity, unused));
        self.iterations += 1;
    }
    fn learning_rate(&self) -> f32 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }
    fn iterations(&self) -> u64 {
        self.iterations
    }
}

/// Adam (Keras 3: beta1 0.9, beta2 0.999, epsilon 1e-7).
///
/// ```
/// use typenet::prelude::*;
/// let opt = Adam::new(0.001).beta1(0.8);
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    lr: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    weight_decay: f32,
    iterations: u64,
    moments: Moments,
}

impl Adam {
    /// Adam with learning rate `lr` (Keras' default is 0.001).
    pub fn new(lr: f32) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            weight_decay: 0.0,
            iterations: 0,
            moments: Moments::default(),
        }
    }
    /// Decay of the first moment (default 0.9).
    pub fn beta1(mut self, beta1: f32) -> Self {
        self.beta1 = beta1;
        self
    }
    /// Decay of the second moment (default 0.999).
    pub fn beta2(mut self, beta2: f32) -> Self {
        self.beta2 = beta2;
        self
    }
    /// Stability constant (default 1e-7).
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl Optimizer for Adam {
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
        let local_step = (self.iterations + 1) as f32;
        let (b1, b2, lr) = (self.beta1, self.beta2, self.lr);
        let update = AdamUpdate {
            alpha: lr * (1.0 - b2.powf(local_step)).sqrt() / (1.0 - b1.powf(local_step)),
            one_minus_b1: complement(b1),
            one_minus_b2: complement(b2),
            epsilon: self.epsilon,
            weight_decay: self.weight_decay,
            lr,
        };
        self.moments.for_each(net, grads, |w, g, m, v| run_update(&update, w, g, m, v));
        self.iterations += 1;
    }
    fn learning_rate(&self) -> f32 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }
    fn iterations(&self) -> u64 {
        self.iterations
    }
}

/// AdamW: Adam with decoupled weight decay, `w -= w * weight_decay * lr`
/// before each update (Keras 3; its default `weight_decay` is 0.004).
///
/// ```
/// use typenet::prelude::*;
/// let opt = AdamW::new(0.001, 0.004);
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
#[derive(Clone, Debug)]
pub struct AdamW {
    adam: Adam,
}

impl AdamW {
    /// AdamW with learning rate `lr` and decoupled weight decay.
    pub fn new(lr: f32, weight_decay: f32) -> Self {
        AdamW { adam: Adam { weight_decay, ..Adam::new(lr) } }
    }
    /// Decay of the first moment (default 0.9).
    pub fn beta1(mut self, beta1: f32) -> Self {
        self.adam.beta1 = beta1;
        self
    }
    /// Decay of the second moment (default 0.999).
    pub fn beta2(mut self, beta2: f32) -> Self {
        self.adam.beta2 = beta2;
        self
    }
}

impl Optimizer for AdamW {
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
        self.adam.step(net, grads);
    }
    fn learning_rate(&self) -> f32 {
        self.adam.lr
    }
    fn set_learning_rate(&mut self, lr: f32) {
        self.adam.lr = lr;
    }
    fn iterations(&self) -> u64 {
        self.adam.iterations
    }
}

// --- Checkpoints -----------------------------------------------------------
//
// An optimiser's state is saved as safetensors: one pair of F32 tensors per
// slot (`slot.{i}.first`, `slot.{i}.second`, in the network's visiting
// order), the step count and the hyper-parameters as metadata strings. f32
// and u64 print in Rust's shortest form that parses back to the same bits,
// so a restored optimiser continues bit for bit where the saved one stopped.

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
    fn from_state_dict(dict: &StateDict, kind: &str) -> Result<(u64, Moments)> {
        match dict.metadata.get(KIND_KEY) {
            Some(found) if found == kind => {}
            Some(found) => {
                return Err(Error::OptimizerState(format!("the file holds {found} state, not {kind}")))
            }
            None => return Err(Error::OptimizerState("the file holds no optimiser state".to_string())),
        }
        let iterations: u64 = hyper(dict, ITERATIONS_KEY)?;
        let count: usize = hyper(dict, SLOTS_KEY)?;
        let expected = 2 * count;
        if dict.len() != expected {
            return Err(Error::OptimizerState(format!("{} tensors for {count} slots", dict.len())));
        }
        let mut slots = Vec::with_capacity(count);
        for i in 0..count {
            let part = |part: &str| -> Result<Vec<f32>> {
                let name = format!("slot.{i}.{part}");
                let t = dict.get(&name).ok_or(Error::MissingTensor { name })?;
                Ok(t.data.clone())
            };
            let (first, second) = (part("first")?, part("second")?);
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
        let (iterations, moments) = Moments::from_state_dict(dict, "Sgd")?;
        Ok(Sgd {
            lr: hyper(dict, "lr")?,
            momentum: hyper(dict, "momentum")?,
            nesterov: hyper(dict, "nesterov")?,
            decay: hyper(dict, "decay")?,
            iterations,
            moments,
        })
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
        let (iterations, moments) = Moments::from_state_dict(dict, "RmsProp")?;
        Ok(RmsProp {
            lr: hyper(dict, "lr")?,
            rho: hyper(dict, "rho")?,
            epsilon: hyper(dict, "epsilon")?,
            iterations,
            moments,
        })
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
        let (iterations, moments) = Moments::from_state_dict(dict, kind)?;
        Ok(Adam {
            lr: hyper(dict, "lr")?,
            beta1: hyper(dict, "beta1")?,
            beta2: hyper(dict, "beta2")?,
            epsilon: hyper(dict, "epsilon")?,
            weight_decay: hyper(dict, "weight_decay")?,
            iterations,
            moments,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Dense, DenseGrads, Grads, Linear};

    /// A 1x1 layer with weight `w` and bias 0, and a gradient `g` for both.
    fn one(w: f32, g: f32) -> (Dense<1, 1, Linear>, DenseGrads<1, 1>) {
        let mut layer = Dense::<1, 1, Linear>::zeros();
        layer.weights_mut()[0] = w;
        let mut grads = DenseGrads::<1, 1>::zeros();
        grads.weights_mut()[0] = g;
        (layer, grads)
    }

    // Expected values computed by hand from Keras 3's update_step formulas.
    #[test]
    fn sgd_nesterov_follows_keras() {
        let (mut layer, grads) = one(1.0, 0.5);
        let mut opt = Sgd::new(0.1).momentum(0.9).nesterov(true);
        opt.step(&mut layer, &grads);
        // m = -0.05; w += 0.9 * -0.05 - 0.05 = -0.095
        assert!((layer.weights()[0] - 0.905).abs() < 1e-6);
        opt.step(&mut layer, &grads);
        // m = 0.9 * -0.05 - 0.05 = -0.095; w += 0.9 * -0.095 - 0.05 = -0.1355
        assert!((layer.weights()[0] - 0.7695).abs() < 1e-6);
    }

    #[test]
    fn sgd_decay_scales_the_rate_per_iteration() {
        let (mut layer, grads) = one(1.0, 1.0);
        let mut opt = Sgd::new(0.1).decay(1.0);
        opt.step(&mut layer, &grads); // lr 0.1
        opt.step(&mut layer, &grads); // lr 0.05
        assert!((layer.weights()[0] - 0.85).abs() < 1e-6);
    }

    #[test]
    fn rmsprop_follows_keras() {
        let (mut layer, grads) = one(1.0, 0.5);
        let mut opt = RmsProp::new(0.01);
        opt.step(&mut layer, &grads);
        let v = 0.1f32 * 0.25;
        assert!((layer.weights()[0] - (1.0 - 0.01 * 0.5 / (v + 1e-7).sqrt())).abs() < 1e-6);
    }

    #[test]
    fn adam_first_step_moves_by_the_learning_rate() {
        let (mut layer, grads) = one(1.0, 0.5);
        let mut opt = Adam::new(0.01);
        opt.step(&mut layer, &grads);
        // alpha = lr * sqrt(1 - b2) / (1 - b1); m = 0.05; v = 0.00025
        let alpha = 0.01 * (1.0f32 - 0.999).sqrt() / 0.1;
        let want = 1.0 - 0.05 * alpha / (0.00025f32.sqrt() + 1e-7);
        assert!((layer.weights()[0] - want).abs() < 1e-6);
        assert!((layer.weights()[0] - 0.99).abs() < 1e-4);
    }

    #[test]
    fn large_tensors_split_over_threads_give_the_same_bits() {
        // 300,000 weights: above PARALLEL_UPDATE, so split over the pool.
        let mut layer = Dense::<600, 500, Linear>::seeded(4);
        let mut grads = DenseGrads::<600, 500>::zeros();
        for (i, g) in grads.weights_mut().iter_mut().enumerate() {
            *g = ((i % 97) as f32 - 48.0) / 100.0;
        }
        let mut reference: Vec<f32> = layer.weights().as_slice().to_vec();
        let mut opt = Adam::new(0.01);
        opt.step(&mut layer, &grads);
        opt.step(&mut layer, &grads);
        // The same two steps, scalar, in Keras' order of operations.
        let (mut m, mut v) = (vec![0.0f32; reference.len()], vec![0.0f32; reference.len()]);
        for t in 1..=2 {
            let alpha = 0.01 * (1.0 - 0.999f32.powf(t as f32)).sqrt() / (1.0 - 0.9f32.powf(t as f32));
            for (i, w) in reference.iter_mut().enumerate() {
                let g = grads.weights().as_slice()[i];
                m[i] += (g - m[i]) * 0.1;
                v[i] += (g * g - v[i]) * 0.001;
                *w -= m[i] * alpha / (v[i].sqrt() + 1e-7);
            }
        }
        assert_eq!(layer.weights().as_slice(), &reference[..]);
    }

    #[test]
    fn decimals_are_the_shortest_that_round_trip() {
        assert_eq!(decimal(0.999), 0.999);
        assert_eq!(decimal(0.9), 0.9);
        assert_eq!(decimal(1e-7), 1e-7);
        assert_eq!(complement(0.999), 0.001);
        let odd = 0.123_456_79f32;
        assert_eq!(decimal(odd) as f32, odd);
    }

    #[test]
    fn adamw_decays_weights_before_the_update() {
        let (mut layer, grads) = one(2.0, 0.0);
        let mut opt = AdamW::new(0.1, 0.5);
        opt.step(&mut layer, &grads);
        assert!((layer.weights()[0] - 1.9).abs() < 1e-6);
    }
}
