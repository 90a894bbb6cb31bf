//! Optimisers with Keras 3's defaults and update rules, step for step.
//!
//! An optimiser keeps one state slot per trainable tensor, in the order the
//! network visits them, created on the first step. Frozen layers have no
//! gradients and are never visited, so no optimiser can touch them.

use crate::layers::Layer;

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
        let (momentum, nesterov) = (self.momentum, self.nesterov);
        self.moments.for_each(net, grads, |w, g, velocity, _| {
            if momentum == 0.0 {
                for (w, g) in w.iter_mut().zip(g) {
                    *w -= lr * g;
                }
                return;
            }
            for ((w, g), m) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *m = momentum * *m - lr * g;
                *w += if nesterov { momentum * *m - lr * g } else { *m };
            }
        });
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
        let (lr, rho, eps) = (self.lr, self.rho, self.epsilon);
        self.moments.for_each(net, grads, |w, g, velocity, _| {
            for ((w, g), v) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *v = rho * *v + (1.0 - rho) * g * g;
                *w -= lr * g / (*v + eps).sqrt();
            }
        });
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
        let (b1, b2, eps, lr, wd) = (self.beta1, self.beta2, self.epsilon, self.lr, self.weight_decay);
        let alpha = lr * (1.0 - b2.powf(local_step)).sqrt() / (1.0 - b1.powf(local_step));
        self.moments.for_each(net, grads, |w, g, m, v| {
            for (((w, g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                if wd != 0.0 {
                    *w -= *w * wd * lr;
                }
                *m += (g - *m) * (1.0 - b1);
                *v += (g * g - *v) * (1.0 - b2);
                *w -= *m * alpha / (v.sqrt() + eps);
            }
        });
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
    fn adamw_decays_weights_before_the_update() {
        let (mut layer, grads) = one(2.0, 0.0);
        let mut opt = AdamW::new(0.1, 0.5);
        opt.step(&mut layer, &grads);
        assert!((layer.weights()[0] - 1.9).abs() < 1e-6);
    }
}
