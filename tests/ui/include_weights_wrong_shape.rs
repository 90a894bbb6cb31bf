// The file holds `Tiny { input: 3, fc: Dense<2> }`: `fc` here is wider.
use typenet::prelude::*;

network! { pub struct Wider { input: 3, fc: Dense<4> } }

fn main() {
    let _: Wider = typenet::include_weights!(Wider, "../../../../tests/fixtures/baked/tiny.safetensors");
}
