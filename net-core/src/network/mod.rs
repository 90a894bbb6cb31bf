//! What every `network!` type shares, written once as generic code.
//!
//! The macro declares the struct, its gradients and an implementation of
//! [`NetworkDef`]: the list of its layer types, what the declaration says
//! about each entry, and references to its fields in order. Everything else
//! (the [`Layer`] implementation that makes a network usable as a layer,
//! construction, forward and backward, the public methods of [`Network`],
//! [`EvalNetwork`] and [`TrainNetwork`]) comes from here.

use crate::no_std_prelude::*;
use core::fmt::{self, Debug};

use nalgebra::DimName;
use rand::Rng;

use crate::layers::{with_scratch, with_small_scratch, Grads, Init, Layer, TensorMut, TensorRef, Tensors};
use crate::phase::{Phase, TrainOnly};
use crate::summary::Summary;
use crate::tensor::{Cols, ColsMut};

mod baked;
mod chain;
mod const_text;
mod entry;
mod merge;
mod stream;

pub use baked::{baked, check_baked, BakedTensor, FileTensor};
pub use chain::{Chain, FieldValues, Frozen, InferMode, LinkBuffers, Node, OneLayer};
pub use entry::Entry;
pub use merge::{Add, Concat, How, MergeCache, MergeScratch, Paths};
pub use stream::{check_stream, step_input, step_output, StepList, Stream, StreamChain};

/// What `network!` implements for a declared network: its layers, entries
/// and fields. Not meant to be implemented by hand.
#[doc(hidden)]
pub trait NetworkDef: Sized + Clone + Debug + Send + Sync + 'static {
    /// The network's phase.
    type Phase: Phase;
    /// The layer types, in order, as a list; `#[frozen]` ones in [`Frozen`].
    type Layers: Chain;
    /// The gradients struct.
    type Grads: Grads;
    /// The same network in phase `Q`.
    type ToPhase<Q: Phase>: NetworkDef<Phase = Q, Grads = Self::Grads>;
    /// The input width, `Const<N>`.
    type Input: DimName;
    /// The output width, `Const<N>`.
    type Output: DimName;
    /// The values one time step takes when streaming (the last axis of
    /// the input shape), `Const<N>`.
    type StepInput: DimName;
    /// The values one step gives (the last axis of the output shape).
    type StepOutput: DimName;

    /// The network's name.
    const NAME: &'static str;
    /// The per-sample input shape as declared.
    const INPUT_SHAPE: &'static [usize];
    /// One entry per layer, in order.
    const ENTRIES: &'static [Entry];

    /// A new network drawing its parameters from `rng`.
    fn build<R: Rng + ?Sized>(rng: &mut R) -> Self;
    /// The same layers in phase `Q`; `seed` seeds the new phase's masks.
    fn convert_phase<Q: Phase>(self, seed: u64) -> Self::ToPhase<Q>;
    /// References to the layers, in order.
    fn layers(&self) -> <Self::Layers as Chain>::Refs<'_>;
    /// Mutable references to the layers, and the training state.
    fn layers_mut(&mut self) -> (<Self::Layers as Chain>::Muts<'_>, &mut TrainStateOf<Self>);
    /// The gradient slot of every layer (`None` for layers without a field).
    fn grads(grads: &Self::Grads) -> <Self::Layers as Chain>::GradsRef<'_>;
    /// The gradient slot of every layer, mutably.
    fn grads_mut(grads: &mut Self::Grads) -> <Self::Layers as Chain>::GradsMut<'_>;
}

/// What a `Train` network keeps between `forward` and `backward`: a copy of
/// the input (its `backward` is not given the input again) and every
/// layer's buffers.
pub struct NetState<L: Chain> {
    /// The input of the last training forward.
    pub(crate) input: Vec<f32>,
    /// Its batch size.
    pub(crate) cols: usize,
    /// The layers' outputs, gradients and caches.
    pub(crate) buffers: L::Buffers,
}

impl<L: Chain> Default for NetState<L> {
    fn default() -> Self {
        NetState { input: Vec::new(), cols: 0, buffers: L::Buffers::default() }
    }
}

impl<L: Chain> Clone for NetState<L> {
    fn clone(&self) -> Self {
        NetState { input: self.input.clone(), cols: self.cols, buffers: self.buffers.clone() }
    }
}

impl<L: Chain> Debug for NetState<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NetState {{ cols: {} }}", self.cols)
    }
}

/// The training state a network of phase `P` with layers `L` holds:
/// [`NetState`] in `Train`, nothing in `Eval`.
pub type TrainState<P, L> = <P as Phase>::Data<TrainOnly<NetState<L>>>;

/// [`TrainState`] of a network type.
pub type TrainStateOf<N> = TrainState<<N as NetworkDef>::Phase, <N as NetworkDef>::Layers>;

