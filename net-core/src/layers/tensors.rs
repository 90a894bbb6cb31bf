//! A layer's tensors, described once: the [`Tensors`] trait, which
//! `#[derive(Tensors)]` writes from `#[param]`/`#[state]` attributes on the
//! fields that hold them, and the storage those fields use.
//!
//! Everything else about a layer's tensors is derived from that one
//! description: what optimisers update ([`Layer::visit_trainable`]), what
//! is saved and loaded under which name and layout, the parameter counts
//! of the summary, and what an `#[l2]` penalty covers.
//!
//! [`Layer::visit_trainable`]: super::Layer::visit_trainable

use crate::no_std_prelude::*;
use core::fmt;
use core::ops::{Deref, DerefMut};

use nalgebra::SMatrix;

use super::{Grads, Layer};
use crate::tensor::boxed_zeros;

/// The tensors a layer holds, each described once.
///
/// Derive it: every field that holds values carries one `#[param]` (a
/// trained tensor) or `#[state]` (saved beside them, not trained) per
/// tensor it holds, back to back in its storage; a field holding another
/// layer carries `#[tensors]` (its tensors are the layer's own, under the
/// same names, or with `suffix = ".."`). A layer without tensors derives
/// it with no attributes.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::layers::{Heap, Tensors};
/// use typenet::nalgebra::{SMatrix, SVector};
///
/// /// `y = W x` with a learned per-output scale.
/// #[derive(Clone, Debug, Tensors)]
/// pub struct Scaled {
///     #[param("weight", shape = [2, 3], axes = [1, 0], kernel)]
///     weight: Heap<SMatrix<f32, 2, 3>>,
///     #[param("scale", shape = [2])]
///     scale: Heap<SVector<f32, 2>>,
/// }
///
/// assert_eq!(Scaled::PARAMS, 8);
/// assert!(Scaled::HAS_KERNEL);
/// let layer = Scaled { weight: Heap::zeroed(), scale: Heap::zeroed() };
/// let mut names = Vec::new();
/// layer.visit_tensors("fc.", &mut |name, t| names.push((name.to_string(), t.shape.to_vec())));
/// assert_eq!(names, [("fc.weight".to_string(), vec![2, 3]), ("fc.scale".to_string(), vec![2])]);
/// ```
///
/// The attributes of `#[param("name", ..)]` and `#[state("name", ..)]`:
/// `shape = [..]` (PyTorch's shape; required), `axes = [..]` (the axes of
/// `shape` in memory order, outermost first; PyTorch's own order by
/// default), `kernel` (an `#[l2]` penalty covers it), `range =
/// NonNegative` (a variance), `when = EXPR` (a `const` condition: the
/// tensor exists only when it holds, as a convolution's optional bias),
/// and `weights` / `bias` (what `layer.weights()` / `layer.bias()` return,
/// which makes the layer [`Parameterized`](super::Parameterized)).
/// Inside net-core the derive takes `#[tensors(crate = crate)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not describe its tensors",
    label = "a layer needs `#[derive(Tensors)]`",
    note = "add `#[derive(Tensors)]` to the layer's struct, with `#[param(\"name\", shape = [..])]` on each field holding a trained tensor (none for a layer without parameters)"
)]
pub trait Tensors {
    /// Trained values (weights, biases, gamma, beta): PyTorch's
    /// `parameters()` count.
    const PARAMS: usize;
    /// The parameters an optimiser updates: all of them for a layer, fewer
    /// for a network with frozen layers inside.
    const TRAINABLE_PARAMS: usize = Self::PARAMS;
    /// Values saved with the parameters but not trained (running statistics).
    const STATE_VALUES: usize;
    /// Whether an `#[l2]` penalty has a kernel to apply to.
    const HAS_KERNEL: bool;
    /// The storage blocks holding parameters, in the order
    /// [`visit_parameters`](Self::visit_parameters) visits them: what the
    /// layer's gradients pair with, block for block.
    const PARAMETER_BLOCKS: usize;

    /// Calls `f` with every tensor the layer saves, named `prefix` + its
    /// PyTorch name (`weight`, `bias`, `running_mean`, ...).
    fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, TensorRef<'_>));

    /// Calls `f` with every tensor the layer loads, mutably, in the same
    /// order as [`visit_tensors`](Self::visit_tensors).
    fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, TensorMut<'_>));

    /// Calls `f` with each storage block holding parameters, mutably.
    fn visit_parameters(&mut self, f: &mut dyn FnMut(&mut [f32]));

    /// Calls `f(block, offset, values)` for every kernel tensor: the
    /// parameter block it lives in and where in that block it starts.
    fn visit_kernels(&self, f: &mut dyn FnMut(usize, usize, &[f32]));
}

/// What a field holding tensors stores them in: a run of `f32` values.
pub trait TensorStorage {
    /// How many values it holds.
    const LEN: usize;
    /// The values.
    fn values(&self) -> &[f32];
    /// The values, mutably.
    fn values_mut(&mut self) -> &mut [f32];
}

