//! Randomness applied while training and nothing at inference, written
//! once: a [`Noise`] says what it draws and how the gradient flows back,
//! and [`Noisy`] makes a phase-typed layer of it (the identity in `Eval`,
//! Monte-Carlo when pinned to `Train`, streaming in `Eval`), as `Dropout`
//! is. Custom augmentation and noise layers are one `Noise` impl.

use core::fmt::Debug;

use rand::Rng;

use super::{Init, Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::phase::{Phase, PhaseData, PhaseKind, PhaseMut, PhaseRef};
use crate::rng::MaskRng;
use crate::tensor::{Cols, ColsMut};

/// What a layer with training-time randomness keeps per phase: the
/// network's noise generator in `Train`, nothing in `Eval`.
#[derive(Debug)]
pub struct MaskStream;

impl PhaseData for MaskStream {
    type Train = MaskRng;
    type Eval = ();
}

/// The words of the noise generator reserved for one forward: read them
/// by index (`0..words`), in any order, from any thread.
#[derive(Clone, Copy, Debug)]
pub struct Draws<'a> {
    rng: &'a MaskRng,
    start: u64,
}

impl<'a> Draws<'a> {
    /// The words of `rng` from `start` on: what [`Noisy`] hands a noise's
    /// [`apply`](Noise::apply) after reserving them. A test fixes the
    /// draws by handing the same words to every call.
    ///
    /// ```
    /// use typenet::layers::Draws;
    /// use typenet::rng::MaskRng;
    /// let rng = MaskRng::new(3);
    /// assert_eq!(Draws::new(&rng, 5).word(2), rng.word(7));
    /// ```
    pub fn new(rng: &'a MaskRng, start: u64) -> Self {
        Draws { rng, start }
    }

    /// Word `index` of the reservation.
    #[inline(always)]
    pub fn word(&self, index: u64) -> u64 {
        self.rng.word(self.start.wrapping_add(index))
    }

    /// The two uniforms in `[0, 1)` of word `index`.
    #[inline(always)]
    pub fn uniform_pair(&self, index: u64) -> (f32, f32) {
        self.rng.uniform_pair(self.start.wrapping_add(index))
    }

    /// Two standard normal draws from word `index`.
    #[inline(always)]
    pub fn normal_pair(&self, index: u64) -> (f32, f32) {
        self.rng.normal_pair(self.start.wrapping_add(index))
    }

    /// Standard normal draws, two from each word from word 0 on: the `i`-th
    /// is the noise of value `i` (`words(cols)` is then `values.div_ceil(2)`).
    ///
    /// ```
    /// use typenet::layers::Draws;
    /// use typenet::rng::MaskRng;
    /// let rng = MaskRng::new(3);
    /// let draws = Draws::new(&rng, 0);
    /// let third: Vec<f32> = draws.normals().skip(2).take(2).collect();
    /// assert_eq!((third[0], third[1]), draws.normal_pair(1));
    /// ```
    pub fn normals(self) -> impl Iterator<Item = f32> + 'a {
        (0u64..).flat_map(move |word| {
            let (a, b) = self.normal_pair(word);
            [a, b]
        })
    }
}

/// Randomness a layer applies to each batch while training: what it
/// draws, how it transforms, how the gradient flows back. [`Noisy`] turns
/// it into a layer that is the identity at inference.
///
/// A hand-written inverted dropout of rate 0.5 over 4 features:
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::{Draws, Noise, Noisy};
/// use typenet::{Cols, ColsMut};
///
/// #[derive(Clone, Debug, Default)]
/// pub struct HalfMask;
///
/// impl Noise for HalfMask {
///     const WIDTH: usize = 4;
///     type Record = Vec<f32>;
///     fn words(&self, cols: usize) -> u64 {
///         (4 * cols) as u64
///     }
///     fn apply(&self, draws: Draws<'_>, x: Cols<'_>, mut y: ColsMut<'_>, mask: &mut Vec<f32>) {
///         mask.clear();
///         for (i, (y, x)) in y.as_mut_slice().iter_mut().zip(x.as_slice()).enumerate() {
///             let keep = if draws.uniform_pair(i as u64).0 < 0.5 { 2.0 } else { 0.0 };
///             mask.push(keep);
///             *y = x * keep;
///         }
///     }
///     fn gradient(&self, mask: &Vec<f32>, dy: Cols<'_>, mut dx: ColsMut<'_>) {
///         for ((dx, dy), m) in dx.as_mut_slice().iter_mut().zip(dy.as_slice()).zip(mask) {
///             *dx = dy * m;
///         }
///     }
/// }
///
/// pub type HalfDropout<P = Eval> = Noisy<HalfMask, P>;
///
/// network! { struct Net { input: 4, drop: HalfDropout, out: Dense<1> } }
/// let net = Net::<Eval>::seeded(1);
/// let x = Batch::<4>::from_element(2, 1.0);
/// assert_eq!(net.forward(&x), net.forward(&x)); // the identity at inference
/// ```
pub trait Noise: Clone + Debug + Send + Sync + 'static {
    /// Values per sample, in and out.
    const WIDTH: usize;
    /// What a training forward keeps for backward (a mask, the shifts).
    type Record: Default + Clone + Debug + Send + Sync + 'static;

    /// How many words of the generator a forward of `cols` samples reads.
    fn words(&self, cols: usize) -> u64;

    /// The training forward: `x` into `y`, drawing from `draws`, keeping in
    /// `record` what [`gradient`](Self::gradient) needs.
    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, y: ColsMut<'_>, record: &mut Self::Record);

    /// The gradient of [`apply`](Self::apply)'s input from its output's.
    fn gradient(&self, record: &Self::Record, dy: Cols<'_>, dx: ColsMut<'_>);
}

