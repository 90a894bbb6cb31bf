//! Tensor types: batches with the feature count in the type, reusable
//! buffers, and heap allocation of large static matrices.

use std::fmt;
use std::marker::PhantomData;

use nalgebra::{Const, DimName, Dyn, MatrixView, MatrixViewMut, OMatrix, SMatrix};

/// A batch of samples: one column per sample, `N` features per column.
///
/// The feature count is part of the type, so handing a network a batch of
/// the wrong width is a type error; the number of samples is chosen at run
/// time.
///
/// ```
/// use typenet::prelude::*;
/// let x = Batch::<3>::from_column_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!((x.nrows(), x.ncols()), (3, 2));
/// ```
pub type Batch<const N: usize> = OMatrix<f32, Const<N>, Dyn>;

/// A read-only view of a batch whose width is the type-level dimension `D`.
pub type View<'a, D> = MatrixView<'a, f32, D, Dyn>;

/// A mutable view of a batch whose width is the type-level dimension `D`.
pub type ViewMut<'a, D> = MatrixViewMut<'a, f32, D, Dyn>;

/// The number `D` stands for, usable in constant expressions.
///
/// ```
/// use typenet::nalgebra::Const;
/// const W: usize = typenet::width::<Const<7>>();
/// assert_eq!(W, 7);
/// ```
pub const fn width<D: DimName>() -> usize {
    D::USIZE
}

/// A view of `cols` columns of width `D` over the start of `data`.
pub fn view<D: DimName>(data: &[f32], cols: usize) -> View<'_, D> {
    View::from_slice_generic(&data[..D::USIZE * cols], D::name(), Dyn(cols))
}

/// A mutable view of `cols` columns of width `D` over the start of `data`.
pub fn view_mut<D: DimName>(data: &mut [f32], cols: usize) -> ViewMut<'_, D> {
    ViewMut::from_slice_generic(&mut data[..D::USIZE * cols], D::name(), Dyn(cols))
}

/// A batch-shaped buffer that keeps its allocation between uses.
///
/// Networks own one per activation and gradient; resizing to a batch that
/// fits the capacity already held never allocates, which is what makes a
/// steady-state training step allocation-free.
pub struct Buf<D> {
    data: Vec<f32>,
    cols: usize,
    width: PhantomData<D>,
}

impl<D: DimName> Buf<D> {
    /// An empty buffer; it allocates on first use.
    pub const fn new() -> Self {
        Buf { data: Vec::new(), cols: 0, width: PhantomData }
    }

    /// Sets the number of columns (samples). Contents are unspecified after
    /// a size change.
    pub fn resize(&mut self, cols: usize) {
        let len = D::USIZE * cols;
        if self.data.len() != len {
            self.data.resize(len, 0.0);
        }
        self.cols = cols;
    }

    /// The number of columns (samples) held.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Copies a batch in, resizing to its column count.
    pub fn copy_from(&mut self, src: &View<'_, D>) {
        self.resize(src.ncols());
        crate::linalg::copy(&mut self.data, src.as_slice());
    }

    /// The contents as a typed view.
    pub fn view(&self) -> View<'_, D> {
        view::<D>(&self.data, self.cols)
    }

    /// The contents as a typed mutable view.
    pub fn view_mut(&mut self) -> ViewMut<'_, D> {
        view_mut::<D>(&mut self.data, self.cols)
    }

    /// The contents, column after column.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The contents, column after column.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }
}

impl<D: DimName> Default for Buf<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D> Clone for Buf<D> {
    fn clone(&self) -> Self {
        Buf { data: self.data.clone(), cols: self.cols, width: PhantomData }
    }
}

impl<D: DimName> fmt::Debug for Buf<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Buf<{}x{}>", D::USIZE, self.cols)
    }
}

/// A static matrix allocated zeroed on the heap, never on the stack.
///
/// `Box::new(SMatrix::zeros())` builds the matrix on the stack first, which
/// overflows it for a 1024x512 layer in a debug build.
pub fn boxed_zeros<const R: usize, const C: usize>() -> Box<SMatrix<f32, R, C>> {
    let uninit = Box::<SMatrix<f32, R, C>>::new_zeroed();
    // SAFETY: an SMatrix<f32, R, C> is a plain array of f32, and the all-zero
    // bit pattern is the valid value 0.0 for every element.
    unsafe { uninit.assume_init() }
}

/// A heap copy of a static matrix that never passes through the stack.
pub fn boxed_clone<const R: usize, const C: usize>(src: &SMatrix<f32, R, C>) -> Box<SMatrix<f32, R, C>> {
    let mut out = boxed_zeros::<R, C>();
    out.as_mut_slice().copy_from_slice(src.as_slice());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_keeps_capacity_when_batch_shrinks_and_grows() {
        let mut buf = Buf::<Const<4>>::new();
        buf.resize(8);
        let cap = buf.data.capacity();
        buf.resize(3);
        buf.resize(8);
        assert_eq!(buf.data.capacity(), cap);
        assert_eq!(buf.view().shape(), (4, 8));
    }

    #[test]
    fn boxed_zeros_is_zero() {
        let m = boxed_zeros::<3, 5>();
        assert!(m.iter().all(|&v| v == 0.0));
        let c = boxed_clone(&m);
        assert_eq!(*c, *m);
    }
}
