use typenet::prelude::*;

network! {
    struct Features {
        input: [8, 3],
        emb: Embedding<100, 4>,
    }
}

network! {
    struct Missing {
        input: [8],
        emb: Embedding<100>,
    }
}

fn main() {}
