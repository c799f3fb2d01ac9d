//! One concrete packet out of a set of packets: what a report names so that a reader can check
//! it with `flowc query`, and the hull of a flow's boxes, to skip flows nothing overlaps.

use super::{service_ranges, PacketBox, DESTINATION, PORT, PROTOCOL, SOURCE, SOURCE_PORT};
use crate::model::{AddressSet, Opening};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A single packet: source and destination address, protocol number, destination port (or ICMP
/// type), and the source port when the set constrains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Witness {
    pub source: IpAddr,
    pub destination: IpAddr,
    pub protocol: u8,
    pub port: u16,
    pub source_port: Option<u16>,
}

impl Witness {
    /// The lowest packet of a box. The source port is named only when the box does not span
    /// every source port, as `flowc query` asks about "some source port" otherwise.
    pub fn of(packet: &PacketBox) -> Witness {
        let address = |value: u128| -> IpAddr {
            if packet.ipv6 {
                IpAddr::V6(Ipv6Addr::from(value))
            } else {
                IpAddr::V4(Ipv4Addr::from(value as u32))
            }
        };
        let (source_port_low, source_port_high) = packet.ranges[SOURCE_PORT];
        // Of a box of several protocols (`any`), the packet a reader would try first: TCP,
        // then UDP, ICMP, ICMPv6; of a range starting at port 0, port 1.
        let (protocol_low, protocol_high) = packet.ranges[PROTOCOL];
        let protocol = [6, 17, 1, 58]
            .into_iter()
            .find(|number| (protocol_low..=protocol_high).contains(number))
            .unwrap_or(protocol_low) as u8;
        let (port_low, port_high) = packet.ranges[PORT];
        let port = if port_low == 0 && port_high > 0 && matches!(protocol, 6 | 17) {
            1
        } else {
            port_low as u16
        };
        Witness {
            source: address(packet.ranges[SOURCE].0),
            destination: address(packet.ranges[DESTINATION].0),
            protocol,
            port,
            source_port: (source_port_low != 0 || source_port_high != u128::from(u16::MAX))
                .then_some(source_port_low as u16),
        }
    }

    /// The traffic as `flowc query` reads it: `tcp 22`, `udp 500 from 500`, `icmp 8`, `proto 50`.
    pub fn port_spec(&self) -> String {
        let from = self
            .source_port
            .map(|port| format!(" from {port}"))
            .unwrap_or_default();
        match self.protocol {
            6 => format!("tcp {}{from}", self.port),
            17 => format!("udp {}{from}", self.port),
            1 => format!("icmp {}", self.port),
            58 => format!("icmpv6 {}", self.port),
            number => format!("proto {number}"),
        }
    }

    /// The command that checks this packet against a site.
    pub fn query_command(&self) -> String {
        format!(
            "flowc query {} {} '{}'",
            self.source,
            self.destination,
            self.port_spec()
        )
    }
}

impl std::fmt::Display for Witness {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} -> {} : {}",
            self.source,
            self.destination,
            self.port_spec()
        )
    }
}

/// Whether a flow's ends share an address family: without one, the flow holds no packet.
pub fn shares_family(source: &AddressSet, destination: &AddressSet) -> bool {
    [false, true]
        .into_iter()
        .any(|ipv6| source.family_range_count(ipv6) > 0 && destination.family_range_count(ipv6) > 0)
}

/// At most one box per address family that holds every box of the flow: if no flow of an index
/// overlaps the hulls, none overlaps any box of the flow, and the boxes need not be made.
pub fn hulls(source: &AddressSet, destination: &AddressSet, opening: &Opening) -> Vec<PacketBox> {
    let services = service_ranges(opening);
    let Some(first) = services.first() else {
        return Vec::new();
    };
    let mut service_hull = *first;
    for service in &services {
        for (range, other) in service_hull.iter_mut().zip(service) {
            *range = (range.0.min(other.0), range.1.max(other.1));
        }
    }
    let span = |set: &AddressSet, ipv6: bool| {
        let count = set.family_range_count(ipv6);
        let first = set.family_range(ipv6, 0)?;
        let last = set.family_range(ipv6, count.checked_sub(1)?)?;
        Some((first.0, last.1))
    };
    [false, true]
        .into_iter()
        .filter_map(|ipv6| {
            let [protocol, port, source_port] = service_hull;
            Some(PacketBox {
                ipv6,
                ranges: [
                    span(source, ipv6)?,
                    span(destination, ipv6)?,
                    protocol,
                    port,
                    source_port,
                ],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::each_box;
    use crate::model::{PortSet, Protocol};

    #[test]
    fn the_witness_is_the_lowest_packet_and_reads_as_a_query() {
        let source = AddressSet::from_network("198.18.0.0/28".parse().unwrap());
        let destination = AddressSet::from_network("198.18.1.5/32".parse().unwrap());
        let opening = Opening {
            protocol: Protocol::Udp,
            ports: PortSet::range(500, 501),
            source_ports: PortSet::single(500),
            service: None,
        };
        let packet = each_box(&source, &destination, &opening).next().unwrap();
        let witness = Witness::of(&packet);
        assert_eq!(
            witness.to_string(),
            "198.18.0.0 -> 198.18.1.5 : udp 500 from 500"
        );
        assert_eq!(
            witness.query_command(),
            "flowc query 198.18.0.0 198.18.1.5 'udp 500 from 500'"
        );
    }

    #[test]
    fn hulls_hold_every_box_of_each_family() {
        let source = AddressSet::from_networks(
            ["198.18.0.1/32", "198.18.0.9/32", "fd00::1/128"]
                .iter()
                .map(|network| network.parse().unwrap()),
        );
        let destination = AddressSet::from_networks(
            ["198.18.1.0/30", "198.18.2.0/30", "fd00::9/128"]
                .iter()
                .map(|network| network.parse().unwrap()),
        );
        let opening = Opening {
            protocol: Protocol::Tcp,
            ports: PortSet::from_ranges([(22, 22), (80, 80)]),
            source_ports: PortSet::full(),
            service: None,
        };
        let hulls = hulls(&source, &destination, &opening);
        assert_eq!(hulls.len(), 2);
        for packet in each_box(&source, &destination, &opening) {
            let hull = hulls.iter().find(|hull| hull.ipv6 == packet.ipv6).unwrap();
            assert_eq!(hull.intersection(&packet), Some(packet));
        }
        assert!(!shares_family(
            &AddressSet::from_network("fd00::1/128".parse().unwrap()),
            &AddressSet::from_network("198.18.0.1/32".parse().unwrap())
        ));
    }
}
