// A custom layer whose `OUTPUT_SHAPE` ([5, 3], 15 values) disagrees with its
// `OUTPUT` (12): `predict` would read 3 values from outside its output.
use typenet::prelude::*;
use typenet::{Cols, ColsMut, NoGrads};

#[derive(Clone, Debug, Default, Tensors)]
pub struct Reshape;

impl Layer for Reshape {
    const INPUT: usize = 4;
    const OUTPUT: usize = 12;
    const OUTPUT_SHAPE: &'static [usize] = &[5, 3];
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, _x: Cols<'_>, _y: ColsMut<'_>) {}
    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        _dy: ColsMut<'_>,
        _cache: &mut (),
        _dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
    }
    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

impl Init for Reshape {
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        Reshape
    }
}

network! {
    pub struct Net {
        input: 4,
        reshape: Reshape,
    }
}

fn main() {}
