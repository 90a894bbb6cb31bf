//! "If I write dropout by hand (x * bernoulli / keep), does it switch off at
//! inference?" A custom layer through the public `Layer` trait, next to the
//! built-in `Dropout`.
//!
//! Run: `cargo run --release --example manual_dropout`

use rand::{Rng, SeedableRng};
use typenet::nalgebra::Const;
use typenet::prelude::*;
use typenet::{rand, NoGrads, View, ViewMut};

const KEEP: f32 = 0.5;

/// Hand-written inverted dropout over 64 features: in `Train` it multiplies
/// by a Bernoulli(KEEP) mask and divides by KEEP; in `Eval` it is the
/// identity, because the phase is its type parameter.
#[derive(Clone, Debug)]
pub struct ManualDropout<P: Phase = Eval> {
    rng: rand::rngs::StdRng,
    phase: std::marker::PhantomData<P>,
}

impl<P: Phase> Layer for ManualDropout<P> {
    type In = Const<64>;
    type Out = Const<64>;
    /// The mask of the last training forward, already divided by KEEP.
    type Cache = Vec<f32>;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = ManualDropout<Q>;

    fn infer(&self, x: View<'_, Const<64>>, mut y: ViewMut<'_, Const<64>>) {
        // A shared reference cannot advance the generator: inference is the identity.
        y.copy_from(&x);
    }

    fn train_forward(&mut self, x: View<'_, Const<64>>, mut y: ViewMut<'_, Const<64>>, mask: &mut Vec<f32>) {
        if !P::IS_TRAIN {
            return self.infer(x, y);
        }
        mask.clear();
        for (y, &x) in y.iter_mut().zip(x.iter()) {
            let m = if self.rng.random::<f32>() < KEEP { 1.0 / KEEP } else { 0.0 };
            mask.push(m);
            *y = x * m;
        }
    }

    fn train_backward(
        &mut self,
        _x: View<'_, Const<64>>,
        _y: View<'_, Const<64>>,
        dy: ViewMut<'_, Const<64>>,
        mask: &mut Vec<f32>,
        dx: Option<ViewMut<'_, Const<64>>>,
        _grads: Option<&mut NoGrads>,
    ) {
        if let Some(mut dx) = dx {
            if P::IS_TRAIN {
                for ((dx, dy), m) in dx.iter_mut().zip(dy.iter()).zip(mask.iter()) {
                    *dx = dy * m;
                }
            } else {
                dx.copy_from(&dy);
            }
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> ManualDropout<Q> {
        ManualDropout { rng: rand::rngs::StdRng::seed_from_u64(seed), phase: std::marker::PhantomData }
    }
}

impl Init for ManualDropout {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        ManualDropout {
            rng: rand::rngs::StdRng::seed_from_u64(rng.random()),
            phase: std::marker::PhantomData,
        }
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
    let dropped = probe.__state.c0.iter().filter(|&&m| m == 0.0).count();
    println!("   a Train forward of the hand-written layer dropped {dropped} of 64 inputs");

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
