use typenet::prelude::*;

network! {
    struct Net {
        input: 4,
        out: Dense<1>,
    }
}

fn main() {
    let mut net = Net::<Eval>::seeded(0);
    let g = Batch::<1>::zeros(2);
    let _ = net.backward(&g);
}
