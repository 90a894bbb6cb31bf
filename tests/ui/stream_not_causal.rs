use typenet::prelude::*;

network! {
    struct Pooled {
        input: [16, 2],
        conv: Conv1d<4, 3, padding = Causal>,
        pool: MaxPool1d<2>,
        rnn: Gru<4>,
    }
}

network! {
    struct Flattened {
        input: [16, 2],
        flat: Flatten,
        out: Dense<1>,
    }
}

fn main() {
    let pooled = Pooled::<Eval>::seeded(0);
    let _ = pooled.stream();
    let flattened = Flattened::<Eval>::seeded(0);
    let _ = flattened.stream();
}
