//! A convolution's tensors on the heap: its kernel, indexed by PyTorch's
//! axes, and its optional bias.

use crate::no_std_prelude::*;
use core::fmt;
use core::marker::PhantomData;

use super::geometry::{patch_len, Geometry};
use crate::layers::HeapTensor;

/// A convolution's weights, on the heap: `F` filters over a `KH x KW x C`
/// window, in memory `[KH][KW][C][F]` (a column-major `F x K` matrix).
/// Indexing goes by PyTorch's axes.
///
/// ```
/// use typenet::layers::conv::{ConvWeights, Grid2d};
/// use typenet::HeapTensor;
/// type G = Grid2d<4, 4, 2, 3, 3, 1, 1, 1, 1, 0, 0, 2, 2>;
/// let mut w = ConvWeights::<G, 5>::zeroed();
/// w.set(4, 1, 2, 0, 7.0); // filter 4, channel 1, kernel row 2, column 0
/// assert_eq!(w.get(4, 1, 2, 0), 7.0);
/// assert_eq!(w.values().len(), 5 * 2 * 3 * 3);
/// ```
pub struct ConvWeights<G: Geometry, const F: usize> {
    pub(super) values: Box<[f32]>,
    geometry: PhantomData<G>,
}

impl<G: Geometry, const F: usize> ConvWeights<G, F> {
    /// Where `(filter, channel, kernel row, kernel column)` lives in memory.
    fn index(filter: usize, channel: usize, row: usize, column: usize) -> usize {
        assert!(
            filter < F && channel < G::C && row < G::KH && column < G::KW,
            "weight ({filter}, {channel}, {row}, {column}) is outside [{F}, {}, {}, {}]",
            G::C,
            G::KH,
            G::KW
        );
        ((row * G::KW + column) * G::C + channel) * F + filter
    }

    /// The weight of `filter` at `channel`, kernel `row` and `column`
    /// (for a Conv1d, `row` is 0).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn get(&self, filter: usize, channel: usize, row: usize, column: usize) -> f32 {
        self.values[Self::index(filter, channel, row, column)]
    }

    /// Sets a weight (see [`get`](Self::get)).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn set(&mut self, filter: usize, channel: usize, row: usize, column: usize, value: f32) {
        self.values[Self::index(filter, channel, row, column)] = value;
    }
}

impl<G: Geometry, const F: usize> HeapTensor for ConvWeights<G, F> {
    const LEN: usize = F * patch_len::<G>();
    fn zeroed() -> Box<Self> {
        Box::new(ConvWeights {
            values: vec![0.0; F * patch_len::<G>()].into_boxed_slice(),
            geometry: PhantomData,
        })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<G: Geometry, const F: usize> fmt::Debug for ConvWeights<G, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConvWeights[{F}, {}, {}, {}]", G::C, G::KH, G::KW)
    }
}

/// A convolution's bias: `F` values, or none with `bias = false`.
///
/// ```
/// use typenet::layers::conv::Bias;
/// use typenet::HeapTensor;
/// assert_eq!(Bias::<true, 4>::zeroed().values().len(), 4);
/// assert_eq!(Bias::<false, 4>::zeroed().values().len(), 0);
/// ```
pub struct Bias<const BIAS: bool, const F: usize> {
    pub(super) values: Box<[f32]>,
}

impl<const BIAS: bool, const F: usize> HeapTensor for Bias<BIAS, F> {
    const LEN: usize = if BIAS { F } else { 0 };
    fn zeroed() -> Box<Self> {
        Box::new(Bias { values: vec![0.0; if BIAS { F } else { 0 }].into_boxed_slice() })
    }
    fn values(&self) -> &[f32] {
        &self.values
    }
    fn values_mut(&mut self) -> &mut [f32] {
        &mut self.values
    }
}

impl<const BIAS: bool, const F: usize> fmt::Debug for Bias<BIAS, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values.iter()).finish()
    }
}
