//! `TimeDistributed(layer)`: one flat layer applied to every step of a
//! sequence with shared weights.

use core::fmt;

use rand::Rng;

use super::{Init, Layer, Parameterized, StepWidth, Streamable, Tensors};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// `L` applied to each of `T` steps: `[T, L::INPUT]` -> `[T, L::OUTPUT]`, the
/// same weights at every step (Keras' `TimeDistributed`, PyTorch's
/// `nn.Linear` on an `(N, T, F)` tensor). A sequence is stored step after
/// step, so every step of every sample is one column of `L`: the wrapped
/// layer runs once over `T` times the samples. Its tensors keep the inner
/// layer's names under the entry's own (`out.weight`); a wrapped `Dropout`
/// draws a mask per step.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct PerStep { input: [6, 4], rnn: Gru<8, return_sequences = true>, out: TimeDistributed(Dense<1>) } }
/// assert_eq!(PerStep::OUTPUT, 6);
/// let net = PerStep::<Eval>::seeded(2);
/// assert_eq!(net.out.weights().shape(), (1, 8));
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct TimeDistributed<L: Layer, const T: usize> {
    #[tensors]
    layer: L,
}

impl<L: Layer, const T: usize> TimeDistributed<L, T> {
    /// `layer`, applied to every step.
    pub fn new(layer: L) -> Self {
        TimeDistributed { layer }
    }

    /// The layer applied at every step.
    pub fn inner(&self) -> &L {
        &self.layer
    }

    /// The layer applied at every step, mutably.
    pub fn inner_mut(&mut self) -> &mut L {
        &mut self.layer
    }
}

impl<L: Layer, const T: usize> fmt::Debug for TimeDistributed<L, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeDistributed<{T} steps>({:?})", self.layer)
    }
}

impl<L: Layer + Init, const T: usize> Init for TimeDistributed<L, T> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        TimeDistributed::new(L::init(rng))
    }
}

impl<L: Parameterized, const T: usize> Parameterized for TimeDistributed<L, T> {
    type Weights = L::Weights;
    type Bias = L::Bias;
    fn parameters(&self) -> (&Self::Weights, &Self::Bias) {
        self.layer.parameters()
    }
    fn parameters_mut(&mut self) -> (&mut Self::Weights, &mut Self::Bias) {
        self.layer.parameters_mut()
    }
}

/// Every step of every sample as one column of the inner layer.
fn steps<'a>(x: Cols<'a>, width: usize) -> Cols<'a> {
    Cols::new(x.as_slice(), width)
}

fn steps_mut<'a>(y: ColsMut<'a>, width: usize) -> ColsMut<'a> {
    ColsMut::new(y.into_slice(), width)
}

impl<L: Layer, const T: usize> Layer for TimeDistributed<L, T> {
    const INPUT: usize = T * L::INPUT;
    const OUTPUT: usize = T * L::OUTPUT;
    const OUTPUT_SHAPE: &'static [usize] = &[T, L::OUTPUT];
    const PASSES_THROUGH: bool = L::PASSES_THROUGH;
    const STOPS_GRADIENT: bool = L::STOPS_GRADIENT;
    const PHASED: bool = L::PHASED;
    type Cache = L::Cache;
    type Grads = L::Grads;
    type InPhase<Q: Phase> = TimeDistributed<L::InPhase<Q>, T>;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::TimeDistributed(alloc::boxed::Box::new(self.layer.export_op()))
    }

    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.layer.infer(steps(x, L::INPUT), steps_mut(y, L::OUTPUT));
    }

    fn infer_eval(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.layer.infer_eval(steps(x, L::INPUT), steps_mut(y, L::OUTPUT));
    }

    fn train_forward(&mut self, x: Cols<'_>, y: ColsMut<'_>, cache: &mut Self::Cache) {
        self.layer.train_forward(steps(x, L::INPUT), steps_mut(y, L::OUTPUT), cache);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut Self::Cache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let dx = dx.map(|dx| steps_mut(dx, L::INPUT));
        self.layer.train_backward(
            steps(x, L::INPUT),
            steps(y, L::OUTPUT),
            steps_mut(dy, L::OUTPUT),
            cache,
            dx,
            grads,
        );
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> Self::InPhase<Q> {
        TimeDistributed::new(self.layer.into_phase(seed))
    }

    fn visit_trainable(&mut self, grads: &Self::Grads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        self.layer.visit_trainable(grads, f);
    }

    fn l2_term(&self, lambda: f32) -> f32 {
        self.layer.l2_term(lambda)
    }

    fn add_l2_gradient(&self, lambda: f32, grads: &mut Self::Grads) {
        self.layer.add_l2_gradient(lambda, grads);
    }
}

/// The wrapped layer on each step as it arrives.
impl<L: Streamable, const T: usize> Streamable for TimeDistributed<L, T> {
    const STEP: StepWidth = L::STEP;
    type State = L::State;

    fn initial_state() -> L::State {
        L::initial_state()
    }

    fn reset(state: &mut L::State) {
        L::reset(state);
    }

    fn step(&self, state: &mut L::State, x: &[f32], y: &mut [f32]) {
        self.layer.step(state, x, y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::activation::Tanh;
    use crate::layers::dense::Dense;
    use crate::testing::check_layer_gradients;

    #[test]
    fn backward_matches_finite_differences() {
        check_layer_gradients(TimeDistributed::<_, 4>::new(Dense::<3, 2, Tanh>::seeded(1)), 3);
    }

    #[test]
    fn every_step_goes_through_the_same_layer() {
        let dense = Dense::<2, 1, crate::layers::activation::Linear>::seeded(3);
        let wrapped = TimeDistributed::<_, 3>::new(dense.clone());
        let x = [1.0, 2.0, -1.0, 0.5, 3.0, -2.0];
        let mut y = [0.0; 3];
        wrapped.infer(Cols::new(&x, 6), ColsMut::new(&mut y, 3));
        for (step, &out) in x.chunks(2).zip(&y) {
            let mut one = [0.0];
            dense.infer(Cols::new(step, 2), ColsMut::new(&mut one, 1));
            assert_eq!(one[0], out);
        }
    }
}
