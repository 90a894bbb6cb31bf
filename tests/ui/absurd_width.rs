use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc: Dense<4611686018427387904>,
        out: Dense<1>,
    }
}

fn main() {}
