//! "If I write dropout by hand (x * bernoulli / keep), does it switch off at
//! inference?" A custom layer through the public `Noise` trait: it says
//! what it draws while training and how the gradient flows back;
//! `Noisy` makes it a phase-typed layer that is the identity in `Eval`,
//! as the built-in `Dropout` is.
//!
//! Run: `cargo run --release --example manual_dropout`

use typenet::layers::{Draws, Noise, Noisy};
use typenet::prelude::*;
use typenet::{Cols, ColsMut};

const KEEP: f32 = 0.5;

/// Hand-written inverted dropout over 64 features: a Bernoulli(KEEP) mask
/// divided by KEEP, drawn from the network's noise generator.
#[derive(Clone, Debug, Default)]
pub struct BernoulliMask;

impl Noise for BernoulliMask {
    const WIDTH: usize = 64;
    /// The mask of the last training forward, already divided by KEEP.
    type Record = Vec<f32>;

    fn words(&self, cols: usize) -> u64 {
        (64 * cols).div_ceil(2) as u64
    }

    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, mut y: ColsMut<'_>, mask: &mut Vec<f32>) {
        mask.clear();
        for (i, (y, &x)) in y.as_mut_slice().iter_mut().zip(x.as_slice()).enumerate() {
            let (a, b) = draws.uniform_pair(i as u64 / 2);
            let u = if i % 2 == 0 { a } else { b };
            let m = if u < KEEP { 1.0 / KEEP } else { 0.0 };
            mask.push(m);
            *y = x * m;
        }
    }

    fn gradient(&self, mask: &Vec<f32>, dy: Cols<'_>, mut dx: ColsMut<'_>) {
        for ((dx, dy), m) in dx.as_mut_slice().iter_mut().zip(dy.as_slice()).zip(mask) {
            *dx = dy * m;
        }
    }
}

/// The layer: in `Train` it applies the mask; in `Eval` it holds no
/// generator at all, so it can only be the identity.
pub type ManualDropout<P = Eval> = Noisy<BernoulliMask, P>;

network! {
    /// With the built-in dropout.
    pub struct BuiltIn {
        input: 64,
        drop: Dropout(0.5),
        fc: Dense<64, Relu>,
        out: Dense<10>,
    }
}

network! {
    /// With the hand-written one.
    pub struct HandWritten {
        input: 64,
        drop: ManualDropout,
        fc: Dense<64, Relu>,
        out: Dense<10>,
    }
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: Does a hand-written x * bernoulli / keep dropout switch off at inference?");
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    let settings = || Fit::epochs(30).batch_size(32).seed(3).verbose(false);

    let mut built_in = BuiltIn::<Train>::seeded(1);
    built_in.fit(&train, &mut Adam::new(1e-3), &CrossEntropy, settings())?;
    let mut hand_written = HandWritten::<Train>::seeded(1);
    hand_written.fit(&train, &mut Adam::new(1e-3), &CrossEntropy, settings())?;

    // Training forwards drop about half of the inputs in both.
    let x = test.slice(0, 1);
    let mut probe = HandWritten::<Train>::seeded(9);
    probe.forward(x.x());
    let dropped = probe.outputs()[0].1[..64]
        .iter()
        .zip(x.x().as_slice())
        .filter(|&(&y, &x)| y == 0.0 && x != 0.0)
        .count();
    let nonzero = x.x().iter().filter(|&&v| v != 0.0).count();
    println!(
        "   a Train forward of the hand-written layer dropped {dropped} of the {nonzero} non-zero inputs"
    );

    let (built_in, hand_written) = (built_in.into_eval(), hand_written.into_eval());
    let twice = |y1: Batch<10>, y2: Batch<10>| y1 == y2;
    println!(
        "A: yes, by type: in Eval both are deterministic (built-in: {}, hand-written: {})",
        twice(built_in.forward(test.x()), built_in.forward(test.x())),
        twice(hand_written.forward(test.x()), hand_written.forward(test.x()))
    );
    for (name, metrics) in [
        ("Dropout(0.5)", built_in.evaluate(&test, &CrossEntropy)),
        ("ManualDropout", hand_written.evaluate(&test, &CrossEntropy)),
    ] {
        println!(
            "   {name:<14} test loss {:.4}, test accuracy {:.2} %",
            metrics.loss,
            100.0 * metrics.accuracy.unwrap_or(f32::NAN)
        );
    }
    Ok(())
}
