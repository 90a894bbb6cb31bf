//! [`par`](super::par) without `std`: no threads to split over, so every
//! split runs its parts in order on the calling thread, with the same
//! signatures and the same results.

/// Does nothing without `std`: there is one thread.
///
/// ```
/// typenet::set_num_threads(1);
/// ```
pub fn set_num_threads(_n: usize) {}

/// How many threads large products use: one, without `std`.
///
/// ```
/// assert!(typenet::num_threads() >= 1);
/// ```
pub fn num_threads() -> usize {
    1
}

/// Runs `f(start, part)` over consecutive parts of `dst` of `size` values
/// (the last may be shorter), in order.
pub(crate) fn chunks_mut<F>(dst: &mut [f32], size: usize, _threads: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    let size = size.max(1);
    for (index, part) in dst.chunks_mut(size).enumerate() {
        f(index * size, part);
    }
}