/// The number of values of a tensor of `shape` (for `const` contexts).
///
/// ```
/// assert_eq!(typenet::layers::shape_len(&[4, 3, 2]), 24);
/// ```
pub const fn shape_len(shape: &[usize]) -> usize {
    let mut len = 1;
    let mut axis = 0;
    while axis < shape.len() {
        len *= shape[axis];
        axis += 1;
    }
    len
}

/// Whether a tensor is a trained parameter or state kept beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    /// Trained by optimisers (weights, biases, gamma, beta).
    Parameter,
    /// Saved and loaded but not trained (running statistics).
    State,
}

/// Which values a saved tensor may hold: what loading a weight file checks
/// (unless `LoadOptions::allow_non_finite` says otherwise).
///
/// ```
/// use typenet::ValueRange;
/// assert!(ValueRange::Finite.admits(-3.0));
/// assert!(!ValueRange::Finite.admits(f32::NAN));
/// assert!(!ValueRange::NonNegative.admits(-0.5));
/// assert!(ValueRange::NonNegative.admits(0.0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValueRange {
    /// Any finite value (weights, biases, means).
    #[default]
    Finite,
    /// Finite and not negative (a variance).
    NonNegative,
}

impl ValueRange {
    /// Whether `value` is in the range.
    pub fn admits(self, value: f32) -> bool {
        match self {
            ValueRange::Finite => value.is_finite(),
            ValueRange::NonNegative => value.is_finite() && value >= 0.0,
        }
    }
}

/// A tensor as a layer stores it, with its PyTorch shape.
///
/// `shape` is PyTorch's (a Dense weight is `[out, in]`, a Conv2d weight
/// `[F, C, KH, KW]`). `data` is row-major over the axes of `shape` taken in
/// the order `memory_axes` (outermost first): `[0, 1]` (or `[0]`) is
/// PyTorch's own layout; a Dense weight, column-major `OUT x IN`, is
/// `[1, 0]`.
#[derive(Clone, Copy, Debug)]
pub struct TensorRef<'a> {
    /// PyTorch's shape.
    pub shape: &'a [usize],
    /// The axes of `shape` in memory order, outermost first.
    pub memory_axes: &'a [usize],
    /// The values, in memory order.
    pub data: &'a [f32],
    /// Parameter or state.
    pub kind: TensorKind,
    /// The values a file may give it (a variance is never negative).
    pub range: ValueRange,
}

/// A mutable [`TensorRef`], for loading.
#[derive(Debug)]
pub struct TensorMut<'a> {
    /// PyTorch's shape.
    pub shape: &'a [usize],
    /// The axes of `shape` in memory order, outermost first.
    pub memory_axes: &'a [usize],
    /// The values, in memory order.
    pub data: &'a mut [f32],
    /// Parameter or state.
    pub kind: TensorKind,
    /// The values a file may give it (a variance is never negative).
    pub range: ValueRange,
}

/// `0, 1, .., n - 1`: PyTorch's own memory order for a tensor of rank `n`.
pub const fn identity_axes(rank: usize) -> &'static [usize] {
    const AXES: [usize; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
    AXES.split_at(rank).0
}

/// For each element in memory order (row-major over `shape`'s axes taken
/// in the order `memory_axes`), its index in PyTorch's row-major order.
pub(crate) fn memory_to_torch<'a>(
    shape: &'a [usize],
    memory_axes: &'a [usize],
) -> impl Iterator<Item = usize> + 'a {
    let rank = shape.len();
    let mut torch_stride = vec![1usize; rank];
    for axis in (0..rank.saturating_sub(1)).rev() {
        torch_stride[axis] = torch_stride[axis + 1] * shape[axis + 1];
    }
    let total: usize = shape.iter().product();
    // An odometer over the memory-ordered axes, innermost last.
    let mut index = vec![0usize; rank];
    let mut offset = 0usize;
    (0..total).map(move |step| {
        if step > 0 {
            for position in (0..rank).rev() {
                let axis = memory_axes[position];
                index[position] += 1;
                offset += torch_stride[axis];
                if index[position] < shape[axis] {
                    break;
                }
                offset -= torch_stride[axis] * shape[axis];
                index[position] = 0;
            }
        }
        offset
    })
}

/// A tensor kept on the heap whatever its size, created zeroed without
/// passing through the stack.
pub trait HeapTensor: Send + Sync + 'static {
    /// How many values it holds.
    const LEN: usize;
    /// A zeroed tensor on the heap.
    fn zeroed() -> Box<Self>;
    /// The values.
    fn values(&self) -> &[f32];
    /// The values, mutably.
    fn values_mut(&mut self) -> &mut [f32];
}

