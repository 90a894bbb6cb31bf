use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8, 1],
        conv: Conv2d<4, 3, Relu>,
        pool: MaxPol2d<2>,
        fc: Dense<16, Relu>,
        out: Dense<2>,
    }
}

fn main() {}
