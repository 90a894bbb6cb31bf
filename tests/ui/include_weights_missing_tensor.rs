// The file holds `Tiny { input: 3, fc: Dense<2> }`: nothing for `head`,
// and a tensor `fc.*` that `Renamed` has not.
use typenet::prelude::*;

network! { pub struct Deeper { input: 3, fc: Dense<2>, head: Dense<1> } }
network! { pub struct Renamed { input: 3, dense: Dense<2> } }

fn main() {
    let _: Deeper = typenet::include_weights!(Deeper, "../../../../tests/fixtures/baked/tiny.safetensors");
    let _: Renamed = typenet::include_weights!(Renamed, "../../../../tests/fixtures/baked/tiny.safetensors");
    let _: Renamed = typenet::include_weights!(Renamed, "../../../../tests/fixtures/baked/absent.safetensors");
}
