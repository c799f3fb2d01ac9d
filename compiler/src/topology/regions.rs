//! The zones an address set touches, found by searching the zones' sorted ranges rather than by
//! intersecting the set with every zone: routing splits both ends of every flow, so at 100,000
//! flows and a dozen zones the per-zone intersections were most of the routing.

use crate::model::intervals::IntervalSet;
use crate::model::policy::ZoneInfo;
use crate::model::AddressSet;

/// Every zone's region as one sorted list of ranges per family, each tagged with its zone.
pub struct ZoneRegions {
    v4: Vec<(u32, u32, usize)>,
    v6: Vec<(u128, u128, usize)>,
    /// Whether no two ranges overlap, which the search needs. Zones that claim the same
    /// addresses are an error (`E0208`), but the checks still run on such a site, and then the
    /// zones are intersected one by one.
    disjoint: bool,
}

impl ZoneRegions {
    pub fn new(zones: &[ZoneInfo]) -> ZoneRegions {
        let mut v4: Vec<(u32, u32, usize)> = Vec::new();
        let mut v6: Vec<(u128, u128, usize)> = Vec::new();
        for (index, zone) in zones.iter().enumerate() {
            v4.extend(
                zone.region
                    .v4
                    .ranges()
                    .iter()
                    .map(|&(lo, hi)| (lo, hi, index)),
            );
            v6.extend(
                zone.region
                    .v6
                    .ranges()
                    .iter()
                    .map(|&(lo, hi)| (lo, hi, index)),
            );
        }
        v4.sort_unstable();
        v6.sort_unstable();
        let disjoint = v4.windows(2).all(|pair| pair[0].1 < pair[1].0)
            && v6.windows(2).all(|pair| pair[0].1 < pair[1].0);
        ZoneRegions { v4, v6, disjoint }
    }

    /// The zones `addresses` touches, in zone order, with the part of the set inside each:
    /// exactly `addresses ∩ region` for every zone where that is not empty.
    pub fn split(&self, addresses: &AddressSet, zones: &[ZoneInfo]) -> Vec<(usize, AddressSet)> {
        if !self.disjoint {
            return zones
                .iter()
                .enumerate()
                .filter_map(|(index, zone)| {
                    let part = addresses.intersection(&zone.region);
                    (!part.is_empty()).then_some((index, part))
                })
                .collect();
        }
        let v4 = clip(addresses.v4.ranges(), &self.v4);
        let v6 = clip(addresses.v6.ranges(), &self.v6);
        let mut touched: Vec<usize> = (v4.iter().map(|piece| piece.0))
            .chain(v6.iter().map(|piece| piece.0))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        touched
            .into_iter()
            .map(|zone| {
                let part = AddressSet {
                    v4: IntervalSet::from_ranges(in_zone(&v4, zone)),
                    v6: IntervalSet::from_ranges(in_zone(&v6, zone)),
                };
                (zone, part)
            })
            .collect()
    }
}

/// The overlaps of sorted, disjoint `ranges` with the sorted, disjoint `table`, as
/// `(zone, start, end)` in address order. Each range starts its search where the table's ranges
/// stop ending before it, so a one-address set costs one binary search.
fn clip<T: Copy + Ord>(ranges: &[(T, T)], table: &[(T, T, usize)]) -> Vec<(usize, T, T)> {
    let mut pieces = Vec::new();
    for &(lo, hi) in ranges {
        let first = table.partition_point(|&(_, end, _)| end < lo);
        for &(start, end, zone) in table[first..].iter().take_while(|entry| entry.0 <= hi) {
            pieces.push((zone, lo.max(start), hi.min(end)));
        }
    }
    pieces
}

/// The pieces of one zone, as ranges.
fn in_zone<T: Copy>(pieces: &[(usize, T, T)], zone: usize) -> impl Iterator<Item = (T, T)> + '_ {
    (pieces.iter())
        .filter(move |piece| piece.0 == zone)
        .map(|&(_, start, end)| (start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn zone(v4: &[(u32, u32)], v6: &[(u128, u128)]) -> ZoneInfo {
        ZoneInfo {
            name: String::new(),
            region: AddressSet {
                v4: IntervalSet::from_ranges(v4.iter().copied()),
                v6: IntervalSet::from_ranges(v6.iter().copied()),
            },
            is_any: false,
            span: Span::default(),
        }
    }

    fn by_intersection(addresses: &AddressSet, zones: &[ZoneInfo]) -> Vec<(usize, AddressSet)> {
        (zones.iter().enumerate())
            .map(|(index, zone)| (index, addresses.intersection(&zone.region)))
            .filter(|(_, part)| !part.is_empty())
            .collect()
    }

    proptest::proptest! {
        /// The search gives what intersecting with every zone gives, for disjoint zones cut
        /// from one line (so ranges of different zones can touch) and for overlapping ones.
        #[test]
        fn split_is_the_intersection_with_every_zone(
            cuts in proptest::collection::vec(0u32..2000, 0..12),
            owners in proptest::collection::vec(0usize..4, 13),
            extra in proptest::option::of((0u32..2000, 0u32..300)),
            set_v4 in proptest::collection::vec((0u32..2100, 0u32..200), 0..5),
            set_v6 in proptest::collection::vec((0u128..2100, 0u128..200), 0..3),
        ) {
            let mut bounds = cuts.clone();
            bounds.sort_unstable();
            bounds.dedup();
            let mut pieces: Vec<Vec<(u32, u32)>> = vec![Vec::new(); 4];
            let mut start = 0;
            for (index, &bound) in bounds.iter().chain([2000u32].iter()).enumerate() {
                if bound > start {
                    pieces[owners[index]].push((start, bound - 1));
                }
                start = bound;
            }
            if let Some((lo, length)) = extra {
                pieces[0].push((lo, lo + length));
            }
            let zones: Vec<ZoneInfo> = pieces
                .iter()
                .map(|v4| zone(v4, &v4.iter().map(|&(a, b)| (a as u128, b as u128)).collect::<Vec<_>>()))
                .collect();
            let addresses = AddressSet {
                v4: IntervalSet::from_ranges(set_v4.iter().map(|&(lo, length)| (lo, lo + length))),
                v6: IntervalSet::from_ranges(set_v6.iter().map(|&(lo, length)| (lo, lo + length))),
            };
            let regions = ZoneRegions::new(&zones);
            proptest::prop_assert_eq!(
                regions.split(&addresses, &zones),
                by_intersection(&addresses, &zones)
            );
        }
    }
}
