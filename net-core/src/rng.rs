//! The random generators: a seeded `rand` generator for initialisation and a
//! counter-based generator for dropout masks.

#[cfg(not(feature = "std"))]
use crate::no_std_prelude::*;
use core::sync::atomic::Ordering;

// The mask counter: 64 bits where the target has 64-bit atomics; on the
// others (32-bit microcontrollers) 32, so a stream repeats after 2^32
// words, far beyond what an `Eval` network draws there.
#[cfg(target_has_atomic = "64")]
use core::sync::atomic::AtomicU64 as AtomicWord;
#[cfg(target_has_atomic = "64")]
type Word = u64;
#[cfg(not(target_has_atomic = "64"))]
use core::sync::atomic::AtomicU32 as AtomicWord;
#[cfg(not(target_has_atomic = "64"))]
type Word = u32;

use rand::SeedableRng;

/// The generator behind `seeded(seed)`: the same seed gives the same network,
/// bit for bit, on every platform.
pub type InitRng = rand::rngs::StdRng;

/// The initialisation generator for a seed.
pub fn init_rng(seed: u64) -> InitRng {
    InitRng::seed_from_u64(seed)
}

/// Mixes a 64-bit value into a statistically independent one (SplitMix64's
/// finaliser). Counter-based: word `i` of a stream depends only on the key
/// and `i`, so masks can be drawn through `&self` with one atomic add.
#[inline(always)]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Derives the seed of stream `index` from a network seed, so the layers of
/// one network draw independent masks from one user-given seed.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    mix64(seed ^ mix64(index.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

/// A counter-based generator of dropout masks and training noise: what
/// every random layer of a network draws from in `Train`, seeded from the
/// network's seed (`into_train(seed)`), custom layers included.
///
/// Each 64-bit word yields two 32-bit uniforms; the counter is atomic so a
/// Monte-Carlo dropout layer inside an `Eval` network (`&self` forward)
/// still draws fresh masks while the network stays `Sync`. A draw reserves
/// a run of words, then reads them by index: the words of a reservation
/// are the same whatever order or thread reads them.
///
/// ```
/// use typenet::rng::MaskRng;
/// let mut rng = MaskRng::new(7);
/// let start = rng.reserve(2);
/// let (a, b) = rng.normal_pair(start);
/// assert!(a.is_finite() && b.is_finite());
/// assert_eq!(rng.uniform_pair(start + 1), MaskRng::new(7).uniform_pair(1));
/// ```
#[derive(Debug)]
pub struct MaskRng {
    key: u64,
    counter: AtomicWord,
}

impl MaskRng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Self {
        MaskRng { key: mix64(seed ^ 0x6a09_e667_f3bc_c908), counter: AtomicWord::new(0) }
    }

    /// Reserves `words` words of the stream through a shared reference.
    // `Word` is `u32` on some targets: the casts are not always the identity.
    #[allow(clippy::unnecessary_cast)]
    pub fn reserve_shared(&self, words: u64) -> u64 {
        self.counter.fetch_add(words as Word, Ordering::Relaxed) as u64
    }

    /// Reserves `words` words of the stream.
    #[allow(clippy::unnecessary_cast)]
    pub fn reserve(&mut self, words: u64) -> u64 {
        let c = self.counter.get_mut();
        let start = *c;
        *c = start.wrapping_add(words as Word);
        start as u64
    }

    /// Word `index` of this stream.
    #[inline(always)]
    pub fn word(&self, index: u64) -> u64 {
        mix64(self.key ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// The two uniforms in `[0, 1)` of word `index`.
    #[inline(always)]
    pub fn uniform_pair(&self, index: u64) -> (f32, f32) {
        let word = self.word(index);
        // 24 bits each: every value is an exact f32 below 1.
        let scale = 1.0 / (1u32 << 24) as f32;
        (((word >> 40) as u32) as f32 * scale, (((word >> 8) & 0xff_ffff) as u32) as f32 * scale)
    }

    /// Two independent standard normal draws from word `index` (Box-Muller).
    #[inline(always)]
    pub fn normal_pair(&self, index: u64) -> (f32, f32) {
        let (u1, u2) = self.uniform_pair(index);
        let radius = (-2.0 * (1.0 - u1).ln()).sqrt();
        let angle = 2.0 * core::f32::consts::PI * u2;
        (radius * angle.cos(), radius * angle.sin())
    }
}

impl Default for MaskRng {
    /// The generator of seed 0 (a layer's stream is reseeded when its
    /// network enters `Train`).
    fn default() -> Self {
        MaskRng::new(0)
    }
}

impl Clone for MaskRng {
    fn clone(&self) -> Self {
        MaskRng { key: self.key, counter: AtomicWord::new(self.counter.load(Ordering::Relaxed)) }
    }
}
