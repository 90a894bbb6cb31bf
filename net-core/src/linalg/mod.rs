//! Matrix products and element-wise kernels on column-major slices,
//! routed to the fastest code for the shape. All of the crate's `unsafe`
//! code is in this module: SIMD dispatch (`simd`), the thread pool and
//! disjoint splitting (`par`), the packed GEMM (`packed`) and heap
//! allocation of large static matrices (`heap`).
//!
//! nalgebra only calls its fast GEMM when a dimension is dynamic, and never
//! for a matrix-vector product, so layers call these functions on raw
//! slices instead of multiplying static matrices.

pub(crate) mod heap;
#[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
mod packed;
#[cfg(feature = "std")]
pub(crate) mod par;
#[cfg(not(feature = "std"))]
#[path = "par_single.rs"]
pub(crate) mod par;
pub(crate) mod simd;
mod small;

pub use par::{num_threads, set_num_threads};

use crate::no_std_prelude::*;
pub(crate) use small::{gemv_fixed, gemv_ld};

/// A column-major operand: `data[row * row_stride + col * col_stride]`.
#[derive(Clone, Copy)]
pub(crate) struct Operand<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> Operand<'a> {
    /// A column-major matrix with `rows` rows.
    pub fn cols(data: &'a [f32], rows: usize) -> Self {
        Operand { data, row_stride: 1, col_stride: rows }
    }

    /// The transpose of a column-major matrix with `rows` rows.
    pub fn transposed(data: &'a [f32], rows: usize) -> Self {
        Operand { data, row_stride: rows, col_stride: 1 }
    }

    /// The index of element `(rows - 1, cols - 1)`, if it fits a `usize`.
    fn last_index(&self, rows: usize, cols: usize) -> Option<usize> {
        (rows - 1).checked_mul(self.row_stride)?.checked_add((cols - 1).checked_mul(self.col_stride)?)
    }
}

/// Whether the product overwrites or adds to its destination.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Accum {
    Replace,
    // Gradient accumulation in place is the next user of this; tests keep it honest.
    #[cfg_attr(not(test), allow(dead_code))]
    Add,
}

/// Below this many multiply-adds the unpacked loops win: packing both
/// operands would cost more than the product.
const SMALL_PRODUCT: usize = 32 * 1024;

/// Products with at least this many multiply-adds use every allowed thread;
/// below it, waking a helper costs more than it saves.
const PARALLEL_PRODUCT: usize = 1 << 21;

/// Matrix-vector products (one-sample `predict`) split from this size: they
/// are bound by reading `a`, and each core's L2 then keeps its own half.
const PARALLEL_GEMV: usize = 1 << 17;

