use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        fc: Dense<8, Relu>,
        drop: Dropout(0.5),
        out: Dense<1>,
    }
}

fn main() {
    let net = Net::<Eval>::seeded(0);
    let _ = net.drop.weights();
}
