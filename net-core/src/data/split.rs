//! Stratified splitting: held-out parts with the classes in the same
//! proportions as the whole.

use rand::seq::SliceRandom;

use super::Dataset;
use crate::error::{Error, Result};
use crate::rng::init_rng;

impl<const IN: usize, const OUT: usize> Dataset<IN, OUT> {
    /// The class of every sample when the targets are class labels, `None`
    /// otherwise: with `OUT > 1` every target column must be one-hot
    /// (exactly one `1.0`, zeros elsewhere), with `OUT == 1` every target
    /// must be exactly `0.0` or `1.0`. One pass, `O(len × OUT)`.
    fn class_ids(&self) -> Option<Vec<usize>> {
        self.y
            .column_iter()
            .map(|t| {
                if OUT == 1 {
                    return if t[0] == 0.0 {
                        Some(0)
                    } else if t[0] == 1.0 {
                        Some(1)
                    } else {
                        None
                    };
                }
                let mut class = None;
                for (k, &v) in t.iter().enumerate() {
                    if v == 1.0 && class.is_none() {
                        class = Some(k);
                    } else if v != 0.0 {
                        return None;
                    }
                }
                class
            })
            .collect()
    }

    /// Splits off a held-out part of about `fraction` of the samples, in an
    /// order drawn from `seed`. Returns `(rest, held_out)`: every sample is
    /// in exactly one of them, once, whatever the targets.
    ///
    /// The samples are put in groups, each group shuffled and
    /// `round(group size × fraction)` of it held out (halves away from zero,
    /// with `fraction` widened to `f64`); then both parts are shuffled.
    /// - Class targets are stratified, one group per class, so each class
    ///   keeps its share in both parts. Targets are class targets when they
    ///   are one-hot (`OUT > 1`: every sample's targets hold exactly one
    ///   `1.0` and zeros elsewhere) or, with `OUT == 1`, when every target is
    ///   exactly `0.0` or `1.0`. The held-out part may then differ from
    ///   `round(len × fraction)` by about half the number of classes at most.
    /// - Any other targets (regression values, soft labels, integer targets
    ///   other than 0/1 on one output) form a single group: a plain split
    ///   holding out exactly `round(len × fraction)` samples.
    ///
    /// Its time grows with `len × OUT`, not with the target values
    /// (`benches/data_split.rs` measures it).
    ///
    /// ```
    /// use typenet::prelude::*;
    /// // Classes: stratified, 20 % of each digit held out.
    /// let (train, test) = typenet::data::digits().split(0.2, 7)?;
    /// assert_eq!((train.len(), test.len()), (1438, 359));
    /// // Regression targets: a plain split.
    /// let rows: Vec<([f32; 1], [f32; 1])> = (0..10).map(|i| ([i as f32], [i as f32 * 1e5])).collect();
    /// let (rest, held_out) = Dataset::from_iter_rows(rows)?.split(0.25, 1)?;
    /// assert_eq!((rest.len(), held_out.len()), (7, 3)); // round(2.5) = 3
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::InvalidArgument` when `fraction` is NaN or outside `[0, 1)`.
    pub fn split(&self, fraction: f32, seed: u64) -> Result<(Self, Self)> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::InvalidArgument(format!("split fraction {fraction} is outside [0, 1)")));
        }
        let groups: Vec<Vec<usize>> = match self.class_ids() {
            Some(ids) => {
                // Classes 0..=max in order, members in sample order: the
                // groups (and so the draws from `rng`) of the original
                // stratified split, built in one pass.
                let classes = ids.iter().copied().max().map_or(0, |m| m + 1);
                let mut groups = vec![Vec::new(); classes];
                for (i, &class) in ids.iter().enumerate() {
                    groups[class].push(i);
                }
                groups
            }
            None => vec![(0..self.len()).collect()],
        };
        let mut rng = init_rng(seed);
        let (mut rest, mut held) = (Vec::with_capacity(self.len()), Vec::new());
        for mut members in groups {
            members.shuffle(&mut rng);
            // fraction < 1, so take <= members.len().
            let take = (members.len() as f64 * fraction as f64).round() as usize;
            held.extend_from_slice(&members[..take]);
            rest.extend_from_slice(&members[take..]);
        }
        rest.shuffle(&mut rng);
        held.shuffle(&mut rng);
        Ok((self.select(&rest), self.select(&held)))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::data::digits;

    #[test]
    fn split_is_stratified_and_sized() {
        let data = digits();
        let (train, test) = data.split(0.2, 1).unwrap();
        assert_eq!(train.len() + test.len(), data.len());
        assert!((test.len() as f32 - 0.2 * data.len() as f32).abs() <= 10.0);
        let mut counts = [0usize; 10];
        for l in test.labels() {
            counts[l] += 1;
        }
        assert!(counts.iter().all(|&c| (34..=38).contains(&c)), "{counts:?}");
        assert!(data.split(1.0, 1).is_err());
    }

    /// `n` samples whose input is their index, with `target(i)` as targets.
    pub(in crate::data) fn indexed<const OUT: usize>(
        n: usize,
        target: impl Fn(usize) -> [f32; OUT],
    ) -> Dataset<1, OUT> {
        Dataset::from_iter_rows((0..n).map(|i| ([i as f32], target(i)))).unwrap()
    }

    /// Every sample of an `indexed` set of `n` is in `rest` or `held`, once.
    fn assert_partition<const OUT: usize>(n: usize, rest: &Dataset<1, OUT>, held: &Dataset<1, OUT>) {
        assert_eq!(rest.len() + held.len(), n);
        let mut seen = vec![false; n];
        for &id in rest.x().iter().chain(held.x().iter()) {
            assert!(!std::mem::replace(&mut seen[id as usize], true), "sample {id} twice");
        }
    }

    #[test]
    fn class_targets_are_one_hot_rows_or_zero_one_values() {
        // One-hot: stratify by the position of the 1.
        let one_hot = indexed(6, |i| {
            let mut t = [0.0; 3];
            t[i % 3] = 1.0;
            t
        });
        assert_eq!(one_hot.class_ids(), Some(vec![0, 1, 2, 0, 1, 2]));
        // 0/1 on one output, including a set of one class only.
        assert_eq!(indexed(4, |i| [(i % 2) as f32]).class_ids(), Some(vec![0, 1, 0, 1]));
        assert_eq!(indexed(3, |_| [0.0]).class_ids(), Some(vec![0, 0, 0]));
        // Regression, soft labels, other integers, two 1s, an all-zero row.
        assert_eq!(indexed(4, |i| [i as f32 * 1e5]).class_ids(), None);
        assert_eq!(indexed(4, |i| [(i % 3) as f32]).class_ids(), None);
        assert_eq!(indexed(2, |_| [0.25, 0.75]).class_ids(), None);
        assert_eq!(indexed(2, |i| if i == 0 { [1.0, 0.0] } else { [1.0, 1.0] }).class_ids(), None);
        assert_eq!(indexed(2, |i| if i == 0 { [1.0, 0.0] } else { [0.0, 0.0] }).class_ids(), None);
        // A single huge target among 0/1 ones.
        assert_eq!(indexed(5, |i| [if i == 3 { 1e30 } else { (i % 2) as f32 }]).class_ids(), None);
        // No targets at all: nothing to stratify by.
        assert_eq!(indexed(2, |_| []).class_ids(), None);
    }

    #[test]
    fn split_of_regression_targets_is_plain_and_exact() {
        let data = indexed(1000, |i| [i as f32 * 100.0]);
        let (rest, held) = data.split(0.2, 3).unwrap();
        assert_eq!((rest.len(), held.len()), (800, 200));
        assert_partition(1000, &rest, &held);
        let (rest, held) = data.split(0.0, 3).unwrap();
        assert_eq!((rest.len(), held.len()), (1000, 0));
    }

    #[test]
    fn split_with_a_single_huge_target_loses_no_sample() {
        for huge in [1e30, f32::MAX, -1e30, -f32::MAX] {
            let data = indexed(10, |i| [if i == 4 { huge } else { (i % 2) as f32 }]);
            let (rest, held) = data.split(0.3, 1).unwrap();
            assert_eq!((rest.len(), held.len()), (7, 3), "{huge}");
            assert_partition(10, &rest, &held);
        }
    }

    #[test]
    fn split_takes_linear_time_whatever_the_targets() {
        // The class-by-class split took O(n × largest target) here (and
        // overflowed): this finishes in milliseconds now.
        let n = 100_000;
        for scale in [1e25f32, 1e4] {
            let data = indexed(n, |i| [i as f32 * scale]);
            let (rest, held) = data.split(0.2, 5).unwrap();
            assert_eq!(held.len(), 20_000);
            assert_partition(n, &rest, &held);
        }
    }

    #[test]
    fn split_of_zero_one_targets_stays_stratified() {
        let data = indexed(100, |i| [if i % 10 == 0 { 1.0 } else { 0.0 }]);
        let (rest, held) = data.split(0.2, 9).unwrap();
        assert_partition(100, &rest, &held);
        assert_eq!(held.labels().iter().filter(|&&l| l == 1).count(), 2);
        assert_eq!(held.len(), 20);
    }

    #[test]
    fn split_rejects_a_fraction_outside_zero_one() {
        let data = indexed(4, |i| [i as f32]);
        for fraction in [f32::NAN, -0.1, -0.0 - f32::MIN_POSITIVE, 1.0, 1.5, f32::INFINITY, f32::NEG_INFINITY]
        {
            assert!(matches!(data.split(fraction, 0), Err(Error::InvalidArgument(_))), "{fraction}");
        }
    }
}
