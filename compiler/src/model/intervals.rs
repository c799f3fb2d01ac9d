//! Sets of integers as sorted, disjoint, non-adjacent inclusive intervals.
//!
//! Ports (`u16`), IPv4 addresses (`u32`) and IPv6 addresses (`u128`) all use this one
//! structure, so union, intersection and difference are linear merges, never lists of values.

/// A point type for [`IntervalSet`]: an unsigned integer with a largest value.
pub trait Point: Copy + Ord + std::fmt::Debug + std::hash::Hash {
    const MAX: Self;
    const ZERO: Self;
    fn successor(self) -> Self;
    fn predecessor(self) -> Self;
    fn as_u128(self) -> u128;
    /// Feeds one range to a hasher: both ends of a port or IPv4 range as one `u64`, so that
    /// hashing a set of a thousand ranges (a zone's merged sources) is a thousand writes.
    fn hash_range<H: std::hash::Hasher>(lo: Self, hi: Self, state: &mut H);
}

macro_rules! point {
    ($($type:ty),*) => {$(
        impl Point for $type {
            const MAX: Self = <$type>::MAX;
            const ZERO: Self = 0;
            fn successor(self) -> Self { self + 1 }
            fn predecessor(self) -> Self { self - 1 }
            fn as_u128(self) -> u128 { self as u128 }
            fn hash_range<H: std::hash::Hasher>(lo: Self, hi: Self, state: &mut H) {
                state.write_u64((u64::from(lo) << 32) | u64::from(hi));
            }
        }
    )*};
}
point!(u16, u32);

impl Point for u128 {
    const MAX: Self = u128::MAX;
    const ZERO: Self = 0;
    fn successor(self) -> Self {
        self + 1
    }
    fn predecessor(self) -> Self {
        self - 1
    }
    fn as_u128(self) -> u128 {
        self
    }
    fn hash_range<H: std::hash::Hasher>(lo: Self, hi: Self, state: &mut H) {
        state.write_u128(lo);
        state.write_u128(hi);
    }
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct IntervalSet<T: Point> {
    ranges: Vec<(T, T)>,
}

/// Equal sets have equal ranges, so hashing the ranges agrees with `==`.
impl<T: Point> std::hash::Hash for IntervalSet<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            T::hash_range(lo, hi, state);
        }
    }
}

impl<T: Point> std::fmt::Debug for IntervalSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(
                self.ranges
                    .iter()
                    .map(|(lo, hi)| lo.as_u128()..=hi.as_u128()),
            )
            .finish()
    }
}

impl<T: Point> IntervalSet<T> {
    pub fn empty() -> Self {
        IntervalSet { ranges: Vec::new() }
    }

    pub fn full() -> Self {
        IntervalSet {
            ranges: vec![(T::ZERO, T::MAX)],
        }
    }

    pub fn range(lo: T, hi: T) -> Self {
        if lo > hi {
            return Self::empty();
        }
        IntervalSet {
            ranges: vec![(lo, hi)],
        }
    }

    pub fn single(value: T) -> Self {
        Self::range(value, value)
    }