/// `c (m x n, column-major, leading dimension m) = a (m x k) * b (k x n)`,
/// replacing or adding to `c`.
///
/// Products of at least [`PARALLEL_PRODUCT`] multiply-adds are split over
/// the threads [`set_num_threads`] allows; smaller ones stay on the calling
/// thread. Every path gives the same bits whatever the thread count. Once
/// each thread has run one product of a shape, no call allocates.
///
/// # Panics
/// If an operand is too short for its shape and strides, or a size
/// overflows.
pub(crate) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    let outputs = m.checked_mul(n).expect("product dimensions overflow");
    assert!(c.len() >= outputs, "destination too small");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if accum == Accum::Replace {
            c[..outputs].fill(0.0);
        }
        return;
    }
    let a_last = a.last_index(m, k).expect("left operand extent overflows");
    let b_last = b.last_index(k, n).expect("right operand extent overflows");
    assert!(a.data.len() > a_last, "left operand too small");
    assert!(b.data.len() > b_last, "right operand too small");
    let work = m.saturating_mul(k).saturating_mul(n);
    // A mostly-zero `b` (sparse features, ~1.5 % non-zeros in W2) goes to
    // the zero-skipping loops: W2's forward 1.0 ms against 2.2 ms packed.
    // Decided once here, for every part of the product.
    // The zero-skipping loops add whole columns of `a`, so they only pay
    // off for a column-major `a`; a transposed one (a layer's input
    // gradient `W^T dz`, with `dz` mostly zero after max pooling) is faster
    // dense and packed.
    let sparse = work > SMALL_PRODUCT && n > 1 && a.row_stride == 1 && small::looks_sparse(k, n, b);
    let threads = if work >= PARALLEL_PRODUCT { par::num_threads() } else { 1 };
    // Matrix-vector products never pack: small ones, transposed ones (dot
    // products over contiguous rows) and, without the packed kernel, all.
    let plain_gemv = n == 1 && (m * k < PARALLEL_GEMV || a.row_stride != 1 || !packed_available());
    if work <= SMALL_PRODUCT || plain_gemv {
        small::small_matmul(m, k, n, a, b, c, accum, false);
    } else if sparse {
        // Bound by scanning `b` for non-zeros: split its columns.
        let columns = n.div_ceil((threads * 4).min(n.div_ceil(16)).max(1));
        par::chunks_mut(&mut c[..outputs], columns * m, threads, |start, part| {
            let b = Operand { data: &b.data[(start / m) * b.col_stride..], ..b };
            small::small_matmul(m, k, part.len() / m, a, b, part, accum, true);
        });
    } else if n == 1 && a.row_stride == 1 && m * k >= STREAMED_GEMV {
        gemv_by_depth(m, k, a, b, c, accum);
    } else if n == 1 && a.row_stride == 1 {
        // A large matrix-vector product is bound by reading `a`; two cores
        // pull twice the bandwidth. Mid-sized ones get one part per thread,
        // so each core usually reads the same rows, from its own L2, call
        // after call.
        let threads = par::num_threads();
        let parts = if m * k >= PARALLEL_PRODUCT { threads * 4 } else { threads }.min(m.div_ceil(64)).max(1);
        let rows = m.div_ceil(parts).next_multiple_of(16);
        par::chunks_mut(&mut c[..m], rows, threads, |start, part| {
            let a = Operand { data: &a.data[start..], ..a };
            small::small_matmul(part.len(), k, 1, a, b, part, accum, false);
        });
    } else {
        packed_or_fallback(m, k, n, a, b, c, accum);
    }
}

/// Matrix-vector products whose matrix outgrows both cores' L2 caches
/// (8 MiB and up: W4's 77 MB first layer) stream it from memory.
const STREAMED_GEMV: usize = 1 << 21;

/// Columns of `a` per part of a streamed matrix-vector product. A fixed
/// count, so the order of the final sum (and its bits) does not depend on
/// the thread count; 8 KiB-long columns times 1024 is a part of a few MiB
/// at W4's width, enough to amortise waking a helper.
const GEMV_DEPTH: usize = 1024;

#[cfg(feature = "std")]
std::thread_local! {
    /// Each part's partial result of a streamed matrix-vector product,
    /// kept for the thread's life so a warmed `predict` allocates nothing.
    static PARTIALS: core::cell::RefCell<Vec<f32>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// `c (m) = a (m x k, column-major) * b (k)` for a matrix too large for
/// the caches: the depth is split into parts, each a contiguous run of
/// `a`'s columns that one core reads front to back (the hardware
/// prefetchers' best case), and the parts' partial results are added in
/// order. Splitting rows instead had each core read a few cache lines per
/// column, 2 KiB apart: about a third of the memory bandwidth.
fn gemv_by_depth(m: usize, k: usize, a: Operand<'_>, b: Operand<'_>, c: &mut [f32], accum: Accum) {
    #[cfg(feature = "std")]
    PARTIALS.with(|cell| gemv_by_depth_in(&mut cell.borrow_mut(), m, k, a, b, c, accum));
    #[cfg(not(feature = "std"))]
    gemv_by_depth_in(&mut Vec::new(), m, k, a, b, c, accum);
}

/// [`gemv_by_depth`] with the partial results in `partials`.
fn gemv_by_depth_in(
    partials: &mut Vec<f32>,
    m: usize,
    k: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    let parts = k.div_ceil(GEMV_DEPTH);
    if partials.len() < parts * m {
        partials.resize(parts * m, 0.0);
    }
    let partials = &mut partials[..parts * m];
    par::chunks_mut(partials, m, par::num_threads(), |start, part| {
        let first = (start / m) * GEMV_DEPTH;
        let depth = GEMV_DEPTH.min(k - first);
        let a = Operand { data: &a.data[first * a.col_stride..], ..a };
        let b = Operand { data: &b.data[first * b.row_stride..], ..b };
        small::small_matmul(m, depth, 1, a, b, part, Accum::Replace, false);
    });
    let c = &mut c[..m];
    if accum == Accum::Replace {
        c.fill(0.0);
    }
    for part in partials.chunks_exact(m) {
        c.iter_mut().zip(part).for_each(|(c, p)| *c += p);
    }
}

/// Whether the packed kernel can run here.
fn packed_available() -> bool {
    cfg!(all(feature = "fast-gemm", target_arch = "x86_64")) && simd::available()
}

/// A large dense product: the packed kernel, or `matrixmultiply` without it.
fn packed_or_fallback(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    #[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
    if simd::available() {
        packed::matmul(m, k, n, a, b, c, accum);
        return;
    }
    let beta = match accum {
        Accum::Replace => 0.0,
        Accum::Add => 1.0,
    };
    // SAFETY: `matmul` checked that `a`, `b` and `c` hold every element the
    // product reads or writes, with these strides.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            beta,
            c.as_mut_ptr(),
            1,
            m as isize,
        );
    }
}

