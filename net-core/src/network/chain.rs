//! The layers of a network as a type-level list, `(A, (B, (C, ())))`, and
//! everything done to them in order: inference, the training forward and
//! backward, visiting parameters and tensors, summary rows.
//!
//! Each element is a [`Node`]: a layer, a `#[frozen]` layer, or a merge of
//! paths (`Concat`, `Add`, in `merge.rs`), whose paths are lists
//! themselves. This is written once, for every network: `network!` only
//! lists the node types and hands out references to its fields in the
//! same nesting.

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};
use core::marker::PhantomData;

use super::entry::Entry;
use crate::error::Result;
use crate::layers::export::Item;
use crate::layers::{Grads, GradsOf, Layer, TensorMut, TensorRef, Tensors};
use crate::phase::PhaseKind;
use crate::summary::SummaryRow;
use crate::tensor::{Cols, ColsMut};

/// How layers that are not pinned to a phase run in a forward through `&self`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InferMode {
    /// As their own phase (a `Train` network's Dropout drops: Monte-Carlo).
    OwnPhase,
    /// As in `Eval` (validation of a `Train` network).
    AsEval,
}

/// One element of a layer list: a layer, a frozen layer, or a merge of
/// paths. Everything the list does is asked of its nodes.
pub trait Node: 'static {
    /// Values per input sample.
    const INPUT: usize;
    /// Values per output sample.
    const OUTPUT: usize;
    /// Whether the output is the input (a `Flatten`): no buffer, no work.
    const PASSES_THROUGH: bool;
    /// Whether no gradient reaches the nodes before it.
    const STOPS_GRADIENT: bool;
    /// Every parameter.
    const PARAMS: usize;
    /// The parameters an optimiser updates.
    const TRAINABLE_PARAMS: usize;
    /// Non-trained state values.
    const STATE_VALUES: usize;
    /// Whether any layer in it depends on the phase.
    const PHASED: bool;
    /// How many fields of the network it is (a merge's paths' layers).
    const FIELDS: u32;
    /// For each of its fields, in order, whether the layer has parameters
    /// (bit `i` for field `i`; fields past 128 are not recorded).
    const PARAM_MASK: u128;
    /// For each of its fields, in order, how many values its layer saves
    /// (parameters and state).
    const FIELD_VALUES: FieldValues;

    /// References to its layers.
    type Refs<'a>;
    /// Mutable references to its layers.
    type Muts<'a>;
    /// Its layers' gradients, where they have a field.
    type GradsRef<'a>;
    /// Its layers' gradients, mutably, where they have a field.
    type GradsMut<'a>;
    /// What a training forward keeps for backward.
    type Cache: Default + Clone + Debug + Send + Sync + 'static;

    /// Forward through `&self` from `x` into `y` (`cols` samples).
    fn infer(node: Self::Refs<'_>, entry: &Entry, mode: InferMode, x: &[f32], y: &mut [f32], cols: usize);

    /// Training forward from `x` into `y`, keeping in `cache` what backward needs.
    fn train_forward(node: Self::Muts<'_>, cache: &mut Self::Cache, x: &[f32], y: &mut [f32], cols: usize);

    /// [`Layer::check_inputs`] of the layers that `x` reaches first.
    fn check_inputs(node: Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()>;

    /// Backward of the last training forward (input `x`, output `y`, `dy`
    /// the gradient of `y`, which it may overwrite): the input gradient
    /// into `dx` when given, parameter gradients into their slots. Returns
    /// whether any gradient reaches `x` (`dx` is then written).
    #[allow(clippy::too_many_arguments)]
    fn train_backward(
        node: Self::Muts<'_>,
        cache: &mut Self::Cache,
        entry: &Entry,
        x: &[f32],
        y: &[f32],
        dy: &mut [f32],
        dx: Option<&mut [f32]>,
        grads: Self::GradsMut<'_>,
    ) -> bool;

    /// Gradient slots that are all empty.
    fn empty_grads<'a>() -> Self::GradsMut<'a>;
    /// Whether any slot asks for gradients.
    fn wants_grads(grads: &Self::GradsMut<'_>) -> bool;
    /// Zeroes every slot present (no gradient reached the node).
    fn zero_grads(grads: Self::GradsMut<'_>);

    /// Calls `f` with each trainable block and its gradient.
    fn visit_trainable(
        node: Self::Muts<'_>,
        grads: Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    );
    /// Calls `f` with each gradient block of the slots present.
    fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32]));
    /// Calls `f` with every saved tensor, named under `prefix`.
    fn visit_tensors(
        node: Self::Refs<'_>,
        entry: &Entry,
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    );
    /// Calls `f` with every saved tensor, mutably.
    fn visit_tensors_mut(
        node: Self::Muts<'_>,
        entry: &Entry,
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    );
    /// The L2 penalty of its `#[l2]` layers.
    fn l2_penalty(node: Self::Refs<'_>, entry: &Entry) -> f32;
    /// Its summary rows, indented by `depth`.
    fn summary_rows(entry: &Entry, depth: usize, rows: &mut Vec<SummaryRow>);
    /// `Debug` of its layers, as fields named after their entries.
    fn debug_fields(node: Self::Refs<'_>, entry: &Entry, f: &mut fmt::DebugStruct<'_, '_>);
    /// What it computes on per-sample inputs of shape `input`, for the exporters.
    fn export(node: Self::Refs<'_>, entry: &Entry, input: &[usize], items: &mut Vec<Item>);
}

/// A `#[frozen]` layer in a layer list: its parameters are kept, no
/// gradient is produced for them, and gradients still flow through.
pub struct Frozen<L>(PhantomData<L>);

/// A layer or a frozen one: the two differ only in whether an optimiser
/// trains them.
pub trait OneLayer: 'static {
    /// The layer.
    type Layer: Layer;
    /// Whether an optimiser trains its parameters.
    const TRAINABLE: bool;
}

impl<L: Layer> OneLayer for L {
    type Layer = L;
    const TRAINABLE: bool = true;
}

impl<L: Layer> OneLayer for Frozen<L> {
    type Layer = L;
    const TRAINABLE: bool = false;
}

/// One layer's forward through `&self`, as `mode` and the entry's pinning say.
#[inline(always)]
fn infer_layer<L: Layer>(layer: &L, entry: &Entry, mode: InferMode, x: &[f32], y: &mut [f32]) {
    let (x, y) = (Cols::new(x, L::INPUT), ColsMut::new(y, L::OUTPUT));
    if mode == InferMode::AsEval && entry.pinned.is_none() {
        layer.infer_eval(x, y);
    } else {
        layer.infer(x, y);
    }
}

/// A layer (or a frozen one) as a node.
impl<O: OneLayer> Node for O {
    const INPUT: usize = <O::Layer as Layer>::INPUT;
    const OUTPUT: usize = <O::Layer as Layer>::OUTPUT;
    const PASSES_THROUGH: bool = <O::Layer as Layer>::PASSES_THROUGH;
    const STOPS_GRADIENT: bool = <O::Layer as Layer>::STOPS_GRADIENT;
    const PARAMS: usize = <O::Layer as Tensors>::PARAMS;
    const TRAINABLE_PARAMS: usize = if O::TRAINABLE { <O::Layer as Tensors>::TRAINABLE_PARAMS } else { 0 };
    const STATE_VALUES: usize = <O::Layer as Tensors>::STATE_VALUES;
    const PHASED: bool = <O::Layer as Layer>::PHASED;
    const FIELDS: u32 = 1;
    const PARAM_MASK: u128 = (<O::Layer as Tensors>::PARAMS > 0) as u128;
    const FIELD_VALUES: FieldValues = {
        let mut values = [0; RECORDED_FIELDS];
        values[0] = <O::Layer as Tensors>::PARAMS + <O::Layer as Tensors>::STATE_VALUES;
        values
    };

    type Refs<'a> = &'a O::Layer;
    type Muts<'a> = &'a mut O::Layer;
    type GradsRef<'a> = Option<&'a GradsOf<O::Layer>>;
    type GradsMut<'a> = Option<&'a mut GradsOf<O::Layer>>;
    type Cache = <O::Layer as Layer>::Cache;

    #[inline(always)]
    fn infer(layer: &O::Layer, entry: &Entry, mode: InferMode, x: &[f32], y: &mut [f32], _cols: usize) {
        infer_layer(layer, entry, mode, x, y);
    }

    #[inline]
    fn train_forward(layer: &mut O::Layer, cache: &mut Self::Cache, x: &[f32], y: &mut [f32], _cols: usize) {
        let (xs, ys) = (Cols::new(x, Self::INPUT), ColsMut::new(y, Self::OUTPUT));
        layer.train_forward(xs, ys, cache);
    }

    fn check_inputs(layer: &O::Layer, x: &[f32], _cols: usize) -> Result<()> {
        layer.check_inputs(Cols::new(x, Self::INPUT))
    }

    fn train_backward(
        layer: &mut O::Layer,
        cache: &mut Self::Cache,
        entry: &Entry,
        x: &[f32],
        y: &[f32],
        dy: &mut [f32],
        dx: Option<&mut [f32]>,
        mut grads: Self::GradsMut<'_>,
    ) -> bool {
        if Self::STOPS_GRADIENT {
            Self::zero_grads(grads);
            return false;
        }
        layer.train_backward(
            Cols::new(x, Self::INPUT),
            Cols::new(y, Self::OUTPUT),
            ColsMut::new(dy, Self::OUTPUT),
            cache,
            dx.map(|dx| ColsMut::new(dx, Self::INPUT)),
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
        None
    }

    fn wants_grads(grads: &Self::GradsMut<'_>) -> bool {
        grads.is_some()
    }

    fn zero_grads(grads: Self::GradsMut<'_>) {
        if let Some(grads) = grads {
            grads.fill_zero();
        }
    }

    fn visit_trainable(
        layer: &mut O::Layer,
        grads: Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    ) {
        if let Some(grads) = grads {
            layer.visit_trainable(grads, f);
        }
    }

    fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32])) {
        if let Some(grads) = grads {
            grads.visit(f);
        }
    }

    fn visit_tensors(layer: &O::Layer, entry: &Entry, prefix: &str, f: &mut dyn FnMut(&str, TensorRef<'_>)) {
        layer.visit_tensors(&format!("{prefix}{}.", entry.saved_as), f);
    }

    fn visit_tensors_mut(
        layer: &mut O::Layer,
        entry: &Entry,
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    ) {
        layer.visit_tensors_mut(&format!("{prefix}{}.", entry.saved_as), f);
    }

    fn l2_penalty(layer: &O::Layer, entry: &Entry) -> f32 {
        layer.l2_term(entry.l2)
    }

    fn summary_rows(entry: &Entry, depth: usize, rows: &mut Vec<SummaryRow>) {
        rows.push(SummaryRow {
            name: entry.name.to_string(),
            kind: entry.layer.to_string(),
            output_shape: crate::summary::shape_text(entry.shape),
            params: Self::PARAMS,
            state: Self::STATE_VALUES,
            trainable: O::TRAINABLE && Self::TRAINABLE_PARAMS > 0,
            phase: entry.pinned.map(|p| match p {
                PhaseKind::Train => "Train",
                PhaseKind::Eval => "Eval",
            }),
            depth,
            frozen_inside: Self::TRAINABLE_PARAMS < Self::PARAMS,
        });
        if entry.expand {
            let at = rows.len();
            <O::Layer as Layer>::nested_summary_rows(depth + 1, rows);
            if !O::TRAINABLE {
                rows[at..].iter_mut().for_each(|row| row.trainable = false);
            }
        }
    }

    fn debug_fields(layer: &O::Layer, entry: &Entry, f: &mut fmt::DebugStruct<'_, '_>) {
        f.field(entry.name, layer);
    }

    fn export(layer: &O::Layer, entry: &Entry, input: &[usize], items: &mut Vec<Item>) {
        items.push(Item {
            name: entry.name.to_string(),
            prefix: format!("{}.", entry.saved_as),
            input: input.to_vec(),
            output: entry.shape.to_vec(),
            op: layer.export_op(),
        });
    }
}

/// Per field of a network, in order, how many values its layer saves;
/// fields past [`RECORDED_FIELDS`] are not recorded.
pub type FieldValues = [usize; RECORDED_FIELDS];

/// How many fields [`FieldValues`] records, as the 128 bits of a
/// `PARAM_MASK`.
pub const RECORDED_FIELDS: usize = 128;

/// The list of `first` (`len` fields) followed by `rest`.
pub(crate) const fn joined(first: FieldValues, len: u32, rest: FieldValues) -> FieldValues {
    let mut out = first;
    let mut at = 0;
    while at + (len as usize) < RECORDED_FIELDS {
        out[at + len as usize] = rest[at];
        at += 1;
    }
    out
}

/// `mask << by`, with the bits past 128 dropped.
pub(crate) const fn shifted(mask: u128, by: u32) -> u128 {
    match mask.checked_shl(by) {
        Some(mask) => mask,
        None => 0,
    }
}

/// The buffers a training forward fills for one node and those after it.
#[derive(Clone, Debug, Default)]
pub struct LinkBuffers<C, R> {
    /// The node's output (empty for one that passes through).
    output: Vec<f32>,
    /// The gradient with respect to its output, during backward.
    gradient: Vec<f32>,
    /// What the node keeps for backward.
    cache: C,
    rest: R,
}

/// A list of nodes.
pub trait Chain: 'static {
    /// Number of nodes.
    const LEN: usize;
    /// Number of nodes that compute (do not pass their input through).
    const COMPUTING: usize;
    /// The output width of the last node, or `input` for an empty list.
    const OUTPUT_OR_INPUT: Option<usize>;
    /// Every parameter.
    const PARAMS: usize;
    /// The parameters of the layers that are not frozen.
    const TRAINABLE_PARAMS: usize;
    /// Non-trained state values.
    const STATE_VALUES: usize;
    /// The widest output of a computing node, per sample.
    const MAX_WIDTH: usize;
    /// Whether any layer depends on the phase.
    const PHASED: bool;
    /// How many fields of the network its nodes are.
    const FIELDS: u32;
    /// For each field, whether its layer has parameters (see [`Node::PARAM_MASK`]).
    const PARAM_MASK: u128;
    /// For each field, how many values its layer saves (see [`Node::FIELD_VALUES`]).
    const FIELD_VALUES: FieldValues;

    /// References to every node, in order.
    type Refs<'a>;
    /// Mutable references to every node, in order.
    type Muts<'a>;
    /// For every node, its gradient slots.
    type GradsRef<'a>;
    /// For every node, its gradient slots, mutably.
    type GradsMut<'a>;
    /// What a training forward keeps for backward.
    type Buffers: Default + Clone + Debug + Send + Sync + 'static;

    /// Forward through `&self` from the caller's input `x` into `y`,
    /// ping-ponging between the scratch buffers `s0` and `s1` (each at least
    /// `MAX_WIDTH * cols` long).
    #[allow(clippy::too_many_arguments)]
    fn infer_from(
        nodes: Self::Refs<'_>,
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
        nodes: Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &mut [f32],
        spare: &mut [f32],
        y: &mut [f32],
        cols: usize,
    );

    /// [`Layer::check_inputs`] of the nodes that `cols` samples `x` reach
    /// first: the first node, and the next one when it passes `x` through.
    fn check_inputs(nodes: Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()>;

    /// Training forward of `cols` samples `x`; returns the last output.
    fn train_forward<'a>(
        nodes: Self::Muts<'_>,
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
        nodes: Self::Muts<'_>,
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
    /// Whether any slot asks for gradients.
    fn wants_grads(grads: &Self::GradsMut<'_>) -> bool;
    /// Zeroes every slot present.
    fn zero_grads(grads: Self::GradsMut<'_>);

    /// Calls `f` with each trainable block and its gradient.
    fn visit_trainable(
        nodes: Self::Muts<'_>,
        grads: Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    );

    /// Calls `f` with each gradient block of the slots that are present.
    fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32]));

    /// Calls `f` with every saved tensor, named `prefix` + entry name + `.` + tensor name.
    fn visit_tensors(
        nodes: Self::Refs<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    );

    /// Calls `f` with every saved tensor, mutably.
    fn visit_tensors_mut(
        nodes: Self::Muts<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    );

    /// The L2 penalty of the `#[l2]` entries (and of nested networks' own).
    fn l2_penalty(nodes: Self::Refs<'_>, entries: &[Entry]) -> f32;

    /// One summary row per layer, indented by `depth`.
    fn summary_rows(entries: &[Entry], depth: usize, rows: &mut Vec<SummaryRow>);

    /// The outputs the last training forward kept, one per entry (a node
    /// that passes through shows its input).
    fn outputs<'a>(buffers: &'a Self::Buffers, entries: &[Entry], x: &'a [f32], out: &mut Vec<&'a [f32]>);

    /// `Debug` of every layer, as fields named after the entries.
    fn debug_fields(nodes: Self::Refs<'_>, entries: &[Entry], f: &mut fmt::DebugStruct<'_, '_>);

    /// What every node computes, in order, the first on per-sample inputs
    /// of shape `input`: what the ONNX and PyTorch exporters translate.
    fn export(nodes: Self::Refs<'_>, entries: &[Entry], input: &[usize], items: &mut Vec<Item>);
}

impl Chain for () {
    const LEN: usize = 0;
    const COMPUTING: usize = 0;
    const OUTPUT_OR_INPUT: Option<usize> = None;
    const PARAMS: usize = 0;
    const TRAINABLE_PARAMS: usize = 0;
    const STATE_VALUES: usize = 0;
    const MAX_WIDTH: usize = 0;
    const PHASED: bool = false;
    const FIELDS: u32 = 0;
    const PARAM_MASK: u128 = 0;
    const FIELD_VALUES: FieldValues = [0; RECORDED_FIELDS];
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

    fn check_inputs(_: (), _: &[f32], _: usize) -> Result<()> {
        Ok(())
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
    fn wants_grads(_: &()) -> bool {
        false
    }
    fn zero_grads(_: ()) {}
    fn visit_trainable(_: (), _: (), _: &mut dyn FnMut(&mut [f32], &[f32])) {}
    fn visit_grads(_: (), _: &mut dyn FnMut(&[f32])) {}
    fn visit_tensors(_: (), _: &[Entry], _: &str, _: &mut dyn FnMut(&str, TensorRef<'_>)) {}
    fn visit_tensors_mut(_: (), _: &[Entry], _: &str, _: &mut dyn FnMut(&str, TensorMut<'_>)) {}
    fn l2_penalty(_: (), _: &[Entry]) -> f32 {
        0.0
    }
    fn summary_rows(_: &[Entry], _: usize, _: &mut Vec<SummaryRow>) {}
    fn outputs<'a>(_: &'a (), _: &[Entry], _: &'a [f32], _: &mut Vec<&'a [f32]>) {}
    fn debug_fields(_: (), _: &[Entry], _: &mut fmt::DebugStruct<'_, '_>) {}
    fn export(_: (), _: &[Entry], _: &[usize], _: &mut Vec<Item>) {}
}

impl<A: Node, R: Chain> Chain for (A, R) {
    const LEN: usize = 1 + R::LEN;
    const COMPUTING: usize = (!A::PASSES_THROUGH) as usize + R::COMPUTING;
    const OUTPUT_OR_INPUT: Option<usize> = match R::OUTPUT_OR_INPUT {
        Some(out) => Some(out),
        None => Some(A::OUTPUT),
    };
    const PARAMS: usize = A::PARAMS + R::PARAMS;
    const TRAINABLE_PARAMS: usize = A::TRAINABLE_PARAMS + R::TRAINABLE_PARAMS;
    const STATE_VALUES: usize = A::STATE_VALUES + R::STATE_VALUES;
    const MAX_WIDTH: usize = {
        let own = if A::PASSES_THROUGH { 0 } else { A::OUTPUT };
        if own > R::MAX_WIDTH {
            own
        } else {
            R::MAX_WIDTH
        }
    };
    const PHASED: bool = A::PHASED || R::PHASED;
    const FIELDS: u32 = A::FIELDS + R::FIELDS;
    const PARAM_MASK: u128 = A::PARAM_MASK | shifted(R::PARAM_MASK, A::FIELDS);
    const FIELD_VALUES: FieldValues = joined(A::FIELD_VALUES, A::FIELDS, R::FIELD_VALUES);

    type Refs<'a> = (A::Refs<'a>, R::Refs<'a>);
    type Muts<'a> = (A::Muts<'a>, R::Muts<'a>);
    type GradsRef<'a> = (A::GradsRef<'a>, R::GradsRef<'a>);
    type GradsMut<'a> = (A::GradsMut<'a>, R::GradsMut<'a>);
    type Buffers = LinkBuffers<A::Cache, R::Buffers>;

    #[inline]
    fn infer_from(
        (node, rest): Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        s0: &mut [f32],
        s1: &mut [f32],
    ) {
        let (entry, later) = (&entries[0], &entries[1..]);
        if A::PASSES_THROUGH {
            return R::infer_from(rest, later, mode, x, y, cols, s0, s1);
        }
        if R::COMPUTING == 0 {
            return A::infer(node, entry, mode, x, y, cols);
        }
        A::infer(node, entry, mode, x, &mut s0[..A::OUTPUT * cols], cols);
        R::infer_within(rest, later, mode, s0, s1, y, cols);
    }

    #[inline]
    fn infer_within(
        (node, rest): Self::Refs<'_>,
        entries: &[Entry],
        mode: InferMode,
        x: &mut [f32],
        spare: &mut [f32],
        y: &mut [f32],
        cols: usize,
    ) {
        let (entry, later) = (&entries[0], &entries[1..]);
        if A::PASSES_THROUGH {
            return R::infer_within(rest, later, mode, x, spare, y, cols);
        }
        // Both buffers stay whole: a later node may be wider than this one.
        let input = &x[..A::INPUT * cols];
        if R::COMPUTING == 0 {
            return A::infer(node, entry, mode, input, y, cols);
        }
        A::infer(node, entry, mode, input, &mut spare[..A::OUTPUT * cols], cols);
        R::infer_within(rest, later, mode, spare, x, y, cols);
    }

    fn check_inputs((node, rest): Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()> {
        A::check_inputs(node, x, cols)?;
        if A::PASSES_THROUGH {
            return R::check_inputs(rest, x, cols);
        }
        Ok(())
    }

    #[inline]
    fn train_forward<'a>(
        (node, rest): Self::Muts<'_>,
        buffers: &'a mut Self::Buffers,
        x: &'a [f32],
        cols: usize,
    ) -> &'a [f32] {
        let LinkBuffers { output, cache, rest: later, .. } = buffers;
        let y: &'a [f32] = if A::PASSES_THROUGH {
            x
        } else {
            output.resize(A::OUTPUT * cols, 0.0);
            A::train_forward(node, cache, x, output, cols);
            output
        };
        R::train_forward(rest, later, y, cols)
    }

    #[inline]
    fn train_backward(
        (node, rest): Self::Muts<'_>,
        buffers: &mut Self::Buffers,
        entries: &[Entry],
        x: &[f32],
        cols: usize,
        dy: &[f32],
        dx: Option<&mut [f32]>,
        (grads, later_grads): Self::GradsMut<'_>,
    ) -> bool {
        let (entry, later) = (&entries[0], &entries[1..]);
        let LinkBuffers { output, gradient, cache, rest: later_buffers } = buffers;
        if A::PASSES_THROUGH {
            return R::train_backward(rest, later_buffers, later, x, cols, dy, dx, later_grads);
        }
        // The gradient of this node's output is needed for its own
        // parameters or for the nodes before it.
        let needed = (A::wants_grads(&grads) || dx.is_some()) && !A::STOPS_GRADIENT;
        let target = if needed {
            gradient.resize(A::OUTPUT * cols, 0.0);
            Some(&mut gradient[..])
        } else {
            None
        };
        let live = R::train_backward(rest, later_buffers, later, output, cols, dy, target, later_grads);
        if !live || A::STOPS_GRADIENT {
            A::zero_grads(grads);
            return false;
        }
        if !needed {
            return true;
        }
        A::train_backward(node, cache, entry, x, output, gradient, dx, grads)
    }

    fn empty_grads<'a>() -> Self::GradsMut<'a> {
        (A::empty_grads(), R::empty_grads())
    }

    fn wants_grads((grads, rest): &Self::GradsMut<'_>) -> bool {
        A::wants_grads(grads) || R::wants_grads(rest)
    }

    fn zero_grads((grads, rest): Self::GradsMut<'_>) {
        A::zero_grads(grads);
        R::zero_grads(rest);
    }

    fn visit_trainable(
        (node, rest): Self::Muts<'_>,
        (grads, later): Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    ) {
        A::visit_trainable(node, grads, f);
        R::visit_trainable(rest, later, f);
    }

    fn visit_grads((grads, later): Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32])) {
        A::visit_grads(grads, f);
        R::visit_grads(later, f);
    }

    fn visit_tensors(
        (node, rest): Self::Refs<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    ) {
        A::visit_tensors(node, &entries[0], prefix, f);
        R::visit_tensors(rest, &entries[1..], prefix, f);
    }

    fn visit_tensors_mut(
        (node, rest): Self::Muts<'_>,
        entries: &[Entry],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    ) {
        A::visit_tensors_mut(node, &entries[0], prefix, f);
        R::visit_tensors_mut(rest, &entries[1..], prefix, f);
    }

    fn l2_penalty((node, rest): Self::Refs<'_>, entries: &[Entry]) -> f32 {
        A::l2_penalty(node, &entries[0]) + R::l2_penalty(rest, &entries[1..])
    }

    fn summary_rows(entries: &[Entry], depth: usize, rows: &mut Vec<SummaryRow>) {
        A::summary_rows(&entries[0], depth, rows);
        R::summary_rows(&entries[1..], depth, rows);
    }

    fn outputs<'a>(buffers: &'a Self::Buffers, entries: &[Entry], x: &'a [f32], out: &mut Vec<&'a [f32]>) {
        let y: &'a [f32] = if A::PASSES_THROUGH { x } else { &buffers.output };
        out.push(y);
        R::outputs(&buffers.rest, &entries[1..], y, out);
    }

    fn debug_fields((node, rest): Self::Refs<'_>, entries: &[Entry], f: &mut fmt::DebugStruct<'_, '_>) {
        A::debug_fields(node, &entries[0], f);
        R::debug_fields(rest, &entries[1..], f);
    }

    fn export((node, rest): Self::Refs<'_>, entries: &[Entry], input: &[usize], items: &mut Vec<Item>) {
        A::export(node, &entries[0], input, items);
        R::export(rest, &entries[1..], entries[0].shape, items);
    }
}
