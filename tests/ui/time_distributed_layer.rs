use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8],
        conv: TimeDistributed(Conv1d<4, 3>),
        rnn: TimeDistributed(Lstm<4>),
        out: TimeDistributed(Dense<1>),
    }
}

network! {
    struct Flat {
        input: 8,
        out: TimeDistributed(Dense<1>),
    }
}

fn main() {}