/// `c = a * b` for column-major `a` (`m x k`), `b` (`k x n`) and `c`,
/// through the same kernels the layers use; for benchmarks (peak GFLOP/s).
///
/// # Panics
/// If a slice is shorter than its shape or a size overflows.
#[doc(hidden)]
pub fn matmul_cols(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    matmul(m, k, n, Operand::cols(a, m), Operand::cols(b, k), c, Accum::Replace);
}

/// Tensors at least this long are updated by every allowed thread: the
/// update is memory-bound, and two cores pull twice the bandwidth.
#[cfg(feature = "std")]
const PARALLEL_ELEMENTWISE: usize = 1 << 18;

/// Runs `update` (an optimiser's step) over one tensor `w` with its
/// gradient `g` and moments `m`, `v`, in chunks: vectorised (the same bits:
/// IEEE square root and division are exact in every width and nothing is
/// fused), split over the threads when large. `update` returns whether
/// every value it wrote is finite; so does this.
///
/// # Panics
/// If the four slices differ in length.
#[cfg(feature = "std")]
pub(crate) fn elementwise<F>(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], update: F) -> bool
where
    F: Fn(&mut [f32], &[f32], &mut [f32], &mut [f32]) -> bool + Sync,
{
    let len = w.len();
    let threads = if len >= PARALLEL_ELEMENTWISE { num_threads() } else { 1 };
    let size = len.div_ceil(4 * threads).next_multiple_of(16);
    let finite = core::sync::atomic::AtomicBool::new(true);
    par::chunks_mut4(w, g, m, v, size, threads, |w, g, m, v| {
        if !simd::vectorized(
            #[inline(always)]
            || update(w, g, m, v),
        ) {
            finite.store(false, core::sync::atomic::Ordering::Relaxed);
        }
    });
    finite.into_inner()
}

