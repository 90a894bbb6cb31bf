//! Products without packing: register-blocked column products or column
//! updates when `a` is column-major, dot products when it is a transpose;
//! zero entries of `b` are skipped when `b` is mostly zero. For small
//! products, matrix-vector products (one-sample inference) and sparse
//! inputs, where packing would cost more than it saves.

use super::{simd, Accum, Operand};
#[cfg(not(feature = "std"))]
use crate::no_std_prelude::*;

/// `c (m x n) = a (m x k) * b (k x n)` (or `+=`) without packing. `sparse`
/// says whether `b` is mostly zero, decided once for the whole product by
/// the caller: parts of one product computed on different threads must
/// take the same path, or their sums would differ in the last bit.
#[allow(clippy::too_many_arguments)]
pub(super) fn small_matmul(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
    sparse: bool,
) {
    if simd::available() {
        simd::vectorized(
            #[inline(always)]
            || small_matmul_body::<true>(m, k, n, a, b, c, accum, sparse),
        );
    } else {
        small_matmul_body::<false>(m, k, n, a, b, c, accum, sparse);
    }
}

/// `y (OUT) = w (OUT x IN, column-major) * x (IN) + bias`, with sizes known
/// at compile time: one sample through a small layer. Each block of 16
/// outputs is a register accumulating one fused multiply-add per input
/// (AVX-512, masked for a partial block), so nothing is left to the
/// compiler's guess of how to vectorise eight or twelve lanes.
#[inline(always)]
pub(crate) fn gemv_fixed<const IN: usize, const OUT: usize>(
    w: &[f32],
    x: &[f32],
    bias: &[f32],
    y: &mut [f32],
) {
    let (w, x, bias, y) = (&w[..IN * OUT], &x[..IN], &bias[..OUT], &mut y[..OUT]);
    #[cfg(target_arch = "x86_64")]
    if simd::available() {
        // SAFETY: the CPU has the features (checked just above), and every
        // slice has the length the kernel reads or writes (sliced above).
        unsafe { gemv_fixed_avx512::<IN, OUT>(w, x, bias, y) };
        return;
    }
    y.copy_from_slice(bias);
    for (column, &xi) in w.chunks_exact(OUT).zip(x) {
        for (y, &c) in y.iter_mut().zip(column) {
            *y += c * xi;
        }
    }
}

/// [`gemv_fixed`] in AVX-512 registers: every block of 16 outputs has two
/// accumulators (even and odd inputs) live at once, so up to sixteen
/// independent chains of fused multiply-adds hide their latency.
///
/// # Safety
/// The CPU has every feature of `simd::FEATURES`; `w` holds `IN * OUT`
/// values, `x` `IN`, `bias` and `y` `OUT`; `OUT` is at most 128.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
#[allow(clippy::needless_range_loop)] // Blocks index two accumulator arrays and the mask.
unsafe fn gemv_fixed_avx512<const IN: usize, const OUT: usize>(
    w: &[f32],
    x: &[f32],
    bias: &[f32],
    y: &mut [f32],
) {
    use core::arch::x86_64::*;
    const MAX_BLOCKS: usize = 8;
    assert!(
        w.len() == IN * OUT && x.len() == IN && bias.len() == OUT && y.len() == OUT && OUT <= 16 * MAX_BLOCKS
    );
    if OUT == 8 {
        // A full 256-bit register: an unmasked store, which the activation's
        // load right after can forward from (a masked one stalls it).
        // SAFETY: `OUT == 8`, so eight values of a column, of `bias` and of
        // `y` are in bounds (checked above).
        let load = |i: usize| unsafe { _mm256_loadu_ps(w.as_ptr().add(i * 8)) };
        let mut even = unsafe { _mm256_loadu_ps(bias.as_ptr()) };
        let mut odd = _mm256_setzero_ps();
        let mut i = 0;
        while i + 1 < IN {
            even = _mm256_fmadd_ps(load(i), _mm256_set1_ps(x[i]), even);
            odd = _mm256_fmadd_ps(load(i + 1), _mm256_set1_ps(x[i + 1]), odd);
            i += 2;
        }
        if i < IN {
            even = _mm256_fmadd_ps(load(i), _mm256_set1_ps(x[i]), even);
        }
        // SAFETY: as above.
        unsafe { _mm256_storeu_ps(y.as_mut_ptr(), _mm256_add_ps(even, odd)) };
        return;
    }
    let blocks = OUT.div_ceil(16);
    let mask = |block: usize| -> __mmask16 {
        let lanes = (OUT - 16 * block).min(16);
        if lanes == 16 {
            0xffff
        } else {
            (1u16 << lanes) - 1
        }
    };
    // SAFETY (every access below): lanes `16 * block..` up to OUT of a
    // column of OUT values, and of `bias` and `y`, are in bounds (checked
    // above); masked loads and stores touch no other lane.
    let mut even = [_mm512_setzero_ps(); MAX_BLOCKS];
    let mut odd = [_mm512_setzero_ps(); MAX_BLOCKS];
    for block in 0..blocks {
        even[block] = unsafe { _mm512_maskz_loadu_ps(mask(block), bias.as_ptr().add(16 * block)) };
    }
    let load = |i: usize, block: usize| unsafe {
        _mm512_maskz_loadu_ps(mask(block), w.as_ptr().add(i * OUT + 16 * block))
    };
    let mut i = 0;
    while i + 1 < IN {
        let (x0, x1) = (_mm512_set1_ps(x[i]), _mm512_set1_ps(x[i + 1]));
        for block in 0..blocks {
            even[block] = _mm512_fmadd_ps(load(i, block), x0, even[block]);
            odd[block] = _mm512_fmadd_ps(load(i + 1, block), x1, odd[block]);
        }
        i += 2;
    }
    if i < IN {
        let x0 = _mm512_set1_ps(x[i]);
        for block in 0..blocks {
            even[block] = _mm512_fmadd_ps(load(i, block), x0, even[block]);
        }
    }
    for block in 0..blocks {
        let sum = _mm512_add_ps(even[block], odd[block]);
        unsafe { _mm512_mask_storeu_ps(y.as_mut_ptr().add(16 * block), mask(block), sum) };
    }
}

