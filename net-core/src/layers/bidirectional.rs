//! `Bidirectional(layer)`: a recurrent layer run over the sequence and,
//! as a second layer, over the sequence reversed, outputs joined.

use crate::no_std_prelude::*;
use core::fmt;

use rand::Rng;

use super::{with_scratch, Grads, Init, Layer, StepWidth, StepWise, Tensors};
use crate::phase::Phase;
use crate::rng::derive_seed;
use crate::tensor::{Cols, ColsMut};

/// `L` over `T` steps read forwards, and a second `L` over the same steps
/// read backwards (from the last step to the first), their outputs
/// concatenated, forward first: Keras' `Bidirectional(layer,
/// merge_mode="concat")` and PyTorch's `nn.LSTM(.., bidirectional=True)`
/// (or `nn.GRU`).
///
/// `[T, F]` -> `[2U]`: the forward layer's last output, then the backward
/// layer's final one (its state after reading back to the first step),
/// PyTorch's `h_n[0]` and `h_n[1]`. With `return_sequences = true`,
/// `[T, 2U]`: at each step the forward layer's output there and the
/// backward layer's output for that step.
///
/// Its tensors are the wrapped layer's, and the same again with
/// `_reverse` for the backward layer (`weight_ih_l0_reverse`, ...), as
/// PyTorch names them; its gradients are [`BidirectionalGrads`]. It is not
/// causal (the backward layer starts from the last step), so a network
/// with one does not stream.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Reader { input: [6, 3], rnn: Bidirectional(Lstm<4>), out: Dense<2> } }
/// let net = Reader::<Eval>::seeded(1);
/// assert_eq!(net.rnn.forward_layer().weights().input_values().len(), 4 * 4 * 3);
/// assert_eq!(Reader::PARAMS, 2 * 4 * 4 * (3 + 4 + 2) + 8 * 2 + 2);
/// let mut names = Vec::new();
/// net.state_dict().iter().for_each(|t| names.push(t.name.clone()));
/// assert!(names.contains(&"rnn.weight_hh_l0_reverse".to_string()));
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Bidirectional<L: Layer, const T: usize> {
    #[tensors]
    forward: L,
    #[tensors(suffix = "_reverse")]
    backward: L,
}

/// The gradients of a [`Bidirectional`] layer: its forward layer's, then
/// its backward layer's.
#[derive(Clone, Debug)]
pub struct BidirectionalGrads<G> {
    /// The forward layer's gradients.
    pub forward: G,
    /// The backward layer's gradients.
    pub backward: G,
}

impl<G: Grads> Grads for BidirectionalGrads<G> {
    fn zeros() -> Self {
        BidirectionalGrads { forward: G::zeros(), backward: G::zeros() }
    }
    fn recycled() -> Self {
        BidirectionalGrads { forward: G::recycled(), backward: G::recycled() }
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        self.forward.visit(f);
        self.backward.visit(f);
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        self.forward.visit_mut(f);
        self.backward.visit_mut(f);
    }
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        self.forward.visit_pairs(&other.forward, f);
        self.backward.visit_pairs(&other.backward, f);
    }
}

impl<L: Layer, const T: usize> Bidirectional<L, T> {
    /// Values per step of the input.
    const FEATURES: usize = L::INPUT / T;
    /// Whether the wrapped layer returns every step's output.
    const SEQUENCES: bool = L::OUTPUT_SHAPE.len() == 2;
    /// Values per step of one direction's output (per sequence without
    /// `SEQUENCES`).
    const UNITS: usize = {
        assert!(T > 0 && L::INPUT % T == 0, "Bidirectional's layer must take T steps");
        let shape = L::OUTPUT_SHAPE;
        assert!(
            shape.len() == 1 || (shape.len() == 2 && shape[0] == T),
            "Bidirectional's layer must give one output per sequence or one per step"
        );
        shape[shape.len() - 1]
    };

    /// `forward` reading the sequence in order and `backward` reading it
    /// from the last step back.
    pub fn new(forward: L, backward: L) -> Self {
        Bidirectional { forward, backward }
    }

    /// The layer reading the sequence in order (Keras' `forward_layer`).
    pub fn forward_layer(&self) -> &L {
        &self.forward
    }

