//! "How do I train a convolutional network on images?" The reference digits CNN on the
//! embedded 8x8 handwritten digits: two 3x3 convolutions, max pooling,
//! channel dropout and a linear classifier, trained with `fit` on a
//! stratified 80/20 split.
//!
//! Run: `cargo run --release --example digits_cnn`

use std::time::Instant;

use typenet::prelude::*;

network! {
    /// 8x8 grey images, channels last -> 10 classes.
    pub struct DigitsCnn {
        input: [8, 8, 1],                            // height, width, channels
        conv1: Conv2d<16, 3, Relu>,                  // 16 filters, 3x3 -> [6, 6, 16]
        conv2: Conv2d<32, 3, Relu, padding = Same>,  // -> [6, 6, 32]
        pool: MaxPool2d<2>,                          // -> [3, 3, 32]
        drop: SpatialDropout(0.2),                   // drops whole channels
        flat: Flatten,                               // -> 288
        out: Dense<10>,
    }
}

const EPOCHS: usize = 40;

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I train a convolutional network on images?");
    let started = Instant::now();
    // The pixels are 0..16 in the file; digits() scales them to [0, 1].
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    println!(
        "   digits: {} training and {} test images, each [8, 8, 1] (stratified 80/20 split, seed 7)",
        train.len(),
        test.len()
    );

    let mut net = DigitsCnn::<Train>::seeded(42);
    println!("{}", net.summary());
    let settings = Fit::epochs(EPOCHS).batch_size(32).seed(3).verbose(false).on_epoch(|epoch, history| {
        if epoch % 10 == 0 || epoch == 1 {
            let (loss, accuracy) = (history.loss[epoch - 1], history.accuracy[epoch - 1]);
            println!("   epoch {epoch:>2}: loss {loss:.4}, train accuracy {:.1} %", 100.0 * accuracy);
        }
        Control::Continue
    });
    net.fit(&train, &mut Adam::new(1e-3), &CrossEntropy, settings)?;

    let net = net.into_eval();
    let metrics = net.evaluate(&test, &CrossEntropy);
    println!(
        "A: declare the image shape as `input: [8, 8, 1]`; the macro works out every layer's shape, and `fit` trains it as any network."
    );
    println!(
        "   ({} parameters, {EPOCHS} epochs, {:.1} s)",
        DigitsCnn::PARAMS,
        started.elapsed().as_secs_f32()
    );
    println!("test accuracy: {:.1} %", 100.0 * metrics.accuracy.unwrap_or(0.0));
    Ok(())
}
