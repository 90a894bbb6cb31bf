//! A packed GEMM with an AVX-512 micro-kernel (GotoBLAS blocking). Unlike
//! `matrixmultiply` and the `gemm` crate, which allocate their packing
//! buffers on every call, it packs into per-thread buffers that live as
//! long as the thread, so a warmed training step allocates nothing.
//!
//! Packing reads the operands through bounds-checked slices; only the
//! micro-kernel uses raw pointers, into the packed panels (whose extents
//! `block` computes) and into the output tile (whose extent `matmul`
//! checked).

use crate::no_std_prelude::*;
use core::arch::x86_64::*;
use core::cell::RefCell;

use super::par::{self, Shared};
use super::{Accum, Operand};

/// Rows of a micro-tile: two 16-lane registers.
const MR: usize = 32;
/// Columns of a micro-tile: 16 accumulators, enough to hide FMA latency
/// on two ports.
const NR: usize = 8;
/// Greatest depth of a packed block: a 32 x 320 panel of `a` and a
/// 320 x 8 panel of `b` (50 KiB) stay in L1 and L2's nearest lines; deeper
/// products are split into equal blocks.
const KC_MAX: usize = 320;
/// Rows of a packed block of `a` (512 KiB, inside a 2 MiB L2): a whole
/// 512-wide weight column per pass.
const MC: usize = 512;
/// Columns of a packed block of `b`.
const NC: usize = 2048;

thread_local! {
    /// Packed panels of `a` and `b`, kept for the thread's life.
    static BUFFERS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// `c (m x n, leading dimension m) = a * b (+ c)`, split over the threads
/// when large. The caller (`super::matmul`) checked that `a`, `b` and `c`
/// hold every element the product touches and that the CPU has the
/// features of `simd`.
pub(super) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    c: &mut [f32],
    accum: Accum,
) {
    let add = accum == Accum::Add;
    let threads = if m * k * n >= super::PARALLEL_PRODUCT { par::num_threads() } else { 1 };
    // Split the dimension whose other operand is cheaper to pack twice.
    let (split_n, unit, len) = if n >= m { (true, NR, n) } else { (false, MR, m) };
    // Every part re-packs the operand that is not split, so parts stay at
    // least MC (or NC / 4) wide; up to four per thread let the caller take
    // over from a helper the OS schedules late.
    let min_part = if split_n { NC / 4 } else { MC };
    let parts = if threads > 1 { (threads * 4).min(len / min_part).max(threads) } else { 1 };
    let size = len.div_ceil(unit).div_ceil(parts) * unit;
    let dst = Shared::new(c);
    let run = |part: usize| {
        let lo = (part * size).min(len);
        let hi = ((part + 1) * size).min(len);
        if lo == hi {
            return;
        }
        let tile = if split_n {
            let b = Operand { data: &b.data[lo * b.col_stride..], ..b };
            Tile { m, k, n: hi - lo, a, b, c: dst.offset(lo * m), ldc: m, add }
        } else {
            let a = Operand { data: &a.data[lo * a.row_stride..], ..a };
            Tile { m: hi - lo, k, n, a, b, c: dst.offset(lo), ldc: m, add }
        };
        // SAFETY: parts cover disjoint column ranges (or row ranges) of `c`,
        // each within the `m x n` output `super::matmul` checked, and `run`
        // ends only when every part has; `simd::available()` was checked by
        // the caller.
        unsafe { gemm(&tile) };
    };
    if parts == 1 {
        run(0);
    } else {
        par::run(threads, parts, &run);
    }
}

/// One thread's share of a product: `c (ldc) = a * b (+ c if add)`.
struct Tile<'a> {
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'a>,
    b: Operand<'a>,
    c: Shared,
    ldc: usize,
    add: bool,
}

/// A buffer of at least `len` values starting at a 64-byte boundary.
fn aligned(buf: &mut Vec<f32>, len: usize) -> &mut [f32] {
    const ALIGN: usize = 16;
    if buf.len() < len + ALIGN {
        buf.resize(len + ALIGN, 0.0);
    }
    let offset = buf.as_ptr().align_offset(64).min(ALIGN);
    &mut buf[offset..offset + len]
}

