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
        let mut v4 = clip(addresses.v4.ranges(), &self.v4);
        let mut v6 = clip(addresses.v6.ranges(), &self.v6);
        let mut touched: Vec<usize> = (v4.iter().map(|piece| piece.0))
            .chain(v6.iter().map(|piece| piece.0))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        // The usual end, a host or a group inside one zone, lies whole in that zone.
        if let [zone] = touched[..] {
            if unclipped(&v4, addresses.v4.ranges()) && unclipped(&v6, addresses.v6.ranges()) {
                return vec![(zone, addresses.clone())];
            }
        }
        // By zone, then address: each zone's pieces are one run, taken in turn (an `any` end
        // meets every zone, and filtering all pieces once per zone was most of the routing).
        v4.sort_unstable();
        v6.sort_unstable();
        let mut v4_runs = v4.chunk_by(|a, b| a.0 == b.0).peekable();
        let mut v6_runs = v6.chunk_by(|a, b| a.0 == b.0).peekable();
        touched
            .into_iter()
            .map(|zone| {
                let part = AddressSet {
                    v4: IntervalSet::from_ranges(next_run(&mut v4_runs, zone)),
                    v6: IntervalSet::from_ranges(next_run(&mut v6_runs, zone)),
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

/// Whether the pieces are the ranges themselves, none of them cut by a zone's edge.
fn unclipped<T: Copy + Eq>(pieces: &[(usize, T, T)], ranges: &[(T, T)]) -> bool {
    pieces.len() == ranges.len()
        && (pieces.iter().zip(ranges)).all(|(&(_, start, end), &range)| (start, end) == range)
}

/// The ranges of `zone`'s run, if it is the next one; zones are asked for in increasing order.
fn next_run<'a, T: Copy + 'a>(
    runs: &mut std::iter::Peekable<impl Iterator<Item = &'a [(usize, T, T)]>>,
    zone: usize,
) -> Vec<(T, T)> {
    runs.next_if(|run| run[0].0 == zone)
        .map(|run| run.iter().map(|&(_, start, end)| (start, end)).collect())
        .unwrap_or_default()
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
