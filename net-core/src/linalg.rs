//! Matrix products on column-major slices, routed to the fastest kernel
//! for the shape.
//!
//! nalgebra only calls its fast GEMM when a dimension is dynamic, and never
//! for a matrix-vector product, so layers call these functions on raw
//! slices instead of multiplying static matrices.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

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

/// `c (m x n, column-major, leading dimension m) = a (m x k) * b (k x n)`,
/// replacing or adding to `c`.
///
/// Products of at least [`PARALLEL_PRODUCT`] multiply-adds are split over
/// the threads [`set_num_threads`] allows; smaller ones stay on the calling
/// thread. Once each thread has run one product of a shape, no call
/// allocates.
pub(crate) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    assert!(c.len() >= m * n, "destination too small");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if accum == Accum::Replace {
            c[..m * n].fill(0.0);
        }
        return;
    }
    let last =
        |op: &Operand<'_>, rows: usize, cols: usize| (rows - 1) * op.row_stride + (cols - 1) * op.col_stride;
    assert!(a.data.len() > last(&a, m, k), "left operand too small");
    assert!(b.data.len() > last(&b, k, n), "right operand too small");
    // A mostly-zero `b` (sparse features, ~1.5 % non-zeros in W2) goes to
    // the zero-skipping loops: W2's forward 1.0 ms against 2.2 ms packed,
    // its whole backward 1.3-1.5 ms against 1.5-1.6 ms.
    let sparse = m * k * n > SMALL_PRODUCT && n > 1 && looks_sparse(k, n, b);
    // Matrix-vector products never pack: small ones, transposed ones (dot
    // products over contiguous rows) and, without `fast-gemm`, all of them.
    let plain_gemv = n == 1 && (m * k < PARALLEL_GEMV || a.row_stride != 1 || !cfg!(feature = "fast-gemm"));
    if m * k * n <= SMALL_PRODUCT || plain_gemv {
        small_matmul(m, k, n, a, b, c, accum);
        return;
    }
    #[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
    if sparse && m * k * n >= PARALLEL_PRODUCT && num_threads() > 1 {
        // Bound by scanning `b` for non-zeros: split its columns.
        let threads = num_threads();
        let chunks = (threads * 4).min(n.div_ceil(16));
        let chunk = n.div_ceil(chunks);
        let dst = packed::Dst(c.as_mut_ptr());
        let task = move |part: usize| {
            let lo = (part * chunk).min(n);
            let hi = ((part + 1) * chunk).min(n);
            if lo < hi {
                let b = Operand { data: &b.data[lo * b.col_stride..], ..b };
                // SAFETY: parts write disjoint column ranges of `c`, which holds `m * n` values.
                let c = unsafe { std::slice::from_raw_parts_mut(dst.offset(lo * m).0, (hi - lo) * m) };
                small_matmul(m, k, hi - lo, a, b, c, accum);
            }
        };
        pool::run(threads, chunks, &task);
        return;
    }
    if sparse {
        small_matmul(m, k, n, a, b, c, accum);
        return;
    }
    #[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
    if n == 1 && a.row_stride == 1 {
        // A large matrix-vector product is bound by reading `a`; two cores
        // pull twice the bandwidth. Mid-sized ones get one chunk per thread,
        // so each core usually reads the same rows, from its own L2, call
        // after call.
        let threads = num_threads();
        let chunks = if m * k >= PARALLEL_PRODUCT { threads * 4 } else { threads }.min(m.div_ceil(64));
        let chunk = m.div_ceil(chunks).next_multiple_of(16);
        let dst = packed::Dst(c.as_mut_ptr());
        let task = move |part: usize| {
            let lo = (part * chunk).min(m);
            let hi = ((part + 1) * chunk).min(m);
            if lo < hi {
                let a = Operand { data: &a.data[lo..], ..a };
                // SAFETY: parts write disjoint ranges of `c`, which holds `m` values.
                let c = unsafe { std::slice::from_raw_parts_mut(dst.offset(lo).0, hi - lo) };
                small_matmul(hi - lo, k, 1, a, b, c, accum);
            }
        };
        pool::run(threads, chunks, &task);
        return;
    }
    #[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
    if packed::available() {
        packed::matmul(m, k, n, a, b, c, accum);
        return;
    }
    let beta = match accum {
        Accum::Replace => 0.0,
        Accum::Add => 1.0,
    };
    // SAFETY: the asserts above bound every index the kernel reads or writes.
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
#[doc(hidden)]
pub fn matmul_cols(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    matmul(m, k, n, Operand::cols(a, m), Operand::cols(b, k), c, Accum::Replace);
}

