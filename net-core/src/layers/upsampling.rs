//! `UpSampling2d`: nearest-neighbour upsampling of channels-last maps.

use core::fmt;

use rand::Rng;

use super::{Init, Layer, NoGrads, StepWidth, StepWise, Tensors};
use crate::phase::Phase;
use crate::tensor::{Cols, ColsMut};

/// Repeats each pixel of an `[H, W, C]` map `SH` times down and `SW` times
/// across, giving `[SH·H, SW·W, C]`: PyTorch's `nn.Upsample(scale_factor=S)`
/// (mode `nearest`) and Keras' `UpSampling2D` on channels-last maps. The
/// gradient of an input pixel is the sum over its copies. No parameters.
/// Written `UpSampling2d<S>` or `UpSampling2d<[SH, SW]>` in `network!`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Up { input: [2, 2, 1], up: UpSampling2d<2> } }
/// let net = Up::<Eval>::seeded(0);
/// let y = net.forward(&Batch::<4>::from_column_slice(&[1.0, 2.0, 3.0, 4.0]));
/// assert_eq!(y.as_slice()[..8], [1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
/// assert_eq!(Up::OUTPUT, 16);
/// ```
#[derive(Clone, Copy, Default, Tensors)]
#[tensors(crate = crate)]
pub struct UpSampling2d<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize>;

impl<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize>
    UpSampling2d<H, W, C, SH, SW>
{
    /// Values of one output row (`SW·W` pixels).
    const OUT_ROW: usize = SW * W * C;

    /// One input row `row` (`W·C` values) widened into `out` (`OUT_ROW`).
    fn widen(row: &[f32], out: &mut [f32]) {
        for (pixel, copies) in row.chunks_exact(C).zip(out.chunks_exact_mut(SW * C)) {
            for copy in copies.chunks_exact_mut(C) {
                copy.copy_from_slice(pixel);
            }
        }
    }
}

impl<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize> fmt::Debug
    for UpSampling2d<H, W, C, SH, SW>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UpSampling2d<{H}x{W}x{C} -> {}x{}x{C}>", SH * H, SW * W)
    }
}

impl<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize> Init
    for UpSampling2d<H, W, C, SH, SW>
{
    fn init<R: Rng + ?Sized>(_rng: &mut R) -> Self {
        UpSampling2d
    }
}

impl<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize> Layer
    for UpSampling2d<H, W, C, SH, SW>
{
    const INPUT: usize = H * W * C;
    const OUTPUT: usize = SH * H * SW * W * C;
    type Cache = ();
    type Grads = NoGrads;
    type InPhase<Q: Phase> = Self;

    fn infer(&self, x: Cols<'_>, mut y: ColsMut<'_>) {
        // Each input row becomes SH equal output rows: widen it once into
        // the first, copy that into the others.
        let rows =
            x.as_slice().chunks_exact(W * C).zip(y.as_mut_slice().chunks_exact_mut(SH * Self::OUT_ROW));
        for (row, out) in rows {
            let (first, rest) = out.split_at_mut(Self::OUT_ROW);
            Self::widen(row, first);
            for copy in rest.chunks_exact_mut(Self::OUT_ROW) {
                copy.copy_from_slice(first);
            }
        }
    }

    fn train_backward(
        &mut self,
        _x: Cols<'_>,
        _y: Cols<'_>,
        dy: ColsMut<'_>,
        _cache: &mut (),
        dx: Option<ColsMut<'_>>,
        _grads: Option<&mut NoGrads>,
    ) {
        let Some(mut dx) = dx else { return };
        let rows =
            dx.as_mut_slice().chunks_exact_mut(W * C).zip(dy.as_slice().chunks_exact(SH * Self::OUT_ROW));
        for (grad, copies) in rows {
            grad.fill(0.0);
            for out_row in copies.chunks_exact(Self::OUT_ROW) {
                for (pixel, pixel_copies) in grad.chunks_exact_mut(C).zip(out_row.chunks_exact(SW * C)) {
                    for copy in pixel_copies.chunks_exact(C) {
                        pixel.iter_mut().zip(copy).for_each(|(g, d)| *g += d);
                    }
                }
            }
        }
    }

    fn into_phase<Q: Phase>(self, _seed: u64) -> Self {
        self
    }
}

/// Not causal: a 2-D map has no time axis to step along.
impl<const H: usize, const W: usize, const C: usize, const SH: usize, const SW: usize> StepWise
    for UpSampling2d<H, W, C, SH, SW>
{
    const STEP: StepWidth = StepWidth::NotCausal("a 2-D upsampling has no time axis to step along");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_layer_gradients;

    #[test]
    fn backward_matches_finite_differences() {
        check_layer_gradients(UpSampling2d::<3, 2, 2, 2, 2>, 3);
        check_layer_gradients(UpSampling2d::<2, 3, 1, 3, 2>, 2);
        check_layer_gradients(UpSampling2d::<2, 2, 3, 1, 1>, 2);
    }

    #[test]
    fn every_output_pixel_is_its_nearest_input_pixel() {
        const H: usize = 3;
        const W: usize = 4;
        const C: usize = 2;
        let x: Vec<f32> = (0..2 * H * W * C).map(|i| i as f32).collect();
        let mut y = vec![0.0; 2 * H * W * C * 6];
        UpSampling2d::<H, W, C, 2, 3>.infer(Cols::new(&x, H * W * C), ColsMut::new(&mut y, H * W * C * 6));
        for sample in 0..2 {
            for r in 0..2 * H {
                for col in 0..3 * W {
                    for ch in 0..C {
                        let out = y[sample * H * W * C * 6 + (r * 3 * W + col) * C + ch];
                        assert_eq!(out, x[sample * H * W * C + ((r / 2) * W + col / 3) * C + ch]);
                    }
                }
            }
        }
    }
}