impl<const R: usize, const C: usize> HeapTensor for SMatrix<f32, R, C> {
    const LEN: usize = R * C;
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

/// A heap copy of `tensor`, never passing through the stack.
pub fn boxed_copy<T: HeapTensor>(tensor: &T) -> Box<T> {
    let mut copy = T::zeroed();
    copy.values_mut().copy_from_slice(tensor.values());
    copy
}

/// A [`HeapTensor`] in a box that clones on the heap: what layers hold
/// their tensors in, so a 37632x512 weight is built, cloned and dropped
/// without touching the stack, and a layer can `#[derive(Clone)]`.
///
/// ```
/// use typenet::layers::Heap;
/// use typenet::nalgebra::SMatrix;
/// let mut w: Heap<SMatrix<f32, 2, 3>> = Heap::zeroed();
/// w[(1, 2)] = 5.0;
/// assert_eq!(w.clone()[(1, 2)], 5.0);
/// ```
pub struct Heap<T: HeapTensor>(Box<T>);

impl<T: HeapTensor> Heap<T> {
    /// A zeroed tensor.
    pub fn zeroed() -> Self {
        Heap(T::zeroed())
    }

    /// A tensor with every value `value`.
    pub fn filled(value: f32) -> Self {
        let mut tensor = Self::zeroed();
        tensor.0.values_mut().fill(value);
        tensor
    }
}

impl<T: HeapTensor> Clone for Heap<T> {
    fn clone(&self) -> Self {
        Heap(boxed_copy(&*self.0))
    }
}

impl<T: HeapTensor> Deref for Heap<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: HeapTensor> DerefMut for Heap<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: HeapTensor> fmt::Debug for Heap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.0.values();
        if values.len() <= 16 {
            f.debug_list().entries(values).finish()
        } else {
            write!(f, "[{} values]", values.len())
        }
    }
}

impl<T: HeapTensor> TensorStorage for Heap<T> {
    const LEN: usize = T::LEN;
    fn values(&self) -> &[f32] {
        self.0.values()
    }
    fn values_mut(&mut self) -> &mut [f32] {
        self.0.values_mut()
    }
}

/// The typed tensors `weights()` and `bias()` return, for a layer that has
/// no bias (`Embedding`): nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoBias;

/// `Layer::visit_trainable` of a layer: its parameter blocks, each with
/// the gradient block of the same index.
///
/// # Panics
/// If the gradients have another number of blocks than the parameters, or
/// a block of another length: a layer whose `Grads` does not follow its
/// [`Tensors`] description.
pub(crate) fn pair_with_gradients<L: Layer>(
    layer: &mut L,
    grads: &L::Grads,
    f: &mut dyn FnMut(&mut [f32], &[f32]),
) {
    let name = core::any::type_name::<L>();
    let mut count = 0;
    grads.visit(&mut |_| count += 1);
    assert_eq!(
        count,
        L::PARAMETER_BLOCKS,
        "`{name}`'s gradients have {count} blocks but its tensors describe {} parameter blocks",
        L::PARAMETER_BLOCKS
    );
    // Blocks are few (two for most layers): finding each gradient block by
    // its index costs less than collecting them.
    let mut index = 0;
    layer.visit_parameters(&mut |params| {
        let mut seen = 0;
        grads.visit(&mut |grad| {
            if seen == index {
                assert_eq!(
                    params.len(),
                    grad.len(),
                    "`{name}`: parameter block {index} has {} values but its gradient has {}",
                    params.len(),
                    grad.len()
                );
                f(params, grad);
            }
            seen += 1;
        });
        index += 1;
    });
}

/// `lambda * sum(w^2)` over the layer's kernel tensors, summed in f64.
pub(crate) fn l2_term<L: Tensors + ?Sized>(layer: &L, lambda: f32) -> f32 {
    if lambda == 0.0 || !L::HAS_KERNEL {
        return 0.0;
    }
    let mut sum = 0.0f64;
    layer.visit_kernels(&mut |_, _, w| sum += w.iter().map(|&w| (w as f64) * (w as f64)).sum::<f64>());
    (lambda as f64 * sum) as f32
}

/// Adds `2 lambda w` to the gradient of every kernel tensor.
pub(crate) fn add_l2_gradient<L: Layer>(layer: &L, lambda: f32, grads: &mut L::Grads) {
    if !L::HAS_KERNEL {
        return;
    }
    let mut block = 0;
    grads.visit_mut(&mut |g| {
        layer.visit_kernels(&mut |kernel_block, offset, w| {
            if kernel_block == block {
                for (g, &w) in g[offset..offset + w.len()].iter_mut().zip(w) {
                    *g += 2.0 * lambda * w;
                }
            }
        });
        block += 1;
    });
}

/// Checks, when a derived layer is first used, that the `#[param]` and
/// `#[state]` attributes of a field describe exactly the values it holds.
#[doc(hidden)]
pub const fn check_block(described: usize, held: usize, message: &'static str) {
    if described != held {
        panic!("{}", message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_axes_count_up() {
        assert_eq!(identity_axes(3), &[0, 1, 2]);
        assert_eq!(identity_axes(0), &[] as &[usize]);
    }

    #[test]
    fn heap_tensors_clone_on_the_heap() {
        let mut a: Heap<SMatrix<f32, 3, 2>> = Heap::filled(2.0);
        let b = a.clone();
        a[(0, 0)] = 1.0;
        assert_eq!((a[(0, 0)], b[(0, 0)]), (1.0, 2.0));
        assert_eq!(<Heap<SMatrix<f32, 3, 2>> as TensorStorage>::LEN, 6);
    }
}
