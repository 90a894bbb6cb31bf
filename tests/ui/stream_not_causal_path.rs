use typenet::prelude::*;

network! {
    /// A residual block whose convolution sees steps ahead.
    struct Ahead {
        input: [16, 2],
        sum: Add([conv: Conv1d<2, 3, padding = Same>], []),
    }
}

network! {
    /// A block whose Concat holds a pooled path.
    block Gated(F) {
        cat: Concat([a: Conv1d<F, 3, Tanh, padding = Causal>], [pool: AvgPool1d<3, stride = 1, padding = Same>]),
    }

    struct Blocked {
        input: [16, 2],
        gate: Gated(2),
    }
}

fn main() {
    let _ = Ahead::<Eval>::seeded(0).stream();
    let _ = Blocked::<Eval>::seeded(0).stream();
}
