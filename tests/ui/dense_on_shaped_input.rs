use typenet::prelude::*;

network! {
    struct Net {
        input: [7, 7, 16],
        fc: Dense<8, Relu>,
    }
}

fn main() {}
