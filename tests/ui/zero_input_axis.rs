// An input axis of 0 is one error, on that axis: not also a second one from
// the recurrent layer that then sees the wrong number of axes.
use typenet::prelude::*;

network! {
    struct Net {
        input: [0, 3],
        rnn: Lstm<4>,
        out: Dense<1>,
    }
}

fn main() {}
