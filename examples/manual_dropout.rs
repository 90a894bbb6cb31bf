//! "If I write dropout by hand (x * bernoulli / keep), does it switch off at
//! inference?" A custom layer through the public `Layer` trait, next to the
//! built-in `Dropout`.
//!
//! Run: `cargo run --release --example manual_dropout`

use rand::{Rng, SeedableRng};
use typenet::phase::{PhaseData, PhaseMut};
use typenet::prelude::*;
use typenet::{rand, Cols, ColsMut, NoGrads};

const KEEP: f32 = 0.5;

/// What the hand-written layer keeps per phase, declared as the built-in
/// `Dropout` does: a generator while training, nothing at inference.
pub struct Masks;

impl PhaseData for Masks {
    type Train = Option<rand::rngs::StdRng>;
    type Eval = ();
}

/// Hand-written inverted dropout over 64 features: in `Train` it multiplies
/// by a Bernoulli(KEEP) mask and divides by KEEP; in `Eval` it holds no
/// generator at all, so it can only be the identity.
#[derive(Clone, Debug)]
pub struct ManualDropout<P: Phase = Eval> {
    masks: P::Data<Masks>,
}

impl<P: Phase> Layer for ManualDropout<P> {
    const IN: usize = 64;
    const OUT: usize = 64;
    const PHASED: bool = true;
    /// The mask of the last training forward, already divided by KEEP.
    type Cache = Vec<f32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = ManualDropout<Q>;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        // A shared reference cannot advance the generator: inference is the identity.
        y.copy_from(x);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, mask: &mut Vec<f32>) {
        let PhaseMut::Train(Some(rng)) = P::data_mut::<Masks>(&mut self.masks) else {
            mask.clear();
            return y.copy_from(x);
        };
        mask.clear();
        for (y, &x) in y.as_mut_slice().iter_mut().zip(x.as_slice()) {
            let m = if rng.random::<f32>() < KEEP { 1.0 / KEEP } else { 0.0 };
            mask.push(m);
            *y = x * m;
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        mask: &mut Vec<f32>,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        if mask.is_empty() {
            return dx.copy_from(dy.as_cols());
        }
        for ((dx, dy), m) in dx.as_mut_slice().iter_mut().zip(dy.as_slice()).zip(mask.iter()) {
            *dx = dy * m;
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> ManualDropout<Q> {
        let masks = Q::new_data::<Masks>(|| Some(rand::rngs::StdRng::seed_from_u64(seed)), || ());
        ManualDropout { masks }
    }
}

impl Init for ManualDropout {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        ManualDropout { masks: () }
    }
}

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
