//! "Can a recurrent network read an image row by row?" Each 8x8 digit is
//! read as a sequence of 8 time steps of 8 pixels by a GRU with Keras'
//! recurrent dropout; its last state is classified. Stratified 80/20
//! split, fixed seeds.
//!
//! Run: `cargo run --release --example digits_rows`

use std::time::Instant;

use typenet::prelude::*;

network! {
    /// 8 rows of 8 pixels -> 10 classes.
    pub struct RowReader {
        input: [8, 8],                               // 8 time steps of 8 features
        rnn: Gru<32, recurrent_dropout = 0.1>,       // -> [32], the last step's state
        drop: Dropout(0.2),
        out: Dense<10>,
    }
}

const EPOCHS: usize = 40;

fn main() -> Result<(), typenet::Error> {
    println!("Q: Can a recurrent network read an image row by row?");
    let started = Instant::now();
    let (train, test) = typenet::data::digits().split(0.2, 7)?;
    println!(
        "   digits: {} training and {} test images, each read as 8 steps of 8 pixels (stratified 80/20 split, seed 7)",
        train.len(),
        test.len()
    );
    let mut net = RowReader::<Train>::seeded(42);
    println!("{}", net.summary());
    let settings = Fit::epochs(EPOCHS).batch_size(32).seed(3).verbose(false).on_epoch(|epoch, history| {
        if epoch % 10 == 0 || epoch == 1 {
            let (loss, accuracy) = (history.loss[epoch - 1], history.accuracy[epoch - 1]);
            println!("   epoch {epoch:>2}: loss {loss:.4}, train accuracy {:.1} %", 100.0 * accuracy);
        }
        Control::Continue
    });
    net.fit(&train, &mut Adam::new(3e-3), &CrossEntropy, settings)?;
    let net = net.into_eval();
    let metrics = net.evaluate(&test, &CrossEntropy);
    println!("A: declare the input as `[8, 8]` (time steps, features) and put a `Gru` or `Lstm` on it; `fit` trains it through time.");
    println!(
        "   ({} parameters, {EPOCHS} epochs, {:.1} s)",
        RowReader::PARAMS,
        started.elapsed().as_secs_f32()
    );
    println!("test accuracy: {:.1} %", 100.0 * metrics.accuracy.unwrap_or(0.0));
    Ok(())
}