/// Runs `task(0..chunks)` over the threads [`set_num_threads`] allows,
/// the caller included (on the calling thread alone without the pool).
/// Element-wise work on large tensors (optimiser updates) uses it.
pub(crate) fn parallel_for(chunks: usize, task: &(dyn Fn(usize) + Sync + '_)) {
    #[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
    pool::run(num_threads(), chunks, task);
    #[cfg(not(all(feature = "fast-gemm", target_arch = "x86_64")))]
    (0..chunks).for_each(task);
}

/// Tensors at least this long are updated by every allowed thread: the
/// update is memory-bound, and two cores pull twice the bandwidth.
const PARALLEL_ELEMENTWISE: usize = 1 << 18;

/// Runs an optimiser's update `rule` over one tensor `w` with its gradient
/// `g` and moments `m`, `v`: compiled for AVX-512 where the CPU has it (the
/// same bits: IEEE square root and division are exact in every width and
/// nothing is fused), split over the threads when large. Returns whether
/// every weight written is finite.
///
/// # Panics
/// If the four slices differ in length.
pub(crate) fn elementwise<R: crate::optim::Rule>(
    rule: &R,
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) -> bool {
    let len = w.len();
    assert!(
        g.len() == len && m.len() == len && v.len() == len,
        "an element-wise update over tensors of different lengths ({len}, {}, {}, {})",
        g.len(),
        m.len(),
        v.len()
    );
    if len < PARALLEL_ELEMENTWISE || num_threads() < 2 {
        return apply_best(rule, w, g, m, v);
    }
    struct Parts(*mut f32, *const f32, *mut f32, *mut f32);
    // SAFETY: each chunk below touches a disjoint range of the four buffers,
    // and `parallel_for` returns only when every chunk is done.
    unsafe impl Sync for Parts {}
    let parts = Parts(w.as_mut_ptr(), g.as_ptr(), m.as_mut_ptr(), v.as_mut_ptr());
    let chunks = 4 * num_threads();
    let size = len.div_ceil(chunks).next_multiple_of(16);
    let finite = std::sync::atomic::AtomicBool::new(true);
    parallel_for(len.div_ceil(size), &|i| {
        let (start, end) = (i * size, ((i + 1) * size).min(len));
        let parts = &parts;
        // SAFETY: `start..end` lies within all four buffers (same length,
        // checked above) and no other chunk overlaps it.
        let ok = unsafe {
            apply_best(
                rule,
                std::slice::from_raw_parts_mut(parts.0.add(start), end - start),
                std::slice::from_raw_parts(parts.1.add(start), end - start),
                std::slice::from_raw_parts_mut(parts.2.add(start), end - start),
                std::slice::from_raw_parts_mut(parts.3.add(start), end - start),
            )
        };
        if !ok {
            finite.store(false, Ordering::Relaxed);
        }
    });
    finite.into_inner()
}

/// Compiles the rule for AVX-512 (inlined here, so the loop is vectorised
/// 16 wide).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn apply_avx512<R: crate::optim::Rule>(
    rule: &R,
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) -> bool {
    rule.apply(w, g, m, v)
}

fn apply_best<R: crate::optim::Rule>(
    rule: &R,
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F.
        return unsafe { apply_avx512(rule, w, g, m, v) };
    }
    rule.apply(w, g, m, v)
}

/// `dst.copy_from_slice(src)`, over every allowed thread when large: one
/// core cannot saturate memory bandwidth, and networks copy whole input
/// batches (20 MB for a 10,000-wide batch of 512).
pub(crate) fn copy(dst: &mut [f32], src: &[f32]) {
    const PARALLEL_COPY: usize = 1 << 20;
    assert_eq!(dst.len(), src.len(), "copy between slices of different lengths");
    let len = dst.len();
    if len < PARALLEL_COPY || num_threads() < 2 {
        dst.copy_from_slice(src);
        return;
    }
    struct Parts(*mut f32, *const f32);
    // SAFETY: each chunk writes a disjoint range of `dst`, and
    // `parallel_for` returns only when every chunk is done.
    unsafe impl Sync for Parts {}
    let parts = Parts(dst.as_mut_ptr(), src.as_ptr());
    let size = (len / (4 * num_threads())).next_multiple_of(16).max(16);
    parallel_for(len.div_ceil(size), &|i| {
        let (start, end) = (i * size, ((i + 1) * size).min(len));
        let parts = &parts;
        // SAFETY: `start..end` is within both slices and disjoint from every
        // other chunk's range.
        unsafe {
            std::ptr::copy_nonoverlapping(parts.1.add(start), parts.0.add(start), end - start);
        }
    });
}

/// Products with at least this many multiply-adds use every allowed thread;
/// below it, waking a helper costs more than it saves.
#[cfg_attr(not(all(feature = "fast-gemm", target_arch = "x86_64")), allow(dead_code))]
const PARALLEL_PRODUCT: usize = 1 << 21;

