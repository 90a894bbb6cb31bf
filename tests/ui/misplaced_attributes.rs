use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        #[phase(Train)]
        fc: Dense<8, Relu>,
        #[l2(0.01)]
        drop: Dropout(0.5),
        #[frozen]
        stop: StopGradient,
        #[trainable]
        out: Dense<1>,
    }
}

fn main() {}
