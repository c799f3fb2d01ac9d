//! Flows: the only thing checks and emitters see. A role expands, per holder, into flows; an
//! `allow` or `deny` is one flow (two for `<->`).

use super::addresses::AddressSet;
use super::intervals::IntervalSet;
use crate::source::Span;

pub type PortSet = IntervalSet<u16>;

/// The protocol of a flow. ICMP flows use the port set for ICMP types (0..255).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol by number: ESP is 50, AH 51, GRE 47.
    Ip(u8),
    /// Every protocol.
    Any,
}

impl Protocol {
    /// Whether the protocol has ports (TCP and UDP) or types (ICMP) in the port set.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    pub fn name(self) -> String {
        match self {
            Protocol::Tcp => "tcp".into(),
            Protocol::Udp => "udp".into(),
            Protocol::Icmp => "icmp".into(),
            Protocol::Icmpv6 => "icmpv6".into(),
            Protocol::Ip(50) => "esp".into(),
            Protocol::Ip(51) => "ah".into(),
            Protocol::Ip(47) => "gre".into(),
            Protocol::Ip(number) => format!("proto {number}"),
            Protocol::Any => "any".into(),
        }
    }

    /// The IANA protocol number, for emitters; `None` for `Any`.
    pub fn number(self) -> Option<u8> {
        match self {
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            Protocol::Icmpv6 => Some(58),
            Protocol::Ip(number) => Some(number),
            Protocol::Any => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Allow,
    Deny,
}

/// One opening: a protocol with destination ports (or ICMP types) and source ports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Opening {
    pub protocol: Protocol,
    /// Destination ports for TCP/UDP, ICMP types for ICMP, full for everything else.
    pub ports: PortSet,
    /// Source ports for TCP/UDP; full when unconstrained.
    pub source_ports: PortSet,
    /// The service the opening came from (`nim.nimsh`), if it came from a named service.
    pub service: Option<String>,
}

impl Opening {
    pub fn any() -> Opening {
        Opening {
            protocol: Protocol::Any,
            ports: PortSet::full(),
            source_ports: PortSet::full(),
            service: None,
        }
    }

    /// Whether no packet matches: an empty port, ICMP type or source-port set (`tcp {}`, or a
    /// role's port parameter that came out empty). Such an opening gives no rule anywhere.
    pub fn opens_nothing(&self) -> bool {
        self.ports.is_empty() || self.source_ports.is_empty()
    }

    /// A readable form: `tcp 3901-3902 from 513-1023`, `udp 623`, `icmp 8`, `esp`.
    pub fn describe(&self) -> String {
        let ports = describe_ports;
        let mut text = self.protocol.name();
        match self.protocol {
            Protocol::Tcp | Protocol::Udp => text.push_str(&format!(" {}", ports(&self.ports))),
            Protocol::Icmp | Protocol::Icmpv6 if !self.ports.is_full() => {
                text.push_str(&format!(" {}", ports(&self.ports)))
            }
            _ => {}
        }
        if !self.source_ports.is_full() {
            text.push_str(&format!(" from {}", ports(&self.source_ports)));
        }
        text
    }
}

/// A port set as `22,513-1023`.
pub fn describe_ports(set: &PortSet) -> String {
    port_list(set, "-", ",")
}

/// The ranges of a port set written with `separator` between the ends of a range
/// (`22`, `80-90` or `80:90`), joined by `joiner`.
pub fn port_list(ports: &PortSet, separator: &str, joiner: &str) -> String {
    let mut list = String::new();
    for (index, &range) in ports.ranges().iter().enumerate() {
        if index > 0 {
            list.push_str(joiner);
        }
        write_port_range(&mut list, range, separator);
    }
    list
}

/// One port range: `22`, or its ends with `separator` between them (`80-90`, `80:90`).
pub fn write_port_range(out: &mut String, (lo, hi): (u16, u16), separator: &str) {
    push_decimal(out, lo);
    if lo != hi {
        out.push_str(separator);
        push_decimal(out, hi);
    }
}

/// A port or a prefix length in decimal, without the formatting machinery: rulesets print
/// millions of them.
pub fn push_decimal(out: &mut String, number: u16) {
    let mut digits = [0u8; 5];
    let mut start = digits.len();
    let mut rest = number;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // Pushed as characters: checking a few digits as UTF-8 costs more than pushing them.
    out.extend(digits[start..].iter().map(|&digit| char::from(digit)));
}

/// Where a flow came from, for diagnostics, rule comments and the port matrix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowOrigin {
    /// The site item: the `allow`/`deny` line, or the `host`/`group` line holding the role.
    pub item: Span,
    /// The statement inside a role body that produced it, if any.
    pub statement: Option<Span>,
    /// The qualified role name (`nim.master`), if it came from a role.
    pub role: Option<String>,
    /// The first `seed NNN § "…"` citation of the statement or service, if any.
    pub citation: Option<String>,
    /// The names as written: `aix`, `nim01`, `any`, `10.0.0.1`.
    pub source_label: String,
    pub destination_label: String,
    /// `@allow(lint, "reason")` attributes of the site item: `(lint, reason)`.
    pub allowed_lints: Vec<(String, String)>,
}

/// The order of two origins, without comparing an origin with itself field by field: the
/// rules of a site list the same zone-wide flows over and over.
pub fn origin_order(a: &FlowOrigin, b: &FlowOrigin) -> std::cmp::Ordering {
    if std::ptr::eq(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// One flow: what may (or must not) pass from sources to destinations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flow {
    pub action: Action,
    pub source: AddressSet,
    pub destination: AddressSet,
    pub opening: Opening,
    pub origin: FlowOrigin,
    /// Hosts and groups (by definition index) the source and destination stand for, when known;
    /// checks that reason about one machine use them.
    pub source_holders: Vec<usize>,
    pub destination_holders: Vec<usize>,
}
