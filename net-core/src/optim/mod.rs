//! Optimisers with Keras 3's defaults and update rules, step for step.
//!
//! Every optimiser is one [`Descent`]: the state they all keep (the base
//! learning rate, the steps taken, a pair of moment buffers per trainable
//! tensor in the order the network visits them, created on the first step)
//! and a [`Rule`], which is all that differs between them: its
//! hyper-parameters and the element-wise update of a step. `Sgd`,
//! `RmsProp`, `Adam` and `AdamW` name the four rules' optimisers. Frozen
//! layers have no gradients and are never visited, so no optimiser can
//! touch them.
//!
//! The element-wise updates are in `rules` (plain code), running them
//! vectorised and over the cores in `linalg::elementwise`, and saving and
//! restoring an optimiser's state in `checkpoint`. Hyper-parameters are
//! checked where they are set: an optimiser value always holds valid ones.

mod checkpoint;
mod rules;

use std::fmt::Debug;

use crate::error::{Error, Result};
use crate::io::StateDict;
use crate::layers::Layer;
pub use rules::Update;
use rules::{AdamStep, RmsPropStep, SgdStep};

/// Something that updates a network's trainable parameters from gradients.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Line { input: 1, out: Dense<1> } }
/// let mut net = Line::<Train>::seeded(1);
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// let x = Batch::<1>::from_column_slice(&[1.0, 2.0]);
/// let t = Batch::<1>::from_column_slice(&[2.0, 4.0]);
/// let before = Mse.loss(&net.forward(&x), &t);
/// for _ in 0..20 {
///     let y = net.forward(&x);
///     let grads = net.backward(&Mse.grad(&y, &t));
///     opt.step(&mut net, &grads);
/// }
/// assert!(Mse.loss(&net.forward(&x), &t) < before);
/// opt.set_learning_rate(0.01);
/// assert_eq!(opt.learning_rate(), 0.01);
/// ```
pub trait Optimizer {
    /// Applies one update; `grads` are those `backward` returned.
    ///
    /// # Panics
    /// If a layer's gradient tensor differs in length from its parameter
    /// tensor (a custom layer's `visit_trainable` bug).
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads);

    /// [`step`](Self::step), reporting whether every parameter it wrote is
    /// finite (what `fit` stops on). The built-in optimisers fold the check
    /// into the update; this default scans the parameters afterwards.
    fn step_finite<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) -> bool {
        self.step(net, grads);
        let mut finite = true;
        net.visit_trainable(grads, &mut |w, _| finite &= w.iter().all(|v| v.is_finite()));
        finite
    }

    /// The base learning rate.
    fn learning_rate(&self) -> f32;

    /// Sets the base learning rate (what schedules use).
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite.
    fn set_learning_rate(&mut self, lr: f32);

    /// Steps applied so far.
    fn iterations(&self) -> u64;
}

/// What differs between optimisers: the hyper-parameters and the update
/// one step makes. Implemented by [`SgdRule`], [`RmsPropRule`],
/// [`AdamRule`] and [`AdamWRule`]; its items are the optimiser's workings.
pub trait Rule: Clone + Debug + Send + Sync + 'static {
    /// The name a checkpoint records.
    #[doc(hidden)]
    const KIND: &'static str;
    /// Whether the second moment buffer holds a mean of squares (never negative).
    #[doc(hidden)]
    const MEAN_SQUARE_SECOND: bool;
    /// The element-wise update of one step.
    #[doc(hidden)]
    type Step: Update;
    /// The update of the step after `iterations` steps at base rate `lr`.
    #[doc(hidden)]
    fn step(&self, lr: f32, iterations: u64) -> Self::Step;
    /// The hyper-parameters as a checkpoint records them.
    #[doc(hidden)]
    fn hyper(&self) -> Vec<(&'static str, String)>;
    /// The hyper-parameters of a checkpoint.
    #[doc(hidden)]
    fn from_hyper(dict: &StateDict) -> Result<Self>;
    /// Why the hyper-parameters are invalid, if they are.
    #[doc(hidden)]
    fn problems(&self) -> Option<String>;
    /// Refuses restored moments this rule cannot continue from.
    #[doc(hidden)]
    fn check_state(&self, _lr: f32, _iterations: u64, _moments: &Moments) -> Result<()> {
        Ok(())
    }
}

