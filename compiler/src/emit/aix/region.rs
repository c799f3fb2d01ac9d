//! Boxes of packets and their differences: what the AIX planner needs to order rules whose
//! port ranges take two genfilt rules, and to say exactly what a stateless rule opens beyond
//! the model.
//!
//! A [`Cell`] is one box: source and destination addresses, a set of protocol values, and
//! the two port fields of a genfilt rule. Protocol values are the IP protocol numbers, with
//! TCP split by its ACK flag, because genfilt's `tcp/ack` matches only segments that carry
//! it: 6 is a TCP segment without ACK (the first packet of a connection), [`TCP_ACK`] one
//! with ACK. For ICMP the source field is the type and the destination field the code, as in
//! genfilt's `-o/-p` and `-O/-P`.

use crate::model::{AddressSet, PortSet, Protocol};
use std::net::IpAddr;

/// The protocol value of a TCP segment that carries ACK.
pub const TCP_ACK: u16 = 256;
/// TCP without ACK: the protocol number.
pub const TCP: u16 = 6;
pub const UDP: u16 = 17;

/// One box of packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub source: AddressSet,
    pub destination: AddressSet,
    /// Protocol values: 0..=255 and [`TCP_ACK`].
    pub protocols: PortSet,
    /// Source ports; for ICMP the type.
    pub source_ports: PortSet,
    /// Destination ports; for ICMP the code.
    pub ports: PortSet,
}

/// One packet: what a witness names and what [`Cell::contains`] tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    pub source: IpAddr,
    pub destination: IpAddr,
    /// A protocol value as in [`Cell::protocols`].
    pub protocol: u16,
    /// Source port, or ICMP type.
    pub source_port: u16,
    /// Destination port, or ICMP code.
    pub port: u16,
}

/// Every protocol value.
pub fn all_protocols() -> PortSet {
    PortSet::range(0, TCP_ACK)
}

/// The protocol values a model protocol matches: TCP both with and without ACK.
pub fn protocol_values(protocol: Protocol) -> PortSet {
    match protocol {
        Protocol::Tcp => PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]),
        Protocol::Any => all_protocols(),
        other => PortSet::single(u16::from(other.number().unwrap_or(0))),
    }
}

