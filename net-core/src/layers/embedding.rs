//! `Embedding<T, V, D>`: token ids to learned vectors.

use crate::no_std_prelude::*;
use core::fmt;

use nalgebra::SMatrix;
use rand::Rng;

use super::{Grads, Heap, HeapTensor, Init, Layer, StepWidth, StepWise, Tensors};
use crate::error::{Error, Result};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// Keras' initialisation: uniform in `±0.05`.
const INIT_LIMIT: f32 = 0.05;

/// A lookup table of `V` vectors of `D` values: `T` token ids in, their
/// vectors out (`[T]` -> `[T, D]`), PyTorch's `nn.Embedding(V, D)`.
///
/// The ids are integral values of the `f32` input, from 0 to `V - 1`.
/// `fit` refuses a data set holding another value with
/// [`Error::InvalidData`] before any weight changes (through
/// [`Layer::check_inputs`], asked of a network's first layer); a forward
/// given one panics, naming the sample and the position. The ids have no
/// gradient: backward gives the layers before it zero, and the weight's
/// gradient adds each position's output gradient to its token's vector.
///
/// The weight is saved as PyTorch's `weight` `[V, D]`; in memory it is a
/// `D x V` matrix (the same values in the same order) whose column `v` is
/// token `v`'s vector, which `weights()` returns. Initialised uniform in
/// `±0.05`, as Keras' `Embedding`. It streams: one id per step.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::Embedding;
/// network! { struct Tagger { input: [6], emb: Embedding<100, 8>, rnn: Gru<16>, out: Dense<2> } }
/// let net = Tagger::<Eval>::seeded(1);
/// assert_eq!(net.emb.weights().shape(), (8, 100)); // column 7 is token 7's vector
/// assert_eq!(Embedding::<6, 100, 8>::PARAMS, 100 * 8);
/// let ids = SVector::<f32, 6>::from_column_slice(&[3.0, 14.0, 15.0, 92.0, 65.0, 35.0]);
/// assert!(net.predict(&ids).iter().all(|v| v.is_finite()));
/// ```
#[derive(Clone, Tensors)]
#[tensors(crate = crate)]
pub struct Embedding<const T: usize, const V: usize, const D: usize> {
    /// Column-major `D x V`: PyTorch's `[V, D]` in its own order.
    #[param("weight", shape = [V, D], weights)]
    weight: Heap<SMatrix<f32, D, V>>,
}

impl<const T: usize, const V: usize, const D: usize> Embedding<T, V, D> {
    /// A table of zeros.
    pub fn zeros() -> Self {
        Embedding { weight: Heap::zeroed() }
    }

    /// Keras' initialisation drawn from `rng`: every value uniform in `±0.05`.
    pub fn keras<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        for w in layer.weight.as_mut_slice() {
            *w = rng.random_range(-INIT_LIMIT..INIT_LIMIT);
        }
        layer
    }

    /// The vector of token `id`.
    ///
    /// # Panics
    /// If `id` is not below `V`.
    pub fn vector(&self, id: usize) -> &[f32] {
        assert!(id < V, "token {id} is outside the vocabulary of {V}");
        &self.weight.as_slice()[id * D..(id + 1) * D]
    }

    /// The token `value` stands for, if it is one.
    fn token(value: f32) -> Option<usize> {
        (value >= 0.0 && value < V as f32 && value.fract() == 0.0).then_some(value as usize)
    }

    /// What the layer takes, for messages.
    fn takes() -> String {
        format!("Embedding<{V}, {D}> takes token ids, integers in 0..{V}")
    }

    /// The token at `position` of `sample`.
    ///
    /// # Panics
    /// If the value there is not a token id.
    fn token_at(value: f32, sample: usize, position: usize) -> usize {
        Self::token(value).unwrap_or_else(|| {
            panic!("sample {sample}, position {position} holds {value}: {}", Self::takes())
        })
    }

    /// Every id of `x` with its sample and position, checked.
    fn tokens<'a>(x: &'a [f32]) -> impl Iterator<Item = (usize, usize)> + 'a {
        x.iter().enumerate().map(|(at, &value)| (at, Self::token_at(value, at / T, at % T)))
    }
}

impl<const T: usize, const V: usize, const D: usize> fmt::Debug for Embedding<T, V, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Embedding<{V}, {D}> over {T} steps")
    }
}

impl<const T: usize, const V: usize, const D: usize> Init for Embedding<T, V, D> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::keras(rng)
    }
}

/// The gradient of an `Embedding`'s weight, shaped like it (`D x V`, column
/// `v` for token `v`).
#[derive(Clone, Debug)]
pub struct EmbeddingGrads<const V: usize, const D: usize> {
    weight: Heap<SMatrix<f32, D, V>>,
}

impl<const V: usize, const D: usize> EmbeddingGrads<V, D> {
    /// The weight gradient.
    pub fn weights(&self) -> &SMatrix<f32, D, V> {
        &self.weight
    }

    /// The weight gradient, mutably.
    pub fn weights_mut(&mut self) -> &mut SMatrix<f32, D, V> {
        &mut self.weight
    }
}

impl<const V: usize, const D: usize> Grads for EmbeddingGrads<V, D> {
    fn zeros() -> Self {
        EmbeddingGrads { weight: Heap::zeroed() }
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.weight.values());
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(self.weight.values_mut());
    }
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(self.weight.values_mut(), other.weight.values());
    }
}