/// An optimiser: a [`Rule`] with the state every optimiser keeps.
///
/// ```
/// use typenet::prelude::*;
/// let mut opt = Adam::new(0.001);
/// opt.set_learning_rate(0.01);
/// assert_eq!((opt.learning_rate(), opt.iterations()), (0.01, 0));
/// ```
#[derive(Clone, Debug)]
pub struct Descent<R: Rule> {
    rule: R,
    lr: f32,
    iterations: u64,
    moments: Moments,
}

impl<R: Rule> Descent<R> {
    /// `rule` at base rate `lr`, no step taken.
    #[track_caller]
    fn with_rule(lr: f32, rule: R) -> Self {
        refuse(valid::learning_rate(lr));
        Descent { rule, lr, iterations: 0, moments: Moments::default() }
    }

    /// The hyper-parameters.
    pub fn rule(&self) -> &R {
        &self.rule
    }
}

impl<R: Rule> Optimizer for Descent<R> {
    fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
        self.step_finite(net, grads);
    }
    fn step_finite<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) -> bool {
        let step = self.rule.step(self.lr, self.iterations);
        self.iterations = self.iterations.saturating_add(1);
        self.moments.apply(net, grads, &step)
    }
    fn learning_rate(&self) -> f32 {
        self.lr
    }
    #[track_caller]
    fn set_learning_rate(&mut self, lr: f32) {
        refuse(valid::learning_rate(lr));
        self.lr = lr;
    }
    fn iterations(&self) -> u64 {
        self.iterations
    }
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

/// Why a hyper-parameter is refused, or `None` if it is valid.
pub(crate) mod valid {
    /// A learning rate: finite and not negative.
    pub fn learning_rate(lr: f32) -> Option<String> {
        (!(lr.is_finite() && lr >= 0.0))
            .then(|| format!("learning rate {lr} must be finite and not negative"))
    }
    /// A decay factor (momentum, rho, betas): in [0, 1).
    pub fn factor(name: &str, value: f32) -> Option<String> {
        (!(0.0..1.0).contains(&value)).then(|| format!("{name} {value} must be in [0, 1)"))
    }
    /// An epsilon: finite and positive.
    pub fn epsilon(value: f32) -> Option<String> {
        (!(value.is_finite() && value > 0.0)).then(|| format!("epsilon {value} must be finite and positive"))
    }
    /// A decay rate or weight decay: finite and not negative.
    pub fn non_negative(name: &str, value: f32) -> Option<String> {
        (!(value.is_finite() && value >= 0.0))
            .then(|| format!("{name} {value} must be finite and not negative"))
    }
}

/// Panics with `problem`, if any: what builders do with invalid values.
#[track_caller]
fn refuse(problem: Option<String>) {
    if let Some(problem) = problem {
        panic!("{problem}");
    }
}

/// Per-tensor moment buffers, sized on first use.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct Moments {
    slots: Vec<[Vec<f32>; 2]>,
}

impl Moments {
    /// Runs `step` over every trainable tensor of `net`; returns whether
    /// every weight written is finite.
    fn apply<N: Layer, U: Update>(&mut self, net: &mut N, grads: &N::Grads, step: &U) -> bool {
        let mut index = 0;
        let mut finite = true;
        let slots = &mut self.slots;
        net.visit_trainable(grads, &mut |params, grads| {
            assert_eq!(
                params.len(),
                grads.len(),
                "trainable tensor {index} has {} parameters but its gradient has {} values: the layer's `visit_trainable` pairs tensors of different lengths",
                params.len(),
                grads.len()
            );
            if slots.len() <= index {
                slots.push([Vec::new(), Vec::new()]);
            }
            let [first, second] = &mut slots[index];
            if first.len() != params.len() {
                *first = vec![0.0; params.len()];
                *second = vec![0.0; params.len()];
            }
            finite &= crate::linalg::elementwise(
                params,
                grads,
                first,
                second,
                #[inline(always)]
                |w, g, m, v| step.apply(w, g, m, v),
            );
            index += 1;
        });
        finite
    }
}