    /// Builds a set from any intervals, sorting and merging them.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut ranges: Vec<(T, T)> = ranges.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        ranges.sort_unstable();
        let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if last.1 == T::MAX || lo <= last.1.successor() => {
                    last.1 = last.1.max(hi)
                }
                _ => merged.push((lo, hi)),
            }
        }
        IntervalSet { ranges: merged }
    }

    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.ranges == [(T::ZERO, T::MAX)]
    }

    /// The number of values, saturating at `u128::MAX`.
    pub fn len(&self) -> u128 {
        self.ranges.iter().fold(0u128, |total, (lo, hi)| {
            total.saturating_add(hi.as_u128() - lo.as_u128() + 1)
        })
    }

    pub fn contains(&self, value: T) -> bool {
        let index = self.ranges.partition_point(|(_, hi)| *hi < value);
        self.ranges.get(index).is_some_and(|(lo, _)| *lo <= value)
    }

    pub fn union(&self, other: &Self) -> Self {
        Self::from_ranges(self.ranges.iter().chain(&other.ranges).copied())
    }

    pub fn intersection(&self, other: &Self) -> Self {
        // A few ranges against many (one host's address against a zone-wide set, once per
        // flow of every host ruleset): look each small range up by binary search rather than
        // walk the large side. Both ways give the one canonical form of the same set.
        let (small, large) = if self.ranges.len() <= other.ranges.len() {
            (&self.ranges, &other.ranges)
        } else {
            (&other.ranges, &self.ranges)
        };
        if small.len() * 8 < large.len() {
            let mut out = Vec::new();
            for &(lo, hi) in small {
                let first = large.partition_point(|&(_, large_hi)| large_hi < lo);
                for &(large_lo, large_hi) in &large[first..] {
                    if large_lo > hi {
                        break;
                    }
                    out.push((lo.max(large_lo), hi.min(large_hi)));
                }
            }
            return IntervalSet { ranges: out };
        }
        let (mut left, mut right) = (0, 0);
        let mut out = Vec::new();
        while left < self.ranges.len() && right < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[left];
            let (b_lo, b_hi) = other.ranges[right];
            let (lo, hi) = (a_lo.max(b_lo), a_hi.min(b_hi));
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                left += 1;
            } else {
                right += 1;
            }
        }
        IntervalSet { ranges: out }
    }

    pub fn complement(&self) -> Self {
        let mut out = Vec::new();
        let mut next = Some(T::ZERO);
        for &(lo, hi) in &self.ranges {
            if let Some(start) = next {
                if start < lo {
                    out.push((start, lo.predecessor()));
                }
            }
            next = (hi != T::MAX).then(|| hi.successor());
        }
        if let Some(start) = next {
            out.push((start, T::MAX));
        }
        IntervalSet { ranges: out }
    }

    pub fn difference(&self, other: &Self) -> Self {
        self.intersection(&other.complement())
    }

    /// Whether the sets share a value, without building their intersection: one walk over
    /// both sorted range lists, stopping at the first overlap.
    pub fn intersects(&self, other: &Self) -> bool {
        let (mut mine, mut theirs) = (0, 0);
        while let (Some(&(lo, hi)), Some(&(other_lo, other_hi))) =
            (self.ranges.get(mine), other.ranges.get(theirs))
        {
            if lo <= other_hi && other_lo <= hi {
                return true;
            }
            if hi < other_hi {
                mine += 1;
            } else {
                theirs += 1;
            }
        }
        false
    }

    /// Whether the set holds a value in `[lo, hi]`, without building a set for the range.
    pub fn intersects_range(&self, lo: T, hi: T) -> bool {
        let index = self.ranges.partition_point(|&(_, end)| end < lo);
        self.ranges
            .get(index)
            .is_some_and(|&(start, _)| start <= hi)
    }

    /// Whether every value of `self` is in `other`, without building a set: ranges never touch,
    /// so each range of a subset lies inside one range of `other`, found by binary search.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.ranges.iter().all(|&(lo, hi)| {
            let index = other.ranges.partition_point(|&(_, other_hi)| other_hi < lo);
            other
                .ranges
                .get(index)
                .is_some_and(|&(other_lo, other_hi)| other_lo <= lo && hi <= other_hi)
        })
    }

    pub fn first(&self) -> Option<T> {
        self.ranges.first().map(|(lo, _)| *lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra_merges_adjacent_ranges_and_respects_the_bounds() {
        let a = IntervalSet::from_ranges([(1u16, 5), (6, 8), (20, 30)]);
        assert_eq!(a.ranges(), &[(1, 8), (20, 30)]);
        let b = IntervalSet::range(4u16, 25);
        assert_eq!(a.intersection(&b).ranges(), &[(4, 8), (20, 25)]);
        assert_eq!(a.difference(&b).ranges(), &[(1, 3), (26, 30)]);
        assert_eq!(
            IntervalSet::<u16>::full().complement(),
            IntervalSet::empty()
        );
        assert_eq!(
            IntervalSet::range(0u16, 10).complement().ranges(),
            &[(11, u16::MAX)]
        );
        assert_eq!(
            IntervalSet::range(u16::MAX, u16::MAX).complement().ranges(),
            &[(0, u16::MAX - 1)]
        );
        assert!(a.contains(7) && !a.contains(9) && !a.contains(31));
        assert_eq!(a.len(), 8 + 11);
        assert!(IntervalSet::range(2u16, 3).is_subset(&a));
    }

    /// The set of values, by brute force over a small domain.
    fn values(set: &IntervalSet<u16>) -> Vec<u16> {
        set.ranges().iter().flat_map(|&(lo, hi)| lo..=hi).collect()
    }

    proptest::proptest! {
        /// Intersection, whichever way it walks (binary search when one side is much smaller),
        /// is the canonical set of the common values.
        #[test]
        fn intersection_is_the_common_values(
            a in proptest::collection::vec((0u16..400, 0u16..6), 0..40),
            b in proptest::collection::vec((0u16..400, 0u16..30), 0..4),
        ) {
            let a = IntervalSet::from_ranges(a.into_iter().map(|(lo, width)| (lo, lo + width)));
            let b = IntervalSet::from_ranges(b.into_iter().map(|(lo, width)| (lo, lo + width)));
            let common: Vec<u16> = values(&a).into_iter().filter(|v| b.contains(*v)).collect();
            proptest::prop_assert_eq!(a.intersects(&b), !common.is_empty());
            proptest::prop_assert_eq!(b.intersects(&a), !common.is_empty());
            for &(lo, hi) in b.ranges() {
                let in_range = values(&a).into_iter().any(|v| lo <= v && v <= hi);
                proptest::prop_assert_eq!(a.intersects_range(lo, hi), in_range);
            }
            proptest::prop_assert_eq!(b.is_subset(&a), common.len() == values(&b).len());
            proptest::prop_assert_eq!(a.is_subset(&b), common.len() == values(&a).len());
            for both in [a.intersection(&b), b.intersection(&a)] {
                proptest::prop_assert_eq!(values(&both), common.clone());
                proptest::prop_assert_eq!(
                    &both,
                    &IntervalSet::from_ranges(both.ranges().iter().copied())
                );
            }
        }
    }
}
