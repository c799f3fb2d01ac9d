//! Coverage of packet sets by unions of flows: the engine behind `shadowed`, `redundant`,
//! `expect` and `flowc query`.
//!
//! Flows become boxes in a five-dimensional space (source, destination, protocol, port, source
//! port) per address family. "Is A covered by B₁ ∪ … ∪ Bₙ" is answered by subtracting every
//! Bᵢ from A box by box, so coverage by a union is found even when no single Bᵢ covers A.
//! Candidates come from an index of destinations and sources ([`index`]), never from all pairs
//! of flows.

mod index;

pub use index::FlowIndex;

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

/// The boxes of a set of packets.
pub fn boxes(source: &AddressSet, destination: &AddressSet, opening: &Opening) -> Vec<PacketBox> {
    let services = service_ranges(opening);
    // Sized exactly: a box is large, and a flow between two big groups has many.
    let count: usize = [false, true]
        .into_iter()
        .map(|ipv6| source.family_ranges(ipv6).count() * destination.family_ranges(ipv6).count())
        .sum();
    let mut out = Vec::with_capacity(count * services.len());
    for ipv6 in [false, true] {
        for source_range in source.family_ranges(ipv6) {
            for destination_range in destination.family_ranges(ipv6) {
                for &[protocol, port, source_port] in &services {
                    out.push(PacketBox {
                        ipv6,
                        ranges: [source_range, destination_range, protocol, port, source_port],
                    });
                }
            }
        }
    }
    out
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
/// covered by anything, so most questions end after one index lookup.
pub fn covered(pieces: &[PacketBox], index: &FlowIndex, usable: impl Fn(usize) -> bool) -> bool {
    pieces.iter().all(|piece| {
        let mut cover: Vec<PacketBox> = index
            .overlapping(piece)
            .into_iter()
            .filter(|(_, flow)| usable(*flow))
            .map(|(packet, _)| packet)
            .collect();
        if cover.is_empty() {
            return false;
        }
        cover.sort();
        cover.dedup();
        matches!(subtract_all(vec![*piece], &cover), Some(rest) if rest.is_empty())
    })
}