/// SGD's hyper-parameters: momentum, Nesterov, and the Keras 2
/// learning-rate decay `lr / (1 + decay * iterations)`.
#[derive(Clone, Debug, Default)]
pub struct SgdRule {
    momentum: f32,
    nesterov: bool,
    decay: f32,
}

/// Stochastic gradient descent, with optional (Nesterov) momentum and the
/// Keras 2 learning-rate decay `lr / (1 + decay * iterations)`.
///
/// ```
/// use typenet::prelude::*;
/// let opt = Sgd::new(0.009).momentum(0.9).nesterov(true).decay(1e-10);
/// assert_eq!(opt.learning_rate(), 0.009);
/// ```
pub type Sgd = Descent<SgdRule>;

impl Descent<SgdRule> {
    /// Plain SGD with learning rate `lr` (Keras' default is 0.01).
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite.
    #[track_caller]
    pub fn new(lr: f32) -> Self {
        Self::with_rule(lr, SgdRule::default())
    }
    /// Momentum (default 0).
    ///
    /// # Panics
    /// If `momentum` is outside [0, 1).
    #[track_caller]
    pub fn momentum(mut self, momentum: f32) -> Self {
        refuse(valid::factor("momentum", momentum));
        self.rule.momentum = momentum;
        self
    }
    /// Nesterov momentum (default off).
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.rule.nesterov = nesterov;
        self
    }
    /// Keras 2 time-based decay of the learning rate (default 0).
    ///
    /// # Panics
    /// If `decay` is negative, NaN or infinite.
    #[track_caller]
    pub fn decay(mut self, decay: f32) -> Self {
        refuse(valid::non_negative("decay", decay));
        self.rule.decay = decay;
        self
    }
}

impl Rule for SgdRule {
    const KIND: &'static str = "Sgd";
    const MEAN_SQUARE_SECOND: bool = false;
    type Step = SgdStep;

    fn step(&self, lr: f32, iterations: u64) -> SgdStep {
        let lr = lr / (1.0 + self.decay * iterations as f32);
        SgdStep { lr, momentum: self.momentum, nesterov: self.nesterov }
    }
    fn hyper(&self) -> Vec<(&'static str, String)> {
        vec![
            ("momentum", self.momentum.to_string()),
            ("nesterov", self.nesterov.to_string()),
            ("decay", self.decay.to_string()),
        ]
    }
    fn from_hyper(dict: &StateDict) -> Result<Self> {
        Ok(SgdRule {
            momentum: checkpoint::hyper(dict, "momentum")?,
            nesterov: checkpoint::hyper(dict, "nesterov")?,
            decay: checkpoint::hyper(dict, "decay")?,
        })
    }
    fn problems(&self) -> Option<String> {
        valid::factor("momentum", self.momentum).or_else(|| valid::non_negative("decay", self.decay))
    }
}

/// RMSprop's hyper-parameters.
#[derive(Clone, Debug)]
pub struct RmsPropRule {
    rho: f32,
    epsilon: f32,
}

/// RMSprop (Keras 3: rho 0.9, epsilon 1e-7, `w -= lr g / sqrt(v + eps)`).
///
/// ```
/// use typenet::prelude::*;
/// let opt = RmsProp::new(0.001).rho(0.95);
/// assert_eq!(opt.iterations(), 0);
/// ```
pub type RmsProp = Descent<RmsPropRule>;

