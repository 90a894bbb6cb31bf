use typenet::prelude::*;

network! {
    /// A shortcut that skips a width change: 4 channels added to 8.
    struct Widened {
        input: [6, 6, 4],
        sum: Add([conv: Conv2d<8, 3, padding = 1>], []),
    }
}

network! {
    /// A strided branch joined to a full-size one.
    struct Strided {
        input: [6, 6, 4],
        cat: Concat([a: Conv2d<8, 1>], [b: Conv2d<8, 3, stride = 2, padding = 1>], [c: MaxPool2d<3, stride = 1, padding = 1>]),
    }
}

network! {
    /// A flat path joined to a map.
    struct Flattened {
        input: [4, 4, 2],
        cat: Concat([flat: Flatten], []),
    }
}

fn main() {}