/// `y (rows) = w * x`, or `y += w * x` when `accumulate`, for a
/// column-major `w` of `rows` rows with leading dimension `ld` and
/// `x.len()` columns: one time step of one sample through a recurrent cell
/// or a streaming convolution, where the sizes are not type parameters.
/// Accumulators stay in AVX-512 registers; for short outputs the columns
/// are split over several accumulators so the multiply-add chains overlap.
///
/// # Panics
/// If `w` or `y` is too short for the shape, or `rows > ld` with more than
/// one column.
#[inline(always)]
pub(crate) fn gemv_ld(w: &[f32], ld: usize, rows: usize, x: &[f32], y: &mut [f32], accumulate: bool) {
    let cols = x.len();
    let y = &mut y[..rows];
    if cols == 0 || rows == 0 {
        if !accumulate {
            y.fill(0.0);
        }
        return;
    }
    assert!(cols == 1 || rows <= ld, "a column of {rows} rows overlaps the next at leading dimension {ld}");
    let extent =
        (cols - 1).checked_mul(ld).and_then(|e| e.checked_add(rows)).expect("matrix extent overflows");
    let w = &w[..extent];
    #[cfg(target_arch = "x86_64")]
    if simd::available() {
        // SAFETY: the CPU has the features (checked just above); `w` holds
        // `(cols - 1) * ld + rows` values and `y` `rows` (sliced above).
        unsafe { gemv_ld_avx512(w, ld, rows, x, y, accumulate) };
        return;
    }
    if !accumulate {
        y.fill(0.0);
    }
    for (j, &xj) in x.iter().enumerate() {
        for (y, &a) in y.iter_mut().zip(&w[j * ld..j * ld + rows]) {
            *y += a * xj;
        }
    }
}

/// [`gemv_ld`] in AVX-512 registers, 64 rows at a time (32 or 16 for
/// short outputs, with the columns split two, four or eight ways).
///
/// # Safety
/// The CPU has every feature of `simd::FEATURES`; `w` holds
/// `(x.len() - 1) * ld + rows` values, `y` `rows`; `rows <= ld` unless `x`
/// has one value.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
unsafe fn gemv_ld_avx512(w: &[f32], ld: usize, rows: usize, x: &[f32], y: &mut [f32], accumulate: bool) {
    // SAFETY (the calls): each chunk's rows lie within `rows`, which the
    // caller's contract covers.
    unsafe {
        match rows {
            0..=16 => gemv_chunk::<1, 8>(w, ld, 0, rows, x, y, accumulate),
            17..=32 => gemv_chunk::<2, 4>(w, ld, 0, rows, x, y, accumulate),
            _ => {
                let mut r0 = 0;
                while r0 < rows {
                    gemv_chunk::<4, 2>(w, ld, r0, (rows - r0).min(64), x, y, accumulate);
                    r0 += 64;
                }
            }
        }
    }
}

