use typenet::prelude::*;

network! {
    struct Net {
        input: 8,
        noise: GaussianNoise(0.0),
        noise2: GaussianNoise(-0.5),
        noise3: GaussianNoise(1e-50),
        out: Dense<1>,
    }
}

fn main() {}
