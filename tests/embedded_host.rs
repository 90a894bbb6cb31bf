//! The host's side of the emulated Cortex-M run (tools/embedded.sh): the
//! firmware's own streaming code (examples/embedded/src/amp.rs) with the
//! same baked weights, printing the lines the firmware prints.

#[path = "../examples/embedded/src/amp.rs"]
mod amp;

use typenet::io::StateDict;
use typenet::prelude::*;

const WEIGHTS: &str = "examples/embedded/amp.safetensors";

/// The firmware's weights are `AmpModel::seeded(7)`'s; with
/// `TYPENET_BLESS=1` this writes them.
#[test]
fn firmware_weights_are_the_seeded_network() {
    let net = amp::AmpModel::<Eval>::seeded(7);
    if std::env::var_os("TYPENET_BLESS").is_some() {
        net.save(WEIGHTS).unwrap();
    }
    let file = StateDict::read(WEIGHTS).unwrap();
    assert_eq!(file.len(), net.state_dict().len());
    for tensor in &net.state_dict() {
        let saved = file.get(&tensor.name).unwrap();
        let bits = |data: &[f32]| data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!((&saved.shape, bits(&saved.data)), (&tensor.shape, bits(&tensor.data)), "{}", tensor.name);
    }
}

#[test]
fn host_run_of_the_firmware() {
    let net: amp::AmpModel = typenet::include_weights!(amp::AmpModel, "examples/embedded/amp.safetensors");
    let report = amp::run(&net);
    println!("samples: {}", amp::SAMPLES);
    println!("ESR: {:.6}", report.esr);
    println!("checksum: {:08x}", report.checksum);
    assert!(report.esr.is_finite());
}