/// Rows `r0..r0 + len` (`len <= 16 * BLOCKS`) of [`gemv_ld`]: `BLOCKS`
/// registers of 16 rows, the columns dealt round-robin to `SPLITS`
/// accumulators each.
///
/// # Safety
/// As [`gemv_ld_avx512`], and `r0 + len <= rows`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
#[allow(clippy::needless_range_loop)] // Blocks index the accumulators and the masks together.
unsafe fn gemv_chunk<const BLOCKS: usize, const SPLITS: usize>(
    w: &[f32],
    ld: usize,
    r0: usize,
    len: usize,
    x: &[f32],
    y: &mut [f32],
    accumulate: bool,
) {
    use core::arch::x86_64::*;
    let masks: [__mmask16; BLOCKS] = core::array::from_fn(|b| {
        let lanes = len.saturating_sub(16 * b).min(16);
        if lanes == 16 {
            0xffff
        } else {
            ((1u32 << lanes) - 1) as __mmask16
        }
    });
    // Blocks past the chunk's rows (mask zero) are skipped, not loaded
    // with an empty mask: their start may lie past the end of `w` or `y`,
    // and even computing such a pointer with `add` is undefined behaviour.
    // The test is on a loop-invariant value, so it costs no misprediction.
    let live = |b: usize| masks[b] != 0;
    let mut acc = [[_mm512_setzero_ps(); BLOCKS]; SPLITS];
    if accumulate {
        for b in (0..BLOCKS).filter(|&b| live(b)) {
            // SAFETY: block `b` holds a row, so `r0 + 16 b < r0 + len <=
            // rows`, and masked lanes are rows `r0 + 16 b + lane < r0 +
            // len` of `y` (the contract).
            acc[0][b] = unsafe { _mm512_maskz_loadu_ps(masks[b], y.as_ptr().add(r0 + 16 * b)) };
        }
    }
    let cols = x.len();
    let mut j = 0;
    while j + SPLITS <= cols {
        for s in 0..SPLITS {
            let xj = _mm512_set1_ps(x[j + s]);
            for b in (0..BLOCKS).filter(|&b| live(b)) {
                // SAFETY: rows `r0 + 16 b ..` (masked to the chunk, and
                // the block holds one) of column `j + s < cols`: within
                // `w`'s extent.
                let a =
                    unsafe { _mm512_maskz_loadu_ps(masks[b], w.as_ptr().add((j + s) * ld + r0 + 16 * b)) };
                acc[s][b] = _mm512_fmadd_ps(a, xj, acc[s][b]);
            }
        }
        j += SPLITS;
    }
    while j < cols {
        let xj = _mm512_set1_ps(x[j]);
        for b in (0..BLOCKS).filter(|&b| live(b)) {
            // SAFETY: as above.
            let a = unsafe { _mm512_maskz_loadu_ps(masks[b], w.as_ptr().add(j * ld + r0 + 16 * b)) };
            acc[0][b] = _mm512_fmadd_ps(a, xj, acc[0][b]);
        }
        j += 1;
    }
    for b in (0..BLOCKS).filter(|&b| live(b)) {
        // Pairwise: log2(SPLITS) dependent additions, not SPLITS - 1.
        let mut width = SPLITS;
        while width > 1 {
            width /= 2;
            for s in 0..width {
                acc[s][b] = _mm512_add_ps(acc[s][b], acc[s + width][b]);
            }
        }
        let sum = acc[0][b];
        // SAFETY: as the loads of `y` above.
        unsafe { _mm512_mask_storeu_ps(y.as_mut_ptr().add(r0 + 16 * b), masks[b], sum) };
    }
}

