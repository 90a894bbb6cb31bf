use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8],
        rnn: Gru<16, return_sequences = true>,
        out: Dense<1>,
    }
}

fn main() {}
