use typenet::prelude::*;

network! {
    struct Flat {
        input: 64,
        shift: RandomTranslation(0.1),
    }
}

network! {
    struct TooFar {
        input: [8, 8, 1],
        shift: RandomTranslation(1.5),
        shift2: RandomTranslation(-0.1),
    }
}

fn main() {}
