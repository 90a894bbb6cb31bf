//! The layers of a network as a type-level list, `(A, (B, (C, ())))`, and
//! everything done to them in order: inference, the training forward and
//! backward, visiting parameters and tensors, summary rows.
//!
//! This is written once, for every network: `network!` only lists the
//! layer types and hands out references to its fields in that order.

use std::fmt::{self, Debug};
use std::marker::PhantomData;

use super::entry::Entry;
use super::summary::SummaryRow;
use crate::layers::{Grads, GradsOf, Layer, TensorMut, TensorRef, Tensors};
use crate::phase::PhaseKind;
use crate::tensor::{Cols, ColsMut};

/// One element of a layer list: a layer type, or [`Frozen`] around one.
pub trait Link: 'static {
    /// The layer.
    type Layer: Layer;
    /// Whether an optimiser trains its parameters.
    const TRAINABLE: bool;
}

impl<L: Layer> Link for L {
    type Layer = L;
    const TRAINABLE: bool = true;
}

/// A `#[frozen]` entry in a layer list: its parameters are kept, no
/// gradient is produced for them, and gradients still flow through.
pub struct Frozen<L>(PhantomData<L>);

impl<L: Layer> Link for Frozen<L> {
    type Layer = L;
    const TRAINABLE: bool = false;
}

/// How layers that are not pinned to a phase run in a forward through `&self`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InferMode {
    /// As their own phase (a `Train` network's Dropout drops: Monte-Carlo).
    OwnPhase,
    /// As in `Eval` (validation of a `Train` network).
    AsEval,
}

/// The buffers a training forward fills for one layer and those after it.
#[derive(Clone, Debug, Default)]
pub struct LinkBuffers<C, R> {
    /// The layer's output (empty for a layer that passes through).
    output: Vec<f32>,
    /// The gradient with respect to its output, during backward.
    gradient: Vec<f32>,
    /// What the layer keeps for backward.
    cache: C,
    rest: R,
}

/// A list of layers.
pub trait Chain: 'static {
    /// Number of layers.
    const LEN: usize;
    /// Number of layers that compute (do not pass their input through).
    const COMPUTING: usize;
    /// Every parameter.
    const PARAMS: usize;
    /// The parameters of the layers that are not frozen.
    const TRAINABLE_PARAMS: usize;
    /// Non-trained state values.
    const STATE_VALUES: usize;
    /// The widest output of a computing layer, per sample.
    const MAX_WIDTH: usize;
    /// Whether any layer depends on the phase.
    const PHASED: bool;

    /// References to every layer, in order.
    type Refs<'a>;
    /// Mutable references to every layer, in order.
    type Muts<'a>;
    /// For every layer, its gradients if it has a gradient field.
    type GradsRef<'a>;
    /// For every layer, its gradients, mutably, if it has a gradient field.
    type GradsMut<'a>;
    /// What a training forward keeps for backward.
    type Buffers: Default + Clone + Debug + Send + Sync + 'static;

    /// Forward through `&self` from the caller's input `x` into `y`,
    /// ping-ponging between the scratch buffers `s0` and `s1` (each at least
    /// `MAX_WIDTH * cols` long).
    #[allow(clippy::too_many_arguments)]
    fn infer_from(
        layers: Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        s0: &mut [f32],
        s1: &mut [f32],
    );

    /// [`infer_from`](Self::infer_from) with the input at the start of
    /// scratch buffer `x`, which may be overwritten once read (`x` and
    /// `spare` each `MAX_WIDTH * cols` long).
    #[allow(clippy::too_many_arguments)]
    fn infer_within(
        layers: Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &mut [f32],
        spare: &mut [f32],
        y: &mut [f32],
        cols: usize,
    );

    /// Training forward of `cols` samples `x`; returns the last output.
    fn train_forward<'a>(
        layers: Self::Muts<'_>,
        buffers: &'a mut Self::Buffers,
        x: &'a [f32],
        cols: usize,
    ) -> &'a [f32];

    /// Backward of the last training forward, whose input was `x`, from the
    /// gradient `dy` of its output. Writes the input gradient into `dx` if
    /// given and each layer's gradients into its slot. Returns whether any
    /// gradient reaches `x`: `false` below a `StopGradient`, when `dx` is
    /// left as it was and the caller must take the gradient as zero.
    #[allow(clippy::too_many_arguments)]
    fn train_backward(
        layers: Self::Muts<'_>,
        buffers: &mut Self::Buffers,
        entries: &[Entry],
        x: &[f32],
        cols: usize,
        dy: &[f32],
        dx: Option<&mut [f32]>,
        grads: Self::GradsMut<'_>,
    ) -> bool;

    /// Gradient slots that are all empty.
    fn empty_grads<'a>() -> Self::GradsMut<'a>;

    /// Calls `f` with each trainable tensor and its gradient.
    fn visit_trainable(
        layers: Self::Muts<'_>,
        grads: Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    );

    /// Calls `f` with each gradient tensor of the slots that are present.
    fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32]));

    /// Calls `f` with every saved tensor, named `prefix` + entry name + `.` + tensor name.
    fn visit_tensors(
        layers: Self::Refs<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    );

    /// Calls `f` with every saved tensor, mutably.
    fn visit_tensors_mut(
        layers: Self::Muts<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    );

    /// The L2 penalty of the `#[l2]` entries (and of nested networks' own).
    fn l2_penalty(layers: Self::Refs<'_>, entries: &[Entry]) -> f32;

    /// One summary row per layer.
    fn summary_rows(entries: &[Entry], rows: &mut Vec<SummaryRow>);

    /// The outputs the last training forward kept, one per entry (a layer
    /// that passes through shows its input).
    fn outputs<'a>(buffers: &'a Self::Buffers, entries: &[Entry], x: &'a [f32], out: &mut Vec<&'a [f32]>);

    /// `Debug` of every layer, as fields named after the entries.
    fn debug_fields(layers: Self::Refs<'_>, entries: &[Entry], f: &mut fmt::DebugStruct<'_, '_>);
}