/// Matrix-vector products (one-sample `predict`) split from this size: they
/// are bound by reading `a`, and each core's L2 then keeps its own half.
const PARALLEL_GEMV: usize = 1 << 17;

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads large matrix products may use (`0` restores the
/// default: `RAYON_NUM_THREADS` if set, else every available core). Small
/// products always run on the calling thread.
///
/// ```
/// typenet::set_num_threads(1);
/// assert_eq!(typenet::num_threads(), 1);
/// typenet::set_num_threads(0);
/// assert!(typenet::num_threads() >= 1);
/// ```
pub fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// How many threads large matrix products use.
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// The product without packing: register-blocked column products or column
/// updates when `a` is column-major, dot products when it is a transpose;
/// zero entries of `b` are skipped. Compiled a second time for AVX-512 and
/// picked at run time, since the crate targets baseline x86-64.
fn small_matmul(m: usize, k: usize, n: usize, a: Operand<'_>, b: Operand<'_>, c: &mut [f32], accum: Accum) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has the features the clone is compiled for.
        unsafe { small_matmul_avx512(m, k, n, a, b, c, accum) };
        return;
    }
    small_matmul_body::<false>(m, k, n, a, b, c, accum);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn small_matmul_avx512(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    small_matmul_body::<true>(m, k, n, a, b, c, accum);
}

/// `FMA`: fuse multiply-adds (only where the CPU has them; without, a fused
/// `mul_add` is a slow library call).
#[inline(always)]
fn small_matmul_body<const FMA: bool>(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    if a.row_stride == 1 && m >= 8 {
        let a_col = |p: usize| &a.data[p * a.col_stride..p * a.col_stride + m];
        if b.col_stride == 1 && b.row_stride != 1 {
            // `b` is a transpose (a weight gradient `dz x^T`): walking it
            // row by row reads it in order.
            if accum == Accum::Replace {
                c[..m * n].fill(0.0);
            }
            // Non-zeros are gathered before `c`'s scattered columns are
            // updated, so those updates overlap (see `rows_product`).
            const GATHER: usize = 256;
            let (mut at, mut value) = ([0u32; GATHER], [0.0f32; GATHER]);
            for p in 0..k {
                let a_col = a_col(p);
                let mut apply = |at: &[u32], value: &[f32]| {
                    for (&j, &scale) in at.iter().zip(value) {
                        let j = j as usize;
                        for (ci, &ai) in c[j * m..(j + 1) * m].iter_mut().zip(a_col) {
                            *ci = if FMA { ai.mul_add(scale, *ci) } else { *ci + ai * scale };
                        }
                    }
                };
                let mut len = 0;
                for_each_nonzero(&b.data[p * b.row_stride..p * b.row_stride + n], |j, scale| {
                    at[len] = j as u32;
                    value[len] = scale;
                    len += 1;
                    if len == GATHER {
                        apply(&at, &value);
                        len = 0;
                    }
                });
                apply(&at[..len], &value[..len]);
            }
            return;
        }
        // Register blocking pays off only over some depth; shallow
        // products (an outer product at k = 1) update `c` directly.
        let blocked = b.row_stride == 1 && k >= 16;
        // Judged once for the whole of `b`: sampling it is a few hundred
        // scattered loads.
        let sparse = blocked && looks_sparse(k, n, b);
        for j in 0..n {
            let col = &mut c[j * m..(j + 1) * m];
            if blocked {
                let x = &b.data[j * b.col_stride..j * b.col_stride + k];
                column_product::<FMA>(m, k, a, x, col, accum, sparse);
                continue;
            }
            if accum == Accum::Replace {
                col.fill(0.0);
            }
            for p in 0..k {
                let scale = b.data[p * b.row_stride + j * b.col_stride];
                if scale != 0.0 {
                    for (ci, ai) in col.iter_mut().zip(a_col(p)) {
                        *ci += ai * scale;
                    }
                }
            }
        }
        return;
    }
    if m == 1 && b.col_stride == 1 {
        // One output row against a row-major `b` (a 1-unit layer's weight
        // gradient): a vector update of that row per `p`.
        let row = &mut c[..n];
        if accum == Accum::Replace {
            row.fill(0.0);
        }
        for p in 0..k {
            let scale = a.data[p * a.col_stride];
            for (ci, bi) in row.iter_mut().zip(&b.data[p * b.row_stride..p * b.row_stride + n]) {
                *ci += scale * bi;
            }
        }
        return;
    }
    // Few rows, or a transposed `a`: one dot product per output.
    for j in 0..n {
        for i in 0..m {
            let dot = if a.col_stride == 1 && b.row_stride == 1 {
                let row = &a.data[i * a.row_stride..i * a.row_stride + k];
                let col = &b.data[j * b.col_stride..j * b.col_stride + k];
                dot16(row, col)
            } else {
                let mut sum = 0.0;
                for p in 0..k {
                    sum += a.data[i * a.row_stride + p * a.col_stride]
                        * b.data[p * b.row_stride + j * b.col_stride];
                }
                sum
            };
            let out = &mut c[i + j * m];
            *out = if accum == Accum::Replace { dot } else { *out + dot };
        }
    }
}

