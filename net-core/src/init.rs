//! Initialisers, as Keras defines them, for built-in and custom layers:
//! each fills a tensor's values from a generator (the network's
//! initialisation generator when called from `Init::init`).
//!
//! ```
//! use typenet::init;
//! use typenet::rand::SeedableRng;
//! let mut rng = typenet::rng::init_rng(7);
//! let mut w = vec![0.0f32; 12];
//! init::glorot_uniform(&mut rng, 4, 3, &mut w);
//! let limit = (6.0f32 / 7.0).sqrt();
//! assert!(w.iter().all(|v| v.abs() <= limit));
//! ```

#[cfg(not(feature = "std"))]
use crate::no_std_prelude::*;
use nalgebra::DMatrix;
use rand::Rng;

/// Keras' `GlorotUniform`: values uniform in `±sqrt(6 / (fan_in + fan_out))`.
pub fn glorot_uniform<R: Rng + ?Sized>(rng: &mut R, fan_in: usize, fan_out: usize, values: &mut [f32]) {
    let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
    for w in values {
        *w = rng.random_range(-limit..limit);
    }
}

/// Keras' `Orthogonal` for a `rows x cols` matrix (`rows >= cols`),
/// column-major into `values`: the Q factor of a standard normal matrix,
/// signs fixed by R's diagonal, so its columns are orthonormal.
///
/// ```
/// let mut rng = typenet::rng::init_rng(1);
/// let mut q = vec![0.0f32; 6 * 3];
/// typenet::init::orthogonal(&mut rng, 6, 3, &mut q);
/// let dot: f32 = (0..6).map(|i| q[i] * q[6 + i]).sum();
/// assert!(dot.abs() < 1e-5);
/// ```
///
/// # Panics
/// If `values` does not hold `rows * cols` values or `rows < cols`.
pub fn orthogonal<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize, values: &mut [f32]) {
    assert!(rows >= cols, "an orthogonal {rows}x{cols} matrix needs at least as many rows as columns");
    assert_eq!(values.len(), rows * cols, "an orthogonal {rows}x{cols} matrix has {} values", rows * cols);
    let normal = DMatrix::<f64>::from_fn(rows, cols, |_, _| standard_normal(rng));
    let qr = normal.qr();
    let (q, r) = (qr.q(), qr.r());
    for j in 0..cols {
        let sign = if r[(j, j)] < 0.0 { -1.0 } else { 1.0 };
        for i in 0..rows {
            values[j * rows + i] = (q[(i, j)] * sign) as f32;
        }
    }
}

/// Values drawn from `N(mean, std²)` (Keras' `RandomNormal`).
pub fn normal<R: Rng + ?Sized>(rng: &mut R, mean: f32, std: f32, values: &mut [f32]) {
    for w in values {
        *w = (mean as f64 + std as f64 * standard_normal(rng)) as f32;
    }
}

/// One standard normal draw (Box-Muller), in f64.
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_have_the_asked_moments() {
        let mut rng = crate::rng::init_rng(3);
        let mut v = vec![0.0f32; 20_000];
        normal(&mut rng, 1.0, 0.5, &mut v);
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!((mean - 1.0).abs() < 0.02 && (var.sqrt() - 0.5).abs() < 0.02, "{mean} {var}");
    }
}
