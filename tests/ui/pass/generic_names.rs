// Networks named like the expansion's generic parameters (`P`, `Q`, `R`)
// compile: the generated generics take names the declaration does not use.
use typenet::prelude::*;

network! {
    pub struct P { input: 3, fc: Dense<2> }
}

network! {
    pub struct Q { input: 3, inner: P, out: Dense<1> }
}

network! {
    pub struct R { input: [4, 2], rnn: Gru<3, return_sequences = true>, out: TimeDistributed(Dense<1>) }
}

fn main() {
    let q = Q::<Train>::seeded(1).into_eval();
    assert!(q.predict(&SVector::<f32, 3>::zeros())[0].is_finite());
    let r = R::<Eval>::seeded(2);
    let mut stream = r.stream();
    assert!(stream.step(&r, &SVector::<f32, 2>::zeros())[0].is_finite());
    let _ = P::<Eval>::seeded(3);
}