/// `col (m) = a (m x k, column-major) * x (k) (+ col)`, `R` rows at a time
/// in registers: no store per multiply-add, and `a` is read once.
#[inline(always)]
fn column_product<const FMA: bool>(
    m: usize,
    k: usize,
    a: Operand<'_>,
    x: &[f32],
    col: &mut [f32],
    accum: Accum,
    sparse: bool,
) {
    let mut i0 = 0;
    while m - i0 >= 64 {
        rows_product::<64, FMA>(i0, k, a, x, &mut col[i0..i0 + 64], accum, sparse);
        i0 += 64;
    }
    while m - i0 >= 16 {
        rows_product::<16, FMA>(i0, k, a, x, &mut col[i0..i0 + 16], accum, sparse);
        i0 += 16;
    }
    for (i, out) in col.iter_mut().enumerate().skip(i0) {
        let mut sum = 0.0;
        for (p, &xp) in x.iter().enumerate() {
            sum += a.data[i + p * a.col_stride] * xp;
        }
        *out = if accum == Accum::Replace { sum } else { *out + sum };
    }
}

/// Rows `i0..i0 + R` of a column product. Mostly-zero inputs (sparse
/// features) skip their columns of `a`; dense ones run without branches.
#[inline(always)]
fn rows_product<const R: usize, const FMA: bool>(
    i0: usize,
    k: usize,
    a: Operand<'_>,
    x: &[f32],
    out: &mut [f32],
    accum: Accum,
    sparse: bool,
) {
    // Two partial sums break the add-latency chain across `p` and still
    // fit the registers for 64 rows.
    let mut acc = [[0.0f32; R]; 2];
    let rows = |p: usize| -> &[f32; R] {
        let start = i0 + p * a.col_stride;
        a.data[start..start + R].try_into().expect("R rows")
    };
    let axpy = |acc: &mut [f32; R], p: usize, scale: f32| {
        for (s, &ai) in acc.iter_mut().zip(rows(p)) {
            *s = if FMA { ai.mul_add(scale, *s) } else { *s + ai * scale };
        }
    };
    let x = &x[..k];
    if sparse {
        // Gather the non-zeros first, then multiply: the loads of `a`'s
        // scattered columns (often L3 misses while `x` streams through)
        // then overlap, instead of each waiting behind the scan's
        // mispredicted branches. One sum: with few non-zeros the add
        // latency does not bind.
        const GATHER: usize = 256;
        let (mut at, mut value, mut len) = ([0u32; GATHER], [0.0f32; GATHER], 0usize);
        let [first, _] = &mut acc;
        let mut flush = |at: &[u32], value: &[f32]| {
            for (&p, &scale) in at.iter().zip(value) {
                axpy(first, p as usize, scale);
            }
        };
        for_each_nonzero(x, |p, scale| {
            at[len] = p as u32;
            value[len] = scale;
            len += 1;
            if len == GATHER {
                flush(&at, &value);
                len = 0;
            }
        });
        flush(&at[..len], &value[..len]);
    } else {
        let pairs = x.chunks_exact(2);
        let tail = pairs.remainder();
        for (q, xs) in pairs.enumerate() {
            axpy(&mut acc[0], 2 * q, xs[0]);
            axpy(&mut acc[1], 2 * q + 1, xs[1]);
        }
        if let [last] = tail {
            axpy(&mut acc[0], k - 1, *last);
        }
    }
    for (i, o) in out.iter_mut().enumerate() {
        let s = acc[0][i] + acc[1][i];
        *o = if accum == Accum::Replace { s } else { *o + s };
    }
}

/// Calls `f(index, value)` for the non-zero values of `v`: zero inputs
/// (sparse features, ReLU outputs) cost one vector compare per 16 values.
#[inline(always)]
fn for_each_nonzero(v: &[f32], mut f: impl FnMut(usize, f32)) {
    let chunks = v.chunks_exact(16);
    let tail = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        // One stream per core does not reach the memory bandwidth on its
        // own; fetching 2 KiB ahead does.
        #[cfg(target_arch = "x86_64")]
        if c * 16 + 512 < v.len() {
            // SAFETY: a prefetch never faults, and the address is in bounds.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(v.as_ptr().add(c * 16 + 512) as *const i8);
            }
        }
        // A bit per non-zero (one vector compare), then a visit per set
        // bit: no branch per value to mispredict.
        let mut bits = chunk.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (((x != 0.0) as u32) << i));
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            f(c * 16 + i, chunk[i]);
            bits &= bits - 1;
        }
    }
    let base = v.len() - tail.len();
    for (i, &x) in tail.iter().enumerate() {
        if x != 0.0 {
            f(base + i, x);
        }
    }
}

