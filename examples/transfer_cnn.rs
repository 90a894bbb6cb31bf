//! "Which layers does Dropout affect when a frozen, pretrained backbone gets
//! a new head?" A small convolutional backbone trained by PyTorch on the
//! digits 0-4 (`tools/train_digits_backbone.py`, its `state_dict` embedded
//! below as PyTorch wrote it) is loaded, frozen, and a new head learns a
//! task it never saw: among the digits 5-9, is it even (6, 8) or odd?
//!
//! Run: `cargo run --release --example transfer_cnn`

use typenet::io::{self, LoadOptions};
use typenet::prelude::*;

network! {
    /// PyTorch's conv1, conv2 and pool: [8, 8, 1] -> [2, 2, 16].
    pub struct Backbone {
        input: [8, 8, 1],
        conv1: Conv2d<8, 3, Relu>,
        conv2: Conv2d<16, 3, Relu>,
        pool: MaxPool2d<2>,
    }
}

network! {
    /// The frozen backbone under a new head.
    pub struct EvenOdd {
        input: [8, 8, 1],
        #[frozen] base: Backbone,
        flat: Flatten,
        fc: Dense<64, Relu>,
        drop: Dropout(0.2),
        out: Dense<1, Sigmoid>,
    }
}

/// The backbone's weights as PyTorch saved them (`conv1.weight`
/// `[8, 1, 3, 3]`, `conv1.bias`, `conv2.weight` `[16, 8, 3, 3]`, `conv2.bias`).
const BACKBONE: &[u8] = include_bytes!("../tests/fixtures/digits_backbone.safetensors");

/// The digits 5-9 relabelled: 1 for even, 0 for odd.
fn even_or_odd(data: &Dataset<64, 10>) -> Result<Dataset<64, 1>, typenet::Error> {
    let rows = data.labels().into_iter().enumerate().filter(|&(_, label)| label >= 5).map(|(i, label)| {
        let mut x = [0.0f32; 64];
        x.copy_from_slice(data.x().column(i).as_slice());
        (x, [if label % 2 == 0 { 1.0 } else { 0.0 }])
    });
    Dataset::from_iter_rows(rows)
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: Which layers does Dropout affect when a frozen, pretrained backbone gets a new head?");
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    let (train, test) = (even_or_odd(&train)?, even_or_odd(&test)?);
    println!("   new task: digits 5-9, even or odd ({} training, {} test images)", train.len(), test.len());

    let mut net = EvenOdd::<Train>::seeded(5);
    io::load_bytes_into(&mut net.base, BACKBONE, &LoadOptions::new())?;
    println!("{}", net.summary());
    let before = io::StateDict::of(&net.base);

    let settings = Fit::epochs(30).batch_size(32).seed(6).verbose(false);
    net.fit(&train, &mut Adam::new(1e-3), &BinaryCrossEntropy, settings)?;
    let after = io::StateDict::of(&net.base);
    let identical = before.iter().zip(after.iter()).all(|(a, b)| a.data == b.data);

    // Two training forwards of the same images draw two dropout masks.
    let sample = test.slice(0, 16);
    net.forward(sample.x());
    let first: Vec<(&str, Vec<f32>)> =
        net.outputs().into_iter().map(|(name, v)| (name, v.to_vec())).collect();
    net.forward(sample.x());
    println!("A: only the layers from the Dropout on: two Train forwards with different masks give");
    for ((name, a), (_, b)) in first.iter().zip(net.outputs()) {
        let verdict = if a.as_slice() == b { "identical" } else { "different" };
        println!("   {name:>5}: {verdict}");
    }
    println!(
        "   The frozen backbone is not trained and its own layers have no dropout; freezing does not change"
    );
    println!("   what a Dropout does: it drops while training, in a frozen part or not, and is the identity in Eval.");
    println!("   backbone weights bit-identical after training the head: {identical}");

    let net = net.into_eval();
    let metrics = net.evaluate(&test, &BinaryCrossEntropy);
    println!("   trainable parameters: {} of {}", EvenOdd::TRAINABLE_PARAMS, EvenOdd::PARAMS);
    println!("test accuracy: {:.1} %", 100.0 * metrics.accuracy.unwrap_or(0.0));
    Ok(())
}
