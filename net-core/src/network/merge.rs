//! Graphs: `Concat` and `Add` nodes over paths, each path a layer list of
//! its own (an empty one is the identity), every path fed the node's input.
//!
//! `Concat` joins the paths' outputs on the last axis (channels, or
//! features per step), in the paths' order, as `torch.cat(outputs, 1)`
//! does on an NCHW map; its backward hands each path its slice of the
//! gradient. `Add` sums them; its backward hands every path the same
//! gradient, without copying it. The input gradient is the sum over paths.
//! The layers of a path are fields of the struct holding the merge, and
//! its tensors are saved under their own names: the merge adds nothing.

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};
use core::marker::PhantomData;

use super::chain::{joined, shifted, Chain, FieldValues, InferMode, Node, RECORDED_FIELDS};
use super::entry::Entry;
use crate::error::Result;
use crate::layers::export::{Item, Op};
use crate::layers::{with_scratch, TensorMut, TensorRef};
use crate::linalg::simd;
use crate::summary::SummaryRow;

/// How a merge combines its paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Joined on the last axis: `positions` positions per sample, `total`
    /// channels in all.
    Concat {
        /// Positions per sample.
        positions: usize,
        /// Channels of the output.
        total: usize,
    },
    /// Summed.
    Add,
}

impl How {
    /// Writes path output `out` (`width` values per sample, the `first`
    /// path or not, starting at channel `offset`) into the node's output `y`.
    fn combine(self, first: bool, out: &[f32], width: usize, offset: usize, y: &mut [f32]) {
        match self {
            How::Concat { positions, total } => {
                let channels = width / positions;
                for (dst, src) in y.chunks_exact_mut(total).zip(out.chunks_exact(channels)) {
                    dst[offset..offset + channels].copy_from_slice(src);
                }
            }
            How::Add if first => y.copy_from_slice(out),
            How::Add => simd::vectorized(
                #[inline(always)]
                || y.iter_mut().zip(out).for_each(|(y, o)| *y += o),
            ),
        }
    }

    /// The gradient of one path's output: for `Add`, the node's own; for
    /// `Concat`, its channels gathered into `scratch`.
    fn split<'a>(self, dy: &'a [f32], width: usize, offset: usize, scratch: &'a mut Vec<f32>) -> &'a [f32] {
        match self {
            How::Add => dy,
            How::Concat { positions, total } => {
                let channels = width / positions;
                scratch.resize(dy.len() / total * channels, 0.0);
                for (dst, src) in scratch.chunks_exact_mut(channels).zip(dy.chunks_exact(total)) {
                    dst.copy_from_slice(&src[offset..offset + channels]);
                }
                scratch
            }
        }
    }
}

/// `dx += part`.
fn accumulate(dx: &mut [f32], part: &[f32]) {
    simd::vectorized(
        #[inline(always)]
        || dx.iter_mut().zip(part).for_each(|(d, p)| *d += p),
    );
}

