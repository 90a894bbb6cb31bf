//! Large static matrices on the heap, created without touching the stack.

use crate::no_std_prelude::*;
use nalgebra::SMatrix;

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
