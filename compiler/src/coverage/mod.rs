//! Coverage of packet sets by unions of flows: the engine behind `shadowed`, `redundant`,
//! `expect` and `flowc query`.
//!
//! Flows become boxes in a five-dimensional space (source, destination, protocol, port, source
//! port) per address family. "Is A covered by B₁ ∪ … ∪ Bₙ" is answered by subtracting every
//! Bᵢ from A box by box, so coverage by a union is found even when no single Bᵢ covers A.
//! Candidates come from an index of destinations and sources ([`index`]), never from all pairs
//! of flows.

mod index;
mod witness;

pub use index::FlowIndex;
pub use witness::{hulls, shares_family, Witness};

use crate::model::{AddressSet, Opening, Protocol};

pub const SOURCE: usize = 0;
pub const DESTINATION: usize = 1;
pub const PROTOCOL: usize = 2;
pub const PORT: usize = 3;
pub const SOURCE_PORT: usize = 4;

/// Residuals larger than this stop a coverage check; the answer is then "not covered", which
/// can only hide a warning, never invent one.
const MAX_RESIDUAL: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PacketBox {
    pub ipv6: bool,
    pub ranges: [(u128, u128); 5],
}

impl PacketBox {
    pub fn intersection(&self, other: &PacketBox) -> Option<PacketBox> {
        if self.ipv6 != other.ipv6 {
            return None;
        }
        let mut ranges = self.ranges;
        for (range, other) in ranges.iter_mut().zip(other.ranges) {
            *range = (range.0.max(other.0), range.1.min(other.1));
            if range.0 > range.1 {
                return None;
            }
        }
        Some(PacketBox {
            ipv6: self.ipv6,
            ranges,
        })
    }

    /// `self` minus `other`: at most two pieces per dimension.
    pub fn subtract(&self, other: &PacketBox) -> Vec<PacketBox> {
        let Some(overlap) = self.intersection(other) else {
            return vec![*self];
        };
        let mut pieces = Vec::new();
        let mut rest = *self;
        for dimension in 0..5 {
            let (lo, hi) = rest.ranges[dimension];
            let (overlap_lo, overlap_hi) = overlap.ranges[dimension];
            if lo < overlap_lo {
                let mut piece = rest;
                piece.ranges[dimension] = (lo, overlap_lo - 1);
                pieces.push(piece);
            }
            if overlap_hi < hi {
                let mut piece = rest;
                piece.ranges[dimension] = (overlap_hi + 1, hi);
                pieces.push(piece);
            }
            rest.ranges[dimension] = (overlap_lo, overlap_hi);
        }
        pieces
    }
}

/// The protocol dimension: IANA numbers, with `Any` spanning them all.
fn protocol_range(protocol: Protocol) -> (u128, u128) {
    match protocol.number() {
        Some(number) => (number as u128, number as u128),
        None => (0, 255),
    }
}

/// The protocol, port and source-port ranges of an opening: the last three dimensions of each
/// of its boxes.
pub fn service_ranges(opening: &Opening) -> Vec<[(u128, u128); 3]> {
    let mut out = Vec::new();
    extend_service_ranges(opening, &mut out);
    out
}

/// [`service_ranges`], appended to `out` without a list of their own: the coverage index
/// takes them for every flow.
pub fn extend_service_ranges(opening: &Opening, out: &mut Vec<[(u128, u128); 3]>) {
    let full = [(0, u16::MAX)];
    let protocol = protocol_range(opening.protocol);
    let ports = match opening.protocol {
        Protocol::Tcp | Protocol::Udp | Protocol::Icmp | Protocol::Icmpv6 => opening.ports.ranges(),
        _ => &full,
    };
    let source_ports = match opening.protocol {
        Protocol::Tcp | Protocol::Udp => opening.source_ports.ranges(),
        _ => &full,
    };
    let widen = |&(lo, hi): &(u16, u16)| (u128::from(lo), u128::from(hi));
    out.reserve(ports.len() * source_ports.len());
    for port in ports {
        for source_port in source_ports {
            out.push([protocol, widen(port), widen(source_port)]);
        }
    }
}

/// Whether every packet `inner` opens (protocol, port, source port) `outer` opens too.
pub fn opening_within(inner: &Opening, outer: &Opening) -> bool {
    let boxes_of = |opening: &Opening| -> Vec<PacketBox> {
        (service_ranges(opening).into_iter())
            .map(|[protocol, port, source_port]| PacketBox {
                ipv6: false,
                ranges: [(0, 0), (0, 0), protocol, port, source_port],
            })
            .collect()
    };
    matches!(subtract_all(boxes_of(inner), &boxes_of(outer)), Some(rest) if rest.is_empty())
}

/// The boxes of a set of packets.
pub fn boxes(source: &AddressSet, destination: &AddressSet, opening: &Opening) -> Vec<PacketBox> {
    each_box(source, destination, opening).collect()
}

/// The boxes of a set of packets, one at a time. A coverage question usually ends at the first
/// box that is not covered, and a flow between two large groups has thousands of boxes: made
/// one at a time, they are never all in memory.
pub fn each_box<'a>(
    source: &'a AddressSet,
    destination: &'a AddressSet,
    opening: &Opening,
) -> EachBox<'a> {
    EachBox {
        source,
        destination,
        services: service_ranges(opening),
        ipv6: false,
        next: (0, 0, 0),
    }
}