impl Descent<RmsPropRule> {
    /// RMSprop with learning rate `lr` (Keras' default is 0.001).
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite.
    #[track_caller]
    pub fn new(lr: f32) -> Self {
        Self::with_rule(lr, RmsPropRule { rho: 0.9, epsilon: 1e-7 })
    }
    /// Discount of the squared-gradient average (default 0.9).
    ///
    /// # Panics
    /// If `rho` is outside [0, 1).
    #[track_caller]
    pub fn rho(mut self, rho: f32) -> Self {
        refuse(valid::factor("rho", rho));
        self.rule.rho = rho;
        self
    }
    /// Stability constant (default 1e-7).
    ///
    /// # Panics
    /// If `epsilon` is not finite and positive.
    #[track_caller]
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        refuse(valid::epsilon(epsilon));
        self.rule.epsilon = epsilon;
        self
    }
}

impl Rule for RmsPropRule {
    const KIND: &'static str = "RmsProp";
    const MEAN_SQUARE_SECOND: bool = false;
    type Step = RmsPropStep;

    fn step(&self, lr: f32, _iterations: u64) -> RmsPropStep {
        RmsPropStep { lr, rho: self.rho, one_minus_rho: complement(self.rho), epsilon: self.epsilon }
    }
    fn hyper(&self) -> Vec<(&'static str, String)> {
        vec![("rho", self.rho.to_string()), ("epsilon", self.epsilon.to_string())]
    }
    fn from_hyper(dict: &StateDict) -> Result<Self> {
        Ok(RmsPropRule { rho: checkpoint::hyper(dict, "rho")?, epsilon: checkpoint::hyper(dict, "epsilon")? })
    }
    fn problems(&self) -> Option<String> {
        valid::factor("rho", self.rho).or_else(|| valid::epsilon(self.epsilon))
    }
    /// The first buffer holds mean squares: none may be negative.
    fn check_state(&self, _lr: f32, _iterations: u64, moments: &Moments) -> Result<()> {
        moments.check_mean_squares(0)
    }
}

/// Adam's hyper-parameters.
#[derive(Clone, Debug)]
pub struct AdamRule {
    beta1: f32,
    beta2: f32,
    epsilon: f32,
}

/// Adam (Keras 3: beta1 0.9, beta2 0.999, epsilon 1e-7).
///
/// ```
/// use typenet::prelude::*;
/// let opt = Adam::new(0.001).beta1(0.8);
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
pub type Adam = Descent<AdamRule>;

impl Default for AdamRule {
    fn default() -> Self {
        AdamRule { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
    }
}

impl AdamRule {
    /// The update of the step after `iterations` steps, with AdamW's
    /// decoupled `weight_decay`.
    fn step_with(&self, lr: f32, iterations: u64, weight_decay: f32) -> AdamStep {
        let local_step = iterations.saturating_add(1) as f32;
        let (b1, b2) = (self.beta1, self.beta2);
        AdamStep {
            alpha: lr * (1.0 - b2.powf(local_step)).sqrt() / (1.0 - b1.powf(local_step)),
            one_minus_beta1: complement(b1),
            one_minus_beta2: complement(b2),
            epsilon: self.epsilon,
            weight_decay,
            lr,
        }
    }

    fn hyper_values(&self) -> Vec<(&'static str, String)> {
        vec![
            ("beta1", self.beta1.to_string()),
            ("beta2", self.beta2.to_string()),
            ("epsilon", self.epsilon.to_string()),
        ]
    }

    fn read(dict: &StateDict) -> Result<Self> {
        Ok(AdamRule {
            beta1: checkpoint::hyper(dict, "beta1")?,
            beta2: checkpoint::hyper(dict, "beta2")?,
            epsilon: checkpoint::hyper(dict, "epsilon")?,
        })
    }

    fn problems_of(&self) -> Option<String> {
        valid::factor("beta1", self.beta1)
            .or_else(|| valid::factor("beta2", self.beta2))
            .or_else(|| valid::epsilon(self.epsilon))
    }

