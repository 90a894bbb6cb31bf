//! What `network!` expansions call. Not a public API: names here may change
//! in any release.

pub use core::marker::PhantomData;
pub use nalgebra::{Const, SVector};
pub use rand::Rng;

pub use crate::layers::{Grads, Init, Layer, NoGrads};
pub use crate::network::{with_scratch, Network, Summary, SummaryRow};
pub use crate::phase::{Eval, Phase, Train};
pub use crate::rng::{derive_seed, init_rng};
pub use crate::tensor::{view, view_mut, width, Buf, View, ViewMut};
pub use crate::train::{evaluate, fit};

/// The largest of `widths` (0 for none), for sizing scratch space.
pub const fn max_width(widths: &[usize]) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < widths.len() {
        if widths[i] > max {
            max = widths[i];
        }
        i += 1;
    }
    max
}

/// A seed for a layer's random state, drawn from the initialisation stream.
pub fn next_seed<R: Rng + ?Sized>(rng: &mut R) -> u64 {
    rng.next_u64()
}

/// `infer` or, when `AS_EVAL`, `infer_eval` of `layer` over slices.
#[inline]
pub fn infer<const AS_EVAL: bool, L: Layer>(layer: &L, x: &[f32], y: &mut [f32], cols: usize) {
    let x = view::<L::In>(x, cols);
    let y = view_mut::<L::Out>(y, cols);
    if AS_EVAL {
        layer.infer_eval(x, y);
    } else {
        layer.infer(x, y);
    }
}

/// A training forward of `layer` from buffer `x` into buffer `y`.
#[inline]
pub fn train_forward<L: Layer>(layer: &mut L, x: &Buf<L::In>, y: &mut Buf<L::Out>, cache: &mut L::Cache) {
    y.resize(x.cols());
    layer.train_forward(x.view(), y.view_mut(), cache);
}

/// A training forward of the first layer, straight from the caller's input.
#[inline]
pub fn train_forward_from<L: Layer>(
    layer: &mut L,
    x: &[f32],
    cols: usize,
    y: &mut Buf<L::Out>,
    cache: &mut L::Cache,
) {
    y.resize(cols);
    layer.train_forward(view::<L::In>(x, cols), y.view_mut(), cache);
}

/// [`train_forward`] reading its input through a view of width `L::In`
/// over a buffer of any width: for custom layers and nested networks,
/// whose input width a const assertion checks with a clear message, so a
/// mismatch is that one error and not a cascade of type errors.
#[inline]
pub fn train_forward_checked<L: Layer, E: nalgebra::DimName>(
    layer: &mut L,
    x: &Buf<E>,
    y: &mut Buf<L::Out>,
    cache: &mut L::Cache,
) {
    let cols = x.cols();
    y.resize(cols);
    layer.train_forward(view::<L::In>(x.as_slice(), cols), y.view_mut(), cache);
}

/// A view of a buffer with the width the caller expects (see
/// [`train_forward_checked`]).
#[inline]
pub fn view_as<D: nalgebra::DimName, E: nalgebra::DimName>(buf: &Buf<E>) -> View<'_, D> {
    view::<D>(buf.as_slice(), buf.cols())
}

/// The same memory as a view of width `D` (see [`train_forward_checked`]).
#[inline]
pub fn retype_mut<D: nalgebra::DimName, E: nalgebra::DimName>(v: ViewMut<'_, E>) -> ViewMut<'_, D> {
    let cols = v.ncols();
    view_mut::<D>(v.data.into_slice_mut(), cols)
}

/// [`gradient_target`] with the width the caller expects.
#[inline]
pub fn gradient_target_as<D: nalgebra::DimName, E: nalgebra::DimName>(
    wanted: bool,
    buf: &mut Buf<E>,
    cols: usize,
) -> Option<ViewMut<'_, D>> {
    if wanted {
        buf.resize(cols);
        Some(view_mut::<D>(buf.as_mut_slice(), cols))
    } else {
        None
    }
}

/// The input-gradient destination of a layer: the buffer, sized, or none.
#[inline]
pub fn gradient_target<D: nalgebra::DimName>(
    wanted: bool,
    buf: &mut Buf<D>,
    cols: usize,
) -> Option<ViewMut<'_, D>> {
    if wanted {
        buf.resize(cols);
        Some(buf.view_mut())
    } else {
        None
    }
}

/// Zeroes `grads` if present: a layer the gradient cannot reach (it sits
/// below a `StopGradient`) gets zero gradients without any work.
#[inline]
pub fn zero_grads<G: Grads>(grads: Option<&mut G>) {
    if let Some(g) = grads {
        g.fill_zero();
    }
}

/// Panics with a clear message when a backward comes without a forward.
#[inline]
pub fn check_backward_batch(forward_cols: usize, grad_cols: usize) {
    assert_eq!(
        forward_cols, grad_cols,
        "backward got a gradient for {grad_cols} samples, but the last training forward saw {forward_cols}"
    );
}

/// `(None, 7, 7, 768)`: a shape with the batch axis first, as Keras prints it.
pub fn shape_text(dims: &[usize]) -> String {
    let mut text = String::from("(None");
    for d in dims {
        text.push_str(&format!(", {d}"));
    }
    text.push(')');
    text
}
