use typenet::prelude::*;

network! {
    struct Net {
        input: 8,
        drop: GaussianDropout(1.0),
        drop2: GaussianDropout(-0.1),
        out: Dense<1>,
    }
}

fn main() {}
