//! Where the values of one step live in the buffers of a forward and a
//! backward: gate rows grouped per mask group, blocks of steps, and the
//! products that write into part of a matrix.

use crate::linalg::{matmul, Accum, Operand};
use crate::no_std_prelude::*;

/// Block `read` of `buf` (blocks of `len` values) and block `write`,
/// mutably; they differ.
pub(super) fn blocks_pair(
    buf: &mut [f32],
    len: usize,
    read: usize,
    write: usize,
) -> (&mut [f32], &mut [f32]) {
    assert_ne!(read, write, "a step reads and writes different blocks");
    if read < write {
        let (low, high) = buf.split_at_mut(write * len);
        (&mut low[read * len..(read + 1) * len], &mut high[..len])
    } else {
        let (low, high) = buf.split_at_mut(read * len);
        (&mut high[..len], &mut low[write * len..(write + 1) * len])
    }
}

/// How the gate rows of a projection are grouped in memory: all gates of a
/// column together (one group), or each gate's rows of every column
/// together (one group per gate, one product each).
pub(super) struct Layout {
    rows_per_group: usize,
    columns: usize,
}

impl Layout {
    pub(super) fn new(groups: usize, rows: usize, columns: usize) -> Self {
        Layout { rows_per_group: rows / groups, columns }
    }

    /// Where gate `gate`'s `units` values of column `col` start.
    #[inline(always)]
    pub(super) fn at(&self, gate: usize, units: usize, col: usize) -> usize {
        let row = gate * units;
        let (group, within) = (row / self.rows_per_group, row % self.rows_per_group);
        (group * self.columns + col) * self.rows_per_group + within
    }
}

/// Gate `k`'s `units` values of column `col` in a projection, for every
/// gate of a cell (unused entries empty).
#[inline(always)]
pub(super) fn gates<'a>(
    buf: &'a [f32],
    layout: &Layout,
    gates: usize,
    units: usize,
    col: usize,
) -> [&'a [f32]; 4] {
    core::array::from_fn(|k| if k < gates { &buf[layout.at(k, units, col)..][..units] } else { &[][..] })
}

/// The `gates` blocks of `U` values of one column stored gate after gate
/// (unused entries empty).
#[inline(always)]
pub(super) fn stacked<const U: usize>(buf: &[f32], gates: usize) -> [&[f32]; 4] {
    core::array::from_fn(|k| if k < gates { &buf[k * U..(k + 1) * U] } else { &[][..] })
}

/// Gate `k`'s `units` values of column `col` in a projection gradient,
/// mutably, for every gate of a cell (unused entries empty).
#[inline(always)]
pub(super) fn gates_mut<'a>(
    buf: &'a mut [f32],
    layout: &Layout,
    gates: usize,
    units: usize,
    col: usize,
) -> [&'a mut [f32]; 4] {
    let mut starts = [usize::MAX; 4];
    for (k, start) in starts.iter_mut().enumerate().take(gates) {
        *start = layout.at(k, units, col);
    }
    // The gates of one column are disjoint ranges: hand them out in
    // address order.
    let mut order: [usize; 4] = [0, 1, 2, 3];
    order[..gates].sort_unstable_by_key(|&k| starts[k]);
    let mut out: [&'a mut [f32]; 4] = Default::default();
    let mut rest = buf;
    let mut offset = 0;
    for &k in &order[..gates] {
        let (_, tail) = core::mem::take(&mut rest).split_at_mut(starts[k] - offset);
        let (gate, tail) = tail.split_at_mut(units);
        out[k] = gate;
        rest = tail;
        offset = starts[k] + units;
    }
    out
}

/// `c = a * b` (`m x n`) written into rows `first..first + m` of the
/// column-major `dst` whose columns have `dst_rows` rows (directly when
/// that is all of them).
#[allow(clippy::too_many_arguments)]
pub(super) fn product_into_rows(
    m: usize,
    k: usize,
    n: usize,
    a: Operand<'_>,
    b: Operand<'_>,
    dst: &mut [f32],
    dst_rows: usize,
    first: usize,
    scratch: &mut Vec<f32>,
) {
    if m == dst_rows {
        return matmul(m, k, n, a, b, dst, Accum::Replace);
    }
    scratch.resize(m * n, 0.0);
    matmul(m, k, n, a, b, scratch, Accum::Replace);
    for (column, part) in dst.chunks_exact_mut(dst_rows).zip(scratch.chunks_exact(m)) {
        column[first..first + m].copy_from_slice(part);
    }
}

/// The sum over `columns` columns of every gate row of a projection
/// gradient laid out as `layout`.
pub(super) fn row_sums(buf: &[f32], layout: &Layout, columns: usize, out: &mut [f32]) {
    out.fill(0.0);
    let units = layout.rows_per_group;
    for (group, sums) in out.chunks_exact_mut(units).enumerate() {
        let block = &buf[group * columns * units..(group + 1) * columns * units];
        for column in block.chunks_exact(units) {
            sums.iter_mut().zip(column).for_each(|(s, &g)| *s += g);
        }
    }
}
