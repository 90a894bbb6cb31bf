//! The buffers of a recurrent forward and backward, reused from call to
//! call.

use super::masks::Groups;
use crate::no_std_prelude::*;

/// What a training forward keeps for backward, and room for backward:
/// reused from step to step, so a warmed layer allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub(super) input_masks: Vec<f32>,
    pub(super) state_masks: Vec<f32>,
    pub(super) masked_x: Vec<f32>,
    pub(super) masked_h: Vec<f32>,
    pub(super) ain: Vec<f32>,
    pub(super) ah: Vec<f32>,
    pub(super) h: Vec<f32>,
    pub(super) kept: Vec<f32>,
    pub(super) groups: Option<Groups>,
    pub(super) dain: Vec<f32>,
    pub(super) dah: Vec<f32>,
    pub(super) dh: Vec<f32>,
    pub(super) dh_next: Vec<f32>,
    pub(super) carry: Vec<f32>,
    pub(super) scratch: Vec<f32>,
}

#[cfg(feature = "std")]
thread_local! {
    /// The workspace of inference on this thread (no cache to keep it in).
    static INFER: core::cell::RefCell<Workspace> = core::cell::RefCell::new(Workspace::default());
}

/// Runs `f` with this thread's inference workspace (a fresh one if it is
/// already in use, which only a layer inside another's `f` could cause).
#[cfg(feature = "std")]
pub(super) fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    INFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        Err(_) => f(&mut Workspace::default()),
    })
}

/// Runs `f` with a fresh workspace: without `std` there is no per-thread
/// one to reuse.
#[cfg(not(feature = "std"))]
pub(super) fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    f(&mut Workspace::default())
}