/// A network's tensors are its layers', each under its entry's name.
#[diagnostic::do_not_recommend]
impl<N: NetworkDef> Tensors for N {
    const PARAMS: usize = <N::Layers as Chain>::PARAMS;
    const TRAINABLE_PARAMS: usize = <N::Layers as Chain>::TRAINABLE_PARAMS;
    const STATE_VALUES: usize = <N::Layers as Chain>::STATE_VALUES;
    /// `#[l2]` applies to a network's own layers, not to a nested network.
    const HAS_KERNEL: bool = false;
    /// A network pairs its layers with their gradient fields itself
    /// ([`Layer::visit_trainable`]); it has no blocks of its own.
    const PARAMETER_BLOCKS: usize = 0;

    fn visit_tensors(&self, prefix: &str, f: &mut dyn FnMut(&str, TensorRef<'_>)) {
        N::Layers::visit_tensors(self.layers(), N::ENTRIES, prefix, f);
    }

    fn visit_tensors_mut(&mut self, prefix: &str, f: &mut dyn FnMut(&str, TensorMut<'_>)) {
        let (layers, _) = self.layers_mut();
        N::Layers::visit_tensors_mut(layers, N::ENTRIES, prefix, f);
    }

    fn visit_parameters(&mut self, _f: &mut dyn FnMut(&mut [f32])) {}

    fn visit_kernels(&self, _f: &mut dyn FnMut(usize, usize, &[f32])) {}
}

/// A network is a layer: nested networks, `fit` and the public methods all
/// go through this.
#[diagnostic::do_not_recommend]
impl<N: NetworkDef> Layer for N {
    const INPUT: usize = <N::Input as DimName>::USIZE;
    const OUTPUT: usize = <N::Output as DimName>::USIZE;
    const OUTPUT_SHAPE: &'static [usize] = N::ENTRIES[N::ENTRIES.len() - 1].shape;
    const PHASED: bool = <N::Layers as Chain>::PHASED;
    /// A nested network's buffers are kept by the network around it, which
    /// passes the input to backward again: nothing is copied.
    type Cache = <N::Layers as Chain>::Buffers;
    type Grads = N::Grads;
    type InPhase<Q: Phase> = N::ToPhase<Q>;

    fn infer(&self, x: Cols<'_>, y: ColsMut<'_>) {
        infer(self, InferMode::OwnPhase, x.as_slice(), y.into_slice(), x.cols());
    }

    fn infer_eval(&self, x: Cols<'_>, y: ColsMut<'_>) {
        infer(self, InferMode::AsEval, x.as_slice(), y.into_slice(), x.cols());
    }

    fn train_forward(&mut self, x: Cols<'_>, mut y: ColsMut<'_>, cache: &mut Self::Cache) {
        let (layers, _) = self.layers_mut();
        let out = N::Layers::train_forward(layers, cache, x.as_slice(), x.cols());
        y.as_mut_slice().copy_from_slice(out);
    }

    fn train_backward(
        &mut self,
        x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        cache: &mut Self::Cache,
        dx: Option<ColsMut<'_>>,
        grads: Option<&mut N::Grads>,
    ) {
        backward(self, cache, x.as_slice(), x.cols(), dy.as_slice(), dx.map(ColsMut::into_slice), grads);
    }

    fn into_phase<Q: Phase>(self, seed: u64) -> N::ToPhase<Q> {
        self.convert_phase(seed)
    }

    /// Asks the layers the input reaches first.
    fn check_inputs(&self, x: Cols<'_>) -> crate::error::Result<()> {
        N::Layers::check_inputs(self.layers(), x.as_slice(), x.cols())
    }

    fn visit_trainable(&mut self, grads: &N::Grads, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        let (layers, _) = self.layers_mut();
        N::Layers::visit_trainable(layers, N::grads(grads), f);
    }

    /// The penalty of the network's own `#[l2]` layers (`lambda` is unused:
    /// `#[l2]` does not apply to a nested network).
    fn l2_term(&self, _lambda: f32) -> f32 {
        N::Layers::l2_penalty(self.layers(), N::ENTRIES)
    }

    fn add_l2_gradient(&self, _lambda: f32, _grads: &mut N::Grads) {}

    fn nested_summary_rows(depth: usize, rows: &mut Vec<crate::summary::SummaryRow>) {
        N::Layers::summary_rows(N::ENTRIES, depth, rows);
    }

    fn export_op(&self) -> crate::layers::export::Op {
        crate::layers::export::Op::Network { name: N::NAME, items: export_items(self) }
    }
}

/// What each of `net`'s entries computes, in order, as the exporters see it.
pub fn export_items<N: NetworkDef>(net: &N) -> Vec<crate::layers::export::Item> {
    let mut items = Vec::with_capacity(<N::Layers as Chain>::LEN);
    N::Layers::export(net.layers(), N::ENTRIES, N::INPUT_SHAPE, &mut items);
    items
}

impl<N: NetworkDef> Init for N {
    fn init<R: Rng + ?Sized>(rng: &mut R) -> Self {
        N::build(rng)
    }
}

/// Forward of `cols` samples through `&self`, with scratch space on the
/// stack for one small sample and from a per-thread pool otherwise.
#[inline]
pub(crate) fn infer<N: NetworkDef>(net: &N, mode: InferMode, x: &[f32], y: &mut [f32], cols: usize) {
    let len = <N::Layers as Chain>::MAX_WIDTH * cols;
    let mut run = |s0: &mut [f32], s1: &mut [f32]| {
        N::Layers::infer_from(net.layers(), N::ENTRIES, mode, x, y, cols, s0, s1)
    };
    if <N::Layers as Chain>::COMPUTING <= 1 {
        // One layer writes straight into `y`: no scratch space at all.
        run(&mut [], &mut [])
    } else if cols == 1 {
        with_small_scratch(len, run)
    } else {
        with_scratch(len, run)
    }
}

/// Backward through the network's layers; a gradient that reaches no layer
/// (everything below a `StopGradient`) leaves `dx` zero.
pub(crate) fn backward<N: NetworkDef>(
    net: &mut N,
    buffers: &mut <N::Layers as Chain>::Buffers,
    x: &[f32],
    cols: usize,
    dy: &[f32],
    mut dx: Option<&mut [f32]>,
    grads: Option<&mut N::Grads>,
) {
    let (layers, _) = net.layers_mut();
    let slots = match grads {
        Some(grads) => N::grads_mut(grads),
        None => no_grads::<N>(),
    };
    let live = N::Layers::train_backward(layers, buffers, N::ENTRIES, x, cols, dy, dx.as_deref_mut(), slots);
    if !live {
        if let Some(dx) = dx {
            dx.fill(0.0);
        }
    }
}

/// Gradient slots that are all empty: a backward for the input gradient only.
fn no_grads<'a, N: NetworkDef>() -> <N::Layers as Chain>::GradsMut<'a> {
    N::Layers::empty_grads()
}

/// The `i`-th field of a list of entries, in the order of the struct's
/// fields (a merge's paths' entries in place of the merge).
const fn field_entry(entries: &'static [Entry], mut index: usize) -> Result<&'static Entry, usize> {
    let mut at = 0;
    while at < entries.len() {
        let entry = &entries[at];
        if entry.paths.is_empty() {
            if index == 0 {
                return Ok(entry);
            }
            index -= 1;
        } else {
            let mut path = 0;
            while path < entry.paths.len() {
                match field_entry(entry.paths[path], index) {
                    Ok(found) => return Ok(found),
                    Err(left) => index = left,
                }
                path += 1;
            }
        }
        at += 1;
    }
    Err(index)
}

/// Fails when the code compiles if the table of `network!` (`table_says`,
/// bit `i` for field `i`, over the fields in `checked`) says a built-in
/// layer has trainable parameters and its type's tensors do not, or the
/// other way round: the gradients struct would lack a field, or carry one
/// that training leaves untouched.
pub const fn assert_table_grads<N: NetworkDef>(table_says: u128, checked: u128) {
    let types_say = <N::Layers as Chain>::PARAM_MASK;
    let wrong = (table_says ^ types_say) & checked;
    if wrong == 0 {
        return;
    }
    let index = wrong.trailing_zeros() as usize;
    let name = match field_entry(N::ENTRIES, index) {
        Ok(entry) => entry.name,
        Err(_) => "?",
    };
    let says = if table_says & (1 << index) != 0 { "has" } else { "has no" };
    let text = const_text::ConstText::new()
        .push("`")
        .push(N::NAME)
        .push(".")
        .push(name)
        .push("`: the table of `network!` says this layer ")
        .push(says)
        .push(" trainable parameters, but its type's tensors (`Tensors::PARAMS`) say otherwise; fix the table entry's `grads`");
    panic!("{}", text.as_str())
}

/// `Debug` of a network: its name and every layer under its entry's name.
pub fn debug_network<N: NetworkDef>(net: &N, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut out = f.debug_struct(N::NAME);
    N::Layers::debug_fields(net.layers(), N::ENTRIES, &mut out);
    out.finish_non_exhaustive()
}

/// The Keras-like table of `net`'s layers ([`Network::summary`](crate::Network::summary)).
pub fn summary<N: NetworkDef>(_net: &N) -> Summary {
    let mut rows = Vec::with_capacity(<N::Layers as Chain>::LEN);
    N::Layers::summary_rows(N::ENTRIES, 0, &mut rows);
    Summary {
        name: N::NAME.to_string(),
        input_shape: crate::summary::shape_text(N::INPUT_SHAPE),
        rows,
        trainable: <N as Tensors>::TRAINABLE_PARAMS,
    }
}

/// The L2 penalty of `net`'s `#[l2]` layers
/// ([`Network::l2_penalty`](crate::Network::l2_penalty)).
pub fn l2_penalty<N: NetworkDef>(net: &N) -> f32 {
    N::Layers::l2_penalty(net.layers(), N::ENTRIES)
}
