//! Where a window reads: the [`Geometry`] of a convolution or pooling
//! window over a channels-last map, as types, and the sizes that follow
//! from it.

use core::fmt;

/// The geometry of a convolution or pooling window over a channels-last
/// map: input `[H, W, C]`, window `[KH, KW]`, stride, dilation, zeros
/// added before the first row and column (`PT`, `PL`; after the last ones,
/// as many as the output size needs) and output `[OH, OW]`. `network!`
/// writes it as a [`Grid2d`] or [`Grid1d`] type.
pub trait Geometry: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// Input rows (1 for a 1-D map).
    const H: usize;
    /// Input columns (time steps of a 1-D map).
    const W: usize;
    /// Input channels.
    const C: usize;
    /// Window rows.
    const KH: usize;
    /// Window columns.
    const KW: usize;
    /// Vertical stride.
    const SH: usize;
    /// Horizontal stride.
    const SW: usize;
    /// Vertical dilation.
    const DH: usize;
    /// Horizontal dilation.
    const DW: usize;
    /// Zero rows before the first.
    const PT: usize;
    /// Zero columns before the first.
    const PL: usize;
    /// Output rows.
    const OH: usize;
    /// Output columns.
    const OW: usize;
    /// 1 for a 1-D map (`[T, C]`), 2 for an image.
    const RANK: usize;
    /// Whether each output step reads only this step and earlier ones
    /// (`padding = Causal`, or a one-step window, at stride 1): what lets a
    /// convolution stream.
    const CAUSAL: bool = false;
}

/// A 2-D geometry: `[H, W, C]` in, `[OH, OW, ..]` out.
///
/// ```
/// use typenet::layers::conv::{Geometry, Grid2d};
/// // 8x8x1, 3x3 window, stride 1, no dilation, no padding: 6x6 out.
/// type G = Grid2d<8, 8, 1, 3, 3, 1, 1, 1, 1, 0, 0, 6, 6>;
/// assert_eq!((G::OH, G::OW, G::RANK), (6, 6, 2));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Grid2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    const DH: usize,
    const DW: usize,
    const PT: usize,
    const PL: usize,
    const OH: usize,
    const OW: usize,
>;

impl<
        const H: usize,
        const W: usize,
        const C: usize,
        const KH: usize,
        const KW: usize,
        const SH: usize,
        const SW: usize,
        const DH: usize,
        const DW: usize,
        const PT: usize,
        const PL: usize,
        const OH: usize,
        const OW: usize,
    > Geometry for Grid2d<H, W, C, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW>
{
    const H: usize = H;
    const W: usize = W;
    const C: usize = C;
    const KH: usize = KH;
    const KW: usize = KW;
    const SH: usize = SH;
    const SW: usize = SW;
    const DH: usize = DH;
    const DW: usize = DW;
    const PT: usize = PT;
    const PL: usize = PL;
    const OH: usize = OH;
    const OW: usize = OW;
    const RANK: usize = 2;
}

/// A 1-D geometry: `[T, C]` in, `[OT, ..]` out, window `K`, stride `S`,
/// dilation `D`, `PL` zeros before the first step.
///
/// ```
/// use typenet::layers::conv::{Geometry, Grid1d};
/// // 10 steps of 3, kernel 3, dilation 2, causal: 4 zeros before, 10 out.
/// type G = Grid1d<10, 3, 3, 1, 2, 4, 10>;
/// assert_eq!((G::H, G::W, G::OW, G::RANK), (1, 10, 10, 1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Grid1d<
    const T: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const D: usize,
    const PL: usize,
    const OT: usize,
>;

impl<
        const T: usize,
        const C: usize,
        const K: usize,
        const S: usize,
        const D: usize,
        const PL: usize,
        const OT: usize,
    > Geometry for Grid1d<T, C, K, S, D, PL, OT>
{
    const H: usize = 1;
    const W: usize = T;
    const C: usize = C;
    const KH: usize = 1;
    const KW: usize = K;
    const SH: usize = 1;
    const SW: usize = S;
    const DH: usize = 1;
    const DW: usize = D;
    const PT: usize = 0;
    const PL: usize = PL;
    const OH: usize = 1;
    const OW: usize = OT;
    const RANK: usize = 1;
    /// A window of one step at stride 1 without padding (a pointwise
    /// `Conv1d<F, 1>`, as WaveNet and TCN blocks mix channels) reads only
    /// the current step: it streams without `padding = Causal`.
    const CAUSAL: bool = K == 1 && S == 1 && PL == 0;
}

/// A causal 1-D geometry: `[T, C]` in, `[T, ..]` out, window `K`, stride
/// 1, dilation `D`, `D * (K - 1)` zeros before the first step and none
/// after (Keras' `padding="causal"`): each output step sees only its own
/// and earlier steps, so the convolution can run one step at a time.
///
/// ```
/// use typenet::layers::conv::{Causal1d, Geometry};
/// type G = Causal1d<10, 3, 3, 2>;
/// assert_eq!((G::PL, G::OW, G::SW), (4, 10, 1));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Causal1d<const T: usize, const C: usize, const K: usize, const D: usize>;

impl<const T: usize, const C: usize, const K: usize, const D: usize> Geometry for Causal1d<T, C, K, D> {
    const H: usize = 1;
    const W: usize = T;
    const C: usize = C;
    const KH: usize = 1;
    const KW: usize = K;
    const SH: usize = 1;
    const SW: usize = 1;
    const DH: usize = 1;
    const DW: usize = D;
    const PT: usize = 0;
    const PL: usize = D * (K - 1);
    const OH: usize = 1;
    const OW: usize = T;
    const RANK: usize = 1;
    const CAUSAL: bool = true;
}

/// The values one sample has in (`H * W * C`).
pub(crate) const fn input_len<G: Geometry>() -> usize {
    G::H * G::W * G::C
}

/// Output positions per sample (`OH * OW`).
pub(crate) const fn positions<G: Geometry>() -> usize {
    G::OH * G::OW
}

/// The rows of a patch column (`KH * KW * C`).
pub(crate) const fn patch_len<G: Geometry>() -> usize {
    G::KH * G::KW * G::C
}

/// Whether the patches are the input itself (a 1x1 window, stride 1, no
/// padding): no gathering needed.
pub(crate) const fn patches_are_input<G: Geometry>() -> bool {
    G::KH == 1 && G::KW == 1 && G::SH == 1 && G::SW == 1 && G::PT == 0 && G::PL == 0
}
