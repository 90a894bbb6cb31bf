//! Trains a multi-layer perceptron on the embedded handwritten digits with an
//! explicit forward / backward / step loop, then reports held-out accuracy.
//!
//! Run: `cargo run --release --example digits`

use std::time::Instant;

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

const EPOCHS: usize = 40;
const BATCH: usize = 32;

fn accuracy(net: &Digits, data: &Dataset<64, 10>) -> f32 {
    let y = net.forward(data.x());
    let (correct, total) = CrossEntropy.accuracy().count(10, y.as_slice(), data.y().as_slice());
    correct as f32 / total as f32
}

fn main() {
    let started = Instant::now();
    let (train, test) = typenet::data::digits().split(0.2, 7).expect("0.2 is a valid split");
    println!(
        "digits: {} training and {} test images (stratified 80/20 split, seed 7)",
        train.len(),
        test.len()
    );

    let mut net = Digits::<Train>::seeded(42);
    println!("{}", net.summary());

    let mut opt = Adam::new(1e-3);
    let (mut y, mut dy) = (Batch::<10>::zeros(BATCH), Batch::<10>::zeros(BATCH));
    let mut grads = DigitsGrads::zeros();
    for epoch in 1..=EPOCHS {
        let shuffled = train.shuffle(epoch as u64);
        let mut epoch_loss = 0.0;
        let mut batches = 0;
        for start in (0..shuffled.len()).step_by(BATCH) {
            let batch = shuffled.slice(start, (start + BATCH).min(shuffled.len()));
            net.forward_into(batch.x(), &mut y);
            epoch_loss += CrossEntropy.loss(&y, batch.y());
            CrossEntropy.grad_into(&y, batch.y(), &mut dy);
            net.backward_into(&dy, &mut grads);
            opt.step(&mut net, &grads);
            batches += 1;
        }
        if epoch % 5 == 0 || epoch == 1 {
            let eval = net.clone().into_eval();
            println!(
                "epoch {epoch:>2}: loss {:.4}, train accuracy {:.1} %",
                epoch_loss / batches as f32,
                100.0 * accuracy(&eval, &train)
            );
        }
    }

    let net = net.into_eval();
    let test_accuracy = accuracy(&net, &test);
    println!("test accuracy: {:.2} % ({} images)", 100.0 * test_accuracy, test.len());
    println!("time: {:.2} s", started.elapsed().as_secs_f32());
}
