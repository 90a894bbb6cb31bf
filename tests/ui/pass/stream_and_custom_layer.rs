//! What must compile in a user's crate: a causal network that streams, and
//! a custom layer whose tensors are derived. (Having a case that passes
//! also makes trybuild build rather than only check every case, so errors
//! found when a generic function is instantiated, such as a network that
//! cannot stream, are caught too.)

use typenet::prelude::*;

network! {
    struct Echo {
        input: [8, 2],
        conv: Conv1d<4, 3, Tanh, padding = Causal>,
        rnn: Gru<4, return_sequences = true>,
        out: TimeDistributed(Dense<1>),
    }
}

fn main() {
    let net = Echo::<Eval>::seeded(1);
    let x = SVector::<f32, 16>::from_fn(|i, _| (i as f32).sin());
    let whole = net.predict(&x);
    let mut stream = net.stream();
    for t in 0..8 {
        let y = stream.step(&net, &SVector::<f32, 2>::new(x[2 * t], x[2 * t + 1]));
        assert!((y[0] - whole[t]).abs() < 1e-5);
    }
}
