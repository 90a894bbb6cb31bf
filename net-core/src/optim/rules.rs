//! The update of one step, element by element, as Keras 3 writes it:
//! nothing here knows about SIMD or threads (`linalg::elementwise` runs an
//! update over a tensor, vectorised and split over cores).
//!
//! Moments are flushed to zero when they fall below `f32::MIN_POSITIVE`:
//! a moment decaying towards zero (a unit that stopped receiving gradient)
//! would otherwise spend thousands of steps as a subnormal number, which
//! many CPUs process a hundred times slower. At that size a moment has no
//! effect on any weight (`m / (sqrt(v) + epsilon)` with `epsilon = 1e-7`).
//!
//! Each rule also reports whether every value it wrote is finite, folded
//! into the same pass (an integer OR of exponent bits, which vectorises), so
//! training can stop at the first non-finite step for free.

/// One step's element-wise update of one tensor: its parameters `w`,
/// gradient `g` and two moment buffers of the same length.
#[doc(hidden)]
pub trait Update: Sync {
    /// Updates every element; returns `false` if any new weight or moment
    /// is NaN or infinite (a squared gradient can overflow a moment while
    /// the weight it divides stays finite).
    fn apply(&self, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> bool;
}

use crate::math::flush;

/// The exponent bits of an f32: all ones exactly for infinities and NaN.
const EXPONENT: u32 = 0x7f80_0000;

/// Whether `x` is NaN or infinite, as bits that OR together without a branch.
#[inline(always)]
fn non_finite(x: f32) -> u32 {
    ((x.to_bits() & EXPONENT) == EXPONENT) as u32
}

/// One step of Keras 3's SGD (velocity in `m`; `v` unused).
#[doc(hidden)]
pub struct SgdStep {
    pub lr: f32,
    pub momentum: f32,
    pub nesterov: bool,
}

impl Update for SgdStep {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], velocity: &mut [f32], _: &mut [f32]) -> bool {
        let (lr, momentum) = (self.lr, self.momentum);
        let mut bad = 0u32;
        if momentum == 0.0 {
            for (w, g) in w.iter_mut().zip(g) {
                *w -= g * lr;
                bad |= non_finite(*w);
            }
        } else if self.nesterov {
            for ((w, g), m) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *m = flush(*m * momentum - g * lr);
                *w += *m * momentum - g * lr;
                bad |= non_finite(*w) | non_finite(*m);
            }
        } else {
            for ((w, g), m) in w.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *m = flush(*m * momentum - g * lr);
                *w += *m;
                bad |= non_finite(*w) | non_finite(*m);
            }
        }
        bad == 0
    }
}

/// One step of Keras 3's RMSprop (the mean square in `m`; `v` unused).
#[doc(hidden)]
pub struct RmsPropStep {
    pub lr: f32,
    pub rho: f32,
    pub one_minus_rho: f32,
    pub epsilon: f32,
}

impl Update for RmsPropStep {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], mean_square: &mut [f32], _: &mut [f32]) -> bool {
        let Self { lr, rho, one_minus_rho, epsilon } = *self;
        let mut bad = 0u32;
        for ((w, g), v) in w.iter_mut().zip(g).zip(mean_square.iter_mut()) {
            *v = flush(rho * *v + one_minus_rho * (g * g));
            *w -= lr * g / (*v + epsilon).sqrt();
            bad |= non_finite(*w) | non_finite(*v);
        }
        bad == 0
    }
}

/// One step of Keras 3's Adam, with AdamW's decoupled decay when
/// `weight_decay != 0`.
#[doc(hidden)]
pub struct AdamStep {
    /// `lr * sqrt(1 - beta2^t) / (1 - beta1^t)`.
    pub alpha: f32,
    pub one_minus_beta1: f32,
    pub one_minus_beta2: f32,
    pub epsilon: f32,
    pub weight_decay: f32,
    pub lr: f32,
}

impl Update for AdamStep {
    #[inline(always)]
    fn apply(&self, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) -> bool {
        let Self { alpha, one_minus_beta1, one_minus_beta2, epsilon, weight_decay, lr } = *self;
        let mut bad = 0u32;
        for (((w, g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            if weight_decay != 0.0 {
                *w -= *w * weight_decay * lr;
            }
            *m = flush(*m + (g - *m) * one_minus_beta1);
            *v = flush(*v + (g * g - *v) * one_minus_beta2);
            *w -= *m * alpha / (v.sqrt() + epsilon);
            bad |= non_finite(*w) | non_finite(*m) | non_finite(*v);
        }
        bad == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nan_gradient_is_reported_by_every_rule() {
        let rules: [&dyn Update; 3] = [
            &SgdStep { lr: 0.1, momentum: 0.0, nesterov: false },
            &RmsPropStep { lr: 0.1, rho: 0.9, one_minus_rho: 0.1, epsilon: 1e-7 },
            &AdamStep {
                alpha: 0.1,
                one_minus_beta1: 0.1,
                one_minus_beta2: 0.001,
                epsilon: 1e-7,
                weight_decay: 0.0,
                lr: 0.1,
            },
        ];
        for rule in rules {
            let (mut w, mut m, mut v) = (vec![1.0; 40], vec![0.0; 40], vec![0.0; 40]);
            let mut g = vec![0.5; 40];
            assert!(rule.apply(&mut w, &g, &mut m, &mut v));
            g[33] = f32::NAN;
            assert!(!rule.apply(&mut w, &g, &mut m, &mut v));
        }
    }

    #[test]
    fn an_overflowing_step_is_reported() {
        let rule = SgdStep { lr: f32::MAX, momentum: 0.0, nesterov: false };
        let mut w = vec![0.0f32; 3];
        assert!(!rule.apply(&mut w, &[-10.0, 0.0, 0.0], &mut [0.0; 3], &mut [0.0; 3]));
    }
}
