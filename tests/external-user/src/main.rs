//! Uses every kind of entry through `typenet` alone.

use typenet::prelude::*;

const HIDDEN: usize = 16;

network! {
    /// A backbone to nest.
    pub struct Backbone {
        input: [2, 4],
        flat: Flatten,
        fc: Dense<HIDDEN, Relu>,
        bn: BatchNorm,
        drop: Dropout(0.5),
    }
}

network! {
    /// A head on a frozen backbone.
    pub struct Classifier {
        input: [2, 4],
        #[frozen]
        base: Backbone,
        stop: StopGradient,
        #[l2(0.001)]
        head: Dense<3, Softmax>,
        act: Tanh,
        #[phase(Train)]
        mc: Dropout(0.1),
        out: Dense<1, Sigmoid>,
    }
}

fn main() {
    let mut net = Classifier::<Train>::seeded(1);
    let x = Batch::<8>::from_element(4, 0.5);
    let y = net.forward(&x);
    let grads = net.backward(&Mse.grad(&y, &Batch::<1>::zeros(4)));
    Adam::new(1e-3).step(&mut net, &grads);
    let net = net.into_eval();
    println!("{}", net.summary());
    println!("{:?}", net.predict(&SVector::<f32, 8>::from_element(0.5)));
    let _ = typenet::nalgebra::DMatrix::<f32>::zeros(1, 1);
    let _: u64 = typenet::rand::random();
}
