//! `RandomFlip`: images mirrored at random while training.

use crate::no_std_prelude::*;
use core::fmt;

use super::{Draws, Noise, Noisy};
use crate::phase::Eval;
use crate::tensor::{Cols, ColsMut};

/// Mirrors each `[H, W, C]` image left to right (`HORIZONTAL`) and top to
/// bottom (`VERTICAL`), each with probability 1/2 drawn per sample, in
/// [`Train`](crate::Train); the identity in [`Eval`]. Keras' `RandomFlip`
/// preprocessing layer, phase-typed like `Dropout`, so a network that
/// augments its inputs while training does not at inference. The gradient
/// is mirrored back the same way. Written `RandomFlip` (both directions),
/// `RandomFlip(horizontal)` or `RandomFlip(vertical)` in `network!`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Augmented { input: [4, 4, 1], flip: RandomFlip(horizontal), flat: Flatten, out: Dense<1> } }
/// let mut net = Augmented::<Train>::seeded(1);
/// let x = Batch::<16>::from_fn(8, |i, _| (i % 4) as f32); // columns 0, 1, 2, 3
/// net.forward(&x);
/// // Each image is itself or its mirror image.
/// for image in net.outputs()[0].1.chunks(16) {
///     let first_row = &image[..4];
///     assert!(first_row == [0.0, 1.0, 2.0, 3.0] || first_row == [3.0, 2.0, 1.0, 0.0]);
/// }
/// ```
pub type RandomFlip<
    const H: usize,
    const W: usize,
    const C: usize,
    P = Eval,
    const HORIZONTAL: bool = true,
    const VERTICAL: bool = true,
> = Noisy<Flips<H, W, C, HORIZONTAL, VERTICAL>, P>;

/// The noise of [`RandomFlip`]: per sample, a mirror image along the
/// allowed directions, each with probability 1/2.
///
/// ```
/// use typenet::layers::{Flips, Noise};
/// assert_eq!(<Flips<8, 8, 3, true, false> as Noise>::WIDTH, 192);
/// assert_eq!(Flips::<8, 8, 3, true, false>.words(5), 5); // one word per sample
/// ```
#[derive(Clone, Copy, Default)]
pub struct Flips<const H: usize, const W: usize, const C: usize, const HORIZONTAL: bool, const VERTICAL: bool>;

/// The record bit of a horizontal flip; `VERTICAL_FLIP` likewise.
const HORIZONTAL_FLIP: u8 = 1;
const VERTICAL_FLIP: u8 = 2;

impl<const H: usize, const W: usize, const C: usize, const HORIZONTAL: bool, const VERTICAL: bool>
    Flips<H, W, C, HORIZONTAL, VERTICAL>
{
    /// `dst` = `src` mirrored as `flips` says (a flip is its own inverse:
    /// the gradient goes back through the same call).
    fn mirror(src: &[f32], dst: &mut [f32], flips: u8) {
        let row_len = W * C;
        for (row, out) in dst.chunks_exact_mut(row_len).enumerate() {
            let from = if flips & VERTICAL_FLIP != 0 { H - 1 - row } else { row };
            let input = &src[from * row_len..(from + 1) * row_len];
            if flips & HORIZONTAL_FLIP == 0 {
                out.copy_from_slice(input);
                continue;
            }
            for (pixel, mirrored) in out.chunks_exact_mut(C).zip(input.chunks_exact(C).rev()) {
                pixel.copy_from_slice(mirrored);
            }
        }
    }

    /// Applies `flips[s]` to sample `s` of `src`.
    fn mirror_samples(src: Cols<'_>, mut dst: ColsMut<'_>, flips: &[u8]) {
        let n = H * W * C;
        let samples = src.as_slice().chunks_exact(n).zip(dst.as_mut_slice().chunks_exact_mut(n));
        for ((src, dst), &flips) in samples.zip(flips) {
            Self::mirror(src, dst, flips);
        }
    }
}

impl<const H: usize, const W: usize, const C: usize, const HORIZONTAL: bool, const VERTICAL: bool> fmt::Debug
    for Flips<H, W, C, HORIZONTAL, VERTICAL>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match (HORIZONTAL, VERTICAL) {
            (true, false) => "horizontal",
            (false, true) => "vertical",
            _ => "horizontal and vertical",
        };
        write!(f, "RandomFlip<{H}x{W}x{C}, {mode}>")
    }
}

