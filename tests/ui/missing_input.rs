use typenet::prelude::*;

network! {
    struct Net {
        fc1: Dense<3, Relu>,
        out: Dense<1>,
    }
}

fn main() {}
