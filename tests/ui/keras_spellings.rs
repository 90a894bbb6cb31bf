use typenet::prelude::*;

network! {
    struct Named {
        input: [8, 8, 1],
        conv: Conv2d<filters = 4, kernel_size = 3, activation = Relu>,
        pool: MaxPooling2D<2>,
        flat: Flatten,
        drop: Dropout(rate = 0.5),
        out: Dense<units = 2>,
    }
}

network! {
    struct Options {
        input: [8, 8, 1],
        conv: Conv2d<4, 3, 3, padding = same>,
        flat: Flatten,
        out: Dense<2>,
        probs: Softmax<2>,
    }
}

network! {
    struct Strings {
        input: [8, 8, 1],
        conv: Conv2d<4, 3, "relu", padding = "valid">,
        pool: MaxPool2d(2),
        flat: Flatten,
        act: Activation("relu"),
        out: Dense<2, activation = "softmax">,
    }
}

network! {
    struct Sequence {
        input: 28 * 28,
        rnn: Lstm<8, return_sequences>,
        last: Gru<8, return_sequences = True>,
    }
}

fn main() {}
