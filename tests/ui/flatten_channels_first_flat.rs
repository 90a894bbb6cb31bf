use typenet::prelude::*;

network! {
    struct Net {
        input: 64,
        flat: Flatten(channels_first),
        out: Dense<10>,
    }
}

network! {
    struct Misspelt {
        input: [4, 4, 2],
        flat: Flatten(channel_first),
        out: Dense<10>,
    }
}

fn main() {}
