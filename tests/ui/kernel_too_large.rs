use typenet::prelude::*;

network! {
    struct Net {
        input: [4, 6, 1],
        conv: Conv2d<2, 5>,
    }
}

network! {
    struct Dilated {
        input: [9, 2],
        conv: Conv1d<2, 3, dilation = 5>,
    }
}

network! {
    struct Pooled {
        input: [3, 3, 2],
        pool: AvgPool2d<4>,
    }
}

fn main() {}