/// Runs a tile on this thread.
///
/// # Safety
/// The CPU has every feature of `simd::FEATURES`; `t.c` points to an
/// output of at least `t.m` rows (leading dimension `t.ldc`) and `t.n`
/// columns that no other thread reads or writes during the call; `t.a` and
/// `t.b` hold every element of the `m x k` and `k x n` operands.
unsafe fn gemm(t: &Tile<'_>) {
    BUFFERS.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (abuf, bbuf) = &mut *guard;
        let pa = aligned(abuf, MC * KC_MAX);
        let pb = aligned(bbuf, KC_MAX * NC);
        let mut jc = 0;
        while jc < t.n {
            let nc = NC.min(t.n - jc);
            let mut pc = 0;
            // Equal depths (a 288-deep product is one block of 288 or two
            // of 144, not 256 and 32): a thin last block would pay a full
            // pass over `c` for little work.
            let depth = t.k.div_ceil(t.k.div_ceil(KC_MAX));
            while pc < t.k {
                let kc = depth.min(t.k - pc);
                let accumulate = t.add || pc > 0;
                // A column-major `b` (im2col patches, activations) is read
                // in place, eight columns side by side: packing it would
                // transpose every value for one or two uses when `m` is a
                // convolution's few dozen filters (13 % of InceptionV3's
                // forward). Only a last, partial panel is packed.
                let direct = t.b.row_stride == 1 && t.b.col_stride >= kc;
                let whole = if direct { nc - nc % NR } else { 0 };
                // SAFETY: the CPU has the features (this function's contract).
                unsafe { pack_b(kc, nc - whole, t.b, pc, jc + whole, pb) };
                let panels = if direct {
                    let data = &t.b.data[pc + jc * t.b.col_stride..];
                    BPanels::Columns { data, stride: t.b.col_stride, whole, packed: &*pb }
                } else {
                    BPanels::Packed(&*pb)
                };
                let mut ic = 0;
                while ic < t.m {
                    let mc = MC.min(t.m - ic);
                    pack_a(mc, kc, t.a, ic, pc, pa);
                    let c = t.c.offset(ic + jc * t.ldc);
                    // SAFETY: the block `ic.., jc..` of `mc x nc` lies
                    // within the tile's output (the caller's contract); the
                    // panels were packed (or are read in place) for exactly
                    // these extents.
                    unsafe { block(mc, nc, kc, pa, panels, c, t.ldc, accumulate) };
                    ic += mc;
                }
                pc += kc;
            }
            jc += nc;
        }
    });
}

/// Packs `a[ic.., pc..]` (`mc x kc`) as MR-row panels, `p`-major inside,
/// rows past `mc` zero.
fn pack_a(mc: usize, kc: usize, a: Operand<'_>, ic: usize, pc: usize, out: &mut [f32]) {
    let at = |i: usize, p: usize| (ic + i) * a.row_stride + (pc + p) * a.col_stride;
    if a.row_stride == 1 && mc.is_multiple_of(MR) {
        // Column by column, so a large weight matrix streams from memory in
        // address order; columns a few ahead are prefetched, since the
        // hardware prefetchers stop at page boundaries.
        const AHEAD: usize = 4;
        for p in 0..kc {
            let start = at(0, p);
            let column = &a.data[start..start + mc];
            if p + AHEAD < kc {
                prefetch(&a.data[at(0, p + AHEAD)..], mc);
            }
            for (panel, rows) in column.chunks_exact(MR).enumerate() {
                let rows: &[f32; MR] = rows.try_into().expect("a panel row of MR values");
                out[panel * MR * kc + p * MR..panel * MR * kc + (p + 1) * MR].copy_from_slice(rows);
            }
        }
        return;
    }
    for (panel, i0) in (0..mc).step_by(MR).enumerate() {
        let rows = MR.min(mc - i0);
        let dst = &mut out[panel * MR * kc..(panel + 1) * MR * kc];
        if a.row_stride == 1 {
            for p in 0..kc {
                let start = at(i0, p);
                dst[p * MR..p * MR + rows].copy_from_slice(&a.data[start..start + rows]);
                dst[p * MR + rows..(p + 1) * MR].fill(0.0);
            }
        } else {
            if rows < MR {
                dst.fill(0.0);
            }
            for i in 0..rows {
                for p in 0..kc {
                    dst[p * MR + i] = a.data[at(i0 + i, p)];
                }
            }
        }
    }
}

