use typenet::prelude::*;

network! {
    struct Net {
        input: 4611686018427387904,
        fc: Dense<3>,
        out: Dense<1>,
    }
}

fn main() {}
