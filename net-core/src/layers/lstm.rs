//! `Lstm<U>`: the long short-term memory cell, PyTorch's equations
//! (gates i, f, g, o), on the shared recurrent layer.
//!
//! ```text
//! i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(.. f ..)
//! g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(.. o ..)
//! c' = f c + i g                             h' = o tanh(c')
//! ```

use super::recurrent::{Cell, Recurrent};
use crate::math::{gate_sigmoid as sigmoid, tanh};
use crate::phase::Eval;

/// The LSTM cell (see [`Lstm`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct LstmCell;

/// An LSTM over `T` steps of `F` features with `U` U: PyTorch's
/// `nn.LSTM(F, U, batch_first=True)` (one layer), returning the last
/// step's state, or every step's with `SEQ` (`return_sequences = true`).
/// Its tensors are `weight_ih_l0` `[4U, F]`, `weight_hh_l0` `[4U, U]`,
/// `bias_ih_l0` and `bias_hh_l0` `[4U]`, gates i, f, g, o.
///
/// ```
/// use typenet::prelude::*;
/// network! { struct Reader { input: [8, 8], rnn: Lstm<16>, out: Dense<10> } }
/// assert_eq!(Reader::PARAMS, 4 * 16 * (8 + 16 + 2) + 16 * 10 + 10);
/// let net = Reader::<Eval>::seeded(1);
/// let y = net.predict(&SVector::<f32, 64>::from_element(0.5));
/// assert!(y.iter().all(|v| v.is_finite()));
/// ```
pub type Lstm<
    const T: usize,
    const F: usize,
    const U: usize,
    const SEQ: bool = false,
    P = Eval,
    const DROPOUT: bool = false,
> = Recurrent<LstmCell, T, F, U, SEQ, P, DROPOUT>;

/// Where each kept value of a unit lives: gate activations, the cell
/// state and its tanh.
const I: usize = 0;
const FORGET: usize = 1;
const G: usize = 2;
const O: usize = 3;
const CELL: usize = 4;
const TANH_CELL: usize = 5;

impl Cell for LstmCell {
    const NAME: &'static str = "Lstm";
    const GATES: usize = 4;
    const KEPT: usize = 6;
    const SUMS_PROJECTIONS: bool = true;

    fn initial_bias(gate: usize) -> f32 {
        if gate == FORGET {
            1.0
        } else {
            0.0
        }
    }

    #[inline(always)]
    fn cell_forward<const U: usize>(
        ain: &[&[f32]; 4],
        ah: &[&[f32]; 4],
        b_ih: &[f32],
        b_hh: &[f32],
        _h_prev: &[f32],
        kept_prev: Option<&[f32]>,
        h: &mut [f32],
        kept: &mut [f32],
    ) {
        // Pass by pass, each a plain loop over the units (in the kept
        // slots): loops the compiler vectorises even for 8 units, where one
        // loop doing everything would be unrolled and left scalar.
        let kept = &mut kept[..Self::KEPT * U];
        let pre = |out: &mut [f32], gate: usize| {
            let (a, h, bi, bh) =
                (&ain[gate][..U], &ah[gate][..U], &b_ih[gate * U..][..U], &b_hh[gate * U..][..U]);
            for k in 0..U {
                out[k] = a[k] + bi[k] + h[k] + bh[k];
            }
        };
        // Written out gate by gate (no loop over gates with a branch in it),
        // so the four independent chains overlap.
        let (gi, rest) = kept.split_at_mut(U);
        let (gf, rest) = rest.split_at_mut(U);
        let (gg, rest) = rest.split_at_mut(U);
        let go = &mut rest[..U];
        pre(gi, I);
        pre(gf, FORGET);
        pre(gg, G);
        pre(go, O);
        gi.iter_mut().for_each(|v| *v = sigmoid(*v));
        gf.iter_mut().for_each(|v| *v = sigmoid(*v));
        gg.iter_mut().for_each(|v| *v = tanh(*v));
        go.iter_mut().for_each(|v| *v = sigmoid(*v));
        let (gates, rest) = kept.split_at_mut(CELL * U);
        let (c, tanh_c) = rest.split_at_mut(U);
        let (i, f, g, o) = (&gates[..U], &gates[U..2 * U], &gates[2 * U..3 * U], &gates[3 * U..4 * U]);
        match kept_prev {
            Some(prev) => {
                let before = &prev[CELL * U..(CELL + 1) * U];
                for k in 0..U {
                    c[k] = f[k] * before[k] + i[k] * g[k];
                }
            }
            None => {
                for k in 0..U {
                    c[k] = i[k] * g[k];
                }
            }
        }
        for k in 0..U {
            tanh_c[k] = tanh(c[k]);
        }
        let h = &mut h[..U];
        for k in 0..U {
            h[k] = o[k] * tanh_c[k];
        }
    }

    #[inline(always)]
    fn cell_backward<const U: usize>(
        dh: &[f32],
        carry: &mut [f32],
        kept: &[f32],
        kept_prev: Option<&[f32]>,
        _h_prev: &[f32],
        dain: &mut [&mut [f32]; 4],
        dah: &mut [&mut [f32]; 4],
        dh_prev: &mut [f32],
    ) {
        let at = |slot: usize, k: usize| kept[slot * U + k];
        for k in 0..U {
            let (i, f, g, o, tanh_c) = (at(I, k), at(FORGET, k), at(G, k), at(O, k), at(TANH_CELL, k));
            let c_prev = kept_prev.map_or(0.0, |p| p[CELL * U + k]);
            let d_o = dh[k] * tanh_c;
            let dc = carry[k] + dh[k] * o * (1.0 - tanh_c * tanh_c);
            carry[k] = dc * f;
            let grads = [
                dc * g * i * (1.0 - i),
                dc * c_prev * f * (1.0 - f),
                dc * i * (1.0 - g * g),
                d_o * o * (1.0 - o),
            ];
            for (gate, &grad) in grads.iter().enumerate() {
                dain[gate][k] = grad;
                dah[gate][k] = grad;
            }
            dh_prev[k] = 0.0;
        }
    }
}
