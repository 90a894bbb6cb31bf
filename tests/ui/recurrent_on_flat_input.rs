use typenet::prelude::*;

network! {
    struct Net {
        input: 64,
        rnn: Lstm<32>,
        out: Dense<10>,
    }
}

fn main() {}
