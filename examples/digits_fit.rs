//! "What does model.fit look like in typed Rust?" The digits network of
//! `examples/digits.rs`, trained with `fit` and Adam.
//!
//! Run: `cargo run --release --example digits_fit` (writes `digits_history.svg`)

use typenet::prelude::*;

network! {
    /// 8x8 digit images -> 10 classes.
    pub struct Digits {
        input: 64,
        fc1: Dense<128, Relu>,
        drop1: Dropout(0.2),
        fc2: Dense<64, Relu>,
        drop2: Dropout(0.2),
        out: Dense<10>,
    }
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I write model.fit(X, Y, validation_split=0.1, epochs=40, batch_size=32)?");
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    let mut net = Digits::<Train>::seeded(42);
    let mut opt = Adam::new(1e-3);
    let history = net.fit(
        &train,
        &mut opt,
        &CrossEntropy,
        Fit::epochs(40).batch_size(32).validation_split(0.1).seed(1),
    )?;
    history.plot_svg("digits_history.svg")?;
    let metrics = net.into_eval().evaluate(&test, &CrossEntropy);
    println!(
        "A: net.fit(&data, &mut opt, &CrossEntropy, Fit::epochs(40).batch_size(32).validation_split(0.1))"
    );
    println!(
        "   final val_accuracy {:.2} %, test accuracy {:.2} % ({} images); curves in digits_history.svg",
        100.0 * history.val_accuracy.last().copied().unwrap_or(f32::NAN),
        100.0 * metrics.accuracy.unwrap_or(f32::NAN),
        test.len()
    );
    Ok(())
}
