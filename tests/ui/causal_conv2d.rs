use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8, 3],
        conv: Conv2d<16, 3, padding = Causal>,
    }
}

fn main() {}