/// The iterator of [`each_box`]: families, then source ranges, destination ranges and services,
/// in the order [`boxes`] lists them.
pub struct EachBox<'a> {
    source: &'a AddressSet,
    destination: &'a AddressSet,
    services: Vec<[(u128, u128); 3]>,
    ipv6: bool,
    /// The source range, destination range and service of the next box.
    next: (usize, usize, usize),
}

impl EachBox<'_> {
    /// How many boxes are left in the family being listed, and in the one after it.
    fn remaining(&self) -> usize {
        let count = |set: &AddressSet, ipv6: bool| set.family_range_count(ipv6);
        let family_total =
            |ipv6| count(self.source, ipv6) * count(self.destination, ipv6) * self.services.len();
        let (source, destination, service) = self.next;
        let done = (source * count(self.destination, self.ipv6) + destination)
            * self.services.len()
            + service;
        let current = family_total(self.ipv6).saturating_sub(done);
        if self.ipv6 {
            current
        } else {
            current + family_total(true)
        }
    }
}

impl Iterator for EachBox<'_> {
    type Item = PacketBox;

    fn next(&mut self) -> Option<PacketBox> {
        loop {
            let (source, destination, service) = self.next;
            let sources = self.source.family_range_count(self.ipv6);
            let destinations = self.destination.family_range_count(self.ipv6);
            if source >= sources || destinations == 0 || self.services.is_empty() {
                // This family is done, or has no box at all: IPv6 after IPv4.
                if self.ipv6 {
                    return None;
                }
                self.ipv6 = true;
                self.next = (0, 0, 0);
            } else if destination >= destinations {
                self.next = (source + 1, 0, 0);
            } else if service >= self.services.len() {
                self.next = (source, destination + 1, 0);
            } else {
                self.next.2 += 1;
                let [protocol, port, source_port] = self.services[service];
                return Some(PacketBox {
                    ipv6: self.ipv6,
                    ranges: [
                        self.source.family_range(self.ipv6, source)?,
                        self.destination.family_range(self.ipv6, destination)?,
                        protocol,
                        port,
                        source_port,
                    ],
                });
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.remaining();
        (remaining, Some(remaining))
    }
}

/// What is left of `pieces` after removing every box of `cover`; `None` when the residual
/// grew past the limit.
pub fn subtract_all(mut pieces: Vec<PacketBox>, cover: &[PacketBox]) -> Option<Vec<PacketBox>> {
    for covering in cover {
        if pieces.is_empty() {
            break;
        }
        pieces = pieces
            .iter()
            .flat_map(|piece| piece.subtract(covering))
            .collect();
        if pieces.len() > MAX_RESIDUAL {
            return None;
        }
    }
    Some(pieces)
}

/// Whether `pieces` lie entirely inside the union of the index's boxes that `usable` accepts.
///
/// Piece by piece: a piece is covered by the union exactly when it is covered by the boxes that
/// overlap it, and the first uncovered piece ends the question. Most allows of a site are not
/// covered by anything, so most questions end after one index lookup (and with [`each_box`],
/// after making one box).
pub fn covered(
    pieces: impl IntoIterator<Item = PacketBox>,
    index: &FlowIndex,
    usable: impl Fn(usize) -> bool,
) -> bool {
    pieces.into_iter().all(|piece| {
        let mut cover: Vec<PacketBox> = index
            .overlapping(&piece)
            .into_iter()
            .filter(|(_, flow)| usable(*flow))
            .map(|(packet, _)| packet)
            .collect();
        if cover.is_empty() {
            return false;
        }
        cover.sort();
        cover.dedup();
        matches!(subtract_all(vec![piece], &cover), Some(rest) if rest.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::{each_box, service_ranges, PacketBox};
    use crate::model::intervals::IntervalSet;
    use crate::model::{AddressSet, Opening, PortSet, Protocol};
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn addresses() -> impl Strategy<Value = AddressSet> {
        (
            vec((0u32..200, 0u32..3), 0..5),
            vec((0u128..200, 0u128..3), 0..5),
        )
            .prop_map(|(v4, v6)| AddressSet {
                v4: IntervalSet::from_ranges(v4.into_iter().map(|(lo, width)| (lo, lo + width))),
                v6: IntervalSet::from_ranges(v6.into_iter().map(|(lo, width)| (lo, lo + width))),
            })
    }

    proptest! {
        /// One box at a time gives the boxes that nested loops over families, source ranges,
        /// destination ranges and services give, in their order, and always knows how many
        /// are left.
        #[test]
        fn each_box_lists_every_box_in_order(
            source in addresses(),
            destination in addresses(),
            ports in vec((0u16..100, 0u16..3), 0..4),
        ) {
            let opening = Opening {
                protocol: Protocol::Tcp,
                ports: PortSet::from_ranges(ports.into_iter().map(|(lo, width)| (lo, lo + width))),
                source_ports: PortSet::full(),
                service: None,
            };
            let mut expected = Vec::new();
            for ipv6 in [false, true] {
                for source_range in source.family_ranges(ipv6) {
                    for destination_range in destination.family_ranges(ipv6) {
                        for [protocol, port, source_port] in service_ranges(&opening) {
                            expected.push(PacketBox {
                                ipv6,
                                ranges: [source_range, destination_range, protocol, port, source_port],
                            });
                        }
                    }
                }
            }
            let mut boxes = each_box(&source, &destination, &opening);
            let mut found = Vec::new();
            loop {
                prop_assert_eq!(boxes.size_hint(), (expected.len() - found.len(), Some(expected.len() - found.len())));
                let Some(packet) = boxes.next() else { break };
                found.push(packet);
            }
            prop_assert_eq!(found, expected);
        }
    }
}
