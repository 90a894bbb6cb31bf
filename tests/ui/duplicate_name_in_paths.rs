use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8, 2],
        conv: Conv2d<4, 1>,
        cat: Concat([a: Conv2d<4, 1>, act: Relu], [b: Conv2d<4, 3, padding = 1>, act: Tanh], [conv: Conv2d<2, 1>]),
        a: Relu,
    }
}

network! {
    block Pair {
        sum: Add([x: Conv2d<2, 1>], [sum: Conv2d<2, 1>]),
    }

    struct Blocked {
        input: [4, 4, 2],
        pair: Pair,
    }
}

fn main() {}
