//! What `network!` expansions name. Not a public API: names here may change
//! in any release.

pub use alloc::boxed::Box;
pub use alloc::format;
pub use nalgebra::Const;
pub use rand::Rng;

pub use crate::__impl_streamable_network as impl_streamable_network;
pub use crate::layers::{shape_len, Grads, GradsOf, Init, Layer, Streamable, Tensors};
pub use crate::network::{
    assert_table_grads, baked, check_baked, debug_network, step_input, step_output, Add, BakedTensor, Chain,
    Concat, Entry, FileTensor, Frozen, NetworkDef, Stream, StreamChain, TrainState,
};
pub use crate::phase::{Eval, Phase, PhaseKind, Train};
pub use crate::rng::derive_seed;

/// A seed for a layer's random state, drawn from the initialisation stream.
pub fn next_seed<R: Rng + ?Sized>(rng: &mut R) -> u64 {
    rng.next_u64()
}
