//! Every built-in layer's backward against central finite differences
//! (the layers' own unit tests cover the same for Dense and BatchNorm with
//! more cases).

use typenet::prelude::*;
use typenet::testing::check_layer_gradients;

#[test]
fn standalone_activations() {
    check_layer_gradients(Activation::<5, Relu>::new(), 3);
    check_layer_gradients(Activation::<5, Sigmoid>::new(), 3);
    check_layer_gradients(Activation::<5, Tanh>::new(), 3);
    check_layer_gradients(Activation::<5, Softmax>::new(), 3);
    check_layer_gradients(Activation::<5, LeakyRelu>::new(), 3);
    check_layer_gradients(Activation::<5, Gelu>::new(), 3);
}

#[test]
fn dense_with_every_activation() {
    check_layer_gradients(Dense::<6, 4, Linear>::seeded(1), 5);
    check_layer_gradients(Dense::<6, 4, Relu>::seeded(2), 5);
    check_layer_gradients(Dense::<6, 4, Sigmoid>::seeded(3), 5);
    check_layer_gradients(Dense::<6, 4, Tanh>::seeded(4), 5);
    check_layer_gradients(Dense::<6, 4, Softmax>::seeded(5), 5);
    check_layer_gradients(Dense::<6, 4, LeakyRelu>::seeded(6), 5);
    check_layer_gradients(Dense::<6, 4, Gelu>::seeded(7), 5);
}

#[test]
fn dropout_in_eval_flatten_and_batch_norm() {
    check_layer_gradients(Dropout::<7, Eval>::new(0.5, 1), 3);
    check_layer_gradients(Dropout::<7, Train>::new(0.0, 1), 3);
    check_layer_gradients(Flatten::<7>, 3);
    check_layer_gradients(BatchNorm::<4, Train>::new(), 6);
    check_layer_gradients(BatchNorm::<4, Eval>::new(), 6);
}

#[test]
#[should_panic(expected = "input gradient")]
fn the_checker_catches_a_wrong_backward() {
    // StopGradient's backward is zero on purpose: the checker must notice
    // that it is not the derivative of its (identity) forward.
    check_layer_gradients(StopGradient::<3>, 2);
}
