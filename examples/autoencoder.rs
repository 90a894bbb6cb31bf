//! "How do I build a convolutional autoencoder?" A denoising autoencoder on
//! the embedded 8x8 digits: Gaussian noise on the input while training
//! only, an encoder of convolutions and max pooling down to a 2x2x8 code,
//! a decoder of nearest upsampling and a strided transposed convolution
//! back to 8x8, trained with `fit` to reproduce its (clean) input.
//!
//! Run: `cargo run --release --example autoencoder`

use std::time::Instant;

use typenet::prelude::*;
use typenet::Dataset;

network! {
    /// 8x8 grey images -> a 32-value code -> 8x8 grey images.
    pub struct DigitsAutoencoder {
        input: [8, 8, 1],
        noise: GaussianNoise(0.1),                  // only while training
        conv1: Conv2d<16, 3, Relu, padding = Same>, // -> [8, 8, 16]
        pool1: MaxPool2d<2>,                        // -> [4, 4, 16]
        conv2: Conv2d<8, 3, Relu, padding = Same>,  // -> [4, 4, 8]
        pool2: MaxPool2d<2>,                        // -> [2, 2, 8]: the code
        up: UpSampling2d<2>,                        // -> [4, 4, 8]
        conv3: Conv2d<16, 3, Relu, padding = Same>, // -> [4, 4, 16]
        decode: Conv2dTranspose<1, 3, Sigmoid, stride = 2, padding = 1, output_padding = 1>, // -> [8, 8, 1]
    }
}

const EPOCHS: usize = 30;

/// Images as their own targets.
fn reconstruction_set(images: &Batch<64>) -> Result<Dataset<64, 64>, typenet::Error> {
    Dataset::new(images.clone(), images.clone())
}

/// One image as text, darker characters for larger values.
fn sketch(pixels: &[f32]) -> Vec<String> {
    const SHADES: [char; 5] = [' ', '.', '+', '#', '@'];
    pixels
        .chunks(8)
        .map(|row| row.iter().map(|&v| SHADES[((v.clamp(0.0, 1.0) * 4.0).round()) as usize]).collect())
        .collect()
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I build a convolutional autoencoder?");
    let started = Instant::now();
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    let (train, test) = (reconstruction_set(train.x())?, reconstruction_set(test.x())?);
    println!("   digits: {} training and {} test images, [8, 8, 1] in [0, 1]", train.len(), test.len());

    let mut net = DigitsAutoencoder::<Train>::seeded(42);
    println!("{}", net.summary());
    let before = net.evaluate(&test, &Mse).loss;
    let settings = Fit::epochs(EPOCHS).batch_size(32).seed(3).verbose(false).on_epoch(|epoch, history| {
        if epoch % 10 == 0 || epoch == 1 {
            println!("   epoch {epoch:>2}: training loss {:.4}", history.loss[epoch - 1]);
        }
        Control::Continue
    });
    net.fit(&train, &mut Adam::new(3e-3), &Mse, settings)?;

    let net = net.into_eval();
    let after = net.evaluate(&test, &Mse).loss;
    println!("A: a conv encoder, `UpSampling2d` and `Conv2dTranspose` to decode, `Mse` against the input.");
    println!(
        "   ({} parameters, {EPOCHS} epochs, {:.1} s)",
        DigitsAutoencoder::PARAMS,
        started.elapsed().as_secs_f32()
    );
    println!("test reconstruction MSE: {before:.4} before training, {after:.4} after");

    let image = test.x().column(0).into_owned();
    let rebuilt = net.predict(&image);
    println!("   a test digit and its reconstruction:");
    for (left, right) in sketch(image.as_slice()).iter().zip(sketch(rebuilt.as_slice())) {
        println!("   |{left}|   |{right}|");
    }
    Ok(())
}
