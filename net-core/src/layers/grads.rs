//! The gradients of a layer with a weight tensor and a bias, written once
//! for every such layer (`DenseGrads`, `BatchNormGrads`, the convolutions').

use crate::no_std_prelude::*;
#[cfg(feature = "std")]
use core::any::{Any, TypeId};
#[cfg(feature = "std")]
use core::cell::RefCell;
use core::fmt;
#[cfg(feature = "std")]
use std::collections::HashMap;

use super::tensors::{boxed_copy, HeapTensor};
use super::Grads;

#[cfg(feature = "std")]
thread_local! {
    /// Storage of dropped gradient tensors, by type, for
    /// [`Grads::recycled`]: per thread (a training loop drops its gradients
    /// where it made them), so taking one costs no lock. At most [`KEPT`]
    /// tensors of a type are kept; a gradient tensor is as large as its
    /// weights, so this bounds what the pool holds to a few gradients' worth.
    static POOL: RefCell<Spares> = RefCell::new(HashMap::new());
}

/// Spare tensors, by type.
#[cfg(feature = "std")]
type Spares = HashMap<TypeId, Vec<Box<dyn Any>>>;

/// Tensors of one type the pool keeps.
#[cfg(feature = "std")]
const KEPT: usize = 2;

/// A tensor of type `T` from this thread's pool (with the values it was
/// dropped with), or a new zeroed one.
#[cfg(feature = "std")]
fn take<T: HeapTensor>() -> Box<T> {
    let spare = POOL
        .try_with(|pool| {
            pool.try_borrow_mut().ok().and_then(|mut map| map.get_mut(&TypeId::of::<T>()).and_then(Vec::pop))
        })
        .ok()
        .flatten();
    match spare.map(|any| any.downcast::<T>()) {
        Some(Ok(tensor)) => tensor,
        _ => T::zeroed(),
    }
}

/// Gives a dropped tensor back to this thread's pool (or frees it while
/// the thread is shutting down).
#[cfg(feature = "std")]
fn give<T: HeapTensor>(tensor: Box<T>) {
    let _ = POOL.try_with(|pool| {
        if let Ok(mut map) = pool.try_borrow_mut() {
            let kept = map.entry(TypeId::of::<T>()).or_default();
            if kept.len() < KEPT {
                kept.push(tensor);
            }
        }
    });
}

/// A new zeroed tensor: without `std` there is no per-thread pool.
#[cfg(not(feature = "std"))]
fn take<T: HeapTensor>() -> Box<T> {
    T::zeroed()
}

/// Frees the tensor: without `std` there is no per-thread pool.
#[cfg(not(feature = "std"))]
fn give<T: HeapTensor>(tensor: Box<T>) {
    drop(tensor);
}

/// Gradients of a weight tensor `W` and a bias `B`, shaped like them.
///
/// ```
/// use typenet::prelude::*;
/// let mut grads = DenseGrads::<3, 2>::zeros();
/// grads.weights_mut()[(1, 2)] = 4.0;
/// let mut sum = grads.clone();
/// sum += &grads;
/// assert_eq!(sum.weights()[(1, 2)], 8.0);
/// assert_eq!(sum.bias().len(), 2);
/// ```
pub struct WeightBiasGrads<W: HeapTensor, B: HeapTensor> {
    /// Always `Some` but while being dropped (see `Drop`).
    weights: Option<Box<W>>,
    bias: Option<Box<B>>,
}

const PRESENT: &str = "gradient tensors are present until dropped";

impl<W: HeapTensor, B: HeapTensor> WeightBiasGrads<W, B> {
    fn new(weights: Box<W>, bias: Box<B>) -> Self {
        WeightBiasGrads { weights: Some(weights), bias: Some(bias) }
    }
    /// The weight gradient, shaped like the weights.
    pub fn weights(&self) -> &W {
        self.weights.as_deref().expect(PRESENT)
    }
    /// The bias gradient.
    pub fn bias(&self) -> &B {
        self.bias.as_deref().expect(PRESENT)
    }
    /// The weight gradient, mutably.
    pub fn weights_mut(&mut self) -> &mut W {
        self.weights.as_deref_mut().expect(PRESENT)
    }
    /// The bias gradient, mutably.
    pub fn bias_mut(&mut self) -> &mut B {
        self.bias.as_deref_mut().expect(PRESENT)
    }
    /// Both, mutably (for a layer's backward).
    pub(crate) fn both_mut(&mut self) -> (&mut W, &mut B) {
        (self.weights.as_deref_mut().expect(PRESENT), self.bias.as_deref_mut().expect(PRESENT))
    }
}

impl<W: HeapTensor, B: HeapTensor> Drop for WeightBiasGrads<W, B> {
    fn drop(&mut self) {
        if let (Some(weights), Some(bias)) = (self.weights.take(), self.bias.take()) {
            give(weights);
            give(bias);
        }
    }
}

impl<W: HeapTensor, B: HeapTensor> Clone for WeightBiasGrads<W, B> {
    fn clone(&self) -> Self {
        WeightBiasGrads::new(boxed_copy(self.weights()), boxed_copy(self.bias()))
    }
}

impl<W: HeapTensor, B: HeapTensor> fmt::Debug for WeightBiasGrads<W, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, b) = (self.weights().values(), self.bias().values());
        if w.len() + b.len() <= 64 {
            f.debug_struct("Grads").field("weights", &w).field("bias", &b).finish()
        } else {
            write!(f, "Grads {{ {} weights, {} biases, norm: {} }}", w.len(), b.len(), self.global_norm())
        }
    }
}

impl<W: HeapTensor, B: HeapTensor> Grads for WeightBiasGrads<W, B> {
    fn zeros() -> Self {
        WeightBiasGrads::new(W::zeroed(), B::zeroed())
    }
    fn recycled() -> Self {
        WeightBiasGrads::new(take(), take())
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.weights().values());
        f(self.bias().values());
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        let (w, b) = self.both_mut();
        f(w.values_mut());
        f(b.values_mut());
    }
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        let (w, b) = self.both_mut();
        f(w.values_mut(), other.weights().values());
        f(b.values_mut(), other.bias().values());
    }
}

impl<W: HeapTensor, B: HeapTensor> core::ops::AddAssign<&WeightBiasGrads<W, B>> for WeightBiasGrads<W, B> {
    fn add_assign(&mut self, other: &WeightBiasGrads<W, B>) {
        self.accumulate(other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{SMatrix, SVector};

    type G = WeightBiasGrads<SMatrix<f32, 3, 7>, SVector<f32, 3>>;

    #[test]
    fn dropped_storage_is_reused_by_recycled_gradients() {
        let mut first = G::zeros();
        first.weights_mut()[(2, 6)] = 5.0;
        let address = first.weights() as *const _ as usize;
        drop(first);
        let second = G::recycled();
        assert_eq!(second.weights() as *const _ as usize, address);
        assert_eq!(G::zeros().weights()[(2, 6)], 0.0, "zeros are zero whatever the pool holds");
    }
}
