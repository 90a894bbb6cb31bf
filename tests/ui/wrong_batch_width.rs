use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        out: Dense<1>,
    }
}

fn main() {
    let net = Net::<Eval>::seeded(0);
    let x = Batch::<5>::zeros(3);
    net.forward(&x);
}
