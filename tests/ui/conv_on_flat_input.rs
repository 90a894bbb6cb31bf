use typenet::prelude::*;

network! {
    struct Net {
        input: 64,
        conv: Conv2d<8, 3, Relu>,
    }
}

network! {
    struct Pooled {
        input: 64,
        pool: MaxPool1d<2>,
        global: GlobalAvgPool,
    }
}

network! {
    struct WrongRank {
        input: [16, 4],
        conv: Conv2d<8, 3>,
    }
}

fn main() {}
