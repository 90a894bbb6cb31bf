use typenet::prelude::*;

network! {
    struct Net {
        input: 2,
        out: Dense<1>,
    }
}

fn main() {
    let mut net = Net::<Eval>::seeded(0);
    let data = Dataset::<2, 1>::from_rows(&[[0.0, 1.0]], &[[1.0]]).unwrap();
    let _ = net.fit(&data, &mut Sgd::new(0.1), &Mse, Fit::epochs(1));
}