    /// Refuses moments that are valid one by one but whose next update
    /// overflows (a first moment of 1e38 over a second moment of 0): the
    /// step after loading would write an infinite weight.
    fn check_next_step(&self, lr: f32, iterations: u64, moments: &Moments) -> Result<()> {
        let t = iterations.saturating_add(1) as f64;
        let (b1, b2) = (self.beta1 as f64, self.beta2 as f64);
        let alpha = lr as f64 * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
        for (i, [first, second]) in moments.slots.iter().enumerate() {
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
}

/// The Adam builders, on Adam and AdamW alike.
macro_rules! adam_builders {
    ($rule:ty $(, $adam:ident)?) => {
        impl Descent<$rule> {
            /// Decay of the first moment (default 0.9).
            ///
            /// # Panics
            /// If `beta1` is outside [0, 1).
            #[track_caller]
            pub fn beta1(mut self, beta1: f32) -> Self {
                refuse(valid::factor("beta1", beta1));
                self.rule$(.$adam)?.beta1 = beta1;
                self
            }
            /// Decay of the second moment (default 0.999).
            ///
            /// # Panics
            /// If `beta2` is outside [0, 1).
            #[track_caller]
            pub fn beta2(mut self, beta2: f32) -> Self {
                refuse(valid::factor("beta2", beta2));
                self.rule$(.$adam)?.beta2 = beta2;
                self
            }
            /// Stability constant (default 1e-7).
            ///
            /// # Panics
            /// If `epsilon` is not finite and positive.
            #[track_caller]
            pub fn epsilon(mut self, epsilon: f32) -> Self {
                refuse(valid::epsilon(epsilon));
                self.rule$(.$adam)?.epsilon = epsilon;
                self
            }
        }
    };
}

impl Descent<AdamRule> {
    /// Adam with learning rate `lr` (Keras' default is 0.001).
    ///
    /// # Panics
    /// If `lr` is negative, NaN or infinite.
    #[track_caller]
    pub fn new(lr: f32) -> Self {
        Self::with_rule(lr, AdamRule::default())
    }
}

impl Rule for AdamRule {
    const KIND: &'static str = "Adam";
    const MEAN_SQUARE_SECOND: bool = true;
    type Step = AdamStep;

    fn step(&self, lr: f32, iterations: u64) -> AdamStep {
        self.step_with(lr, iterations, 0.0)
    }
    fn hyper(&self) -> Vec<(&'static str, String)> {
        let mut hyper = self.hyper_values();
        hyper.push(("weight_decay", 0.0f32.to_string()));
        hyper
    }
    fn from_hyper(dict: &StateDict) -> Result<Self> {
        let decay: f32 = checkpoint::hyper(dict, "weight_decay")?;
        if decay != 0.0 {
            return Err(Error::OptimizerState(format!("an Adam checkpoint with weight decay {decay}")));
        }
        AdamRule::read(dict)
    }
    fn problems(&self) -> Option<String> {
        self.problems_of()
    }
    fn check_state(&self, lr: f32, iterations: u64, moments: &Moments) -> Result<()> {
        self.check_next_step(lr, iterations, moments)
    }
}

/// AdamW's hyper-parameters: Adam's and the decoupled weight decay.
#[derive(Clone, Debug)]
pub struct AdamWRule {
    adam: AdamRule,
    weight_decay: f32,
}

/// AdamW: Adam with decoupled weight decay, `w -= w * weight_decay * lr`
/// before each update (Keras 3; its default `weight_decay` is 0.004).
///
/// ```
/// use typenet::prelude::*;
/// let opt = AdamW::new(0.001, 0.004);
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
pub type AdamW = Descent<AdamWRule>;

impl Descent<AdamWRule> {
    /// AdamW with learning rate `lr` and decoupled weight decay.
    ///
    /// # Panics
    /// If `lr` or `weight_decay` is negative, NaN or infinite.
    #[track_caller]
    pub fn new(lr: f32, weight_decay: f32) -> Self {
        refuse(valid::non_negative("weight decay", weight_decay));
        Self::with_rule(lr, AdamWRule { adam: AdamRule::default(), weight_decay })
    }
}

impl Rule for AdamWRule {
    const KIND: &'static str = "AdamW";
    const MEAN_SQUARE_SECOND: bool = true;
    type Step = AdamStep;

    fn step(&self, lr: f32, iterations: u64) -> AdamStep {
        self.adam.step_with(lr, iterations, self.weight_decay)
    }
    fn hyper(&self) -> Vec<(&'static str, String)> {
        let mut hyper = self.adam.hyper_values();
        hyper.push(("weight_decay", self.weight_decay.to_string()));
        hyper
    }
    fn from_hyper(dict: &StateDict) -> Result<Self> {
        Ok(AdamWRule { adam: AdamRule::read(dict)?, weight_decay: checkpoint::hyper(dict, "weight_decay")? })
    }
    fn problems(&self) -> Option<String> {
        self.adam.problems_of().or_else(|| valid::non_negative("weight decay", self.weight_decay))
    }
    fn check_state(&self, lr: f32, iterations: u64, moments: &Moments) -> Result<()> {
        self.adam.check_next_step(lr, iterations, moments)
    }
}

adam_builders!(AdamRule);
adam_builders!(AdamWRule, adam);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Dense, DenseGrads, Grads, Init, Linear, Weights};

