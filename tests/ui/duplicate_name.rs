use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc: Dense<3, Relu>,
        fc: Dense<1>,
    }
}

fn main() {}
