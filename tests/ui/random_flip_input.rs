use typenet::prelude::*;

network! {
    struct Flat {
        input: 64,
        flip: RandomFlip,
        out: Dense<1>,
    }
}

network! {
    struct Sequence {
        input: [8, 8],
        flip: RandomFlip(horizontal),
    }
}

network! {
    struct Diagonal {
        input: [8, 8, 1],
        flip: RandomFlip(diagonal),
    }
}

fn main() {}
