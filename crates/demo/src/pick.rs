//! Small drawing helpers over a seeded generator. Integer arithmetic only where a
//! result must be identical on every platform.

use chrono::{Days, NaiveDate};
use fastrand::Rng;

/// True with the given chance in percent.
pub fn chance(rng: &mut Rng, percent: u32) -> bool {
    rng.u32(0..100) < percent
}

/// True with the given chance in tenths of a percent.
pub fn chance_per_mille(rng: &mut Rng, per_mille: u32) -> bool {
    rng.u32(0..1000) < per_mille
}

/// One element of a non-empty slice, uniformly.
pub fn one<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(0..items.len())]
}

/// An index drawn in proportion to the weights. Zero total weight gives index 0.
pub fn weighted_index(rng: &mut Rng, weights: impl IntoIterator<Item = u64> + Clone) -> usize {
    let total: u64 = weights.clone().into_iter().sum();
    if total == 0 {
        return 0;
    }
    let mut ticket = rng.u64(0..total);
    for (i, w) in weights.into_iter().enumerate() {
        if ticket < w {
            return i;
        }
        ticket -= w;
    }
    0
}

/// An item from `(item, weight)` pairs, in proportion to the weights.
pub fn weighted<'a, T>(rng: &mut Rng, items: &'a [(T, u32)]) -> &'a T {
    let i = weighted_index(rng, items.iter().map(|(_, w)| u64::from(*w)));
    &items[i].0
}

/// A whole number from `(lowest, highest, weight)` buckets: a bucket by weight,
/// then uniformly inside it.
pub fn from_buckets(rng: &mut Rng, buckets: &[(u32, u32, u32)]) -> u32 {
    let i = weighted_index(rng, buckets.iter().map(|(_, _, w)| u64::from(*w)));
    let (low, high, _) = buckets[i];
    rng.u32(low..=high)
}

/// A date in `[from, to]`; `from` when the range is empty.
pub fn date_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        return from;
    }
    from + Days::new(rng.u64(0..=span as u64))
}

/// A date a number of days before another.
pub fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date - Days::new(days)
}

pub fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date + Days::new(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_stay_inside_their_bounds() {
        let mut rng = Rng::with_seed(1);
        for _ in 0..1000 {
            let v = from_buckets(&mut rng, &[(3, 5, 1), (10, 10, 1)]);
            assert!((3..=5).contains(&v) || v == 10, "{v}");
        }
    }

    #[test]
    fn weights_are_respected() {
        let mut rng = Rng::with_seed(2);
        let items = [("never", 0), ("always", 5)];
        assert!((0..200).all(|_| *weighted(&mut rng, &items) == "always"));
    }

    #[test]
    fn dates_fall_in_range() {
        let mut rng = Rng::with_seed(3);
        let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2020, 1, 10).unwrap();
        for _ in 0..100 {
            let d = date_between(&mut rng, from, to);
            assert!(d >= from && d <= to);
        }
        assert_eq!(date_between(&mut rng, to, from), to);
    }
}
