//! Optimiser hyper-parameters: every constructor, builder and
//! `set_learning_rate` refuses a value outside its valid range with a
//! documented panic naming the parameter and the value, so an optimiser
//! value always holds valid ones (checkpoints are checked in `tests/io.rs`).

use typenet::prelude::*;

#[test]
#[should_panic(expected = "learning rate NaN must be finite and not negative")]
fn sgd_refuses_a_nan_learning_rate() {
    Sgd::new(f32::NAN);
}

#[test]
#[should_panic(expected = "learning rate inf must be finite and not negative")]
fn sgd_refuses_an_infinite_learning_rate() {
    Sgd::new(f32::INFINITY);
}

#[test]
#[should_panic(expected = "learning rate -0.1 must be finite and not negative")]
fn sgd_refuses_a_negative_learning_rate() {
    Sgd::new(-0.1);
}

#[test]
#[should_panic(expected = "learning rate inf must be finite and not negative")]
fn set_learning_rate_refuses_infinity() {
    let mut opt = Sgd::new(0.1);
    opt.set_learning_rate(f32::INFINITY);
}

#[test]
#[should_panic(expected = "learning rate NaN must be finite and not negative")]
fn set_learning_rate_refuses_nan_on_adam() {
    Adam::new(0.1).set_learning_rate(f32::NAN);
}

#[test]
#[should_panic(expected = "learning rate -1 must be finite and not negative")]
fn set_learning_rate_refuses_a_negative_rate_on_rmsprop() {
    RmsProp::new(0.1).set_learning_rate(-1.0);
}

#[test]
#[should_panic(expected = "learning rate -inf must be finite and not negative")]
fn set_learning_rate_refuses_minus_infinity_on_adamw() {
    AdamW::new(0.1, 0.004).set_learning_rate(f32::NEG_INFINITY);
}

#[test]
#[should_panic(expected = "momentum 1 must be in [0, 1)")]
fn sgd_refuses_momentum_one() {
    let _ = Sgd::new(0.1).momentum(1.0);
}

#[test]
#[should_panic(expected = "momentum NaN must be in [0, 1)")]
fn sgd_refuses_a_nan_momentum() {
    let _ = Sgd::new(0.1).momentum(f32::NAN);
}

#[test]
#[should_panic(expected = "decay -1 must be finite and not negative")]
fn sgd_refuses_a_negative_decay() {
    let _ = Sgd::new(0.1).decay(-1.0);
}

#[test]
#[should_panic(expected = "rho -0.1 must be in [0, 1)")]
fn rmsprop_refuses_a_negative_rho() {
    let _ = RmsProp::new(0.001).rho(-0.1);
}

#[test]
#[should_panic(expected = "epsilon 0 must be finite and positive")]
fn rmsprop_refuses_a_zero_epsilon() {
    let _ = RmsProp::new(0.001).epsilon(0.0);
}

#[test]
#[should_panic(expected = "beta1 1 must be in [0, 1)")]
fn adam_refuses_beta1_one() {
    let _ = Adam::new(0.001).beta1(1.0);
}

#[test]
#[should_panic(expected = "beta2 NaN must be in [0, 1)")]
fn adam_refuses_a_nan_beta2() {
    let _ = Adam::new(0.001).beta2(f32::NAN);
}

#[test]
#[should_panic(expected = "epsilon 0 must be finite and positive")]
fn adam_refuses_a_zero_epsilon() {
    let _ = Adam::new(0.001).epsilon(0.0);
}

#[test]
#[should_panic(expected = "epsilon inf must be finite and positive")]
fn adam_refuses_an_infinite_epsilon() {
    let _ = Adam::new(0.001).epsilon(f32::INFINITY);
}

#[test]
#[should_panic(expected = "weight decay NaN must be finite and not negative")]
fn adamw_refuses_a_nan_weight_decay() {
    AdamW::new(0.001, f32::NAN);
}

#[test]
#[should_panic(expected = "weight decay -0.5 must be finite and not negative")]
fn adamw_refuses_a_negative_weight_decay() {
    AdamW::new(0.001, -0.5);
}

#[test]
#[should_panic(expected = "learning rate NaN must be finite and not negative")]
fn adamw_refuses_a_nan_learning_rate() {
    AdamW::new(f32::NAN, 0.004);
}

#[test]
#[should_panic(expected = "beta1 1.5 must be in [0, 1)")]
fn adamw_builders_check_like_adams() {
    let _ = AdamW::new(0.001, 0.004).beta1(1.5);
}

#[test]
fn the_edges_of_every_range_are_accepted() {
    let mut sgd = Sgd::new(0.0).momentum(0.0).decay(0.0).nesterov(true);
    sgd.set_learning_rate(f32::MAX);
    assert_eq!(sgd.learning_rate(), f32::MAX);
    let _ = Sgd::new(1.0).momentum(0.999_999_9);
    let _ = RmsProp::new(0.0).rho(0.0).epsilon(f32::MIN_POSITIVE);
    let _ = Adam::new(0.001).beta1(0.0).beta2(0.0).epsilon(f32::MAX);
    let mut adamw = AdamW::new(0.001, 0.0).beta1(0.5).beta2(0.5).epsilon(1e-3);
    adamw.set_learning_rate(0.0);
    assert_eq!(adamw.learning_rate(), 0.0);
}