impl Chain for () {
    const LEN: usize = 0;
    const COMPUTING: usize = 0;
    const PARAMS: usize = 0;
    const TRAINABLE_PARAMS: usize = 0;
    const STATE_VALUES: usize = 0;
    const MAX_WIDTH: usize = 0;
    const PHASED: bool = false;
    type Refs<'a> = ();
    type Muts<'a> = ();
    type GradsRef<'a> = ();
    type GradsMut<'a> = ();
    type Buffers = ();

    fn infer_from(
        _: (),
        _: &[Entry],
        _: InferMode,
        x: &[f32],
        y: &mut [f32],
        _: usize,
        _: &mut [f32],
        _: &mut [f32],
    ) {
        y.copy_from_slice(&x[..y.len()]);
    }

    fn infer_within(_: (), _: &[Entry], _: InferMode, x: &mut [f32], _: &mut [f32], y: &mut [f32], _: usize) {
        y.copy_from_slice(&x[..y.len()]);
    }

    fn train_forward<'a>(_: (), _: &'a mut (), x: &'a [f32], _: usize) -> &'a [f32] {
        x
    }

    fn train_backward(
        _: (),
        _: &mut (),
        _: &[Entry],
        _: &[f32],
        _: usize,
        dy: &[f32],
        dx: Option<&mut [f32]>,
        _: (),
    ) -> bool {
        if let Some(dx) = dx {
            dx.copy_from_slice(dy);
        }
        true
    }

