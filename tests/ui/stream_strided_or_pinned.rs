// `stream()` on a network that cannot stream names the field and why, not
// the layer's internal type: a causal convolution with a stride above 1, and
// a layer pinned to Train (its randomness has no per-step meaning).
use typenet::prelude::*;

network! {
    struct Strided {
        input: [8, 2],
        conv: Conv1d<2, 2, stride = 2, padding = Causal>,
        rnn: Gru<3>,
    }
}

network! {
    struct Pinned {
        input: [8, 2],
        rnn: Gru<3, return_sequences = true>,
        #[phase(Train)]
        drop: Dropout(0.5),
        out: TimeDistributed(Dense<1>),
    }
}

fn main() {
    let strided = Strided::<Eval>::seeded(0);
    let _ = strided.stream();
    let pinned = Pinned::<Eval>::seeded(0);
    let _ = pinned.stream();
}
