use typenet::prelude::*;

network! {
    pub struct Backbone {
        input: 6,
        fc: Dense<5, Relu>,
    }
}

network! {
    struct Outer {
        input: 8,
        base: Backbone,
        head: Dense<1>,
    }
}

network! {
    struct Deeper {
        input: 3,
        fc: Dense<7, Relu>,
        base: Backbone,
        head: Dense<1>,
    }
}

fn main() {}