    /// The layer reading the sequence from its last step back (Keras'
    /// `backward_layer`; PyTorch's `_reverse` tensors).
    pub fn backward_layer(&self) -> &L {
        &self.backward
    }

    /// The forward layer, mutably.
    pub fn forward_layer_mut(&mut self) -> &mut L {
        &mut self.forward
    }

    /// The backward layer, mutably.
    pub fn backward_layer_mut(&mut self) -> &mut L {
        &mut self.backward
    }

    /// The `T` steps of every sample of `x` (`width` values each) in
    /// reverse order, into `out`.
    fn reverse_steps(x: &[f32], width: usize, out: &mut [f32]) {
        for (sample, out) in x.chunks_exact(T * width).zip(out.chunks_exact_mut(T * width)) {
            for (step, out) in sample.chunks_exact(width).rev().zip(out.chunks_exact_mut(width)) {
                out.copy_from_slice(step);
            }
        }
    }

    /// Both directions' outputs joined into `y`: per step (or per
    /// sequence) the forward layer's `UNITS` values, then the backward
    /// layer's, un-reversed (`backward` is in the reversed time order).
    fn join(forward: &[f32], backward: &[f32], y: &mut [f32]) {
        let units = Self::UNITS;
        let steps = if Self::SEQUENCES { T } else { 1 };
        let samples = forward.chunks_exact(steps * units).zip(backward.chunks_exact(steps * units));
        for ((f, b), y) in samples.zip(y.chunks_exact_mut(steps * 2 * units)) {
            for (t, y) in y.chunks_exact_mut(2 * units).enumerate() {
                let back = steps - 1 - t;
                y[..units].copy_from_slice(&f[t * units..(t + 1) * units]);
                y[units..].copy_from_slice(&b[back * units..(back + 1) * units]);
            }
        }
    }

    /// [`join`](Self::join) backwards: `dy` split into each direction's
    /// output gradient (the backward layer's in its reversed order).
    fn split(dy: &[f32], forward: &mut [f32], backward: &mut [f32]) {
        let units = Self::UNITS;
        let steps = if Self::SEQUENCES { T } else { 1 };
        let samples = forward.chunks_exact_mut(steps * units).zip(backward.chunks_exact_mut(steps * units));
        for ((f, b), dy) in samples.zip(dy.chunks_exact(steps * 2 * units)) {
            for (t, dy) in dy.chunks_exact(2 * units).enumerate() {
                let back = steps - 1 - t;
                f[t * units..(t + 1) * units].copy_from_slice(&dy[..units]);
                b[back * units..(back + 1) * units].copy_from_slice(&dy[units..]);
            }
        }
    }
}

impl<L: Layer, const T: usize> fmt::Debug for Bidirectional<L, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bidirectional({:?})", self.forward)
    }
}

impl<L: Layer + Init, const T: usize> Init for Bidirectional<L, T> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let forward = L::init(rng);
        Bidirectional::new(forward, L::init(rng))
    }
}

/// What a training forward keeps: each direction's cache and output, the
/// reversed input, and room for backward.
#[derive(Clone, Debug, Default)]
pub struct BidirectionalCache<C> {
    forward: C,
    backward: C,
    reversed_x: Vec<f32>,
    forward_y: Vec<f32>,
    backward_y: Vec<f32>,
    forward_dy: Vec<f32>,
    backward_dy: Vec<f32>,
    reversed_dx: Vec<f32>,
}