/// `dx = dy` when asked for: the backward of a layer that passes its
/// input through.
///
/// ```
/// use typenet::{Cols, ColsMut};
/// let mut dy = [1.0, 2.0];
/// let mut dx = [0.0; 2];
/// typenet::layers::pass_gradient(ColsMut::new(&mut dy, 2), Some(ColsMut::new(&mut dx, 2)));
/// assert_eq!(dx, [1.0, 2.0]);
/// ```
pub fn pass_gradient(dy: ColsMut<'_>, dx: Option<ColsMut<'_>>) {
    if let Some(mut dx) = dx {
        dx.copy_from(dy.as_cols());
    }
}

/// A layer applying the noise `T` in `Train` and nothing in `Eval`: the
/// phase typing of `Dropout` for any [`Noise`]. Pinned to `Train` in an
/// `Eval` network (`#[phase(Train)]`), it draws through `&self`
/// (Monte-Carlo); in `Eval` it holds only `T` and streams as the identity.
#[derive(Clone, Debug, Tensors)]
#[tensors(crate = crate)]
pub struct Noisy<T: Noise, P: Phase> {
    noise: T,
    rng: P::Data<MaskStream>,
}

impl<T: Noise, P: Phase> Noisy<T, P> {
    /// A layer applying `noise`, its draws seeded by `seed` in `Train`.
    pub fn new(noise: T, seed: u64) -> Self {
        Noisy { noise, rng: P::new_data::<MaskStream>(|| MaskRng::new(seed), || ()) }
    }

    /// What it applies while training.
    pub fn noise(&self) -> &T {
        &self.noise
    }
}

impl<T: Noise + Default, P: Phase> Init for Noisy<T, P> {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Noisy::new(T::default(), rng.next_u64())
    }
}

impl<T: Noise, P: Phase> Layer for Noisy<T, P> {
    const INPUT: usize = T::WIDTH;
    const OUTPUT: usize = T::WIDTH;
    const PHASED: bool = true;
    type Cache = T::Record;
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Noisy<T, Q>;

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Identity
    }

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        match P::data::<MaskStream>(&self.rng) {
            PhaseRef::Train(rng) => {
                let start = rng.reserve_shared(self.noise.words(x.cols()));
                self.noise.apply(Draws::new(rng, start), x, y, &mut T::Record::default());
            }
            PhaseRef::Eval(()) => y.copy_from(x),
        }
    }

    fn infer_eval(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        y.copy_from(x);
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, record: &mut T::Record) {
        match P::data_mut::<MaskStream>(&mut self.rng) {
            PhaseMut::Train(rng) => {
                let start = rng.reserve(self.noise.words(x.cols()));
                self.noise.apply(Draws::new(rng, start), x, y, record);
            }
            PhaseMut::Eval(()) => y.copy_from(x),
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        record: &mut T::Record,
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        match (P::KIND, dx) {
            (PhaseKind::Train, Some(dx)) => self.noise.gradient(record, dy.as_cols(), dx),
            (_, dx) => pass_gradient(dy, dx),
        }
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> Noisy<T, Q> {
        Noisy::new(self.noise, seed)
    }
}

/// The identity at inference, step by step.
impl<T: Noise, P: Phase> StepWise for Noisy<T, P> {
    const STEP: StepWidth = StepWidth::in_eval::<P>(StepWidth::Any);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::{Eval, Train};

    /// Adds a uniform draw to each value; its gradient passes unchanged.
    #[derive(Clone, Debug, Default)]
    struct Jitter;

    impl Noise for Jitter {
        const WIDTH: usize = 3;
        type Record = ();
        fn words(&self, cols: usize) -> u64 {
            (3 * cols) as u64
        }
        fn apply(&self, draws: Draws<'_>, x: Cols<'_>, mut y: ColsMut<'_>, _: &mut ()) {
            for (i, (y, x)) in y.as_mut_slice().iter_mut().zip(x.as_slice()).enumerate() {
                *y = x + draws.uniform_pair(i as u64).0;
            }
        }
        fn gradient(&self, _: &(), dy: Cols<'_>, mut dx: ColsMut<'_>) {
            dx.copy_from(dy);
        }
    }

    #[test]
    fn the_identity_in_eval_and_fresh_draws_in_train() {
        let x = [1.0f32; 6];
        let mut y = [0.0f32; 6];
        let eval = Noisy::<Jitter, Eval>::new(Jitter, 3);
        eval.infer(Cols::new(&x, 3), ColsMut::new(&mut y, 3));
        assert_eq!(y, x);
        let mut train = eval.into_phase::<Train>(4);
        let (mut first, mut second) = ([0.0f32; 6], [0.0f32; 6]);
        train.train_forward(Cols::new(&x, 3), ColsMut::new(&mut first, 3), &mut ());
        train.train_forward(Cols::new(&x, 3), ColsMut::new(&mut second, 3), &mut ());
        assert_ne!(first, second);
        assert!(first.iter().all(|&v| (1.0..2.0).contains(&v)));
        let probe = train.clone();
        let mut again = [0.0f32; 6];
        probe.infer_eval(Cols::new(&x, 3), ColsMut::new(&mut again, 3));
        assert_eq!(again, x);
    }
}
