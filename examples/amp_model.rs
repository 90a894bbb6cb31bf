//! "Can the network I train run sample by sample in real time?" A small
//! guitar-amp-like chain (gain, a soft clipper, a one-pole low-pass) is
//! applied to a generated signal at 48 kHz; a `Gru<8>` with a per-step
//! `Dense<1>` learns it from windows of the signal, then streams one second
//! of new audio one sample at a time, as an audio plugin would.
//!
//! Run: `cargo run --release --example amp_model`

use std::time::Instant;

use typenet::prelude::*;
use typenet::rand::{rngs::StdRng, Rng, SeedableRng};

const WINDOW: usize = 128;
const RATE: f32 = 48_000.0;

network! {
    /// One input sample -> one output sample, every step.
    pub struct AmpModel {
        input: [WINDOW, 1],
        rnn: Gru<8, return_sequences = true>,
        out: TimeDistributed(Dense<1>),
    }
}

/// The "amp": gain into a tanh soft clipper, then a one-pole low-pass at
/// 4 kHz (the state carries from sample to sample).
fn amp(input: &[f32]) -> Vec<f32> {
    let pole = (-2.0 * std::f32::consts::PI * 4_000.0 / RATE).exp();
    let mut state = 0.0f32;
    input
        .iter()
        .map(|&x| {
            let clipped = (4.0 * x).tanh();
            state = pole * state + (1.0 - pole) * clipped;
            state
        })
        .collect()
}

/// `seconds` of a guitar-like test signal: a few detuned partials whose
/// loudness swells and decays, plus a little noise.
fn signal(seconds: f32, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let notes: Vec<(f32, f32)> = (0..4)
        .map(|_| (rng.random_range(80.0..660.0), rng.random_range(0.0..std::f32::consts::TAU)))
        .collect();
    let len = (seconds * RATE) as usize;
    (0..len)
        .map(|i| {
            let t = i as f32 / RATE;
            let envelope = 0.15 + 0.35 * (0.5 + 0.5 * (2.0 * std::f32::consts::PI * 1.3 * t).sin());
            let tone: f32 = notes
                .iter()
                .enumerate()
                .map(|(k, &(f, phase))| (2.0 * std::f32::consts::PI * f * t + phase).sin() / (k + 1) as f32)
                .sum();
            envelope * tone * 0.6 + rng.random_range(-0.02..0.02)
        })
        .collect()
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: Can the network I train run sample by sample in real time?");
    // Training data: 2 s of signal through the amp, cut into windows.
    let x = signal(2.0, 1);
    let y = amp(&x);
    let rows = x.chunks_exact(WINDOW).zip(y.chunks_exact(WINDOW)).map(|(xs, ys)| {
        let (mut input, mut target) = ([0.0f32; WINDOW], [0.0f32; WINDOW]);
        input.copy_from_slice(xs);
        target.copy_from_slice(ys);
        (input, target)
    });
    let data = Dataset::<WINDOW, WINDOW>::from_iter_rows(rows)?;
    println!("   training: {} windows of {WINDOW} samples (2 s at 48 kHz)", data.len());

    let mut net = AmpModel::<Train>::seeded(7);
    println!("{}", net.summary());
    let started = Instant::now();
    let settings = Fit::epochs(60).batch_size(16).seed(2).verbose(false);
    let history = net.fit(&data, &mut Adam::new(1e-2), &Mse, settings)?;
    println!(
        "   trained {} epochs in {:.1} s, final training loss {:.2e}",
        history.loss.len(),
        started.elapsed().as_secs_f32(),
        history.loss.last().copied().unwrap_or(f32::NAN)
    );

    // One second of new audio, streamed one sample at a time on one thread.
    let net = net.into_eval();
    typenet::set_num_threads(1);
    let test = signal(1.0, 99);
    let truth = amp(&test);
    let mut stream: AmpModelStream = net.stream();
    let mut output = Vec::with_capacity(test.len());
    let started = Instant::now();
    for &sample in &test {
        output.push(stream.step(&net, &SVector::<f32, 1>::new(sample))[0]);
    }
    let seconds = started.elapsed().as_secs_f64();
    let error: f64 = output.iter().zip(&truth).map(|(&a, &b)| ((a - b) as f64).powi(2)).sum();
    let energy: f64 = truth.iter().map(|&b| (b as f64).powi(2)).sum();
    println!(
        "A: yes: `net.stream()` runs the trained network one sample at a time ({:.0} ns per sample, no allocation).",
        1e9 * seconds / test.len() as f64
    );
    println!("ESR: {:.4}", error / energy);
    println!("real-time factor: {:.0}", 1.0 / seconds);
    Ok(())
}
