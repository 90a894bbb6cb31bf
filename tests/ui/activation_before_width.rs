use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc: Dense<Relu, 32>,
        out: Dense<1>,
    }
}

fn main() {}