impl<L: Layer, const T: usize> Layer for Bidirectional<L, T> {
    const INPUT: usize = L::INPUT;
    const OUTPUT: usize = 2 * L::OUTPUT;
    const OUTPUT_SHAPE: &'static [usize] =
        if Self::SEQUENCES { &[T, 2 * Self::UNITS] } else { &[2 * Self::UNITS] };
    const PHASED: bool = L::PHASED;
    type Cache = BidirectionalCache<L::Cache>;
    type Grads = BidirectionalGrads<L::Grads>;
    type InPhase<Q: Phase> = Bidirectional<L::InPhase<Q>, T>;

    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.infer_with(x, y, L::infer);
    }

    fn infer_eval(&self, x: Cols<'_>, y: ColsMut<'_>) {
        self.infer_with(x, y, L::infer_eval);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut Self::Cache) {
        let cols = x.cols();
        cache.reversed_x.resize(L::INPUT * cols, 0.0);
        cache.forward_y.resize(L::OUTPUT * cols, 0.0);
        cache.backward_y.resize(L::OUTPUT * cols, 0.0);
        Self::reverse_steps(x.as_slice(), Self::FEATURES, &mut cache.reversed_x);
        self.forward.train_forward(x, ColsMut::new(&mut cache.forward_y, L::OUTPUT), &mut cache.forward);
        self.backward.train_forward(
            Cols::new(&cache.reversed_x, L::INPUT),
            ColsMut::new(&mut cache.backward_y, L::OUTPUT),
            &mut cache.backward,
        );
        Self::join(&cache.forward_y, &cache.backward_y, y.as_mut_slice());
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut Self::Cache,
        mut dx: Option<ColsMut<'_>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let cols = x.cols();
        cache.forward_dy.resize(L::OUTPUT * cols, 0.0);
        cache.backward_dy.resize(L::OUTPUT * cols, 0.0);
        Self::split(dy.as_slice(), &mut cache.forward_dy, &mut cache.backward_dy);
        let (forward_grads, backward_grads) = match grads {
            Some(g) => (Some(&mut g.forward), Some(&mut g.backward)),
            None => (None, None),
        };
        let wants_dx = dx.is_some();
        if wants_dx {
            cache.reversed_dx.resize(L::INPUT * cols, 0.0);
        }
        self.backward.train_backward(
            Cols::new(&cache.reversed_x, L::INPUT),
            Cols::new(&cache.backward_y, L::OUTPUT),
            ColsMut::new(&mut cache.backward_dy, L::OUTPUT),
            &mut cache.backward,
            wants_dx.then(|| ColsMut::new(&mut cache.reversed_dx, L::INPUT)),
            backward_grads,
        );
        self.forward.train_backward(
            x,
            Cols::new(&cache.forward_y, L::OUTPUT),
            ColsMut::new(&mut cache.forward_dy, L::OUTPUT),
            &mut cache.forward,
            dx.as_mut().map(|dx| ColsMut::new(dx.as_mut_slice(), L::INPUT)),
            forward_grads,
        );
        let Some(mut dx) = dx else { return };
        // The backward layer's input gradient, back in time order, added.
        let width = Self::FEATURES;
        let samples =
            dx.as_mut_slice().chunks_exact_mut(T * width).zip(cache.reversed_dx.chunks_exact(T * width));
        for (dx, reversed) in samples {
            for (dx, step) in dx.chunks_exact_mut(width).zip(reversed.chunks_exact(width).rev()) {
                dx.iter_mut().zip(step).for_each(|(d, g)| *d += g);
            }
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> Self::InPhase<Q> {
        Bidirectional::new(
            self.forward.into_phase(derive_seed(seed, 0)),
            self.backward.into_phase(derive_seed(seed, 1)),
        )
    }
}

impl<L: Layer, const T: usize> Bidirectional<L, T> {
    /// A forward through `&self`, each direction through `run` (the
    /// layer's own phase, or `Eval`), with scratch space from the pool.
    fn infer_with(&self, x: Cols<'_>, mut y: ColsMut<'_>, run: fn(&L, Cols<'_>, ColsMut<'_>)) {
        let cols = x.cols();
        let (input, output) = (L::INPUT * cols, L::OUTPUT * cols);
        with_scratch(input.max(2 * output), |reversed, outputs| {
            let reversed = &mut reversed[..input];
            Self::reverse_steps(x.as_slice(), Self::FEATURES, reversed);
            let (forward_y, rest) = outputs.split_at_mut(output);
            let backward_y = &mut rest[..output];
            run(&self.forward, x, ColsMut::new(forward_y, L::OUTPUT));
            run(&self.backward, Cols::new(reversed, L::INPUT), ColsMut::new(backward_y, L::OUTPUT));
            Self::join(forward_y, backward_y, y.as_mut_slice());
        });
    }
}

/// Not causal: the backward layer reads the last step first.
impl<L: Layer, const T: usize> StepWise for Bidirectional<L, T> {
    const STEP: StepWidth = StepWidth::NotCausal(
        "a bidirectional layer reads the sequence backwards from its last step, which has not arrived yet",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gru::{Gru, GruCell};
    use crate::layers::lstm::{Lstm, LstmCell};
    use crate::layers::recurrent::Recurrent;
    use crate::phase::{Eval, Train};
    use crate::testing::check_layer_gradients;

    fn seeded<L: Layer + Init, const T: usize>(seed: u64) -> Bidirectional<L, T> {
        Bidirectional::init(&mut crate::rng::init_rng(seed))
    }

    #[test]
    fn backward_matches_finite_differences() {
        check_layer_gradients(seeded::<Lstm<4, 3, 5>, 4>(1), 3);
        check_layer_gradients(seeded::<Lstm<3, 2, 4, true>, 3>(2), 2);
        check_layer_gradients(seeded::<Gru<4, 3, 5>, 4>(3), 3);
        check_layer_gradients(seeded::<Gru<3, 2, 4, true>, 3>(4), 2);
    }

    /// The output of one direction, by hand: `layer` over `x` (one sample).
    fn run<L: Layer>(layer: &L, x: &[f32]) -> Vec<f32> {
        let mut y = vec![0.0; L::OUTPUT];
        layer.infer(Cols::new(x, L::INPUT), ColsMut::new(&mut y, L::OUTPUT));
        y
    }

    #[test]
    fn the_backward_layer_reads_the_reversed_sequence() {
        let layer = seeded::<Gru<5, 2, 3, true>, 5>(5);
        let x: Vec<f32> = (0..10).map(|i| (i as f32 * 0.9).sin()).collect();
        let reversed: Vec<f32> = x.chunks(2).rev().flatten().copied().collect();
        let (f, b) = (run(layer.forward_layer(), &x), run(layer.backward_layer(), &reversed));
        let y = run(&layer, &x);
        for t in 0..5 {
            assert_eq!(&y[t * 6..t * 6 + 3], &f[t * 3..(t + 1) * 3]);
            assert_eq!(&y[t * 6 + 3..(t + 1) * 6], &b[(4 - t) * 3..(5 - t) * 3]);
        }
        // Without sequences: the forward layer's last state, then the
        // backward layer's final one (its output at the first step).
        let last = Bidirectional::<Gru<5, 2, 3>, 5>::new(
            Recurrent::<GruCell, 5, 2, 3, false>::keras(&mut crate::rng::init_rng(6)),
            Recurrent::<GruCell, 5, 2, 3, false>::keras(&mut crate::rng::init_rng(7)),
        );
        let y = run(&last, &x);
        assert_eq!(&y[..3], &run(last.forward_layer(), &x)[..]);
        assert_eq!(&y[3..], &run(last.backward_layer(), &reversed)[..]);
    }

    #[test]
    fn tensors_are_the_cells_and_their_reverse() {
        let layer = seeded::<Lstm<3, 2, 4>, 3>(8);
        let mut names = Vec::new();
        layer.visit_tensors("rnn.", &mut |name, t| names.push((name.to_string(), t.shape.to_vec())));
        let want: Vec<(String, Vec<usize>)> = ["", "_reverse"]
            .iter()
            .flat_map(|suffix| {
                [
                    ("weight_ih_l0", vec![16, 2]),
                    ("weight_hh_l0", vec![16, 4]),
                    ("bias_ih_l0", vec![16]),
                    ("bias_hh_l0", vec![16]),
                ]
                .map(|(name, shape)| (format!("rnn.{name}{suffix}"), shape))
            })
            .collect();
        assert_eq!(names, want);
        assert_eq!(<Bidirectional<Lstm<3, 2, 4>, 3> as Tensors>::PARAMS, 2 * 16 * (2 + 4 + 2));
    }

    #[test]
    fn each_direction_draws_its_own_dropout_masks() {
        type Dropped = Recurrent<LstmCell, 4, 3, 4, true, Eval, true>;
        let make = |seed| Dropped::keras(&mut crate::rng::init_rng(9)).with_dropout(0.5, 0.0, seed);
        let layer: Bidirectional<Dropped, 4> = Bidirectional::new(make(1), make(2));
        let mut train = layer.into_phase::<Train>(3);
        let x = vec![1.0f32; 12];
        let mut y = vec![0.0f32; 32];
        let mut cache = Default::default();
        train.train_forward(Cols::new(&x, 12), ColsMut::new(&mut y, 32), &mut cache);
        // The same weights and a constant input: the directions differ
        // only through their masks.
        let (f, b) = (&y[..4], &y[28..]);
        assert_ne!(f, b);
    }
}
