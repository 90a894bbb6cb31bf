//! What the device and the host both run: the `amp_model` network with
//! baked-in weights, streaming a generated signal one sample at a time,
//! scored against the amp it models. `no_std`, so the firmware and the
//! host check (`tests/embedded_host.rs` in the main workspace) compile the
//! same file.

use typenet::prelude::*;

network! {
    /// One input sample -> one output sample, every step (examples/amp_model.rs).
    pub struct AmpModel {
        input: [128, 1],
        rnn: Gru<8, return_sequences = true>,
        out: TimeDistributed(Dense<1>),
    }
}

/// Samples per second of the generated signal.
pub const RATE: f32 = 48_000.0;
/// Samples streamed: 0.1 s.
pub const SAMPLES: usize = 4_800;

/// What one run reports.
pub struct Report {
    /// Error-to-signal ratio of the network's output against the amp's.
    pub esr: f64,
    /// FNV-1a over the bits of every output sample: equal only if every
    /// output is equal bit for bit.
    pub checksum: u32,
}

/// A guitar-like test signal: three partials under a swelling envelope.
fn signal(i: usize) -> f32 {
    let t = i as f32 / RATE;
    let tau = core::f32::consts::TAU;
    let envelope = 0.15 + 0.35 * (0.5 + 0.5 * libm::sinf(tau * 1.3 * t));
    let tone = libm::sinf(tau * 196.0 * t)
        + libm::sinf(tau * 392.5 * t + 1.0) / 2.0
        + libm::sinf(tau * 587.0 * t + 2.0) / 3.0;
    envelope * tone * 0.6
}

/// Streams [`SAMPLES`] samples through `net` and through the amp: gain into
/// a tanh soft clipper, then a one-pole low-pass at 4 kHz. (Each caller
/// bakes the weights in itself: `include_weights!` takes its path relative
/// to the crate that compiles it.)
pub fn run(net: &AmpModel) -> Report {
    let mut stream = net.stream();
    let pole = libm::expf(-core::f32::consts::TAU * 4_000.0 / RATE);
    let (mut state, mut error, mut energy) = (0.0f32, 0.0f64, 0.0f64);
    let mut checksum: u32 = 0x811c_9dc5;
    for i in 0..SAMPLES {
        let x = signal(i);
        let y = stream.step(net, &SVector::<f32, 1>::new(x))[0];
        state = pole * state + (1.0 - pole) * libm::tanhf(4.0 * x);
        error += ((y - state) as f64) * ((y - state) as f64);
        energy += (state as f64) * (state as f64);
        for byte in y.to_bits().to_le_bytes() {
            checksum = (checksum ^ byte as u32).wrapping_mul(0x0100_0193);
        }
    }
    Report { esr: error / energy, checksum }
}
