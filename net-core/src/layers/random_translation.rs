//! `RandomTranslation(fraction)`: images shifted at random while training.

use crate::no_std_prelude::*;
use core::fmt;

use super::{Draws, Noise, Noisy};
use crate::phase::Eval;
use crate::tensor::{Cols, ColsMut};

/// Shifts each `[H, W, C]` image by a whole number of rows and of columns,
/// each drawn per sample uniformly from `-floor(fraction·H) ..=
/// floor(fraction·H)` (`W` for columns), filling with zeros, in
/// [`Train`](crate::Train); the identity in [`Eval`]. Keras'
/// `RandomTranslation(fraction, fraction, fill_mode="constant",
/// interpolation="nearest")` on whole pixels, phase-typed like `Dropout`.
/// The gradient is shifted back (the shift's transpose: zero where the
/// input fell off the image). Written `RandomTranslation(fraction)` in
/// `network!`, `fraction` in `[0, 1]`.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Augmented { input: [8, 8, 1], shift: RandomTranslation(0.25), flat: Flatten, out: Dense<1> } }
/// let mut net = Augmented::<Train>::seeded(1);
/// let x = Batch::<64>::from_element(4, 1.0);
/// net.forward(&x);
/// // Shifted by at most 2 rows and 2 columns: the centre stays, zeros come in.
/// for image in net.outputs()[0].1.chunks(64) {
///     assert!((2..6).all(|r| (2..6).all(|c| image[r * 8 + c] == 1.0)));
/// }
/// let eval = net.into_eval();
/// assert_eq!(eval.forward(&x), eval.forward(&x));
/// ```
pub type RandomTranslation<const H: usize, const W: usize, const C: usize, P = Eval> =
    Noisy<Shifts<H, W, C>, P>;

/// The noise of [`RandomTranslation`]: per sample, a shift of up to
/// `fraction` of the height and of the width, zeros filling.
///
/// ```
/// use typenet::layers::Shifts;
/// let shifts = Shifts::<10, 20, 3>::new(0.2);
/// assert_eq!(shifts.max_shift(), (2, 4));
/// ```
#[derive(Clone, Copy)]
pub struct Shifts<const H: usize, const W: usize, const C: usize> {
    fraction: f32,
}

impl<const H: usize, const W: usize, const C: usize> Shifts<H, W, C> {
    /// Shifts of up to `fraction` of the height and of the width.
    ///
    /// # Panics
    /// If `fraction` is not in `[0, 1]` (`network!` checks this at compile
    /// time).
    pub fn new(fraction: f32) -> Self {
        assert!((0.0..=1.0).contains(&fraction), "RandomTranslation's fraction {fraction} is outside [0, 1]");
        Shifts { fraction }
    }

    /// The fraction it was made with.
    pub fn fraction(&self) -> f32 {
        self.fraction
    }

    /// The largest shift, in rows and in columns.
    pub fn max_shift(&self) -> (usize, usize) {
        let most = |size: usize| ((self.fraction as f64 * size as f64).floor() as usize).min(size);
        (most(H), most(W))
    }

    /// `dst` = `src` moved `down` rows and `right` columns (negative: up,
    /// left), zeros where nothing arrives.
    fn shift(src: &[f32], dst: &mut [f32], down: isize, right: isize) {
        let row_len = W * C;
        // Output columns `lo..hi` read input columns `lo - right..hi - right`.
        let lo = right.clamp(0, W as isize) as usize;
        let hi = (W as isize + right).clamp(0, W as isize) as usize;
        let from = (lo as isize - right) as usize;
        for (row, out) in dst.chunks_exact_mut(row_len).enumerate() {
            let source = row as isize - down;
            if !(0..H as isize).contains(&source) || hi <= lo {
                out.fill(0.0);
                continue;
            }
            let input = &src[source as usize * row_len..(source as usize + 1) * row_len];
            out[..lo * C].fill(0.0);
            out[lo * C..hi * C].copy_from_slice(&input[from * C..(from + hi - lo) * C]);
            out[hi * C..].fill(0.0);
        }
    }

    /// Shifts sample `s` of `src` by `shifts[s]`, or back with `back`.
    fn shift_samples(src: Cols<'_>, mut dst: ColsMut<'_>, shifts: &[[i32; 2]], back: bool) {
        let n = H * W * C;
        let sign = if back { -1 } else { 1 };
        let samples = src.as_slice().chunks_exact(n).zip(dst.as_mut_slice().chunks_exact_mut(n));
        for ((src, dst), &[down, right]) in samples.zip(shifts) {
            Self::shift(src, dst, (sign * down) as isize, (sign * right) as isize);
        }
    }
}

impl<const H: usize, const W: usize, const C: usize> fmt::Debug for Shifts<H, W, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RandomTranslation<{H}x{W}x{C}>({})", self.fraction)
    }
}

/// A whole number uniform in `-most..=most` from a uniform in `[0, 1)`.
fn uniform_shift(u: f32, most: usize) -> i32 {
    let choices = 2 * most + 1;
    ((u as f64 * choices as f64) as usize).min(choices - 1) as i32 - most as i32
}

impl<const H: usize, const W: usize, const C: usize> Noise for Shifts<H, W, C> {
    const WIDTH: usize = H * W * C;
    /// Per sample, the rows down and columns right it was moved.
    type Record = Vec<[i32; 2]>;

