use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        mut: Dense<8>,
    }
}

network! {
    struct Width {
        input: 4,
        fc: Dense<fn>,
    }
}

fn main() {}
