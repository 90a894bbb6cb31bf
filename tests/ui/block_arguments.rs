use typenet::prelude::*;

network! {
    block Unit(F, K, stride = 1, padding = 0) {
        conv: Conv2d<F, K, stride = stride, padding = padding>,
        act: Relu,
    }

    struct Net {
        input: [16, 16, 3],
        too_many: Unit(8, 3, 1, 1, 2),
        missing: Unit(8),
        unknown: Unit(8, 3, strides = 2),
        twice: Unit(8, 3, padding = 1, padding = 2),
        angle: Unit<8, 3>,
    }
}

fn main() {}
