//! "How do I use validation data, early stopping, metrics and a
//! training-curve plot, and get the test accuracy?" on the Wisconsin breast
//! cancer data.
//!
//! Run: `cargo run --release --example breast_cancer` (writes `history.svg`)

use typenet::metrics::{AucRoc, ConfusionMatrix, Precision, Recall};
use typenet::prelude::*;
use typenet::train::Evaluate;

network! {
    /// 30 standardised features -> benign probability.
    pub struct Diagnosis {
        input: 30,
        hidden: Dense<16, Relu>,
        drop: Dropout(0.5),
        out: Dense<1, Sigmoid>,
    }
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I train with a validation split and early stopping, plot the curves, and test?");
    let (train, test) = typenet::data::breast_cancer().split(0.2, 3)?;
    // Standardisation is fitted on the training part only.
    let scaler = train.fit_standardizer();
    let (train, test) = (train.standardized(&scaler), test.standardized(&scaler));

    let mut net = Diagnosis::<Train>::seeded(7);
    let mut opt = RmsProp::new(1e-3);
    let history = net.fit(
        &train,
        &mut opt,
        &BinaryCrossEntropy,
        Fit::epochs(200)
            .batch_size(16)
            .validation_split(0.15)
            .seed(5)
            .early_stopping(10)
            .metrics((Precision::binary(), Recall::binary(), AucRoc))
            .verbose(true),
    )?;
    history.plot_svg("history.svg")?;
    let net = net.into_eval();
    let measured = Evaluate::new().metrics((Precision::binary(), Recall::binary(), AucRoc, ConfusionMatrix));
    let metrics = net.evaluate_with(&test, &BinaryCrossEntropy, measured)?;
    println!(
        "A: trained {} epochs (best: epoch {}), curves in history.svg",
        history.epochs(),
        history.best_epoch.unwrap_or(history.epochs())
    );
    println!(
        "   test loss {:.4}, test accuracy {:.2} % on {} held-out samples",
        metrics.loss,
        100.0 * metrics.accuracy.unwrap_or(f32::NAN),
        test.len()
    );
    let value = |name| 100.0 * metrics.get(name).unwrap_or(f32::NAN);
    println!(
        "   precision {:.2} %, recall {:.2} %, ROC AUC {:.4}; confusion matrix (rows true, columns predicted):",
        value("precision"),
        value("recall"),
        value("auc") / 100.0
    );
    if let Some(matrix) = metrics.confusion_matrix() {
        println!("{matrix}");
    }
    Ok(())
}