    fn empty_grads<'a>() -> Self::GradsMut<'a> {}
    fn visit_trainable(_: (), _: (), _: &mut dyn FnMut(&mut [f32], &[f32])) {}
    fn visit_grads(_: (), _: &mut dyn FnMut(&[f32])) {}
    fn visit_tensors(_: (), _: &[Entry], _: &str, _: &mut dyn FnMut(&str, TensorRef<'_>)) {}
    fn visit_tensors_mut(_: (), _: &[Entry], _: &str, _: &mut dyn FnMut(&str, TensorMut<'_>)) {}
    fn l2_penalty(_: (), _: &[Entry]) -> f32 {
        0.0
    }
    fn summary_rows(_: &[Entry], _: &mut Vec<SummaryRow>) {}
    fn outputs<'a>(_: &'a (), _: &[Entry], _: &'a [f32], _: &mut Vec<&'a [f32]>) {}
    fn debug_fields(_: (), _: &[Entry], _: &mut fmt::DebugStruct<'_, '_>) {}
}

/// One layer's forward through `&self`, as `mode` and the entry's pinning say.
#[inline(always)]
fn infer_one<L: Layer>(layer: &L, entry: &Entry, mode: InferMode, x: &[f32], y: &mut [f32]) {
    let (x, y) = (Cols::new(x, L::INPUT), ColsMut::new(y, L::OUTPUT));
    if mode == InferMode::AsEval && entry.pinned.is_none() {
        layer.infer_eval(x, y);
    } else {
        layer.infer(x, y);
    }
}

impl<A: Link, R: Chain> Chain for (A, R) {
    const LEN: usize = 1 + R::LEN;
    const COMPUTING: usize = (!<A::Layer as Layer>::PASSES_THROUGH) as usize + R::COMPUTING;
    const PARAMS: usize = <A::Layer as Tensors>::PARAMS + R::PARAMS;
    const TRAINABLE_PARAMS: usize =
        if A::TRAINABLE { <A::Layer as Tensors>::TRAINABLE_PARAMS } else { 0 } + R::TRAINABLE_PARAMS;
    const STATE_VALUES: usize = <A::Layer as Tensors>::STATE_VALUES + R::STATE_VALUES;
    const MAX_WIDTH: usize = {
        let own = if <A::Layer as Layer>::PASSES_THROUGH { 0 } else { <A::Layer as Layer>::OUTPUT };
        if own > R::MAX_WIDTH {
            own
        } else {
            R::MAX_WIDTH
        }
    };
    const PHASED: bool = <A::Layer as Layer>::PHASED || R::PHASED;

    type Refs<'a> = (&'a A::Layer, R::Refs<'a>);
    type Muts<'a> = (&'a mut A::Layer, R::Muts<'a>);
    type GradsRef<'a> = (Option<&'a GradsOf<A::Layer>>, R::GradsRef<'a>);
    type GradsMut<'a> = (Option<&'a mut GradsOf<A::Layer>>, R::GradsMut<'a>);
    type Buffers = LinkBuffers<<A::Layer as Layer>::Cache, R::Buffers>;

    #[inline]
    fn infer_from(
        (layer, rest): Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        s0: &mut [f32],
        s1: &mut [f32],
    ) {
        let (entry, later) = (&entries[0], &entries[1..]);
        if <A::Layer as Layer>::PASSES_THROUGH {
            return R::infer_from(rest, later, mode, x, y, cols, s0, s1);
        }
        if R::COMPUTING == 0 {
            return infer_one(layer, entry, mode, x, y);
        }
        infer_one(layer, entry, mode, x, &mut s0[..<A::Layer as Layer>::OUTPUT * cols]);
        R::infer_within(rest, later, mode, s0, s1, y, cols);
    }

    #[inline]
    fn infer_within(
        (layer, rest): Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &mut [f32],
        spare: &mut [f32],
        y: &mut [f32],
        cols: usize,
    ) {
        let (entry, later) = (&entries[0], &entries[1..]);
        if <A::Layer as Layer>::PASSES_THROUGH {
            return R::infer_within(rest, later, mode, x, spare, y, cols);
        }
        // Both buffers stay whole: a later layer may be wider than this one.
        let input = &x[..<A::Layer as Layer>::INPUT * cols];
        if R::COMPUTING == 0 {
            return infer_one(layer, entry, mode, input, y);
        }
        infer_one(layer, entry, mode, input, &mut spare[..<A::Layer as Layer>::OUTPUT * cols]);
        R::infer_within(rest, later, mode, spare, x, y, cols);
    }

    #[inline]
    fn train_forward<'a>(
        (layer, rest): Self::Muts<'_>,
        buffers: &'a mut Self::Buffers,
        x: &'a [f32],
        cols: usize,
    ) -> &'a [f32] {
        let LinkBuffers { output, cache, rest: later, .. } = buffers;
        let y: &'a [f32] = if <A::Layer as Layer>::PASSES_THROUGH {
            x
        } else {
            output.resize(<A::Layer as Layer>::OUTPUT * cols, 0.0);
            let (xs, ys) =
                (Cols::new(x, <A::Layer as Layer>::INPUT), ColsMut::new(output, <A::Layer as Layer>::OUTPUT));
            layer.train_forward(xs, ys, cache);
            output
        };
        R::train_forward(rest, later, y, cols)
    }

