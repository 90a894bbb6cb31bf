use typenet::prelude::*;

network! {
    block BasicConv2d(F, K, padding = 0) {
        conv: Conv2d<F, K, padding = padding, bias = false>,
        bn: BatchNorm(eps = 1e-3),
        relu: Relu,
    }

    struct Net {
        input: [8, 8, 3],
        stem: BasicConv2d(8, 3),
        mixed: Concat([a: BasicConv2e(4, 1)], [b: BasicConv(4, 3, padding = 1)]),
    }
}

fn main() {}