impl Cell {
    /// The packets one model flow (or rule) with these addresses and opening matches.
    pub fn of_opening(
        source: AddressSet,
        destination: AddressSet,
        opening: &crate::model::Opening,
    ) -> Cell {
        let (source_ports, ports) = match opening.protocol {
            Protocol::Tcp | Protocol::Udp => (opening.source_ports.clone(), opening.ports.clone()),
            Protocol::Icmp | Protocol::Icmpv6 => (opening.ports.clone(), PortSet::full()),
            Protocol::Ip(_) | Protocol::Any => (PortSet::full(), PortSet::full()),
        };
        Cell {
            source,
            destination,
            protocols: protocol_values(opening.protocol),
            source_ports,
            ports,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
            || self.destination.is_empty()
            || self.protocols.is_empty()
            || self.source_ports.is_empty()
            || self.ports.is_empty()
    }

    pub fn intersects(&self, other: &Cell) -> bool {
        self.source.intersects(&other.source)
            && self.destination.intersects(&other.destination)
            && self.protocols.intersects(&other.protocols)
            && self.source_ports.intersects(&other.source_ports)
            && self.ports.intersects(&other.ports)
    }

    pub fn intersection(&self, other: &Cell) -> Cell {
        Cell {
            source: self.source.intersection(&other.source),
            destination: self.destination.intersection(&other.destination),
            protocols: self.protocols.intersection(&other.protocols),
            source_ports: self.source_ports.intersection(&other.source_ports),
            ports: self.ports.intersection(&other.ports),
        }
    }

    /// `self` minus `other` as disjoint cells: one per field in which `self` reaches outside
    /// `other`, each holding the earlier fields' common part.
    pub fn difference(&self, other: &Cell) -> Vec<Cell> {
        if !self.intersects(other) {
            return vec![self.clone()];
        }
        let mut pieces = Vec::new();
        let mut common = self.clone();
        let source = self.source.difference(&other.source);
        if !source.is_empty() {
            pieces.push(Cell {
                source,
                ..common.clone()
            });
        }
        common.source = self.source.intersection(&other.source);
        let destination = self.destination.difference(&other.destination);
        if !destination.is_empty() {
            pieces.push(Cell {
                destination,
                ..common.clone()
            });
        }
        common.destination = self.destination.intersection(&other.destination);
        let protocols = self.protocols.difference(&other.protocols);
        if !protocols.is_empty() {
            pieces.push(Cell {
                protocols,
                ..common.clone()
            });
        }
        common.protocols = self.protocols.intersection(&other.protocols);
        let source_ports = self.source_ports.difference(&other.source_ports);
        if !source_ports.is_empty() {
            pieces.push(Cell {
                source_ports,
                ..common.clone()
            });
        }
        common.source_ports = self.source_ports.intersection(&other.source_ports);
        let ports = self.ports.difference(&other.ports);
        if !ports.is_empty() {
            pieces.push(Cell { ports, ..common });
        }
        pieces
    }

    pub fn contains(&self, packet: &Packet) -> bool {
        self.source.contains(packet.source)
            && self.destination.contains(packet.destination)
            && self.protocols.contains(packet.protocol)
            && self.source_ports.contains(packet.source_port)
            && self.ports.contains(packet.port)
    }

    /// One packet of the cell, with readable values: a host address rather than a network's
    /// first, an ephemeral port when the cell has one, and ports other than 0 when it can.
    pub fn witness(&self) -> Option<Packet> {
        let port = |set: &PortSet| {
            if set.contains(40000) {
                return set.first().filter(|&first| first > 1024).or(Some(40000));
            }
            set.ranges()
                .iter()
                .find(|&&(_, hi)| hi > 0)
                .map(|&(lo, _)| lo.max(1))
                .or(set.first())
        };
        Some(Packet {
            source: host_address(&self.source)?,
            destination: host_address(&self.destination)?,
            protocol: self.protocols.first()?,
            source_port: port(&self.source_ports)?,
            port: port(&self.ports)?,
        })
    }
}

/// The first address of a set, or the one after it when the set's first range is a network
/// with more than two addresses (whose first is the network's own address).
fn host_address(set: &AddressSet) -> Option<IpAddr> {
    if let Some(&(lo, hi)) = set.v4.ranges().first() {
        let value = if hi - lo > 1 { lo + 1 } else { lo };
        return Some(IpAddr::V4(value.into()));
    }
    let &(lo, hi) = set.v6.ranges().first()?;
    let value = if hi - lo > 1 { lo + 1 } else { lo };
    Some(IpAddr::V6(value.into()))
}

/// `region` minus every cell of `cells`. Pieces a cell misses are moved, not copied: large
/// address sets make copies the cost of a firewall's report.
pub fn subtract<'c>(region: Vec<Cell>, cells: impl IntoIterator<Item = &'c Cell>) -> Vec<Cell> {
    let mut rest = region;
    for cell in cells {
        if rest.is_empty() {
            break;
        }
        if !rest.iter().any(|piece| piece.intersects(cell)) {
            continue;
        }
        let mut next = Vec::with_capacity(rest.len() + 4);
        for piece in rest {
            if piece.intersects(cell) {
                next.extend(piece.difference(cell));
            } else {
                next.push(piece);
            }
        }
        rest = next;
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(source: &str, ports: (u16, u16)) -> Cell {
        Cell {
            source: AddressSet::from_network(source.parse().unwrap()),
            destination: AddressSet::any(),
            protocols: PortSet::single(UDP),
            source_ports: PortSet::full(),
            ports: PortSet::range(ports.0, ports.1),
        }
    }

    #[test]
    fn differences_are_disjoint_and_cover_exactly_what_is_left() {
        let a = cell("10.0.0.0/24", (100, 200));
        let b = cell("10.0.0.0/25", (150, 300));
        let rest = a.difference(&b);
        assert_eq!(rest.len(), 2);
        let inside = |address: &str, port: u16| Packet {
            source: address.parse().unwrap(),
            destination: "192.0.2.1".parse().unwrap(),
            protocol: UDP,
            source_port: 9,
            port,
        };
        for (address, port, expected) in [
            ("10.0.0.1", 120, true),
            ("10.0.0.1", 160, false),
            ("10.0.0.200", 160, true),
            ("10.0.0.200", 250, false),
        ] {
            let packet = inside(address, port);
            let count = rest.iter().filter(|piece| piece.contains(&packet)).count();
            assert_eq!(count, usize::from(expected), "{address} {port}");
        }
        assert!(subtract(vec![a.clone()], &[a]).is_empty());
    }
}
