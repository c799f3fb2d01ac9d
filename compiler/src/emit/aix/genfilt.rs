//! One genfilt rule, as the planner builds it and as the script prints it: the action, the
//! direction, the two address sets, genfilt's protocol word and one comparison per port field.

use super::region::{all_protocols, Cell, TCP, TCP_ACK, UDP};
use crate::model::{AddressSet, PortSet, Protocol};
use ipnet::IpNet;

/// genfilt's `-c` values that flowc prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    /// TCP segments with the ACK flag: replies, never the first packet of a connection.
    TcpAck,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other protocol by number (genfilt takes 1..=252; `esp` and `ah` by name).
    Number(u8),
    All,
}

impl Proto {
    /// The genfilt word for a model protocol; `None` for a number genfilt does not take.
    pub fn of(protocol: Protocol) -> Option<Proto> {
        Some(match protocol {
            Protocol::Tcp => Proto::Tcp,
            Protocol::Udp => Proto::Udp,
            Protocol::Icmp => Proto::Icmp,
            Protocol::Icmpv6 => Proto::Icmpv6,
            Protocol::Any => Proto::All,
            Protocol::Ip(6) => Proto::Tcp,
            Protocol::Ip(17) => Proto::Udp,
            Protocol::Ip(number @ 1..=252) => Proto::Number(number),
            Protocol::Ip(_) => return None,
        })
    }

    pub fn word(self) -> String {
        match self {
            Proto::Tcp => "tcp".into(),
            Proto::TcpAck => "tcp/ack".into(),
            Proto::Udp => "udp".into(),
            Proto::Icmp => "icmp".into(),
            Proto::Icmpv6 => "icmpv6".into(),
            Proto::Number(50) => "esp".into(),
            Proto::Number(51) => "ah".into(),
            Proto::Number(number) => number.to_string(),
            Proto::All => "all".into(),
        }
    }

    /// The protocol values (see [`Cell::protocols`]) the word matches.
    pub fn values(self) -> PortSet {
        match self {
            Proto::Tcp => PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]),
            Proto::TcpAck => PortSet::single(TCP_ACK),
            Proto::Udp => PortSet::single(UDP),
            Proto::Icmp => PortSet::single(1),
            Proto::Icmpv6 => PortSet::single(58),
            Proto::Number(number) => PortSet::single(u16::from(number)),
            Proto::All => all_protocols(),
        }
    }
}

/// One comparison of a port field (or ICMP type and code): genfilt's operator and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Any,
    Eq(u16),
    Ge(u16),
    Le(u16),
    Gt(u16),
}

impl Op {
    /// The single comparison that holds exactly `lo..=hi`, if there is one.
    pub fn exact(lo: u16, hi: u16) -> Option<Op> {
        match (lo, hi) {
            (0, u16::MAX) => Some(Op::Any),
            _ if lo == hi => Some(Op::Eq(lo)),
            (_, u16::MAX) => Some(Op::Ge(lo)),
            (0, _) => Some(Op::Le(hi)),
            _ => None,
        }
    }

    /// The smallest single comparison holding `lo..=hi`.
    pub fn enclosing(lo: u16, hi: u16) -> Op {
        Op::exact(lo, hi).unwrap_or(if u16::MAX - lo < hi {
            Op::Ge(lo)
        } else {
            Op::Le(hi)
        })
    }

    pub fn set(self) -> PortSet {
        match self {
            Op::Any => PortSet::full(),
            Op::Eq(value) => PortSet::single(value),
            Op::Ge(value) => PortSet::range(value, u16::MAX),
            Op::Le(value) => PortSet::range(0, value),
            Op::Gt(value) if value == u16::MAX => PortSet::empty(),
            Op::Gt(value) => PortSet::range(value + 1, u16::MAX),
        }
    }

    fn words(self) -> (&'static str, u16) {
        match self {
            Op::Any => ("any", 0),
            Op::Eq(value) => ("eq", value),
            Op::Ge(value) => ("ge", value),
            Op::Le(value) => ("le", value),
            Op::Gt(value) => ("gt", value),
        }
    }
}

/// Which packets a rule looks at: `-w I`, `-w O`, or `-w B` (a firewall's forwarded traffic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Way {
    In,
    Out,
    Both,
}

impl Way {
    pub fn reversed(self) -> Way {
        match self {
            Way::In => Way::Out,
            Way::Out => Way::In,
            Way::Both => Way::Both,
        }
    }

    /// Whether a rule of one way can see a packet a rule of the other sees.
    pub fn meets(self, other: Way) -> bool {
        self == other || self == Way::Both || other == Way::Both
    }

    pub fn letter(self) -> char {
        match self {
            Way::In => 'I',
            Way::Out => 'O',
            Way::Both => 'B',
        }
    }
}

/// One rule before its address sets are split into CIDRs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub permit: bool,
    pub way: Way,
    pub source: AddressSet,
    pub destination: AddressSet,
    pub protocol: Proto,
    pub source_field: Op,
    pub destination_field: Op,
}

impl Rule {
    /// The packets the rule matches.
    pub fn cell(&self) -> Cell {
        Cell {
            source: self.source.clone(),
            destination: self.destination.clone(),
            protocols: self.protocol.values(),
            source_ports: self.source_field.set(),
            ports: self.destination_field.set(),
        }
    }

    /// The genfilt commands, one per (source CIDR, destination CIDR); `description` is already
    /// safe inside double quotes.
    pub fn print(&self, out: &mut String, version: u8, routing: char, description: &str) {
        let (source_operator, source_value) = self.source_field.words();
        let (operator, value) = self.destination_field.words();
        let action = if self.permit { 'P' } else { 'D' };
        for source in self.source.to_networks() {
            for destination in self.destination.to_networks() {
                out.push_str(&format!(
                    "genfilt -v {version} -a {action} {} {} -c {} -o {source_operator} -p {source_value} \
                     -O {operator} -P {value} -r {routing} -w {} -l N -f Y -i all -D \"{description}\"\n",
                    address(&source, "-s", "-m"),
                    address(&destination, "-d", "-M"),
                    self.protocol.word(),
                    self.way.letter(),
                ));
            }
        }
    }
}

/// `-s 10.1.0.0 -m 255.255.255.0`; an IPv6 mask is written as an address too
/// (`-m ffff:ffff:ffff:ffff::`), the form of a subnet mask in either family.
pub fn address(network: &IpNet, address_flag: &str, mask_flag: &str) -> String {
    format!(
        "{address_flag} {} {mask_flag} {}",
        network.network(),
        network.netmask()
    )
}
