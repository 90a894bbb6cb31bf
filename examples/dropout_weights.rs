//! "model.get_layer(index=2).get_weights() returns [] for my Dropout layer:
//! where did my weights go?"
//!
//! Run: `cargo run --release --example dropout_weights`

use typenet::prelude::*;

network! {
    /// The network from the question: Dense -> Dropout -> Dense -> Dropout.
    pub struct Question {
        input: 1,
        fc1: Dense<1, Sigmoid>,
        drop1: Dropout(0.2),
        fc2: Dense<1, Sigmoid>,
        drop2: Dropout(0.2),
    }
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: Why does get_weights() return [] for my Dropout layer?");
    // x = y = 1..8, as in the question (BCE clips the targets' probabilities).
    let rows: Vec<([f32; 1], [f32; 1])> = (1..=8).map(|v| ([v as f32], [v as f32])).collect();
    let data = Dataset::from_iter_rows(rows)?;

    let mut net = Question::<Train>::seeded(0);
    let mut opt = Sgd::new(0.009).momentum(0.9).nesterov(true).decay(1e-10);
    let history = net.fit(
        &data,
        &mut opt,
        &BinaryCrossEntropy,
        Fit::epochs(20).batch_size(4).validation_split(0.1).seed(1).verbose(false),
    )?;
    println!("{}", net.summary());
    println!("A: a Dropout layer has no weights; it only masks its input while training.");
    println!("   Its row above shows 0 parameters, and asking it for weights does not compile:");
    println!("       // net.drop1.weights();  // error: `Dropout<1, Train>` has no weights");
    println!("   The weights live in the Dense layers:");
    println!(
        "   fc1.weights = {:?}, fc1.bias = {:?}",
        net.fc1.weights().as_slice(),
        net.fc1.bias().as_slice()
    );
    println!(
        "   fc2.weights = {:?}, fc2.bias = {:?}",
        net.fc2.weights().as_slice(),
        net.fc2.bias().as_slice()
    );
    println!("   drop1.rate() = {}", net.drop1.rate());
    println!(
        "History: {} epochs, loss {:.4} -> {:.4}, val_loss {:.4} -> {:.4}",
        history.epochs(),
        history.loss[0],
        history.loss[history.epochs() - 1],
        history.val_loss[0],
        history.val_loss[history.epochs() - 1]
    );
    println!("(The targets 1..8 are not probabilities, exactly as in the question, so BCE goes negative.)");
    Ok(())
}
