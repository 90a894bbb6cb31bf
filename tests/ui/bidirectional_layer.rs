use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8],
        dense: Bidirectional(Dense<4>),
        conv: Bidirectional(Conv1d<4, 3>),
        wrapped: Bidirectional(TimeDistributed(Dense<4>)),
    }
}

network! {
    struct Flat {
        input: 8,
        rnn: Bidirectional(Lstm<4>),
    }
}

fn main() {}
