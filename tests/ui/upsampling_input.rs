use typenet::prelude::*;

network! {
    struct Flat {
        input: 16,
        up: UpSampling2d<2>,
    }
}

network! {
    struct Sequence {
        input: [8, 4],
        up: UpSampling2d<[2, 1]>,
    }
}

network! {
    struct Zero {
        input: [8, 8, 1],
        up: UpSampling2d<0>,
        up2: UpSampling2d(2),
    }
}

fn main() {}