    /// An optimiser with only `step`: plain gradient descent at rate 1.
    struct Plain;

    impl Optimizer for Plain {
        fn step<N: Layer>(&mut self, net: &mut N, grads: &N::Grads) {
            net.visit_trainable(grads, &mut |w, g| w.iter_mut().zip(g).for_each(|(w, g)| *w -= g));
        }
        fn learning_rate(&self) -> f32 {
            1.0
        }
        fn set_learning_rate(&mut self, _lr: f32) {}
        fn iterations(&self) -> u64 {
            0
        }
    }

    /// Guards the default `step_finite` that custom optimisers inherit
    /// (true after a finite step, false once a parameter is not) and
    /// `learning_rate`.
    #[test]
    fn the_default_step_finite_reports_a_non_finite_parameter() {
        let (mut layer, grads) = one(1.0, 0.5);
        assert!(Plain.step_finite(&mut layer, &grads));
        assert_eq!(layer.weights()[0], 0.5);
        let (mut layer, grads) = one(1.0, f32::INFINITY);
        assert!(!Plain.step_finite(&mut layer, &grads));
        assert_eq!(Sgd::new(0.25).learning_rate(), 0.25);
        assert_eq!(Adam::new(0.125).learning_rate(), 0.125);
    }

    /// Guards SGD with momentum (Keras 3: `m = momentum m - lr g`,
    /// `w += m`): two steps by hand.
    #[test]
    fn sgd_momentum_follows_keras() {
        let (mut layer, grads) = one(1.0, 0.5);
        let mut opt = Sgd::new(0.1).momentum(0.9);
        opt.step(&mut layer, &grads);
        assert!((layer.weights()[0] - 0.95).abs() < 1e-6, "{}", layer.weights()[0]);
        opt.step(&mut layer, &grads);
        // m = 0.9 * -0.05 - 0.05 = -0.095.
        assert!((layer.weights()[0] - 0.855).abs() < 1e-6, "{}", layer.weights()[0]);
    }

    /// Guards SGD's finiteness report on every path: a weight that
    /// overflows while its velocity stays finite is reported, and so is a
    /// non-finite gradient; a finite step is not.
    #[test]
    fn sgd_reports_a_weight_that_overflows() {
        let optimisers =
            [Sgd::new(1.0), Sgd::new(1.0).momentum(0.9), Sgd::new(1.0).momentum(0.9).nesterov(true)];
        for (i, opt) in optimisers.into_iter().enumerate() {
            let (mut layer, grads) = one(f32::MAX, -f32::MAX / 2.0);
            assert!(!opt.clone().step_finite(&mut layer, &grads), "optimiser {i}: overflow not reported");
            let (mut layer, grads) = one(1.0, f32::INFINITY);
            assert!(
                !opt.clone().step_finite(&mut layer, &grads),
                "optimiser {i}: infinite gradient not reported"
            );
            let (mut layer, grads) = one(1.0, 0.5);
            assert!(opt.clone().step_finite(&mut layer, &grads), "optimiser {i}: a finite step reported");
        }
    }

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
