//! "How do I reuse a trained network, frozen, under a new head?" A backbone
//! is trained on the ten digit classes, then frozen under a new head that
//! learns a different task: even versus odd.
//!
//! Run: `cargo run --release --example transfer`

use typenet::prelude::*;

network! {
    /// Features shared by both tasks.
    pub struct Backbone {
        input: 64,
        fc1: Dense<64, Relu>,
        drop: Dropout(0.2),
        fc2: Dense<32, Relu>,
    }
}

network! {
    /// Task 1: which digit.
    pub struct DigitClassifier {
        input: 64,
        base: Backbone,
        head: Dense<10>,
    }
}

network! {
    /// Task 2: even or odd, on the frozen backbone.
    pub struct EvenOdd {
        input: 64,
        #[frozen]
        base: Backbone,
        head: Dense<1, Sigmoid>,
    }
}

fn main() -> Result<(), typenet::Error> {
    println!("Q: How do I freeze a trained network and train only a new head on top?");
    let (train, test) = typenet::data::digits().split(0.2, 7)?;

    let mut classifier = DigitClassifier::<Train>::seeded(1);
    let settings = |epochs| Fit::epochs(epochs).batch_size(32).seed(2).verbose(false);
    classifier.fit(&train, &mut Adam::new(1e-3), &CrossEntropy, settings(30))?;
    let digit_accuracy =
        classifier.clone().into_eval().evaluate(&test, &CrossEntropy).accuracy.unwrap_or(0.0);
    println!("   task 1 (ten digits): test accuracy {:.2} %", 100.0 * digit_accuracy);

    // Relabel: 1 for even digits, 0 for odd ones.
    let relabel = |data: &Dataset<64, 10>| {
        let rows = data.labels().into_iter().enumerate().map(|(i, label)| {
            let mut x = [0.0f32; 64];
            x.copy_from_slice(data.x().column(i).as_slice());
            (x, [if label % 2 == 0 { 1.0 } else { 0.0 }])
        });
        Dataset::<64, 1>::from_iter_rows(rows).expect("the digits are finite")
    };
    let (even_train, even_test) = (relabel(&train), relabel(&test));

    let mut even_odd = EvenOdd::<Train>::seeded(3);
    even_odd.base = classifier.base.clone();
    println!("{}", even_odd.summary());
    let before = even_odd.base.clone();
    even_odd.fit(&even_train, &mut Adam::new(1e-2), &BinaryCrossEntropy, settings(20))?;
    let unchanged = even_odd.base.fc1.weights() == before.fc1.weights()
        && even_odd.base.fc1.bias() == before.fc1.bias()
        && even_odd.base.fc2.weights() == before.fc2.weights()
        && even_odd.base.fc2.bias() == before.fc2.bias();
    let metrics = even_odd.into_eval().evaluate(&even_test, &BinaryCrossEntropy);
    println!(
        "A: mark the nested network #[frozen]: its weights are kept, its dropout still drops while training."
    );
    println!("   backbone weights bit-identical after training the head: {unchanged}");
    println!(
        "   task 2 (even vs odd) with only {} trainable parameters: test accuracy {:.2} %",
        EvenOdd::TRAINABLE_PARAMS,
        100.0 * metrics.accuracy.unwrap_or(0.0)
    );
    Ok(())
}
