use typenet::prelude::*;

network! {
    struct Net {
        input: (8, 8, 1),
        conv: Conv2d<4, 3, Relu>,
        flat: Flatten,
        out: Dense<2>,
    }
}

network! {
    struct Kernel {
        input: [8, 8, 1],
        conv: Conv2d<4, (3, 3), Relu, stride = (2, 2)>,
        out: Dense<2>,
    }
}

fn main() {}