    #[inline]
    fn train_backward(
        (layer, rest): Self::Muts<'_>,
        buffers: &mut Self::Buffers,
        entries: &[Entry],
        x: &[f32],
        cols: usize,
        dy: &[f32],
        dx: Option<&mut [f32]>,
        (grads, later_grads): Self::GradsMut<'_>,
    ) -> bool {
        type L<A> = <A as Link>::Layer;
        let (entry, later) = (&entries[0], &entries[1..]);
        let LinkBuffers { output, gradient, cache, rest: later_buffers } = buffers;
        if L::<A>::PASSES_THROUGH {
            return R::train_backward(rest, later_buffers, later, x, cols, dy, dx, later_grads);
        }
        // The gradient of this layer's output is needed for its own
        // parameters or for the layers before it.
        let needed = (grads.is_some() || dx.is_some()) && !L::<A>::STOPS_GRADIENT;
        let target = if needed {
            gradient.resize(L::<A>::OUTPUT * cols, 0.0);
            Some(&mut gradient[..])
        } else {
            None
        };
        let live = R::train_backward(rest, later_buffers, later, output, cols, dy, target, later_grads);
        if !live || L::<A>::STOPS_GRADIENT {
            if let Some(grads) = grads {
                grads.fill_zero();
            }
            return false;
        }
        if !needed {
            return true;
        }
        let mut grads = grads;
        layer.train_backward(
            Cols::new(x, L::<A>::INPUT),
            Cols::new(output, L::<A>::OUTPUT),
            ColsMut::new(gradient, L::<A>::OUTPUT),
            cache,
            dx.map(|dx| ColsMut::new(dx, L::<A>::INPUT)),
            grads.as_deref_mut(),
        );
        if let Some(grads) = grads {
            if entry.l2 != 0.0 {
                layer.add_l2_gradient(entry.l2, grads);
            }
        }
        true
    }

    fn empty_grads<'a>() -> Self::GradsMut<'a> {
        (None, R::empty_grads())
    }

    fn visit_trainable(
        (layer, rest): Self::Muts<'_>,
        (grads, later): Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    ) {
        if let Some(grads) = grads {
            layer.visit_trainable(grads, f);
        }
        R::visit_trainable(rest, later, f);
    }

    fn visit_grads((grads, later): Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32])) {
        if let Some(grads) = grads {
            grads.visit(f);
        }
        R::visit_grads(later, f);
    }

    fn visit_tensors(
        (layer, rest): Self::Refs<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    ) {
        layer.visit_tensors(&format!("{prefix}{}.", entries[0].name), f);
        R::visit_tensors(rest, &entries[1..], prefix, f);
    }

    fn visit_tensors_mut(
        (layer, rest): Self::Muts<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    ) {
        layer.visit_tensors_mut(&format!("{prefix}{}.", entries[0].name), f);
        R::visit_tensors_mut(rest, &entries[1..], prefix, f);
    }

    fn l2_penalty((layer, rest): Self::Refs<'_>, entries: &[Entry]) -> f32 {
        layer.l2_term(entries[0].l2) + R::l2_penalty(rest, &entries[1..])
    }

    fn summary_rows(entries: &[Entry], rows: &mut Vec<SummaryRow>) {
        type L<A> = <A as Link>::Layer;
        let entry = &entries[0];
        rows.push(SummaryRow {
            name: entry.name.to_string(),
            kind: entry.layer.to_string(),
            output_shape: super::summary::shape_text(entry.shape),
            params: L::<A>::PARAMS,
            state: L::<A>::STATE_VALUES,
            trainable: A::TRAINABLE && L::<A>::TRAINABLE_PARAMS > 0,
            phase: entry.pinned.map(|p| match p {
                PhaseKind::Train => "Train",
                PhaseKind::Eval => "Eval",
            }),
        });
        R::summary_rows(&entries[1..], rows);
    }

    fn outputs<'a>(buffers: &'a Self::Buffers, entries: &[Entry], x: &'a [f32], out: &mut Vec<&'a [f32]>) {
        let y: &'a [f32] = if <A::Layer as Layer>::PASSES_THROUGH { x } else { &buffers.output };
        out.push(y);
        R::outputs(&buffers.rest, &entries[1..], y, out);
    }

    fn debug_fields((layer, rest): Self::Refs<'_>, entries: &[Entry], f: &mut fmt::DebugStruct<'_, '_>) {
        f.field(entries[0].name, layer);
        R::debug_fields(rest, &entries[1..], f);
    }
}
