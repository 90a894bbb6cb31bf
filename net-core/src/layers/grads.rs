//! The gradients of a layer with a weight tensor and a bias, written once
//! for every such layer (`DenseGrads`, `BatchNormGrads`, the convolutions').

use std::fmt;

use nalgebra::SMatrix;

use super::Grads;
use crate::tensor::boxed_zeros;

/// A tensor kept on the heap whatever its size, created zeroed without
/// passing through the stack.
pub trait HeapTensor: Send + Sync + 'static {
    /// A zeroed tensor on the heap.
    fn zeroed() -> Box<Self>;
    /// The values.
    fn values(&self) -> &[f32];
    /// The values, mutably.
    fn values_mut(&mut self) -> &mut [f32];
}

impl<const R: usize, const C: usize> HeapTensor for SMatrix<f32, R, C> {
    fn zeroed() -> Box<Self> {
        boxed_zeros()
    }
    fn values(&self) -> &[f32] {
        self.as_slice()
    }
    fn values_mut(&mut self) -> &mut [f32] {
        self.as_mut_slice()
    }
}

/// A heap copy of `tensor`.
pub fn boxed_copy<T: HeapTensor>(tensor: &T) -> Box<T> {
    let mut copy = T::zeroed();
    copy.values_mut().copy_from_slice(tensor.values());
    copy
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
    weights: Box<W>,
    bias: Box<B>,
}

impl<W: HeapTensor, B: HeapTensor> WeightBiasGrads<W, B> {
    /// The weight gradient, shaped like the weights.
    pub fn weights(&self) -> &W {
        &self.weights
    }
    /// The bias gradient.
    pub fn bias(&self) -> &B {
        &self.bias
    }
    /// The weight gradient, mutably.
    pub fn weights_mut(&mut self) -> &mut W {
        &mut self.weights
    }
    /// The bias gradient, mutably.
    pub fn bias_mut(&mut self) -> &mut B {
        &mut self.bias
    }
    /// Both, mutably (for a layer's backward).
    pub(crate) fn both_mut(&mut self) -> (&mut W, &mut B) {
        (&mut self.weights, &mut self.bias)
    }
}

impl<W: HeapTensor, B: HeapTensor> Clone for WeightBiasGrads<W, B> {
    fn clone(&self) -> Self {
        WeightBiasGrads { weights: boxed_copy(&*self.weights), bias: boxed_copy(&*self.bias) }
    }
}

impl<W: HeapTensor, B: HeapTensor> fmt::Debug for WeightBiasGrads<W, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, b) = (self.weights.values(), self.bias.values());
        if w.len() + b.len() <= 64 {
            f.debug_struct("Grads").field("weights", &w).field("bias", &b).finish()
        } else {
            write!(f, "Grads {{ {} weights, {} biases, norm: {} }}", w.len(), b.len(), self.global_norm())
        }
    }
}

impl<W: HeapTensor, B: HeapTensor> Grads for WeightBiasGrads<W, B> {
    fn zeros() -> Self {
        WeightBiasGrads { weights: W::zeroed(), bias: B::zeroed() }
    }
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.weights.values());
        f(self.bias.values());
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(self.weights.values_mut());
        f(self.bias.values_mut());
    }
    fn visit_pairs(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(self.weights.values_mut(), other.weights.values());
        f(self.bias.values_mut(), other.bias.values());
    }
}

impl<W: HeapTensor, B: HeapTensor> std::ops::AddAssign<&WeightBiasGrads<W, B>> for WeightBiasGrads<W, B> {
    fn add_assign(&mut self, other: &WeightBiasGrads<W, B>) {
        self.accumulate(other);
    }
}
