use typenet::prelude::*;

network! {
    struct Net {
        input: [8, 8, 3],
        drop: SpatialDropout(1.5),
        drop2: SpatialDropout(-0.2),
        flat: Flatten,
        out: Dense<1>,
    }
}

network! {
    struct Flat {
        input: 16,
        drop: SpatialDropout(0.2),
    }
}

fn main() {}
