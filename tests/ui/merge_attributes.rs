use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        #[frozen]
        frozen: Concat([a: Dense<2>], [b: Dense<2>]),
        #[l2(0.01)]
        penalised: Add([c: Dense<4>], []),
        #[phase(Eval)]
        pinned: Add([d: Dropout(0.5)], []),
        #[rename = "0"]
        renamed: Concat([e: Dense<1>], []),
        out: Dense<1>,
    }
}

fn main() {}