    fn words(&self, cols: usize) -> u64 {
        cols as u64
    }

    fn apply(&self, draws: Draws<'_>, x: Cols<'_>, y: ColsMut<'_>, shifts: &mut Vec<[i32; 2]>) {
        let (rows, columns) = self.max_shift();
        shifts.clear();
        shifts.extend((0..x.cols() as u64).map(|sample| {
            let (down, right) = draws.uniform_pair(sample);
            [uniform_shift(down, rows), uniform_shift(right, columns)]
        }));
        Self::shift_samples(x, y, shifts, false);
    }

    fn gradient(&self, shifts: &Vec<[i32; 2]>, dy: Cols<'_>, dx: ColsMut<'_>) {
        Self::shift_samples(dy, dx, shifts, true);
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
        check_noise_gradients(Shifts::<4, 5, 2>::new(0.5), 1, 8);
        check_noise_gradients(Shifts::<3, 3, 1>::new(1.0), 2, 8);
        check_noise_gradients(Shifts::<5, 4, 1>::new(0.2), 3, 4);
    }

    /// `x` moved by `[down, right]`, one value at a time.
    fn reference(x: &[f32], h: usize, w: usize, c: usize, [down, right]: [i32; 2]) -> Vec<f32> {
        let mut y = vec![0.0; x.len()];
        for r in 0..h as i32 {
            for col in 0..w as i32 {
                let (sr, sc) = (r - down, col - right);
                if (0..h as i32).contains(&sr) && (0..w as i32).contains(&sc) {
                    for ch in 0..c {
                        y[(r as usize * w + col as usize) * c + ch] =
                            x[(sr as usize * w + sc as usize) * c + ch];
                    }
                }
            }
        }
        y
    }

    fn train_forward(layer: &mut RandomTranslation<6, 7, 2, Train>, x: &[f32]) -> (Vec<f32>, Vec<[i32; 2]>) {
        let (mut y, mut shifts) = (vec![0.0; x.len()], Vec::new());
        layer.train_forward(Cols::new(x, 84), ColsMut::new(&mut y, 84), &mut shifts);
        (y, shifts)
    }

    #[test]
    fn each_image_is_its_input_shifted_with_zeros_filling() {
        let mut layer = RandomTranslation::<6, 7, 2, Train>::new(Shifts::new(0.5), 4);
        let samples = 200;
        let x: Vec<f32> = (0..84 * samples).map(|i| 1.0 + i as f32).collect();
        let (y, shifts) = train_forward(&mut layer, &x);
        for ((image, input), &shift) in y.chunks_exact(84).zip(x.chunks_exact(84)).zip(&shifts) {
            assert!(shift[0].abs() <= 3 && shift[1].abs() <= 3, "{shift:?}");
            assert_eq!(image, reference(input, 6, 7, 2, shift), "{shift:?}");
        }
        // Shifts both ways, including off the image entirely at the extremes.
        assert!(shifts.contains(&[-3, 3]) || shifts.contains(&[3, -3]) || shifts.contains(&[3, 3]));
    }

    #[test]
    fn the_shifts_are_uniform_over_the_allowed_range() {
        let mut layer = RandomTranslation::<6, 7, 2, Train>::new(Shifts::new(0.5), 8);
        let samples = 7000;
        let (_, shifts) = train_forward(&mut layer, &vec![0.0; 84 * samples]);
        // Rows and columns: up to 3 either way, 7 values of probability 1/7 each.
        let p = 1.0 / 7.0;
        let (expected, sigma) = (samples as f64 * p, (samples as f64 * p * (1.0 - p)).sqrt());
        for axis in 0..2 {
            for value in -3..=3 {
                let count = shifts.iter().filter(|s| s[axis] == value).count() as f64;
                assert!((count - expected).abs() < 4.0 * sigma, "axis {axis}, shift {value}: {count}");
            }
        }
        let mean = shifts.iter().map(|s| s[0] as f64).sum::<f64>() / samples as f64;
        assert!(mean.abs() < 4.0 * (4.0 / samples as f64).sqrt(), "{mean}");
    }

    #[test]
    fn the_same_seed_gives_the_same_shifts_and_fraction_zero_none() {
        let x = vec![1.0; 84 * 32];
        let mut a = RandomTranslation::<6, 7, 2, Train>::new(Shifts::new(0.3), 7);
        let mut b = RandomTranslation::<6, 7, 2, Train>::new(Shifts::new(0.3), 7);
        let (first, second) = (train_forward(&mut a, &x), train_forward(&mut a, &x));
        assert_ne!(first.1, second.1);
        assert_eq!(first, train_forward(&mut b, &x));
        let mut still = RandomTranslation::<6, 7, 2, Train>::new(Shifts::new(0.0), 7);
        let x: Vec<f32> = (0..84 * 8).map(|i| i as f32).collect();
        assert_eq!(train_forward(&mut still, &x).0, x);
    }

    #[test]
    fn eval_is_the_identity() {
        let layer = RandomTranslation::<2, 2, 1, Eval>::new(Shifts::new(1.0), 1);
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut y = [0.0f32; 8];
        layer.infer(Cols::new(&x, 4), ColsMut::new(&mut y, 4));
        assert_eq!(x, y);
        check_layer_gradients(layer, 2);
    }
}
