//! Scratch space for forwards through `&self` (a network's and a layer's
//! own): a per-thread pool for batches, the stack for one sample.

use crate::no_std_prelude::*;
#[cfg(feature = "std")]
use core::cell::RefCell;

#[cfg(feature = "std")]
thread_local! {
    /// Buffers reused by `&self` forwards on this thread.
    static SCRATCH: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
}

#[cfg(feature = "std")]
fn take_scratch(len: usize) -> Vec<f32> {
    let mut buf = SCRATCH.with(|pool| pool.borrow_mut().pop()).unwrap_or_default();
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    buf
}

#[cfg(feature = "std")]
fn return_scratch(buf: Vec<f32>) {
    SCRATCH.with(|pool| pool.borrow_mut().push(buf));
}

/// A new buffer: without `std` there is no per-thread pool.
#[cfg(not(feature = "std"))]
fn take_scratch(len: usize) -> Vec<f32> {
    alloc::vec![0.0; len]
}

/// Frees the buffer: without `std` there is no per-thread pool.
#[cfg(not(feature = "std"))]
fn return_scratch(buf: Vec<f32>) {
    drop(buf);
}

/// Runs `f` with two scratch buffers of `len` values each, taken from a
/// per-thread pool: an `Eval` forward through `&self` ping-pongs its
/// activations between them and allocates nothing once warmed. Nested
/// networks take their own pair.
pub fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32], &mut [f32]) -> R) -> R {
    let mut a = take_scratch(len);
    let mut b = take_scratch(len);
    let result = f(&mut a[..len], &mut b[..len]);
    return_scratch(b);
    return_scratch(a);
    result
}

/// Runs `f` with two zeroed scratch buffers of `len` values on the stack
/// when they are small (one-sample `predict` on a small network: no pool
/// bookkeeping, no heap), else from [`with_scratch`]'s pool.
#[inline(always)]
pub fn with_small_scratch<R>(len: usize, f: impl FnOnce(&mut [f32], &mut [f32]) -> R) -> R {
    if len <= 64 {
        on_stack::<64, R>(len, f)
    } else if len <= 256 {
        on_stack::<256, R>(len, f)
    } else if len <= 1024 {
        on_stack::<1024, R>(len, f)
    } else if len <= 4096 {
        on_stack::<4096, R>(len, f)
    } else {
        with_scratch(len, f)
    }
}

/// Two arrays of `CAP` values; one function per size, never inlined, so a
/// call takes the stack frame of its own size only.
#[inline(never)]
fn on_stack<const CAP: usize, R>(len: usize, f: impl FnOnce(&mut [f32], &mut [f32]) -> R) -> R {
    let mut a = [0.0f32; CAP];
    let mut b = [0.0f32; CAP];
    f(&mut a[..len], &mut b[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_is_reused() {
        let first = with_scratch(100, |a, _| a.as_ptr() as usize);
        let second = with_scratch(50, |a, _| a.as_ptr() as usize);
        assert_eq!(first, second);
    }

    #[test]
    fn small_scratch_has_the_length_asked_for() {
        for len in [1, 64, 65, 4096, 5000] {
            with_small_scratch(len, |a, b| assert_eq!((a.len(), b.len()), (len, len)));
        }
    }
}
