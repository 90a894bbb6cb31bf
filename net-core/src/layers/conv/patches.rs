//! im2col and col2im: the patches of every output position gathered into
//! the columns of a matrix, and patch gradients added back onto the map.
//! A convolution's forward is one product with the patches; a transposed
//! convolution's is one product followed by col2im.

use super::geometry::{input_len, patch_len, positions, Geometry};

/// For each output position and row of its window, the runs of patch
/// values that are contiguous in the input too: calls `f(column, row,
/// input_offset, len)` with the patch column, the first patch row of the
/// run, the first input value (`None` where the window reads padding) and
/// the run's length. With dilation 1 a window row is one run (its kernel
/// columns are neighbours in the input); otherwise each tap is its own.
#[inline(always)]
fn for_each_run<G: Geometry>(mut f: impl FnMut(usize, usize, Option<usize>, usize)) {
    let row_len = G::KW * G::C;
    for oh in 0..G::OH {
        for ow in 0..G::OW {
            let column = oh * G::OW + ow;
            for kh in 0..G::KH {
                let row = kh * row_len;
                let Some(ih) = (oh * G::SH + kh * G::DH).checked_sub(G::PT).filter(|&i| i < G::H) else {
                    f(column, row, None, row_len);
                    continue;
                };
                let start = ow * G::SW;
                if G::DW == 1 {
                    // Kernel columns `lo..hi` read input columns inside the map.
                    let lo = G::PL.saturating_sub(start).min(G::KW);
                    let hi = (G::W + G::PL).saturating_sub(start).min(G::KW).max(lo);
                    if lo > 0 {
                        f(column, row, None, lo * G::C);
                    }
                    if hi > lo {
                        let iw = start + lo - G::PL;
                        f(column, row + lo * G::C, Some((ih * G::W + iw) * G::C), (hi - lo) * G::C);
                    }
                    if hi < G::KW {
                        f(column, row + hi * G::C, None, (G::KW - hi) * G::C);
                    }
                    continue;
                }
                for kw in 0..G::KW {
                    let iw = (start + kw * G::DW).checked_sub(G::PL).filter(|&i| i < G::W);
                    f(column, row + kw * G::C, iw.map(|iw| (ih * G::W + iw) * G::C), G::C);
                }
            }
        }
    }
}

/// Samples per part when copying patches over the threads: parts of at
/// least this many values (a copy is cheap; waking a helper is not).
const PARALLEL_COPY: usize = 1 << 18;

/// Samples per part for `cols` samples of `per_sample` values each, and the
/// threads to use: every thread for large batches, one for small ones.
fn sample_parts(cols: usize, per_sample: usize) -> (usize, usize) {
    if cols * per_sample < 2 * PARALLEL_COPY || cols < 2 {
        return (cols.max(1), 1);
    }
    let threads = crate::linalg::num_threads();
    (cols.div_ceil(threads * 4).max(PARALLEL_COPY.div_ceil(per_sample)).min(cols), threads)
}

/// Gathers the patches of `cols` samples `x` into `patches` (`K` rows,
/// one column per output position of each sample), samples split over the
/// threads when the batch is large (each sample's patches are its own).
pub(crate) fn im2col<G: Geometry>(x: &[f32], cols: usize, patches: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    let (samples, threads) = sample_parts(cols, k * p);
    let patches = &mut patches[..k * p * cols];
    crate::linalg::par::chunks_mut(patches, samples * k * p, threads, |start, part| {
        let first = start / (k * p);
        im2col_part::<G>(&x[first * n..], part.len() / (k * p), part);
    });
}

fn im2col_part<G: Geometry>(x: &[f32], cols: usize, patches: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    for (sample, out) in x.chunks_exact(n).zip(patches.chunks_exact_mut(k * p)).take(cols) {
        for_each_run::<G>(|column, row, at, len| {
            let dst = &mut out[column * k + row..column * k + row + len];
            match at {
                Some(at) => copy_run(dst, &sample[at..at + len]),
                None => dst.fill(0.0),
            }
        });
    }
}

/// `dst = src` for a run of patch values: short runs (one channel of a
/// grey image, say) by hand, where a library copy would cost more than
/// the values.
#[inline(always)]
fn copy_run(dst: &mut [f32], src: &[f32]) {
    if dst.len() <= 8 {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = s;
        }
    } else {
        dst.copy_from_slice(src);
    }
}

/// Adds the patch gradients back onto the input gradient `dx` (zeroed
/// first): each input value gets the sum over every window that read it,
/// in a fixed order.
pub(crate) fn col2im<G: Geometry>(patches: &[f32], cols: usize, dx: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    let (samples, threads) = sample_parts(cols, k * p);
    crate::linalg::par::chunks_mut(&mut dx[..n * cols], samples * n, threads, |start, part| {
        let first = start / n;
        col2im_part::<G>(&patches[first * k * p..], part.len() / n, part);
    });
}

fn col2im_part<G: Geometry>(patches: &[f32], cols: usize, dx: &mut [f32]) {
    let (k, p, n) = (patch_len::<G>(), positions::<G>(), input_len::<G>());
    dx[..n * cols].fill(0.0);
    for (sample, grads) in dx.chunks_exact_mut(n).zip(patches.chunks_exact(k * p)).take(cols) {
        for_each_run::<G>(|column, row, at, len| {
            if let Some(at) = at {
                let src = &grads[column * k + row..column * k + row + len];
                for (d, s) in sample[at..at + len].iter_mut().zip(src) {
                    *d += s;
                }
            }
        });
    }
}
