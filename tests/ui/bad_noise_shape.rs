use typenet::prelude::*;

network! {
    struct Net {
        input: [10, 16],
        rank: Dropout(0.5, noise_shape = [1, 16]),
        size: Dropout(0.5, noise_shape = [_, 1, 15]),
        flat: Flatten,
        out: Dense<1>,
    }
}

fn main() {}
