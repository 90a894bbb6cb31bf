use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8],
        rnn: Lstm<16, dropout = 1.0, recurrent_dropout = -0.1>,
        out: Dense<1>,
    }
}

fn main() {}