/// `FMA`: fuse multiply-adds (only where the CPU has them; without, a fused
/// `mul_add` is a slow library call).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn small_matmul_body<const FMA: bool>(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
    sparse: bool,
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
        let sparse = blocked && sparse;
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
                use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
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
pub(super) fn looks_sparse(k: usize, n: usize, b: Operand<'_>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemv_with_a_leading_dimension_matches_a_reference() {
        for rows in [1, 5, 16, 17, 31, 32, 33, 64, 65, 130] {
            for cols in [0, 1, 3, 8, 9] {
                let ld = rows + 3;
                let w: Vec<f32> = (0..ld * cols.max(1)).map(|i| ((i * 7 % 23) as f32 - 11.0) / 7.0).collect();
                let x: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.37).sin()).collect();
                let start: Vec<f32> = (0..rows).map(|i| i as f32 * 0.25).collect();
                for accumulate in [false, true] {
                    let mut want = if accumulate { start.clone() } else { vec![0.0; rows] };
                    for (j, &xj) in x.iter().enumerate() {
                        for (i, want) in want.iter_mut().enumerate() {
                            *want += w[j * ld + i] * xj;
                        }
                    }
                    let mut got = start.clone();
                    gemv_ld(&w, ld, rows, &x, &mut got, accumulate);
                    for (g, w) in got.iter().zip(&want) {
                        assert!((g - w).abs() <= 1e-5 * (1.0 + w.abs()), "{rows}x{cols}: {g} vs {w}");
                    }
                }
            }
        }
    }

    /// Every tail of the chunked kernel (rows 1..=130: one, two and four
    /// blocks, full and partial, chunks of 64 followed by 1..=64 rows) on a
    /// matrix and an output that end exactly where the product does, so
    /// any pointer formed past them is caught by Miri (tools/miri.sh).
    #[test]
    fn gemv_forms_no_pointer_past_a_tight_matrix_for_any_row_count() {
        for rows in 1..=130 {
            for cols in [1, 2, 9] {
                let extent = (cols - 1) * rows + rows;
                let w: Vec<f32> = (0..extent).map(|i| ((i * 5 % 17) as f32 - 8.0) / 4.0).collect();
                let x: Vec<f32> = (0..cols).map(|i| 1.0 - i as f32 * 0.25).collect();
                for accumulate in [false, true] {
                    let start: Vec<f32> = (0..rows).map(|i| i as f32).collect();
                    let mut want = if accumulate { start.clone() } else { vec![0.0; rows] };
                    for (j, &xj) in x.iter().enumerate() {
                        for (i, want) in want.iter_mut().enumerate() {
                            *want += w[j * rows + i] * xj;
                        }
                    }
                    let mut got = start.into_boxed_slice();
                    gemv_ld(&w.clone().into_boxed_slice(), rows, rows, &x, &mut got, accumulate);
                    for (g, w) in got.iter().zip(&want) {
                        assert!((g - w).abs() <= 1e-5 * (1.0 + w.abs()), "{rows}x{cols}: {g} vs {w}");
                    }
                }
            }
        }
    }

    /// [`gemv_fixed`] at every block shape it distinguishes (8 wide, one to
    /// eight blocks of 16, the last full or partial), on tight slices.
    #[test]
    fn fixed_gemv_matches_a_reference_at_every_tail() {
        fn check<const IN: usize, const OUT: usize>() {
            let w: Vec<f32> = (0..IN * OUT).map(|i| ((i * 3 % 13) as f32 - 6.0) / 5.0).collect();
            let x: Vec<f32> = (0..IN).map(|i| 0.5 - i as f32 * 0.125).collect();
            let bias: Vec<f32> = (0..OUT).map(|i| i as f32 * 0.01).collect();
            let mut want = bias.clone();
            for (column, &xi) in w.chunks_exact(OUT).zip(&x) {
                for (want, &c) in want.iter_mut().zip(column) {
                    *want += c * xi;
                }
            }
            let mut got = vec![f32::NAN; OUT].into_boxed_slice();
            gemv_fixed::<IN, OUT>(&w, &x, &bias, &mut got);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-5 * (1.0 + w.abs()), "{IN}->{OUT}: {g} vs {w}");
            }
        }
        macro_rules! outs {
            ($($out:literal)*) => {$(
                check::<1, $out>();
                check::<2, $out>();
                check::<3, $out>();
            )*};
        }
        outs!(1 7 8 9 15 16 17 31 32 33 47 48 49 63 64 65 80 95 96 97 112 113 127 128);
    }

    #[test]
    fn gemv_refuses_a_matrix_shorter_than_its_shape() {
        let (w, x, mut y) = (vec![1.0f32; 10], vec![1.0f32; 3], vec![0.0f32; 4]);
        assert!(std::panic::catch_unwind(move || gemv_ld(&w, 4, 4, &x, &mut y, false)).is_err());
    }
}
