//! Tensor types: batches with the feature count in the type, the column
//! views layers work on, and heap allocation of large static matrices.

use core::fmt;

use nalgebra::{Const, DMatrixView, DMatrixViewMut, Dyn, OMatrix};

/// A batch of samples: one column per sample, `N` features per column.
///
/// The feature count is part of the type, so handing a network a batch of
/// the wrong width is a type error; the number of samples is chosen at run
/// time. A shaped sample (`input: [H, W, C]`) is stored flat, last axis
/// fastest, so `N = H * W * C`.
///
/// ```
/// use typenet::prelude::*;
/// let x = Batch::<3>::from_column_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!((x.nrows(), x.ncols()), (3, 2));
/// ```
pub type Batch<const N: usize> = OMatrix<f32, Const<N>, Dyn>;

/// A batch as a layer reads it: `cols` samples of `rows` values each,
/// column-major (sample after sample), borrowed.
///
/// ```
/// use typenet::Cols;
/// let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let x = Cols::new(&data, 3);
/// assert_eq!((x.rows(), x.cols()), (3, 2));
/// assert_eq!(x.column(1), &[4.0, 5.0, 6.0]);
/// assert_eq!(x.matrix()[(2, 0)], 3.0);
/// ```
#[derive(Clone, Copy)]
pub struct Cols<'a> {
    data: &'a [f32],
    rows: usize,
}

impl<'a> Cols<'a> {
    /// `data.len() / rows` samples of `rows` values.
    ///
    /// # Panics
    /// If `rows` is zero or does not divide `data.len()`.
    pub fn new(data: &'a [f32], rows: usize) -> Self {
        assert!(
            rows > 0 && data.len().is_multiple_of(rows),
            "a batch of {} values cannot hold columns of {rows}",
            data.len()
        );
        Cols { data, rows }
    }

    /// Values per sample.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Samples.
    pub fn cols(&self) -> usize {
        self.data.len() / self.rows
    }

    /// Every value, sample after sample.
    pub fn as_slice(&self) -> &'a [f32] {
        self.data
    }

    /// Sample `j`.
    ///
    /// # Panics
    /// If `j >= self.cols()`.
    pub fn column(&self, j: usize) -> &'a [f32] {
        &self.data[j * self.rows..(j + 1) * self.rows]
    }

    /// The batch as a nalgebra matrix view (`rows x cols`).
    pub fn matrix(&self) -> DMatrixView<'a, f32> {
        DMatrixView::from_slice(self.data, self.rows, self.cols())
    }
}

impl fmt::Debug for Cols<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cols<{}x{}>", self.rows, self.cols())
    }
}

/// A batch as a layer writes it: the mutable counterpart of [`Cols`].
///
/// ```
/// use typenet::ColsMut;
/// let mut data = [0.0f32; 4];
/// let mut y = ColsMut::new(&mut data, 2);
/// y.column_mut(1).fill(7.0);
/// assert_eq!(data, [0.0, 0.0, 7.0, 7.0]);
/// ```
pub struct ColsMut<'a> {
    data: &'a mut [f32],
    rows: usize,
}

impl<'a> ColsMut<'a> {
    /// `data.len() / rows` samples of `rows` values.
    ///
    /// # Panics
    /// If `rows` is zero or does not divide `data.len()`.
    pub fn new(data: &'a mut [f32], rows: usize) -> Self {
        assert!(
            rows > 0 && data.len().is_multiple_of(rows),
            "a batch of {} values cannot hold columns of {rows}",
            data.len()
        );
        ColsMut { data, rows }
    }

    /// Values per sample.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Samples.
    pub fn cols(&self) -> usize {
        self.data.len() / self.rows
    }

    /// Every value, sample after sample.
    pub fn as_slice(&self) -> &[f32] {
        self.data
    }

    /// Every value, sample after sample, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        self.data
    }

    /// The whole borrowed slice, for the lifetime of the borrow.
    pub fn into_slice(self) -> &'a mut [f32] {
        self.data
    }

    /// Sample `j`, mutably.
    ///
    /// # Panics
    /// If `j >= self.cols()`.
    pub fn column_mut(&mut self, j: usize) -> &mut [f32] {
        &mut self.data[j * self.rows..(j + 1) * self.rows]
    }

    /// A shorter-lived copy of this view, to pass on and keep using after.
    pub fn reborrow(&mut self) -> ColsMut<'_> {
        ColsMut { data: self.data, rows: self.rows }
    }

    /// The batch as a read-only view.
    pub fn as_cols(&self) -> Cols<'_> {
        Cols { data: self.data, rows: self.rows }
    }

    /// The batch as a mutable nalgebra matrix view (`rows x cols`).
    pub fn matrix_mut(&mut self) -> DMatrixViewMut<'_, f32> {
        let cols = self.cols();
        DMatrixViewMut::from_slice(self.data, self.rows, cols)
    }

    /// Copies `src` in.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn copy_from(&mut self, src: Cols<'_>) {
        assert_eq!(
            (self.rows, self.cols()),
            (src.rows, src.cols()),
            "copy between batches of different shapes"
        );
        self.data.copy_from_slice(src.data);
    }

    /// Sets every value to `value`.
    pub fn fill(&mut self, value: f32) {
        self.data.fill(value);
    }
}

impl fmt::Debug for ColsMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ColsMut<{}x{}>", self.rows, self.cols())
    }
}

pub use crate::linalg::heap::{boxed_clone, boxed_zeros};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_zeros_is_zero() {
        let m = boxed_zeros::<3, 5>();
        assert!(m.iter().all(|&v| v == 0.0));
        let c = boxed_clone(&m);
        assert_eq!(*c, *m);
    }

    #[test]
    #[should_panic(expected = "cannot hold columns of 4")]
    fn a_ragged_batch_is_refused() {
        Cols::new(&[1.0; 6], 4);
    }
}
