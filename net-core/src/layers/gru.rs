//! `Gru<U>`: the gated recurrent unit, PyTorch's equations (gates r, z, n,
//! the reset gate applied after the recurrent product: Keras'
//! `reset_after=True`), on the shared recurrent layer.
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(.. z ..)
//! n = tanh(W_in x + b_in + r (W_hn h + b_hn))
//! h' = (1 - z) n + z h
//! ```

use super::recurrent::{Cell, Recurrent};
use crate::math::{gate_sigmoid as sigmoid, tanh};
use crate::phase::Eval;

/// The GRU cell (see [`Gru`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct GruCell;

/// A GRU over `T` steps of `F` features with `U` U: PyTorch's
/// `nn.GRU(F, U, batch_first=True)` (one layer), returning the last step's
/// state, or every step's with `SEQ` (`return_sequences = true`). Its
/// tensors are `weight_ih_l0` `[3U, F]`, `weight_hh_l0` `[3U, U]`,
/// `bias_ih_l0` and `bias_hh_l0` `[3U]`, gates r, z, n.
///
/// Keras users converting weights: Keras orders the gates z, r, h and
/// keeps both biases in one `(2, 3U)` tensor (input bias first, with
/// `reset_after=True`); its kernels are the transposes of PyTorch's.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Reader { input: [8, 8], rnn: Gru<16>, out: Dense<10> } }
/// assert_eq!(Reader::PARAMS, 3 * 16 * (8 + 16 + 2) + 16 * 10 + 10);
/// ```
pub type Gru<
    const T: usize,
    const F: usize,
    const U: usize,
    const SEQ: bool = false,
    P = Eval,
    const DROPOUT: bool = false,
> = Recurrent<GruCell, T, F, U, SEQ, P, DROPOUT>;

/// Where each kept value of a unit lives: the gates and the recurrent part
/// of the candidate, `W_hn h + b_hn`.
const R: usize = 0;
const Z: usize = 1;
const N: usize = 2;
const HN: usize = 3;

impl Cell for GruCell {
    const NAME: &'static str = "Gru";
    const GATES: usize = 3;
    const KEPT: usize = 4;
    const SUMS_PROJECTIONS: bool = false;

    fn initial_bias(_gate: usize) -> f32 {
        0.0
    }

    #[inline(always)]
    fn cell_forward<const U: usize>(
        ain: &[&[f32]; 4],
        ah: &[&[f32]; 4],
        b_ih: &[f32],
        b_hh: &[f32],
        h_prev: &[f32],
        _kept_prev: Option<&[f32]>,
        h: &mut [f32],
        kept: &mut [f32],
    ) {
        // Pass by pass, each a plain loop over the units (in the kept
        // slots): loops the compiler vectorises even for 8 units, where one
        // loop doing everything would be unrolled and left scalar.
        let (kr, rest) = kept[..Self::KEPT * U].split_at_mut(U);
        let (kz, rest) = rest.split_at_mut(U);
        let (kn, khn) = rest.split_at_mut(U);
        let gate_sum = |out: &mut [f32], gate: usize| {
            let (a, h, bi, bh) =
                (&ain[gate][..U], &ah[gate][..U], &b_ih[gate * U..][..U], &b_hh[gate * U..][..U]);
            for k in 0..U {
                out[k] = a[k] + bi[k] + h[k] + bh[k];
            }
        };
        // The independent chains first, side by side, so they overlap.
        gate_sum(kr, R);
        gate_sum(kz, Z);
        let (hn_part, bn_h) = (&ah[N][..U], &b_hh[2 * U..][..U]);
        for k in 0..U {
            khn[k] = hn_part[k] + bn_h[k];
        }
        kr.iter_mut().for_each(|v| *v = sigmoid(*v));
        kz.iter_mut().for_each(|v| *v = sigmoid(*v));
        let (an, bn_i) = (&ain[N][..U], &b_ih[2 * U..][..U]);
        for k in 0..U {
            kn[k] = an[k] + bn_i[k] + kr[k] * khn[k];
        }
        kn.iter_mut().for_each(|v| *v = tanh(*v));
        let (h_prev, h) = (&h_prev[..U], &mut h[..U]);
        for k in 0..U {
            h[k] = (1.0 - kz[k]) * kn[k] + kz[k] * h_prev[k];
        }
    }

    #[inline(always)]
    fn cell_backward<const U: usize>(
        dh: &[f32],
        _carry: &mut [f32],
        kept: &[f32],
        _kept_prev: Option<&[f32]>,
        h_prev: &[f32],
        dain: &mut [&mut [f32]; 4],
        dah: &mut [&mut [f32]; 4],
        dh_prev: &mut [f32],
    ) {
        let at = |slot: usize, k: usize| kept[slot * U + k];
        for k in 0..U {
            let (r, z, n, hn) = (at(R, k), at(Z, k), at(N, k), at(HN, k));
            let dn = dh[k] * (1.0 - z) * (1.0 - n * n);
            let dz = dh[k] * (h_prev[k] - n) * z * (1.0 - z);
            let dr = dn * hn * r * (1.0 - r);
            dain[R][k] = dr;
            dain[Z][k] = dz;
            dain[N][k] = dn;
            dah[R][k] = dr;
            dah[Z][k] = dz;
            dah[N][k] = dn * r;
            dh_prev[k] = dh[k] * z;
        }
    }
}