impl<const H: usize, const W: usize, const C: usize, const HORIZONTAL: bool, const VERTICAL: bool> Noise
    for Flips<H, W, C, HORIZONTAL, VERTICAL>
{
    const WIDTH: usize = H * W * C;
    /// Per sample, which flips it got (`HORIZONTAL_FLIP | VERTICAL_FLIP`).
    type Record = Vec<u8>;

    fn words(&self, cols: usize) -> u64 {
        cols as u64
    }

    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, y: ColsMut<'_>, flips: &mut Vec<u8>) {
        flips.clear();
        flips.extend((0..x.cols() as u64).map(|sample| {
            let (across, down) = draws.uniform_pair(sample);
            let horizontal = if HORIZONTAL && across < 0.5 { HORIZONTAL_FLIP } else { 0 };
            let vertical = if VERTICAL && down < 0.5 { VERTICAL_FLIP } else { 0 };
            horizontal | vertical
        }));
        Self::mirror_samples(x, y, flips);
    }

    fn gradient(&self, flips: &Vec<u8>, dy: Cols<'_>, dx: ColsMut<'_>) {
        Self::mirror_samples(dy, dx, flips);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use crate::phase::Train;
    use crate::testing::{check_layer_gradients, check_noise_gradients};

    #[test]
    fn backward_matches_finite_differences_with_fixed_draws() {
        check_noise_gradients(Flips::<3, 4, 2, true, true>, 1, 8);
        check_noise_gradients(Flips::<3, 4, 2, true, false>, 2, 6);
        check_noise_gradients(Flips::<2, 3, 1, false, true>, 3, 6);
    }

    #[test]
    fn a_flip_mirrors_rows_or_columns_keeping_channels_together() {
        // A 2x3 image of 2 channels: pixel (r, c) holds [10r + c, -(10r + c)].
        let x: Vec<f32> = (0..2)
            .flat_map(|r| {
                (0..3).flat_map(move |c| [10.0 * r as f32 + c as f32, -(10.0 * r as f32 + c as f32)])
            })
            .collect();
        let mirrored = |flips: u8| {
            let mut y = vec![0.0; 12];
            Flips::<2, 3, 2, true, true>::mirror(&x, &mut y, flips);
            y
        };
        assert_eq!(mirrored(0), x);
        assert_eq!(mirrored(HORIZONTAL_FLIP)[..6], [2.0, -2.0, 1.0, -1.0, 0.0, -0.0]);
        assert_eq!(mirrored(VERTICAL_FLIP)[..6], x[6..]);
        assert_eq!(mirrored(HORIZONTAL_FLIP | VERTICAL_FLIP)[..2], [12.0, -12.0]);
    }

    /// Flips `samples` images of `[3, 5, 1]` whose values are their
    /// positions; returns which flips each got, read from the output.
    fn observed_flips<const HORIZONTAL: bool, const VERTICAL: bool>(seed: u64, samples: usize) -> Vec<u8> {
        let mut layer = RandomFlip::<3, 5, 1, Train, HORIZONTAL, VERTICAL>::new(Flips, seed);
        let x: Vec<f32> = (0..15 * samples).map(|i| (i % 15) as f32).collect();
        let (mut y, mut record) = (vec![0.0; x.len()], Vec::new());
        layer.train_forward(Cols::new(&x, 15), ColsMut::new(&mut y, 15), &mut record);
        let seen: Vec<u8> = y
            .chunks_exact(15)
            .map(|image| {
                // The first pixel tells the flips: 0 none, 4 horizontal, 10 vertical, 14 both.
                match image[0] as u8 {
                    0 => 0,
                    4 => HORIZONTAL_FLIP,
                    10 => VERTICAL_FLIP,
                    14 => HORIZONTAL_FLIP | VERTICAL_FLIP,
                    other => panic!("pixel {other} cannot come first"),
                }
            })
            .collect();
        assert_eq!(seen, record);
        for (image, &flips) in y.chunks_exact(15).zip(&record) {
            let mut want = vec![0.0; 15];
            Flips::<3, 5, 1, true, true>::mirror(&x[..15], &mut want, flips);
            assert_eq!(image, want);
        }
        record
    }

    #[test]
    fn each_direction_flips_half_the_samples_independently() {
        let samples = 4000;
        let flips = observed_flips::<true, true>(5, samples);
        let count = |bits: u8| flips.iter().filter(|&&f| f == bits).count() as f64;
        // Each of the four outcomes has probability 1/4.
        let (expected, sigma) = (samples as f64 / 4.0, (samples as f64 * 0.25 * 0.75).sqrt());
        for bits in [0, HORIZONTAL_FLIP, VERTICAL_FLIP, HORIZONTAL_FLIP | VERTICAL_FLIP] {
            assert!((count(bits) - expected).abs() < 4.0 * sigma, "{bits}: {}", count(bits));
        }
        let horizontal = observed_flips::<true, false>(6, samples);
        assert!(horizontal.iter().all(|&f| f & VERTICAL_FLIP == 0));
        let flipped = horizontal.iter().filter(|&&f| f != 0).count() as f64;
        assert!((flipped - samples as f64 / 2.0).abs() < 4.0 * (samples as f64 / 4.0).sqrt(), "{flipped}");
        let vertical = observed_flips::<false, true>(7, samples);
        assert!(vertical.iter().all(|&f| f & HORIZONTAL_FLIP == 0) && vertical.contains(&VERTICAL_FLIP));
    }

    #[test]
    fn the_same_seed_gives_the_same_flips_and_each_step_new_ones() {
        assert_eq!(observed_flips::<true, true>(9, 64), observed_flips::<true, true>(9, 64));
        assert_ne!(observed_flips::<true, true>(9, 64), observed_flips::<true, true>(10, 64));
        let mut layer = RandomFlip::<3, 5, 1, Train>::new(Flips, 9);
        let x = vec![1.0; 15 * 64];
        let (mut y, mut first, mut second) = (vec![0.0; x.len()], Vec::new(), Vec::new());
        layer.train_forward(Cols::new(&x, 15), ColsMut::new(&mut y, 15), &mut first);
        layer.train_forward(Cols::new(&x, 15), ColsMut::new(&mut y, 15), &mut second);
        assert_ne!(first, second);
    }

    #[test]
    fn eval_is_the_identity() {
        let layer = RandomFlip::<2, 2, 1, Eval>::new(Flips, 1);
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut y = [0.0f32; 8];
        layer.infer(Cols::new(&x, 4), ColsMut::new(&mut y, 4));
        assert_eq!(x, y);
        check_layer_gradients(layer, 2);
    }
}