/// Asks for the cache lines of the first `len` values of `data` (at most
/// as many as it has).
fn prefetch(data: &[f32], len: usize) {
    for line in (0..len.min(data.len())).step_by(16) {
        let address = data[line..].as_ptr().cast::<i8>();
        // SAFETY: a prefetch never faults, and the address is in bounds.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address) };
    }
}

/// Packs `b[pc.., jc..]` (`kc x nc`) as NR-column panels, `p`-major
/// inside, columns past `nc` zero.
///
/// # Safety
/// The CPU has every feature of `simd::FEATURES` (the column-major case
/// transposes in AVX registers).
unsafe fn pack_b(kc: usize, nc: usize, b: Operand<'_>, pc: usize, jc: usize, out: &mut [f32]) {
    let at = |p: usize, j: usize| (pc + p) * b.row_stride + (jc + j) * b.col_stride;
    for (panel, j0) in (0..nc).step_by(NR).enumerate() {
        let cols = NR.min(nc - j0);
        let dst = &mut out[panel * NR * kc..(panel + 1) * NR * kc];
        if b.col_stride == 1 && cols == NR {
            // Eight contiguous values per depth: a fixed-size copy the
            // compiler makes one vector move (a library call per row would
            // cost more than the row).
            for (p, row) in dst.chunks_exact_mut(NR).enumerate() {
                let start = at(p, j0);
                let values: &[f32; NR] = b.data[start..start + NR].try_into().expect("a row of NR values");
                row.copy_from_slice(values);
            }
        } else if b.col_stride == 1 {
            for p in 0..kc {
                let start = at(p, j0);
                dst[p * NR..p * NR + cols].copy_from_slice(&b.data[start..start + cols]);
                dst[p * NR + cols..(p + 1) * NR].fill(0.0);
            }
        } else if b.row_stride == 1 && cols == NR && kc >= 32 {
            // Columns contiguous (im2col patches, activations): read the
            // eight columns side by side, write each depth's row at once
            // (for short columns, setting up eight slices costs more).
            let column = |j: usize| &b.data[at(0, j0 + j)..at(0, j0 + j) + kc];
            let columns: [&[f32]; NR] = core::array::from_fn(column);
            let whole = kc - kc % 8;
            for p0 in (0..whole).step_by(8) {
                let blocks: [&[f32; 8]; NR] =
                    core::array::from_fn(|j| columns[j][p0..p0 + 8].try_into().expect("eight values"));
                let out: &mut [f32; 64] = (&mut dst[p0 * NR..(p0 + 8) * NR]).try_into().expect("eight rows");
                // SAFETY: the CPU has the features (this function's contract).
                unsafe { transpose8(&blocks, out) };
            }
            for p in whole..kc {
                for (value, column) in dst[p * NR..(p + 1) * NR].iter_mut().zip(&columns) {
                    *value = column[p];
                }
            }
        } else {
            if cols < NR {
                dst.fill(0.0);
            }
            for j in 0..cols {
                for p in 0..kc {
                    dst[p * NR + j] = b.data[at(p, j0 + j)];
                }
            }
        }
    }
}

