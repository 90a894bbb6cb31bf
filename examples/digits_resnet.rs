//! "How do I declare a network with skip connections?" A small ResNet on
//! the embedded 8x8 handwritten digits: residual blocks written once with
//! `block` and used three times, each an `Add` of a convolution path and
//! the identity (`[]`) or a strided 1x1 projection, as torchvision's
//! BasicBlock. Trained with `fit` on the same stratified 80/20 split as
//! `digits_cnn`, so the two test accuracies compare.
//!
//! Run: `cargo run --release --example digits_resnet`

use std::time::Instant;

use typenet::prelude::*;

network! {
    /// Two 3x3 convolutions and the input, added (the shape is kept).
    block Residual(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, padding = 1, bias = false>, bn1: BatchNorm, relu1: Relu,
             conv2: Conv2d<F, 3, padding = 1, bias = false>, bn2: BatchNorm],
            [],
        ),
        relu: Relu,
    }

    /// torchvision's `downsample`: a strided 1x1 convolution and BatchNorm,
    /// saved as `downsample.0` and `downsample.1`.
    block Projection(F) {
        #[rename = "0"] conv: Conv2d<F, 1, stride = 2, bias = false>,
        #[rename = "1"] bn: BatchNorm,
    }

    /// The same with stride 2 and `F` channels out: the skip path is a
    /// strided 1x1 convolution so that both paths have one shape.
    block Downsample(F) {
        sum: Add(
            [conv1: Conv2d<F, 3, stride = 2, padding = 1, bias = false>, bn1: BatchNorm, relu1: Relu,
             conv2: Conv2d<F, 3, padding = 1, bias = false>, bn2: BatchNorm],
            [downsample: Projection(F)],
        ),
        relu: Relu,
    }

    /// 8x8 grey images, channels last -> 10 classes.
    pub struct DigitsResNet {
        input: [8, 8, 1],
        stem: Conv2d<32, 3, Relu, padding = 1>, // -> [8, 8, 32]
        layer1: Residual(32),                   // -> [8, 8, 32]
        layer2: Downsample(64),                 // -> [4, 4, 64]
        layer3: Residual(64),                   // -> [4, 4, 64]
        drop: SpatialDropout(0.2),
        flat: Flatten,                          // -> 1024
        out: Dense<10>,
    }
}

const EPOCHS: usize = 30;

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I declare a network with skip connections?");
    let started = Instant::now();
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    println!(
        "   digits: {} training and {} test images, each [8, 8, 1] (stratified 80/20 split, seed 7, as digits_cnn)",
        train.len(),
        test.len()
    );

    let mut net = DigitsResNet::<Train>::seeded(42);
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
        "A: write the block once (`block Residual(F) {{ sum: Add([..], []), .. }}`) and use it as a layer; \
         the macro checks that both paths of every Add have one shape."
    );
    // The skip's projection saves under torchvision's names.
    let state = net.state_dict();
    let names =
        state.iter().map(|t| t.name.as_str()).filter(|name| name.contains("downsample")).collect::<Vec<_>>();
    println!("   the projection saves as {names:?}");
    println!(
        "   ({} parameters, {EPOCHS} epochs, {:.1} s)",
        DigitsResNet::PARAMS,
        started.elapsed().as_secs_f32()
    );
    println!("test accuracy: {:.1} %", 100.0 * metrics.accuracy.unwrap_or(0.0));
    Ok(())
}
