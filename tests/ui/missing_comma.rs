use typenet::prelude::*;

network! {
    struct Net {
        input: 4
        fc: Dense<3, Relu>,
        out: Dense<1>,
    }
}

fn main() {}