/// `out[p * 8 + j] = columns[j][p]`: eight columns of eight values
/// turned into eight rows, in registers (the panels of a column-major `b`).
///
/// # Safety
/// The CPU has every feature of `simd::FEATURES`.
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
unsafe fn transpose8(columns: &[&[f32; 8]; 8], out: &mut [f32; 64]) {
    // SAFETY: each load reads the 8 values of one array; each store writes
    // 8 values of `out` at offsets 0, 8, .., 56.
    unsafe {
        let load = |j: usize| _mm256_loadu_ps(columns[j].as_ptr());
        let (r0, r1, r2, r3, r4, r5, r6, r7) =
            (load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7));
        let t0 = _mm256_unpacklo_ps(r0, r1);
        let t1 = _mm256_unpackhi_ps(r0, r1);
        let t2 = _mm256_unpacklo_ps(r2, r3);
        let t3 = _mm256_unpackhi_ps(r2, r3);
        let t4 = _mm256_unpacklo_ps(r4, r5);
        let t5 = _mm256_unpackhi_ps(r4, r5);
        let t6 = _mm256_unpacklo_ps(r6, r7);
        let t7 = _mm256_unpackhi_ps(r6, r7);
        let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        let rows = [
            _mm256_permute2f128_ps::<0x20>(s0, s4),
            _mm256_permute2f128_ps::<0x20>(s1, s5),
            _mm256_permute2f128_ps::<0x20>(s2, s6),
            _mm256_permute2f128_ps::<0x20>(s3, s7),
            _mm256_permute2f128_ps::<0x31>(s0, s4),
            _mm256_permute2f128_ps::<0x31>(s1, s5),
            _mm256_permute2f128_ps::<0x31>(s2, s6),
            _mm256_permute2f128_ps::<0x31>(s3, s7),
        ];
        for (p, row) in rows.iter().enumerate() {
            _mm256_storeu_ps(out.as_mut_ptr().add(p * 8), *row);
        }
    }
}

/// Where a block's panels of `b` are.
#[derive(Clone, Copy)]
enum BPanels<'a> {
    /// Every panel packed, `NR * kc` values each.
    Packed(&'a [f32]),
    /// The first `whole` columns read in place (column `j` starts at
    /// `data[j * stride]`), the panels after them packed.
    Columns { data: &'a [f32], stride: usize, whole: usize, packed: &'a [f32] },
}

/// One panel of `b`: packed, or NR columns read in place.
enum Panel<'a> {
    Packed(&'a [f32]),
    Columns([&'a [f32]; NR]),
}

impl<'a> BPanels<'a> {
    /// The panel of columns `j0..j0 + NR`, `kc` deep.
    fn panel(self, j0: usize, kc: usize) -> Panel<'a> {
        let packed = |buffer: &'a [f32], first: usize| {
            let index = (j0 - first) / NR;
            Panel::Packed(&buffer[index * NR * kc..(index + 1) * NR * kc])
        };
        match self {
            BPanels::Packed(buffer) => packed(buffer, 0),
            BPanels::Columns { data, stride, whole, packed: buffer } => {
                if j0 >= whole {
                    return packed(buffer, whole);
                }
                Panel::Columns(std::array::from_fn(|j| &data[(j0 + j) * stride..(j0 + j) * stride + kc]))
            }
        }
    }
}

/// `c (mc x nc, ldc) = packed a * b (+ c)`, tile by tile.
///
/// # Safety
/// The CPU has the features of `simd::FEATURES`; `c` points to `mc` rows
/// and `nc` columns (leading dimension `ldc`) this thread alone accesses;
/// `pa` holds `mc` rows packed over depth `kc` and `pb` gives `nc` columns
/// of that depth.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
unsafe fn block(
    mc: usize,
    nc: usize,
    kc: usize,
    pa: &[f32],
    pb: BPanels<'_>,
    c: Shared,
    ldc: usize,
    accumulate: bool,
) {
    for j0 in (0..nc).step_by(NR) {
        let cols = NR.min(nc - j0);
        let panel = pb.panel(j0, kc);
        for (ip, i0) in (0..mc).step_by(MR).enumerate() {
            let rows = MR.min(mc - i0);
            let a = &pa[ip * MR * kc..(ip + 1) * MR * kc];
            let (lo, hi) = match &panel {
                Panel::Packed(b) => tile(kc, a, b),
                Panel::Columns(columns) => tile_columns(kc, a, columns),
            };
            if rows == MR && cols == NR {
                for j in 0..NR {
                    // SAFETY: column `j0 + j`, rows `i0..i0 + MR` lie within
                    // the block (the contract), which this thread owns.
                    unsafe { store(c.offset(i0 + (j0 + j) * ldc).ptr(), lo[j], hi[j], accumulate) };
                }
            } else {
                let mut tmp = [0.0f32; MR * NR];
                for j in 0..NR {
                    // SAFETY: `tmp` holds MR values per column.
                    unsafe { store(tmp.as_mut_ptr().add(j * MR), lo[j], hi[j], false) };
                }
                for j in 0..cols {
                    for i in 0..rows {
                        // SAFETY: row `i0 + i < mc`, column `j0 + j < nc`:
                        // within the block.
                        let out = unsafe { &mut *c.offset(i0 + i + (j0 + j) * ldc).ptr() };
                        let v = tmp[i + j * MR];
                        *out = if accumulate { *out + v } else { v };
                    }
                }
            }
        }
    }
}

