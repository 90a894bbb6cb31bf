use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc1: Dense<0, Relu>,
        out: Dense<1>,
    }
}

fn main() {}
