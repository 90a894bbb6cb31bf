//! Matrix products on column-major slices, routed to the fastest kernel
//! for the shape.
//!
//! nalgebra only calls its fast GEMM when a dimension is dynamic, and never
//! for a matrix-vector product, so layers call these functions on raw
//! slices instead of multiplying static matrices.

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

/// Below this many multiply-adds a plain loop beats packing for GEMM.
const SMALL_PRODUCT: usize = 4096;

/// `c (m x n, column-major, leading dimension m) = a (m x k) * b (k x n)`,
/// replacing or adding to `c`.
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
    if m * k * n <= SMALL_PRODUCT || n == 1 {
        small_matmul(m, k, n, a, b, c, accum);
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

/// The product as column updates `c[:, j] += a[:, p] * b[p, j]`, which the
/// compiler vectorises when `a` is column-major; no packing, no allocation.
fn small_matmul(m: usize, k: usize, n: usize, a: Operand<'_>, b: Operand<'_>, c: &mut [f32], accum: Accum) {
    for j in 0..n {
        let col = &mut c[j * m..(j + 1) * m];
        if accum == Accum::Replace {
            col.fill(0.0);
        }
        for p in 0..k {
            let scale = b.data[p * b.row_stride + j * b.col_stride];
            if scale == 0.0 {
                continue;
            }
            if a.row_stride == 1 {
                let a_col = &a.data[p * a.col_stride..p * a.col_stride + m];
                for (ci, ai) in col.iter_mut().zip(a_col) {
                    *ci += ai * scale;
                }
            } else {
                for (i, ci) in col.iter_mut().enumerate() {
                    *ci += a.data[i * a.row_stride + p * a.col_stride] * scale;
                }
            }
        }
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
    fn products_match_reference_for_all_layouts_and_sizes() {
        for &(m, k, n) in &[(3, 4, 5), (1, 1, 32), (64, 70, 33), (17, 100, 1)] {
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
