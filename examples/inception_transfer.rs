//! The question typenet was born from, asked of its own network: an
//! InceptionV3 cut at Keras' `mixed7` (torchvision's `Mixed_6e`), 150x150
//! images in, frozen, under a new Dense head with a Dropout. Which layers
//! does the Dropout affect, and what does freezing do to the backbone's
//! BatchNorms?
//!
//! The backbone is torchvision's layout with typenet's own initialisation
//! (nothing downloads: load torchvision's `state_dict` with
//! `net.base.load_into(path)` for real features). The task is binary and
//! drawn here: is the shape on the image a disc or a square?
//!
//! Run: `cargo run --release --example inception_transfer`

#[path = "../tests/models/torchvision.rs"]
#[allow(dead_code)]
mod torchvision;

use std::time::Instant;

use torchvision::InceptionMixed7;
use typenet::io::StateDict;
use typenet::prelude::*;
use typenet::rand::{Rng, SeedableRng};

network! {
    /// The seed's network: the frozen backbone kept in inference mode
    /// (Keras' behaviour for a frozen model), then the seed's own head.
    pub struct Seed {
        input: [150, 150, 3],
        #[frozen] #[phase(Eval)] base: InceptionMixed7,
        flat: Flatten,
        fc1: Dense<512, Relu>,
        fc2: Dense<1024, Relu>,
        drop: Dropout(0.2),
        fc3: Dense<1, Sigmoid>,
    }
}

network! {
    /// The same backbone frozen but not pinned to `Eval`: PyTorch's
    /// behaviour, where freezing is not a phase.
    pub struct PlainFrozen {
        input: [150, 150, 3],
        #[frozen] base: InceptionMixed7,
        flat: Flatten,
        out: Dense<1, Sigmoid>,
    }
}

const SIDE: usize = 150;
const PIXELS: usize = SIDE * SIDE * 3;

/// `count` images of a disc or a square of random size and colour on a
/// noisy background, channels last; half have it in the upper half of
/// the image (label 1), half in the lower half (label 0).
fn shapes(count: usize, seed: u64) -> Result<Dataset<PIXELS, 1>, Error> {
    let mut rng = typenet::rand::rngs::StdRng::seed_from_u64(seed);
    let mut x = Batch::<PIXELS>::zeros(count);
    let mut y = Batch::<1>::zeros(count);
    for sample in 0..count {
        let upper = sample % 2 == 0;
        let disc = rng.random_bool(0.5);
        let radius = rng.random_range(24.0..40.0f32);
        let middle = SIDE as f32 / 2.0;
        let cy = if upper {
            rng.random_range(radius..middle - 4.0)
        } else {
            rng.random_range(middle + 4.0..SIDE as f32 - radius)
        };
        let cx = rng.random_range(radius..SIDE as f32 - radius);
        let colour: [f32; 3] =
            [rng.random_range(0.4..1.0), rng.random_range(0.4..1.0), rng.random_range(0.4..1.0)];
        let mut pixels = x.column_mut(sample);
        for row in 0..SIDE {
            for col in 0..SIDE {
                let (dy, dx) = (row as f32 - cy, col as f32 - cx);
                let inside = if disc {
                    dy * dy + dx * dx <= radius * radius
                } else {
                    dy.abs().max(dx.abs()) <= radius * 0.85
                };
                for channel in 0..3 {
                    let noise = rng.random_range(0.0..0.15f32);
                    pixels[(row * SIDE + col) * 3 + channel] = if inside { colour[channel] } else { noise };
                }
            }
        }
        y[(0, sample)] = if upper { 1.0 } else { 0.0 };
    }
    Dataset::new(x, y)
}

fn main() -> Result<(), Error> {
    println!(
        "Q: A frozen InceptionV3 (cut at mixed7, 150x150 -> [7, 7, 768]) under a Dense head with Dropout:"
    );
    println!(
        "   which layers does the Dropout affect, and what does freezing do to the backbone's BatchNorms?"
    );
    let start = Instant::now();
    let (train, test) = (shapes(96, 1)?, shapes(64, 2)?);
    let mut net = Seed::<Train>::seeded(3);
    println!("{}", net.summary());
    println!(
        "   {} parameters, {} trainable (the head), {} frozen (the backbone)",
        Seed::PARAMS,
        Seed::TRAINABLE_PARAMS,
        Seed::PARAMS - Seed::TRAINABLE_PARAMS
    );

    // A randomly initialised backbone's BatchNorms hold running statistics
    // of 0 and 1, which do not fit what reaches them. Without
    // `#[phase(Eval)]` a frozen BatchNorm keeps updating its running
    // statistics in Train (PyTorch's behaviour): used on purpose here,
    // a few Train forwards calibrate them on the images, and the
    // calibrated backbone is then frozen in Eval.
    let mut calibrate = PlainFrozen::<Train>::seeded(3);
    let running = |net: &PlainFrozen<Train>| net.base.Conv2d_1a_3x3.bn.running_mean().as_slice().to_vec();
    let was = running(&calibrate);
    for _ in 0..4 {
        for start in (0..train.len()).step_by(32) {
            calibrate.forward(train.slice(start, (start + 32).min(train.len())).x());
        }
    }
    println!(
        "   plain #[frozen] (no #[phase(Eval)]): Train forwards update the backbone's BatchNorm running statistics: {}",
        was != running(&calibrate)
    );
    println!("   (PyTorch's behaviour: freezing is not a phase; #[phase(Eval)] is Keras' behaviour for a frozen model)");
    net.base = calibrate.base.into_eval();
    let before = StateDict::of(&net.base);
    let settings = Fit::epochs(12).batch_size(8).seed(4).verbose(false);
    // 37,632 features feed the first Dense: a small rate, or one step
    // moves its pre-activations by whole units.
    let history = net.fit(&train, &mut Adam::new(4e-5), &BinaryCrossEntropy, settings)?;
    let after = StateDict::of(&net.base);
    let identical = before.iter().zip(after.iter()).all(|(a, b)| a.data == b.data);
    println!(
        "   trained the head for {} epochs (loss {:.3} -> {:.3})",
        history.loss.len(),
        history.loss[0],
        history.loss[history.loss.len() - 1]
    );
    println!(
        "A: the backbone's weights and running statistics are bit-identical after training: {identical}"
    );

    // Two training forwards of the same images draw two dropout masks.
    let sample = test.slice(0, 4);
    net.forward(sample.x());
    let first: Vec<(&str, Vec<f32>)> =
        net.outputs().into_iter().map(|(name, v)| (name, v.to_vec())).collect();
    net.forward(sample.x());
    println!("   two Train forwards of the same images, layer by layer:");
    for ((name, a), (_, b)) in first.iter().zip(net.outputs()) {
        let verdict = if a.as_slice() == b { "identical" } else { "different" };
        println!("   {name:>5}: {verdict}");
    }
    println!("   The Dropout changes only the layers from itself on; the frozen backbone has no dropout of its own.");

    let metrics = net.into_eval().evaluate(&test, &BinaryCrossEntropy);
    println!("   {:.1} s in all", start.elapsed().as_secs_f32());
    println!("test accuracy: {:.1} %", 100.0 * metrics.accuracy.unwrap_or(f32::NAN));
    Ok(())
}