/// `dst.copy_from_slice(src)`, over every allowed thread when large: one
/// core cannot saturate memory bandwidth, and networks copy whole input
/// batches (20 MB for a 10,000-wide batch of 512).
///
/// # Panics
/// If the slices differ in length.
pub(crate) fn copy(dst: &mut [f32], src: &[f32]) {
    const PARALLEL_COPY: usize = 1 << 20;
    assert_eq!(dst.len(), src.len(), "copy between slices of different lengths");
    let threads = num_threads();
    if dst.len() < PARALLEL_COPY || threads < 2 {
        dst.copy_from_slice(src);
        return;
    }
    let size = (dst.len() / (4 * threads)).next_multiple_of(16).max(16);
    par::chunks_mut(dst, size, threads, |start, part| part.copy_from_slice(&src[start..start + part.len()]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(m: usize, k: usize, n: usize, a: Operand<'_>, b: Operand<'_>) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f64;
                for p in 0..k {
                    s += (a.data[i * a.row_stride + p * a.col_stride] as f64)
                        * (b.data[p * b.row_stride + j * b.col_stride] as f64);
                }
                c[i + j * m] = s as f32;
            }
        }
        c
    }

    #[test]
    #[cfg_attr(miri, ignore = "too large for Miri; tools/miri.sh runs the Miri-sized tests")]
    fn sparse_right_operands_take_the_zero_skipping_paths_and_stay_exact() {
        // ~2 % non-zeros, as in one-hot or bag-of-words features; large
        // enough to be split over threads.
        for &(m, k, n) in &[(16, 3000, 64), (16, 64, 3000), (40, 5000, 1)] {
            let a_data: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
            let b_data: Vec<f32> =
                (0..k * n).map(|i| if i % 53 == 7 { 1.0 + (i % 5) as f32 } else { 0.0 }).collect();
            for b in [Operand::cols(&b_data, k), Operand::transposed(&b_data, n)] {
                let a = Operand::cols(&a_data, m);
                let want = reference(m, k, n, a, b);
                let mut got = vec![f32::NAN; m * n];
                matmul(m, k, n, a, b, &mut got, Accum::Replace);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-3, "{m}x{k}x{n}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "too large for Miri; tools/miri.sh runs the Miri-sized tests")]
    fn large_copies_split_over_threads_copy_everything() {
        let src: Vec<f32> = (0..(1 << 21) + 7).map(|i| i as f32).collect();
        let mut dst = vec![0.0f32; src.len()];
        copy(&mut dst, &src);
        assert_eq!(dst, src);
    }

    /// The product of `a` and `b` at every thread count in `threads`, as bits.
    fn products_by_thread_count(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<Vec<u32>> {
        let runs = [1, 2, 3, 8].map(|threads| {
            set_num_threads(threads);
            let mut c = vec![0.0; m * n];
            matmul_cols(m, k, n, a, b, &mut c);
            c.iter().map(|v| v.to_bits()).collect::<Vec<u32>>()
        });
        set_num_threads(0);
        runs.to_vec()
    }

    #[test]
    #[cfg_attr(miri, ignore = "too large for Miri; tools/miri.sh runs the Miri-sized tests")]
    fn thread_count_changes_nothing_but_speed() {
        // Dense (packed, split by rows and by columns) and matrix-vector.
        for &(m, k, n) in &[(200, 300, 100), (700, 300, 40), (40, 300, 2100), (3000, 800, 1)] {
            let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.13).sin()).collect();
            let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.07).cos()).collect();
            let runs = products_by_thread_count(m, k, n, &a, &b);
            assert!(runs.windows(2).all(|w| w[0] == w[1]), "{m}x{k}x{n} differs between thread counts");
        }
        // Sparse, as the reproducer: 1000 x 257 x 33 on ~2 % non-zeros.
        let (m, k, n) = (1000, 257, 33);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| if i % 53 == 7 { 1.0 + (i % 5) as f32 } else { 0.0 }).collect();
        let runs = products_by_thread_count(m, k, n, &a, &b);
        assert!(runs.windows(2).all(|w| w[0] == w[1]), "sparse product differs between thread counts");
    }

    #[test]
    fn sizes_whose_extent_overflows_panic_instead_of_reading_out_of_bounds() {
        let huge = (1usize << 63) + 1;
        let (a, b, mut c) = ([1.0f32], [1.0f32], [0.0f32]);
        let outcome = std::panic::catch_unwind(move || matmul_cols(huge, huge, huge, &a, &b, &mut c));
        assert!(outcome.is_err());
        let (a, b, mut c) = ([1.0f32; 4], [1.0f32; 4], [0.0f32; 4]);
        let outcome = std::panic::catch_unwind(move || matmul_cols(2, 3, 2, &a, &b, &mut c));
        assert!(outcome.is_err(), "operands shorter than their shape are refused");
    }

    #[test]
    #[cfg_attr(miri, ignore = "too large for Miri; tools/miri.sh runs the Miri-sized tests")]
    fn streamed_matrix_vector_products_match_a_reference_and_the_thread_count_changes_no_bit() {
        // Deep enough for several parts and a short last one.
        let (m, k) = (70, 3 * GEMV_DEPTH + 5);
        let a_data: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b_data: Vec<f32> = (0..k).map(|i| (i as f32 * 0.11).cos()).collect();
        let (a, b) = (Operand::cols(&a_data, m), Operand::cols(&b_data, k));
        let want = reference(m, k, 1, a, b);
        let mut by_threads = Vec::new();
        for threads in [1, 2, 3] {
            par::set_num_threads(threads);
            let mut got = vec![5.0f32; m];
            gemv_by_depth(m, k, a, b, &mut got, Accum::Replace);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-3, "{g} vs {w}");
            }
            let before = got.clone();
            gemv_by_depth(m, k, a, b, &mut got, Accum::Add);
            for (g, b) in got.iter().zip(&before) {
                assert!((g - 2.0 * b).abs() < 1e-3);
            }
            by_threads.push(before);
        }
        par::set_num_threads(0);
        assert!(by_threads.windows(2).all(|w| w[0] == w[1]), "bits depend on the thread count");
    }

    /// Just past the unpacked threshold, with partial tiles in both
    /// directions (rows not a multiple of 32, columns not of 8) and a
    /// sparse right operand: the packed kernel's and the zero-skipping
    /// loops' edges at a size Miri runs in a minute.
    #[test]
    fn products_with_partial_tiles_match_reference() {
        for &(m, k, n, sparse) in
            &[(33, 40, 33, false), (70, 20, 25, false), (17, 300, 9, false), (16, 300, 20, true)]
        {
            let a_data: Vec<f32> = (0..m * k).map(|i| ((i * 7 % 19) as f32 - 9.0) / 9.0).collect();
            let b_data: Vec<f32> = (0..k * n)
                .map(|i| if !sparse || i % 53 == 7 { ((i * 5 % 13) as f32 - 6.0) / 6.0 } else { 0.0 })
                .collect();
            for (a, b) in [
                (Operand::cols(&a_data, m), Operand::cols(&b_data, k)),
                (Operand::transposed(&a_data, k), Operand::transposed(&b_data, n)),
            ] {
                let want = reference(m, k, n, a, b);
                let mut got = vec![1.0f32; m * n].into_boxed_slice();
                matmul(m, k, n, a, b, &mut got, Accum::Replace);
                matmul(m, k, n, a, b, &mut got, Accum::Add);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - 2.0 * w).abs() < 2e-4 * (1.0 + w.abs()), "{m}x{k}x{n}: {g} vs {}", 2.0 * w);
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "too large for Miri; tools/miri.sh runs the Miri-sized tests")]
    fn products_match_reference_for_all_layouts_and_sizes() {
        // Past every blocking edge (KC, MC, NC, partial tiles) and the
        // parallel threshold.
        for &(m, k, n) in &[
            (3, 4, 5),
            (1, 1, 32),
            (64, 70, 33),
            (17, 100, 1),
            (300, 600, 40),
            (45, 300, 2100),
            (33, 9, 300),
            (40, 961, 24),
        ] {
            let a_data: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
            let b_data: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.11).cos()).collect();
            // Columns of `b` read in place with a leading dimension past
            // their depth (a view into a wider matrix).
            let wide: Vec<f32> = (0..(k + 3) * n).map(|i| (i as f32 * 0.23).cos()).collect();
            for (a, b) in [
                (Operand::cols(&a_data, m), Operand::cols(&b_data, k)),
                (Operand::transposed(&a_data, k), Operand::transposed(&b_data, n)),
                (Operand::cols(&a_data, m), Operand { data: &wide, row_stride: 1, col_stride: k + 3 }),
            ] {
                let want = reference(m, k, n, a, b);
                let mut got = vec![1.0f32; m * n];
                matmul(m, k, n, a, b, &mut got, Accum::Replace);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-4, "{m}x{k}x{n}: {g} vs {w}");
                }
                matmul(m, k, n, a, b, &mut got, Accum::Add);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - 2.0 * w).abs() < 2e-4);
                }
            }
        }
    }
}
