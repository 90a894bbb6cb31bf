use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        one: Concat([a: Dense<2>]),
        none: Add(),
        bare: Concat,
        angle: Add<[b: Dense<4>], []>,
        layer: Concat(Dense<2>, []),
        named: Add([c: Dense<4>], [], axis = 1),
        out: Dense<1>,
    }
}

fn main() {}
