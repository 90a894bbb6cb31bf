//! The one place that knows which CPU features the vectorised code paths
//! use: [`vectorized`] runs a closure compiled for them when the CPU has
//! every one, and the detection checks exactly the features the clone is
//! compiled with (one list, [`FEATURES`], checked against the attribute by
//! a test), so the two cannot drift apart.
//!
//! The crate targets baseline x86-64, whose loops run four lanes wide;
//! code run through [`vectorized`] is inlined into a function compiled for
//! AVX-512 (and AVX2/FMA), so LLVM vectorises it sixteen wide. Only
//! operations whose result does not depend on the vector width go through
//! it unchanged (IEEE add, multiply, divide and square root are exact per
//! element; fused multiply-adds are written explicitly where wanted).

use core::sync::atomic::{AtomicU8, Ordering};

/// The features of the vectorised clone, as `#[target_feature]` names.
/// Every `#[target_feature]` attribute in the crate (here and on the packed
/// kernel) must list exactly these; a test reads the sources to check.
#[cfg_attr(not(test), allow(dead_code))]
pub const FEATURES: [&str; 5] = ["avx512f", "avx512vl", "avx512dq", "avx2", "fma"];

const UNKNOWN: u8 = 0;
const ABSENT: u8 = 1;
const PRESENT: u8 = 2;

/// Detection, done once: every check costs a few nanoseconds, which a
/// one-sample `predict` on a small network cannot spare.
static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether the CPU has every feature in [`FEATURES`] (and
/// `TYPENET_NO_AVX512` is not set, which forces the baseline code: for
/// valgrind, which does not emulate AVX-512, and for testing the fallback).
#[inline]
pub fn available() -> bool {
    match LEVEL.load(Ordering::Relaxed) {
        PRESENT => true,
        ABSENT => false,
        _ => detect(),
    }
}

#[cold]
fn detect() -> bool {
    let present = !forced_off() && cpu_has_features();
    LEVEL.store(if present { PRESENT } else { ABSENT }, Ordering::Relaxed);
    present
}

/// Whether `TYPENET_NO_AVX512` asks for the baseline code (never without
/// `std`, which has no environment).
fn forced_off() -> bool {
    #[cfg(feature = "std")]
    return std::env::var_os("TYPENET_NO_AVX512").is_some();
    #[cfg(not(feature = "std"))]
    false
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn cpu_has_features() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(not(all(target_arch = "x86_64", feature = "std")))]
fn cpu_has_features() -> bool {
    false
}

/// Runs `f`, compiled for [`FEATURES`] when the CPU has them all.
///
/// Write the closure `#[inline(always)] || ...`: the code is compiled for
/// the features only once inlined into `with_features`, and without the
/// attribute LLVM may keep a large closure as a baseline function (where
/// `f32::mul_add`, say, becomes a slow library call).
#[inline(always)]
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: `available()` checked every feature `with_features` is
        // compiled for.
        return unsafe { with_features(f) };
    }
    f()
}

/// `f()` in a function compiled for [`FEATURES`]; `f` is inlined into it.
///
/// # Safety
/// The CPU must have every feature in [`FEATURES`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
unsafe fn with_features<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_checks_exactly_the_features_the_clones_are_compiled_for() {
        let source = include_str!("simd.rs");
        let attributes: Vec<&str> = [source, include_str!("packed.rs"), include_str!("small.rs")]
            .iter()
            .flat_map(|file| file.lines())
            .filter_map(|line| line.trim().strip_prefix("#[target_feature(enable = \""))
            .collect();
        assert!(attributes.len() >= 4, "the clones' attributes");
        for attribute in attributes {
            let compiled: Vec<&str> = attribute.trim_end_matches("\")]").split(',').collect();
            assert_eq!(compiled, FEATURES);
        }
        let detect_body = &source[source.find("fn cpu_has_features").expect("detection")..];
        for feature in FEATURES {
            assert!(
                detect_body.contains(&format!("is_x86_feature_detected!(\"{feature}\")")),
                "{feature} is not checked"
            );
        }
    }

    #[test]
    fn vectorized_code_gives_the_same_bits() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin()).collect();
        // One NaN for every NaN: IEEE leaves the sign of `sqrt(-x)`'s NaN
        // open (Miri draws it at random).
        let bits = |v: f32| if v.is_nan() { f32::NAN.to_bits() } else { v.to_bits() };
        let plain: Vec<u32> = x.iter().map(|v| bits((v * 3.0 + 1.5).sqrt() / 7.0)).collect();
        let fast: Vec<u32> = vectorized(
            #[inline(always)]
            || x.iter().map(|v| bits((v * 3.0 + 1.5).sqrt() / 7.0)).collect(),
        );
        assert_eq!(plain, fast);
    }
}
