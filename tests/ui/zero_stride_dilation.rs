use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8, 3],
        conv: Conv2d<16, 3, stride = 0>,
        conv2: Conv2d<16, 3, dilation = [1, 0]>,
        pool: MaxPool2d<2, stride = 0>,
    }
}

fn main() {}
