use typenet::prelude::*;

network! {
    /// Uses itself directly.
    block Forever(F) {
        conv: Conv2d<F, 3, padding = 1>,
        again: Forever(F),
    }

    struct Direct {
        input: [8, 8, 2],
        a: Forever(2),
    }
}

network! {
    /// Uses itself through `Inner`, inside a path.
    block Outer(F) {
        inner: Inner(F),
    }

    block Inner(F) {
        sum: Add([outer: Outer(F)], []),
    }

    struct Indirect {
        input: [8, 8, 2],
        b: Outer(2),
    }
}

fn main() {}
