use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        drop: Dropout(1.5),
        out: Dense<1>,
        negative: Dropout(-0.1),
    }
}

fn main() {}
