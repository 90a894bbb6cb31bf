use typenet::prelude::*;

network! {
    struct Reader {
        input: [16, 2],
        rnn: Bidirectional(Gru<4, return_sequences = true>),
        out: TimeDistributed(Dense<1>),
    }
}

fn main() {
    let net = Reader::<Eval>::seeded(0);
    let _ = net.stream();
}
