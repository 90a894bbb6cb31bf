//! `Conv2d` and `Conv1d`: convolutions over channels-last maps, computed as
//! one packed matrix product per batch (im2col).
//!
//! A sample is `[H, W, C]` (a 1-D map `[T, C]` is `[1, T, C]`), channels
//! fastest. The patches of every output position are gathered into the
//! columns of a `K x (positions * samples)` matrix (`K = KH * KW * C`,
//! ordered kernel row, kernel column, channel), so the convolution is
//! `weights (F x K) * patches`, whose columns are exactly the
//! channels-last output. The weights live in memory as `[KH][KW][C][F]`
//! (filters fastest, a column-major `F x K` matrix) and are saved in
//! PyTorch's `[F, C, KH, KW]` (`[F, C, K]` for Conv1d).
//!
//! One job per file: the window's [`Geometry`] (`geometry.rs`), gathering
//! and scattering patches (`patches.rs`, which the transposed convolution
//! shares), the kernel and bias tensors (`weights.rs`), the layer
//! (`layer.rs`) and its causal streaming (`streaming.rs`).

mod geometry;
mod layer;
mod patches;
mod streaming;
mod weights;

pub(crate) use geometry::{input_len, patch_len, patches_are_input, positions};
pub use geometry::{Causal1d, Geometry, Grid1d, Grid2d};
pub use layer::{Conv, Conv1d, Conv2d, ConvCache};
pub(crate) use patches::{col2im, im2col};
pub use streaming::RecentSteps;
pub use weights::{Bias, ConvWeights};
