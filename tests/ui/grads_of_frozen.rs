use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        #[frozen]
        base: Dense<8, Relu>,
        head: Dense<1>,
    }
}

fn main() {
    let grads = NetGrads::zeros();
    let _ = grads.base;
}