/// A dot product in 16 independent lanes, which the compiler keeps in one
/// vector register.
#[inline(always)]
fn dot16(x: &[f32], y: &[f32]) -> f32 {
    let mut sum = [0.0f32; 16];
    let (xc, yc) = (x.chunks_exact(16), y.chunks_exact(16));
    let tail: f32 = xc.remainder().iter().zip(yc.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in xc.zip(yc) {
        for l in 0..16 {
            sum[l] += a[l] * b[l];
        }
    }
    sum.iter().sum::<f32>() + tail
}

/// Whether `b` looks mostly zero (sparse features), judged on a sample:
/// the unpacked loops skip zeros, the packed kernel cannot.
fn looks_sparse(k: usize, n: usize, b: Operand<'_>) -> bool {
    const SAMPLE: usize = 256;
    if k * n < 16 * SAMPLE {
        return false;
    }
    // Rows by a golden-ratio stride, columns evenly: scattered positions
    // without a division per sample.
    let step = ((k as f64 * 0.618_034) as usize).clamp(1, k.max(2) - 1) | 1;
    let (mut p, mut nonzero) = (0usize, 0usize);
    for s in 0..SAMPLE {
        let j = (s * n) >> 8;
        nonzero += (b.data[p * b.row_stride + j * b.col_stride] != 0.0) as usize;
        p += step;
        if p >= k {
            p -= k;
        }
    }
    nonzero * 10 < SAMPLE
}

/// A packed GEMM with an AVX-512 micro-kernel (GotoBLAS blocking). Unlike
/// `matrixmultiply` and the `gemm` crate, which allocate their packing
/// buffers on every call, it packs into per-thread buffers that live as
/// long as the thread, so a warmed training step allocates nothing.
#[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
mod packed {
    use std::arch::x86_64::*;
    use std::cell::RefCell;

    use super::{Accum, Operand};

    /// Rows of a micro-tile: two 16-lane registers.
    const MR: usize = 32;
    /// Columns of a micro-tile: 16 accumulators, enough to hide FMA latency
    /// on two ports.
    const NR: usize = 8;
    /// Depth of a packed block: a 32 x 256 panel of `a` and a 256 x 8 panel
    /// of `b` (40 KiB) stay in L1.
    const KC: usize = 256;
    /// Rows of a packed block of `a` (512 KiB, inside a 2 MiB L2): a whole
    /// 512-wide weight column per pass.
    const MC: usize = 512;
    /// Columns of a packed block of `b`.
    const NC: usize = 2048;
    /// Packed buffers are 64-byte aligned inside their `Vec`.
    const ALIGN: usize = 16;

    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
    }

    thread_local! {
        static BUFFERS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }

    /// A raw operand: element `(i, j)` at `ptr + i * rs + j * cs`.
    #[derive(Clone, Copy)]
    struct Raw {
        ptr: *const f32,
        rs: usize,
        cs: usize,
    }

    #[derive(Clone, Copy)]
    pub(super) struct Dst(pub(super) *mut f32);

    // SAFETY: threads working on one product write disjoint parts of `c`
    // and only read `a` and `b`.
    unsafe impl Send for Raw {}
    unsafe impl Sync for Raw {}
    unsafe impl Send for Dst {}
    unsafe impl Sync for Dst {}

    impl Dst {
        /// A method, not a field access, so closures capture the `Sync` wrapper.
        pub(super) unsafe fn offset(self, count: usize) -> Dst {
            Dst(self.0.add(count))
        }
    }

    pub(super) fn matmul(
        m: usize,
        k: usize,
        n: usize,
        a: Operand<'_>,
        b: Operand<'_>,
        c: &mut [f32],
        accum: Accum,
    ) {
        let a = Raw { ptr: a.data.as_ptr(), rs: a.row_stride, cs: a.col_stride };
        let b = Raw { ptr: b.data.as_ptr(), rs: b.row_stride, cs: b.col_stride };
        let dst = Dst(c.as_mut_ptr());
        let add = accum == Accum::Add;
        let threads = if m * k * n >= super::PARALLEL_PRODUCT { super::num_threads() } else { 1 };
        // Split the dimension whose other operand is cheaper to pack twice.
        let (split_n, unit, len) = if n >= m { (true, NR, n) } else { (false, MR, m) };
        // Every chunk re-packs the operand that is not split, so chunks stay
        // at least MC (or NC / 4) wide; up to four per thread let the caller
        // take over from a helper the OS schedules late.
        let min_chunk = if split_n { NC / 4 } else { MC };
        let parts = if threads > 1 { (threads * 4).min(len / min_chunk).max(threads) } else { 1 };
        let run = move |part: usize| {
            let chunk = len.div_ceil(unit).div_ceil(parts) * unit;
            let lo = (part * chunk).min(len);
            let hi = ((part + 1) * chunk).min(len);
            if lo == hi {
                return;
            }
            // SAFETY: `matmul`'s callers checked every operand's extent, and
            // parts cover disjoint rows or columns of `c`.
            unsafe {
                if split_n {
                    let b = Raw { ptr: b.ptr.add(lo * b.cs), ..b };
                    gemm(m, k, hi - lo, a, b, dst.offset(lo * m), m, add);
                } else {
                    let a = Raw { ptr: a.ptr.add(lo * a.rs), ..a };
                    gemm(hi - lo, k, n, a, b, dst.offset(lo), m, add);
                }
            }
        };
        if parts == 1 {
            run(0);
        } else {
            super::pool::run(threads, parts, &run);
        }
    }

    fn aligned(buf: &mut Vec<f32>, len: usize) -> *mut f32 {
        if buf.len() < len + ALIGN {
            buf.resize(len + ALIGN, 0.0);
        }
        let offset = buf.as_ptr().align_offset(64).min(ALIGN);
        buf[offset..].as_mut_ptr()
    }

    /// `c (ldc) = a * b (+ c if add)` on one thread.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(m: usize, k: usize, n: usize, a: Raw, b: Raw, c: Dst, ldc: usize, add: bool) {
        BUFFERS.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (abuf, bbuf) = &mut *guard;
            let pa = aligned(abuf, MC * KC);
            let pb = aligned(bbuf, KC * NC);
            let mut jc = 0;
            while jc < n {
                let nc = NC.min(n - jc);
                let mut pc = 0;
                while pc < k {
                    let kc = KC.min(k - pc);
                    let accumulate = add || pc > 0;
                    pack_b(kc, nc, b, pc, jc, pb);
                    let mut ic = 0;
                    while ic < m {
                        let mc = MC.min(m - ic);
                        pack_a(mc, kc, a, ic, pc, pa);
                        block(mc, nc, kc, pa, pb, c.0.add(ic + jc * ldc), ldc, accumulate);
                        ic += mc;
                    }
                    pc += kc;
                }
                jc += nc;
            }
        });
    }

    /// Packs `a[ic.., pc..]` (`mc x kc`) as MR-row panels, `p`-major inside.
    #[target_feature(enable = "avx512f")]
    unsafe fn pack_a(mc: usize, kc: usize, a: Raw, ic: usize, pc: usize, out: *mut f32) {
        if a.rs == 1 && mc.is_multiple_of(MR) {
            // Column by column, so a large weight matrix streams from memory
            // in address order; columns a few ahead are prefetched, since
            // the hardware prefetchers stop at page boundaries.
            const AHEAD: usize = 4;
            for p in 0..kc {
                let src = a.ptr.add(ic + (pc + p) * a.cs);
                if p + AHEAD < kc {
                    let next = src.add(AHEAD * a.cs);
                    for line in (0..mc).step_by(16) {
                        _mm_prefetch::<_MM_HINT_T0>(next.add(line) as *const i8);
                    }
                }
                for panel in 0..mc / MR {
                    std::ptr::copy_nonoverlapping(src.add(panel * MR), out.add(panel * MR * kc + p * MR), MR);
                }
            }
            return;
        }
        for (panel, i0) in (0..mc).step_by(MR).enumerate() {
            let rows = MR.min(mc - i0);
            let dst = out.add(panel * MR * kc);
            let src = a.ptr.add((ic + i0) * a.rs + pc * a.cs);
            if a.rs == 1 && rows == MR {
                for p in 0..kc {
                    // A constant length: an inlined vector copy, not a memcpy call.
                    std::ptr::copy_nonoverlapping(src.add(p * a.cs), dst.add(p * MR), MR);
                }
            } else if a.rs == 1 {
                for p in 0..kc {
                    let d = dst.add(p * MR);
                    std::ptr::copy_nonoverlapping(src.add(p * a.cs), d, rows);
                    std::ptr::write_bytes(d.add(rows), 0, MR - rows);
                }
            } else {
                if rows < MR {
                    std::ptr::write_bytes(dst, 0, MR * kc);
                }
                for i in 0..rows {
                    let s = src.add(i * a.rs);
                    for p in 0..kc {
                        *dst.add(p * MR + i) = *s.add(p * a.cs);
                    }
                }
            }
        }
    }

    /// Packs `b[pc.., jc..]` (`kc x nc`) as NR-column panels, `p`-major inside.
    #[target_feature(enable = "avx512f")]
    unsafe fn pack_b(kc: usize, nc: usize, b: Raw, pc: usize, jc: usize, out: *mut f32) {
        for (panel, j0) in (0..nc).step_by(NR).enumerate() {
            let cols = NR.min(nc - j0);
            let dst = out.add(panel * NR * kc);
            let src = b.ptr.add(pc * b.rs + (jc + j0) * b.cs);
            if b.cs == 1 && cols == NR {
                for p in 0..kc {
                    std::ptr::copy_nonoverlapping(src.add(p * b.rs), dst.add(p * NR), NR);
                }
            } else if b.cs == 1 {
                for p in 0..kc {
                    let d = dst.add(p * NR);
                    std::ptr::copy_nonoverlapping(src.add(p * b.rs), d, cols);
                    std::ptr::write_bytes(d.add(cols), 0, NR - cols);
                }
            } else {
                if cols < NR {
                    std::ptr::write_bytes(dst, 0, NR * kc);
                }
                for j in 0..cols {
                    let s = src.add(j * b.cs);
                    for p in 0..kc {
                        *dst.add(p * NR + j) = *s.add(p * b.rs);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn block(
        mc: usize,
        nc: usize,
        kc: usize,
        pa: *const f32,
        pb: *const f32,
        c: *mut f32,
        ldc: usize,
        accumulate: bool,
    ) {
        for (jp, j0) in (0..nc).step_by(NR).enumerate() {
            let cols = NR.min(nc - j0);
            let b = pb.add(jp * NR * kc);
            for (ip, i0) in (0..mc).step_by(MR).enumerate() {
                let rows = MR.min(mc - i0);
                let a = pa.add(ip * MR * kc);
                let tile = c.add(i0 + j0 * ldc);
                if rows == MR && cols == NR {
                    kernel(kc, a, b, tile, ldc, accumulate);
                } else {
                    let mut tmp = [0.0f32; MR * NR];
                    kernel(kc, a, b, tmp.as_mut_ptr(), MR, false);
                    for j in 0..cols {
                        for i in 0..rows {
                            let out = tile.add(i + j * ldc);
                            let v = tmp[i + j * MR];
                            *out = if accumulate { *out + v } else { v };
                        }
                    }
                }
            }
        }
    }

    #[inline(always)]
    unsafe fn tile(kc: usize, a: *const f32, b: *const f32) -> ([__m512; NR], [__m512; NR]) {
        let mut lo = [_mm512_setzero_ps(); NR];
        let mut hi = [_mm512_setzero_ps(); NR];
        for p in 0..kc {
            let a0 = _mm512_loadu_ps(a.add(p * MR));
            let a1 = _mm512_loadu_ps(a.add(p * MR + 16));
            let bp = b.add(p * NR);
            for j in 0..NR {
                let bj = _mm512_set1_ps(*bp.add(j));
                lo[j] = _mm512_fmadd_ps(a0, bj, lo[j]);
                hi[j] = _mm512_fmadd_ps(a1, bj, hi[j]);
            }
        }
        (lo, hi)
    }

    /// The `MR x NR` tile `c = a_panel * b_panel (+ c)`.
    #[target_feature(enable = "avx512f")]
    unsafe fn kernel(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, accumulate: bool) {
        let (lo, hi) = tile(kc, a, b);
        for j in 0..NR {
            let out = c.add(j * ldc);
            let (mut l, mut h) = (lo[j], hi[j]);
            if accumulate {
                l = _mm512_add_ps(l, _mm512_loadu_ps(out));
                h = _mm512_add_ps(h, _mm512_loadu_ps(out.add(16)));
            }
            _mm512_storeu_ps(out, l);
            _mm512_storeu_ps(out.add(16), h);
        }
    }
}

/// Persistent helper threads for splitting one product: started on first
/// use, woken per product, so a warmed product neither spawns nor allocates.
/// Work is cut into more chunks than threads and handed out from a counter,
/// so a helper the OS schedules late (other processes on the machine) costs
/// the caller nothing but the chunks it takes over.
#[cfg(all(feature = "fast-gemm", target_arch = "x86_64"))]
mod pool {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::{Duration, Instant};

    type Task = dyn Fn(usize) + Sync;

    /// A task on the caller's stack; the caller waits until every chunk is
    /// done before returning, and a helper only calls it after claiming a
    /// chunk of its generation, so the pointer is never used dangling.
    #[derive(Clone, Copy)]
    struct TaskRef(*const Task);
    // SAFETY: the task is `Sync` and outlives every use (see above).
    unsafe impl Send for TaskRef {}

    struct State {
        generation: u64,
        task: Option<TaskRef>,
        chunks: usize,
        helpers: usize,
    }

    struct Pool {
        state: Mutex<State>,
        wake: Condvar,
        generation: AtomicU64,
        /// Generation in the high 32 bits, next unclaimed chunk in the low.
        next: AtomicU64,
        done: AtomicUsize,
        /// One product at a time; a second caller runs its product alone.
        busy: Mutex<()>,
    }

    /// How long an idle helper spins before sleeping: a training loop's
    /// next large product usually comes sooner than a futex wake-up.
    const SPIN: Duration = Duration::from_micros(200);

    fn pool() -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(|| Pool {
            state: Mutex::new(State { generation: 0, task: None, chunks: 0, helpers: 0 }),
            wake: Condvar::new(),
            generation: AtomicU64::new(0),
            next: AtomicU64::new(0),
            done: AtomicUsize::new(0),
            busy: Mutex::new(()),
        })
    }

    /// Claims and runs chunks of `generation` until none are left.
    fn work(pool: &Pool, generation: u64, chunks: usize, task: TaskRef) {
        let tag = generation << 32;
        let mut current = pool.next.load(Ordering::Acquire);
        loop {
            if current & !0xffff_ffff != tag || (current & 0xffff_ffff) as usize >= chunks {
                return;
            }
            match pool.next.compare_exchange_weak(current, current + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    // SAFETY: see `TaskRef`; the chunk is ours alone.
                    unsafe { (*task.0)((current & 0xffff_ffff) as usize) };
                    pool.done.fetch_add(1, Ordering::AcqRel);
                    current = pool.next.load(Ordering::Acquire);
                }
                Err(actual) => current = actual,
            }
        }
    }

    /// `seen` is the generation current when the helper was spawned: the
    /// first product it must help with may be published before it starts.
    fn helper(mut seen: u64) {
        let pool = pool();
        loop {
            let start = Instant::now();
            let mut spins = 0u32;
            while pool.generation.load(Ordering::Acquire) == seen {
                std::hint::spin_loop();
                spins += 1;
                if spins.is_multiple_of(256) && start.elapsed() > SPIN {
                    break;
                }
            }
            let mut state = pool.state.lock().unwrap_or_else(|e| e.into_inner());
            while state.generation == seen {
                state = pool.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            seen = state.generation;
            let (task, chunks) = (state.task, state.chunks);
            drop(state);
            if let Some(task) = task {
                work(pool, seen, chunks, task);
            }
        }
    }

    /// Runs `task(0..chunks)` on up to `threads` threads, the caller included.
    pub(super) fn run(threads: usize, chunks: usize, task: &(dyn Fn(usize) + Sync + '_)) {
        let pool = pool();
        let busy = if threads > 1 && chunks > 1 { pool.busy.try_lock().ok() } else { None };
        let Some(_busy) = busy else {
            (0..chunks).for_each(task);
            return;
        };
        // SAFETY: erases the lifetime only; we wait for every chunk below.
        let erased: &'static Task =
            unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync + '_), &'static Task>(task) };
        let generation = {
            let mut state = pool.state.lock().unwrap_or_else(|e| e.into_inner());
            while state.helpers < threads - 1 {
                let seen = state.generation;
                let spawned = std::thread::Builder::new()
                    .name(format!("typenet-gemm-{}", state.helpers + 1))
                    .spawn(move || helper(seen));
                if spawned.is_err() {
                    break;
                }
                state.helpers += 1;
            }
            state.generation += 1;
            let generation = state.generation;
            pool.done.store(0, Ordering::Release);
            pool.next.store(generation << 32, Ordering::Release);
            state.task = Some(TaskRef(erased));
            state.chunks = chunks;
            pool.generation.store(generation, Ordering::Release);
            generation
        };
        pool.wake.notify_all();
        work(pool, generation, chunks, TaskRef(erased));
        let start = Instant::now();
        while pool.done.load(Ordering::Acquire) != chunks {
            std::hint::spin_loop();
            if start.elapsed() > Duration::from_micros(500) {
                std::thread::yield_now();
            }
        }
        pool.state.lock().unwrap_or_else(|e| e.into_inner()).task = None;
    }
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
    fn large_copies_split_over_threads_copy_everything() {
        let src: Vec<f32> = (0..(1 << 21) + 7).map(|i| i as f32).collect();
        let mut dst = vec![0.0f32; src.len()];
        copy(&mut dst, &src);
        assert_eq!(dst, src);
    }

    #[test]
    fn thread_count_changes_nothing_but_speed() {
        let (m, k, n) = (200, 300, 100);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.13).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.07).cos()).collect();
        let mut one = vec![0.0; m * n];
        let mut all = vec![0.0; m * n];
        matmul_cols(m, k, n, &a, &b, &mut all);
        set_num_threads(1);
        matmul_cols(m, k, n, &a, &b, &mut one);
        set_num_threads(0);
        assert_eq!(one, all);
    }

    #[test]
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
        ] {
            let a_data: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
            let b_data: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.11).cos()).collect();
            for (a, b) in [
                (Operand::cols(&a_data, m), Operand::cols(&b_data, k)),
                (Operand::transposed(&a_data, k), Operand::transposed(&b_data, n)),
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
