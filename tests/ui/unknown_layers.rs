use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc1: Denes<3>,
        drop: Dropuot(0.5),
        out: Dense<2, Rleu>,
    }
}

fn main() {}