/// The paths of a merge, as a list of layer lists, each taking `IN`
/// values per sample.
pub trait Paths<const IN: usize>: 'static {
    /// The summed output widths of the paths.
    const WIDTH_SUM: usize;
    /// The output width of every path, if all are equal (0 otherwise).
    const COMMON_WIDTH: usize;
    /// Every parameter.
    const PARAMS: usize;
    /// The parameters of the layers that are not frozen.
    const TRAINABLE_PARAMS: usize;
    /// Non-trained state values.
    const STATE_VALUES: usize;
    /// Whether any layer depends on the phase.
    const PHASED: bool;
    /// How many fields the paths' layers are.
    const FIELDS: u32;
    /// For each of those fields, whether its layer has parameters.
    const PARAM_MASK: u128;
    /// For each of those fields, how many values its layer saves.
    const FIELD_VALUES: FieldValues;

    /// References to every path's layers.
    type Refs<'a>;
    /// Mutable references to every path's layers.
    type Muts<'a>;
    /// Every path's gradient slots.
    type GradsRef<'a>;
    /// Every path's gradient slots, mutably.
    type GradsMut<'a>;
    /// What every path's training forward keeps.
    type Buffers: Default + Clone + Debug + Send + Sync + 'static;

    /// Each path's forward through `&self`, combined into `y`.
    #[allow(clippy::too_many_arguments)]
    fn infer(
        paths: Self::Refs<'_>,
        entries: &[&[Entry]],
        how: How,
        mode: InferMode,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        offset: usize,
    );

    /// [`Layer::check_inputs`](crate::layers::Layer::check_inputs) of
    /// every path's first layers.
    fn check_inputs(paths: Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()>;

    /// Each path's training forward, combined into `y`.
    fn train_forward(
        paths: Self::Muts<'_>,
        buffers: &mut Self::Buffers,
        how: How,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        offset: usize,
    );

    /// Each path's backward from its part of `dy`, the input gradients
    /// summed into `dx` (written by the first path that reaches it, as
    /// `written` records). Returns whether any gradient reaches the input.
    #[allow(clippy::too_many_arguments)]
    fn train_backward(
        paths: Self::Muts<'_>,
        buffers: &mut Self::Buffers,
        entries: &[&[Entry]],
        how: How,
        x: &[f32],
        cols: usize,
        dy: &[f32],
        dx: Option<&mut [f32]>,
        scratch: &mut MergeScratch,
        grads: Self::GradsMut<'_>,
        offset: usize,
        written: bool,
    ) -> bool;

    /// Gradient slots that are all empty.
    fn empty_grads<'a>() -> Self::GradsMut<'a>;
    /// Whether any slot asks for gradients.
    fn wants_grads(grads: &Self::GradsMut<'_>) -> bool;
    /// Zeroes every slot present.
    fn zero_grads(grads: Self::GradsMut<'_>);
    /// Calls `f` with each trainable block and its gradient.
    fn visit_trainable(
        paths: Self::Muts<'_>,
        grads: Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    );
    /// Calls `f` with each gradient block of the slots present.
    fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32]));
    /// Every saved tensor, under `prefix`: a path's layers are the
    /// enclosing network's fields.
    fn visit_tensors(
        paths: Self::Refs<'_>,
        entries: &[&[Entry]],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    );
    /// Every saved tensor, mutably.
    fn visit_tensors_mut(
        paths: Self::Muts<'_>,
        entries: &[&[Entry]],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    );
    /// The L2 penalty of the paths' `#[l2]` layers.
    fn l2_penalty(paths: Self::Refs<'_>, entries: &[&[Entry]]) -> f32;
    /// Every path's summary rows.
    fn summary_rows(entries: &[&[Entry]], depth: usize, rows: &mut Vec<SummaryRow>);
    /// `Debug` of every path's layers.
    fn debug_fields(paths: Self::Refs<'_>, entries: &[&[Entry]], f: &mut fmt::DebugStruct<'_, '_>);
    /// What every path computes on per-sample inputs of shape `input`, a
    /// list of items per path.
    fn export(paths: Self::Refs<'_>, entries: &[&[Entry]], input: &[usize], out: &mut Vec<Vec<Item>>);
}

/// What a merge's backward reuses between steps: a path's slice of the
/// output gradient, and a path's input gradient before it is summed.
#[derive(Clone, Debug, Default)]
pub struct MergeScratch {
    dy: Vec<f32>,
    part: Vec<f32>,
}

/// What a merge keeps between its training forward and backward.
#[derive(Clone, Debug, Default)]
pub struct MergeCache<B> {
    paths: B,
    scratch: MergeScratch,
}

impl<const IN: usize> Paths<IN> for () {
    const WIDTH_SUM: usize = 0;
    const COMMON_WIDTH: usize = 0;
    const PARAMS: usize = 0;
    const TRAINABLE_PARAMS: usize = 0;
    const STATE_VALUES: usize = 0;
    const PHASED: bool = false;
    const FIELDS: u32 = 0;
    const PARAM_MASK: u128 = 0;
    const FIELD_VALUES: FieldValues = [0; RECORDED_FIELDS];
    type Refs<'a> = ();
    type Muts<'a> = ();
    type GradsRef<'a> = ();
    type GradsMut<'a> = ();
    type Buffers = ();

    fn infer(_: (), _: &[&[Entry]], _: How, _: InferMode, _: &[f32], _: &mut [f32], _: usize, _: usize) {}
    fn train_forward(_: (), _: &mut (), _: How, _: &[f32], _: &mut [f32], _: usize, _: usize) {}
    fn check_inputs(_: (), _: &[f32], _: usize) -> Result<()> {
        Ok(())
    }
    fn train_backward(
        _: (),
        _: &mut (),
        _: &[&[Entry]],
        _: How,
        _: &[f32],
        _: usize,
        _: &[f32],
        _: Option<&mut [f32]>,
        _: &mut MergeScratch,
        _: (),
        _: usize,
        written: bool,
    ) -> bool {
        written
    }
    fn empty_grads<'a>() -> Self::GradsMut<'a> {}
    fn wants_grads(_: &()) -> bool {
        false
    }
    fn zero_grads(_: ()) {}
    fn visit_trainable(_: (), _: (), _: &mut dyn FnMut(&mut [f32], &[f32])) {}
    fn visit_grads(_: (), _: &mut dyn FnMut(&[f32])) {}
    fn visit_tensors(_: (), _: &[&[Entry]], _: &str, _: &mut dyn FnMut(&str, TensorRef<'_>)) {}
    fn visit_tensors_mut(_: (), _: &[&[Entry]], _: &str, _: &mut dyn FnMut(&str, TensorMut<'_>)) {}
    fn l2_penalty(_: (), _: &[&[Entry]]) -> f32 {
        0.0
    }
    fn summary_rows(_: &[&[Entry]], _: usize, _: &mut Vec<SummaryRow>) {}
    fn debug_fields(_: (), _: &[&[Entry]], _: &mut fmt::DebugStruct<'_, '_>) {}
    fn export(_: (), _: &[&[Entry]], _: &[usize], _: &mut Vec<Vec<Item>>) {}
}

/// The output width of path `P` on `IN` values (an empty path is the identity).
const fn path_width<P: Chain>(input: usize) -> usize {
    match P::OUTPUT_OR_INPUT {
        Some(width) => width,
        None => input,
    }
}

impl<P: Chain, R: Paths<IN>, const IN: usize> Paths<IN> for (P, R) {
    const WIDTH_SUM: usize = path_width::<P>(IN) + R::WIDTH_SUM;
    const COMMON_WIDTH: usize = {
        let own = path_width::<P>(IN);
        if R::WIDTH_SUM == 0 || R::COMMON_WIDTH == own {
            own
        } else {
            0
        }
    };
    const PARAMS: usize = P::PARAMS + R::PARAMS;
    const TRAINABLE_PARAMS: usize = P::TRAINABLE_PARAMS + R::TRAINABLE_PARAMS;
    const STATE_VALUES: usize = P::STATE_VALUES + R::STATE_VALUES;
    const PHASED: bool = P::PHASED || R::PHASED;
    const FIELDS: u32 = P::FIELDS + R::FIELDS;
    const PARAM_MASK: u128 = P::PARAM_MASK | shifted(R::PARAM_MASK, P::FIELDS);
    const FIELD_VALUES: FieldValues = joined(P::FIELD_VALUES, P::FIELDS, R::FIELD_VALUES);
    type Refs<'a> = (P::Refs<'a>, R::Refs<'a>);
    type Muts<'a> = (P::Muts<'a>, R::Muts<'a>);
    type GradsRef<'a> = (P::GradsRef<'a>, R::GradsRef<'a>);
    type GradsMut<'a> = (P::GradsMut<'a>, R::GradsMut<'a>);
    type Buffers = (P::Buffers, R::Buffers);

    fn infer(
        (path, rest): Self::Refs<'_>,
        entries: &[&[Entry]],
        how: How,
        mode: InferMode,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        offset: usize,
    ) {
        let width = path_width::<P>(IN);
        let first = offset == 0;
        if P::COMPUTING == 0 {
            how.combine(first, &x[..IN * cols], width, offset, y);
        } else {
            with_scratch(width * cols, |out, _| {
                with_scratch(P::MAX_WIDTH * cols, |s0, s1| {
                    P::infer_from(path, entries[0], mode, x, out, cols, s0, s1);
                });
                how.combine(first, out, width, offset, y);
            });
        }
        let next = if how == How::Add { offset + 1 } else { offset + width / positions(how) };
        R::infer(rest, &entries[1..], how, mode, x, y, cols, next);
    }

    fn train_forward(
        (path, rest): Self::Muts<'_>,
        (buffers, later): &mut Self::Buffers,
        how: How,
        x: &[f32],
        y: &mut [f32],
        cols: usize,
        offset: usize,
    ) {
        let width = path_width::<P>(IN);
        let out = P::train_forward(path, buffers, x, cols);
        how.combine(offset == 0, out, width, offset, y);
        let next = if how == How::Add { offset + 1 } else { offset + width / positions(how) };
        R::train_forward(rest, later, how, x, y, cols, next);
    }

    fn train_backward(
        (path, rest): Self::Muts<'_>,
        (buffers, later): &mut Self::Buffers,
        entries: &[&[Entry]],
        how: How,
        x: &[f32],
        cols: usize,
        dy: &[f32],
        mut dx: Option<&mut [f32]>,
        scratch: &mut MergeScratch,
        (grads, later_grads): Self::GradsMut<'_>,
        offset: usize,
        written: bool,
    ) -> bool {
        let width = path_width::<P>(IN);
        let MergeScratch { dy: dy_scratch, part } = scratch;
        let mut reached = false;
        if dx.is_some() || P::wants_grads(&grads) {
            let path_dy = how.split(dy, width, offset, dy_scratch);
            match dx.as_deref_mut() {
                Some(dx) if !written => {
                    reached = P::train_backward(path, buffers, entries[0], x, cols, path_dy, Some(dx), grads);
                }
                Some(dx) => {
                    part.resize(dx.len(), 0.0);
                    reached =
                        P::train_backward(path, buffers, entries[0], x, cols, path_dy, Some(part), grads);
                    if reached {
                        accumulate(dx, part);
                    }
                }
                None => {
                    P::train_backward(path, buffers, entries[0], x, cols, path_dy, None, grads);
                }
            }
        }
        let next = if how == How::Add { offset + 1 } else { offset + width / positions(how) };
        R::train_backward(
            rest,
            later,
            &entries[1..],
            how,
            x,
            cols,
            dy,
            dx,
            scratch,
            later_grads,
            next,
            written || reached,
        )
    }

    fn check_inputs((path, rest): Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()> {
        P::check_inputs(path, x, cols)?;
        R::check_inputs(rest, x, cols)
    }
    fn empty_grads<'a>() -> Self::GradsMut<'a> {
        (P::empty_grads(), R::empty_grads())
    }
    fn wants_grads((grads, rest): &Self::GradsMut<'_>) -> bool {
        P::wants_grads(grads) || R::wants_grads(rest)
    }
    fn zero_grads((grads, rest): Self::GradsMut<'_>) {
        P::zero_grads(grads);
        R::zero_grads(rest);
    }
    fn visit_trainable(
        (path, rest): Self::Muts<'_>,
        (grads, later): Self::GradsRef<'_>,
        f: &mut dyn FnMut(&mut [f32], &[f32]),
    ) {
        P::visit_trainable(path, grads, f);
        R::visit_trainable(rest, later, f);
    }
    fn visit_grads((grads, later): Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32])) {
        P::visit_grads(grads, f);
        R::visit_grads(later, f);
    }
    fn visit_tensors(
        (path, rest): Self::Refs<'_>,
        entries: &[&[Entry]],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorRef<'_>),
    ) {
        P::visit_tensors(path, entries[0], prefix, f);
        R::visit_tensors(rest, &entries[1..], prefix, f);
    }
    fn visit_tensors_mut(
        (path, rest): Self::Muts<'_>,
        entries: &[&[Entry]],
        prefix: &str,
        f: &mut dyn FnMut(&str, TensorMut<'_>),
    ) {
        P::visit_tensors_mut(path, entries[0], prefix, f);
        R::visit_tensors_mut(rest, &entries[1..], prefix, f);
    }
    fn l2_penalty((path, rest): Self::Refs<'_>, entries: &[&[Entry]]) -> f32 {
        P::l2_penalty(path, entries[0]) + R::l2_penalty(rest, &entries[1..])
    }
    fn summary_rows(entries: &[&[Entry]], depth: usize, rows: &mut Vec<SummaryRow>) {
        P::summary_rows(entries[0], depth, rows);
        R::summary_rows(&entries[1..], depth, rows);
    }
    fn debug_fields((path, rest): Self::Refs<'_>, entries: &[&[Entry]], f: &mut fmt::DebugStruct<'_, '_>) {
        P::debug_fields(path, entries[0], f);
        R::debug_fields(rest, &entries[1..], f);
    }
    fn export((path, rest): Self::Refs<'_>, entries: &[&[Entry]], input: &[usize], out: &mut Vec<Vec<Item>>) {
        let mut items = Vec::new();
        P::export(path, entries[0], input, &mut items);
        out.push(items);
        R::export(rest, &entries[1..], input, out);
    }
}

/// The positions per sample of a `Concat` (1 for `Add`, unused).
fn positions(how: How) -> usize {
    match how {
        How::Concat { positions, .. } => positions,
        How::Add => 1,
    }
}

/// Paths joined on the last axis: `IN` values in, `OUT` out, `POSITIONS`
/// output positions per sample (the product of every axis but the last),
/// `STEP_IN` values per input step (its last axis, when it streams).
/// Written `Concat([..], [..], ..)` in `network!`.
pub struct Concat<Ps, const IN: usize, const OUT: usize, const POSITIONS: usize, const STEP_IN: usize>(
    PhantomData<Ps>,
);

/// Paths summed: `IN` values in, `OUT` out (the other parameters as for
/// [`Concat`]). Written `Add([..], [..], ..)` in `network!`.
pub struct Add<Ps, const IN: usize, const OUT: usize, const POSITIONS: usize, const STEP_IN: usize>(
    PhantomData<Ps>,
);

impl<Ps: Paths<IN>, const IN: usize, const OUT: usize, const POSITIONS: usize, const STEP_IN: usize>
    Concat<Ps, IN, OUT, POSITIONS, STEP_IN>
{
    /// How it combines (and, when first used, the check that its paths'
    /// widths add up to its output and its positions divide them).
    const HOW: How = {
        assert!(Ps::WIDTH_SUM == OUT, "the paths of a Concat give another total width than its output");
        assert!(
            OUT.is_multiple_of(POSITIONS),
            "a Concat's output is not a whole number of channels per position"
        );
        How::Concat { positions: POSITIONS, total: OUT / POSITIONS }
    };
}

impl<Ps: Paths<IN>, const IN: usize, const OUT: usize, const POSITIONS: usize, const STEP_IN: usize>
    Add<Ps, IN, OUT, POSITIONS, STEP_IN>
{
    /// How it combines (and the check that every path gives `OUT` values).
    const HOW: How = {
        assert!(Ps::COMMON_WIDTH == OUT, "the paths of an Add give outputs of different widths");
        How::Add
    };
}

/// [`Node`] for both merges, which differ only in [`How`] they combine.
macro_rules! merge_node {
    ($merge:ident) => {
        impl<
                Ps: Paths<IN>,
                const IN: usize,
                const OUT: usize,
                const POSITIONS: usize,
                const STEP_IN: usize,
            > Node for $merge<Ps, IN, OUT, POSITIONS, STEP_IN>
        {
            const INPUT: usize = IN;
            const OUTPUT: usize = OUT;
            const PASSES_THROUGH: bool = false;
            const STOPS_GRADIENT: bool = false;
            const PARAMS: usize = Ps::PARAMS;
            const TRAINABLE_PARAMS: usize = Ps::TRAINABLE_PARAMS;
            const STATE_VALUES: usize = Ps::STATE_VALUES;
            const PHASED: bool = Ps::PHASED;
            const FIELDS: u32 = Ps::FIELDS;
            const PARAM_MASK: u128 = Ps::PARAM_MASK;
            const FIELD_VALUES: FieldValues = Ps::FIELD_VALUES;

            type Refs<'a> = Ps::Refs<'a>;
            type Muts<'a> = Ps::Muts<'a>;
            type GradsRef<'a> = Ps::GradsRef<'a>;
            type GradsMut<'a> = Ps::GradsMut<'a>;
            type Cache = MergeCache<Ps::Buffers>;

            fn infer(
                paths: Self::Refs<'_>,
                entry: &Entry,
                mode: InferMode,
                x: &[f32],
                y: &mut [f32],
                cols: usize,
            ) {
                Ps::infer(paths, entry.paths, Self::HOW, mode, x, y, cols, 0);
            }

            fn train_forward(
                paths: Self::Muts<'_>,
                cache: &mut Self::Cache,
                x: &[f32],
                y: &mut [f32],
                cols: usize,
            ) {
                Ps::train_forward(paths, &mut cache.paths, Self::HOW, x, y, cols, 0);
            }

            fn train_backward(
                paths: Self::Muts<'_>,
                cache: &mut Self::Cache,
                entry: &Entry,
                x: &[f32],
                _y: &[f32],
                dy: &mut [f32],
                dx: Option<&mut [f32]>,
                grads: Self::GradsMut<'_>,
            ) -> bool {
                let cols = x.len() / IN;
                let MergeCache { paths: buffers, scratch } = cache;
                Ps::train_backward(
                    paths,
                    buffers,
                    entry.paths,
                    Self::HOW,
                    x,
                    cols,
                    dy,
                    dx,
                    scratch,
                    grads,
                    0,
                    false,
                )
            }

            fn check_inputs(paths: Self::Refs<'_>, x: &[f32], cols: usize) -> Result<()> {
                Ps::check_inputs(paths, x, cols)
            }
            fn empty_grads<'a>() -> Self::GradsMut<'a> {
                Ps::empty_grads()
            }
            fn wants_grads(grads: &Self::GradsMut<'_>) -> bool {
                Ps::wants_grads(grads)
            }
            fn zero_grads(grads: Self::GradsMut<'_>) {
                Ps::zero_grads(grads);
            }
            fn visit_trainable(
                paths: Self::Muts<'_>,
                grads: Self::GradsRef<'_>,
                f: &mut dyn FnMut(&mut [f32], &[f32]),
            ) {
                Ps::visit_trainable(paths, grads, f);
            }
            fn visit_grads(grads: Self::GradsRef<'_>, f: &mut dyn FnMut(&[f32])) {
                Ps::visit_grads(grads, f);
            }
            fn visit_tensors(
                paths: Self::Refs<'_>,
                entry: &Entry,
                prefix: &str,
                f: &mut dyn FnMut(&str, TensorRef<'_>),
            ) {
                Ps::visit_tensors(paths, entry.paths, prefix, f);
            }
            fn visit_tensors_mut(
                paths: Self::Muts<'_>,
                entry: &Entry,
                prefix: &str,
                f: &mut dyn FnMut(&str, TensorMut<'_>),
            ) {
                Ps::visit_tensors_mut(paths, entry.paths, prefix, f);
            }
            fn l2_penalty(paths: Self::Refs<'_>, entry: &Entry) -> f32 {
                Ps::l2_penalty(paths, entry.paths)
            }
            fn summary_rows(entry: &Entry, depth: usize, rows: &mut Vec<SummaryRow>) {
                rows.push(SummaryRow {
                    name: entry.name.to_string(),
                    kind: entry.layer.to_string(),
                    output_shape: crate::summary::shape_text(entry.shape),
                    params: Self::PARAMS,
                    state: Self::STATE_VALUES,
                    trainable: Self::TRAINABLE_PARAMS > 0,
                    phase: None,
                    depth,
                    frozen_inside: Self::TRAINABLE_PARAMS < Self::PARAMS,
                });
                Ps::summary_rows(entry.paths, depth + 1, rows);
            }
            fn debug_fields(paths: Self::Refs<'_>, entry: &Entry, f: &mut fmt::DebugStruct<'_, '_>) {
                Ps::debug_fields(paths, entry.paths, f);
            }
            fn export(paths: Self::Refs<'_>, entry: &Entry, input: &[usize], items: &mut Vec<Item>) {
                let mut out = Vec::new();
                Ps::export(paths, entry.paths, input, &mut out);
                items.push(Item {
                    name: entry.name.to_string(),
                    prefix: String::new(),
                    input: input.to_vec(),
                    output: entry.shape.to_vec(),
                    op: Op::Merge { concat: matches!(Self::HOW, How::Concat { .. }), paths: out },
                });
            }
        }
    };
}

merge_node!(Concat);
merge_node!(Add);
