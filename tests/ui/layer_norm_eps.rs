use typenet::prelude::*;

network! {
    struct Normed {
        input: [8, 3],
        zero: LayerNorm(eps = 0),
        negative: LayerNorm(eps = -1e-5),
        misspelt: LayerNorm(epsilon = 1e-5),
    }
}

fn main() {}
