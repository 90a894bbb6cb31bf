use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8],
        conv: Conv2d<4, 3, Relu>,
    }
}

network! {
    struct Pooled {
        input: [8, 8],
        pool: MaxPool2d<2>,
    }
}

fn main() {}