/// The `MR x NR` product of a packed panel of `a` and one of `b`, in
/// registers: the low and high 16 rows of each of the NR columns.
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
fn tile(kc: usize, a: &[f32], b: &[f32]) -> ([__m512; NR], [__m512; NR]) {
    assert!(a.len() >= kc * MR && b.len() >= kc * NR, "panels shorter than their depth");
    let mut lo = [_mm512_setzero_ps(); NR];
    let mut hi = [_mm512_setzero_ps(); NR];
    for p in 0..kc {
        // SAFETY: `p * MR + 32 <= kc * MR <= a.len()` (checked above).
        let (a0, a1) = unsafe {
            (_mm512_loadu_ps(a.as_ptr().add(p * MR)), _mm512_loadu_ps(a.as_ptr().add(p * MR + 16)))
        };
        let bp = &b[p * NR..p * NR + NR];
        for j in 0..NR {
            let bj = _mm512_set1_ps(bp[j]);
            lo[j] = _mm512_fmadd_ps(a0, bj, lo[j]);
            hi[j] = _mm512_fmadd_ps(a1, bj, hi[j]);
        }
    }
    (lo, hi)
}

/// [`tile`] with the NR columns of `b` read where they are: each column
/// is contiguous over the depth, so the eight streams are sequential.
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
fn tile_columns(kc: usize, a: &[f32], columns: &[&[f32]; NR]) -> ([__m512; NR], [__m512; NR]) {
    assert!(a.len() >= kc * MR && columns.iter().all(|c| c.len() >= kc), "panels shorter than their depth");
    let b: [*const f32; NR] = std::array::from_fn(|j| columns[j].as_ptr());
    let mut lo = [_mm512_setzero_ps(); NR];
    let mut hi = [_mm512_setzero_ps(); NR];
    for p in 0..kc {
        // SAFETY: `p * MR + 32 <= kc * MR <= a.len()` and `p < kc <=` every
        // column's length (checked above).
        unsafe {
            let (a0, a1) =
                (_mm512_loadu_ps(a.as_ptr().add(p * MR)), _mm512_loadu_ps(a.as_ptr().add(p * MR + 16)));
            for j in 0..NR {
                let bj = _mm512_set1_ps(*b[j].add(p));
                lo[j] = _mm512_fmadd_ps(a0, bj, lo[j]);
                hi[j] = _mm512_fmadd_ps(a1, bj, hi[j]);
            }
        }
    }
    (lo, hi)
}

/// Writes (or adds) one tile column: 32 values at `out`.
///
/// # Safety
/// `out` points to 32 values this thread may read and write; the CPU has
/// AVX-512F.
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
unsafe fn store(out: *mut f32, lo: __m512, hi: __m512, accumulate: bool) {
    // SAFETY: the caller gives 32 writable values at `out`.
    unsafe {
        let (mut l, mut h) = (lo, hi);
        if accumulate {
            l = _mm512_add_ps(l, _mm512_loadu_ps(out));
            h = _mm512_add_ps(h, _mm512_loadu_ps(out.add(16)));
        }
        _mm512_storeu_ps(out, l);
        _mm512_storeu_ps(out.add(16), h);
    }
}