impl<const T: usize, const V: usize, const D: usize> Layer for Embedding<T, V, D> {
    const INPUT: usize = T;
    const OUTPUT: usize = T * D;
    const OUTPUT_SHAPE: &'static [usize] = &[T, D];
    type Cache = ();
    type Grads = EmbeddingGrads<V, D>;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        let y = y.as_mut_slice();
        for (at, id) in Self::tokens(x.as_slice()) {
            y[at * D..(at + 1) * D].copy_from_slice(self.vector(id));
        }
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        _cache: &mut (),
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut EmbeddingGrads<V, D>>,
    ) {
        if let Some(grads) = grads {
            let (dw, dy) = (grads.weight.as_mut_slice(), dy.as_slice());
            dw.fill(0.0);
            // Scatter-add: a token seen at several positions sums their gradients.
            for (at, id) in Self::tokens(x.as_slice()) {
                let row = &mut dw[id * D..(id + 1) * D];
                row.iter_mut().zip(&dy[at * D..(at + 1) * D]).for_each(|(w, g)| *w += g);
            }
        }
        if let Some(mut dx) = dx {
            dx.as_mut_slice().fill(0.0);
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }

    fn check_inputs(&self, x: Cols<'_>) -> Result<()> {
        match x.as_slice().iter().position(|&value| Self::token(value).is_none()) {
            None => Ok(()),
            Some(at) => Err(Error::InvalidData {
                sample: at / T,
                index: at % T,
                value: x.as_slice()[at],
                reason: Self::takes(),
            }),
        }
    }
}

/// One id per step, looked up as it arrives.
impl<const T: usize, const V: usize, const D: usize> StepWise for Embedding<T, V, D> {
    const STEP: StepWidth = StepWidth::Fixed { input: 1, output: D };

    fn step_alone(&self, x: &[f32], y: &mut [f32]) {
        let id = Self::token(x[0]).unwrap_or_else(|| panic!("a step holds {}: {}", x[0], Self::takes()));
        y.copy_from_slice(self.vector(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Streamable, Weights};
    use crate::testing::check_parameter_gradients;

    #[test]
    fn weight_gradient_matches_finite_differences() {
        // Two samples of four ids, tokens repeated within and across samples.
        let ids = [0.0, 3.0, 3.0, 1.0, 4.0, 0.0, 3.0, 2.0];
        check_parameter_gradients(Embedding::<4, 5, 3>::seeded(1), &ids, 2);
    }

    #[test]
    fn every_position_gets_its_tokens_vector() {
        let layer = Embedding::<3, 4, 2>::seeded(2);
        let x = [2.0, 0.0, 2.0];
        let mut y = [0.0; 6];
        layer.infer(Cols::new(&x, 3), ColsMut::new(&mut y, 6));
        assert_eq!(&y[..2], layer.weights().column(2).as_slice());
        assert_eq!(&y[2..4], layer.vector(0));
        assert_eq!(y[..2], y[4..]);
        assert!(layer.weights().iter().all(|w| w.abs() <= INIT_LIMIT));
    }

    #[test]
    fn the_ids_get_no_gradient_and_repeated_tokens_sum_theirs() {
        let mut layer = Embedding::<3, 4, 2>::seeded(3);
        let x = [1.0, 1.0, 3.0];
        let mut dy = [1.0, 2.0, 10.0, 20.0, 5.0, 6.0];
        let mut dx = [9.0; 3];
        let mut grads = EmbeddingGrads::zeros();
        layer.train_backward(
            Cols::new(&x, 3),
            Cols::new(&[0.0; 6], 6),
            ColsMut::new(&mut dy, 6),
            &mut (),
            Some(ColsMut::new(&mut dx, 3)),
            Some(&mut grads),
        );
        assert_eq!(dx, [0.0; 3]);
        assert_eq!(grads.weights().as_slice(), &[0.0, 0.0, 11.0, 22.0, 0.0, 0.0, 5.0, 6.0]);
    }

    #[test]
    fn bad_ids_are_an_error_naming_sample_and_position() {
        let layer = Embedding::<3, 4, 2>::seeded(4);
        assert!(layer.check_inputs(Cols::new(&[0.0, 3.0, 1.0, 2.0, -0.0, 3.0], 3)).is_ok());
        for (bad, value) in [(1.5f32, 1.5f32), (4.0, 4.0), (-1.0, -1.0), (f32::NAN, f32::NAN)] {
            let x = [0.0, 1.0, 2.0, 3.0, bad, 0.0];
            match layer.check_inputs(Cols::new(&x, 3)) {
                Err(Error::InvalidData { sample: 1, index: 1, value: v, .. }) => {
                    assert!(v == value || (v.is_nan() && value.is_nan()), "{v}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    #[should_panic(
        expected = "sample 1, position 0 holds 7: Embedding<4, 2> takes token ids, integers in 0..4"
    )]
    fn a_forward_on_a_bad_id_panics_naming_the_position() {
        let layer = Embedding::<2, 4, 2>::seeded(5);
        let mut y = [0.0; 8];
        layer.infer(Cols::new(&[1.0, 2.0, 7.0, 0.0], 2), ColsMut::new(&mut y, 4));
    }

    #[test]
    fn it_streams_one_id_per_step() {
        let layer = Embedding::<3, 4, 2>::seeded(6);
        let mut y = [0.0; 2];
        layer.step(&mut (), &[3.0], &mut y);
        assert_eq!(y, layer.vector(3));
    }
}
