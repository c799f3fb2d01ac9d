//! firewalld's names for whole ICMP and ICMPv6 types.
//!
//! A rich rule names ICMP types by firewalld's `icmptype` objects, never by number. Only the
//! names that match a type with every code are listed (firewalld 1.3,
//! `firewall/core/nftables.py`, `ICMP_TYPES_FRAGMENTS`; `host-unreachable` is type 3 code 1
//! only, so it is not here); each exists for its family in `/usr/lib/firewalld/icmptypes/`.

use crate::model::Protocol;

/// The name of ICMP (`Protocol::Icmp`) or ICMPv6 type `number`, if firewalld has one.
pub fn type_name(protocol: Protocol, number: u16) -> Option<&'static str> {
    let name = match (protocol, number) {
        (Protocol::Icmp, 0) => "echo-reply",
        (Protocol::Icmp, 3) => "destination-unreachable",
        (Protocol::Icmp, 4) => "source-quench",
        (Protocol::Icmp, 5) => "redirect",
        (Protocol::Icmp, 8) => "echo-request",
        (Protocol::Icmp, 9) => "router-advertisement",
        (Protocol::Icmp, 10) => "router-solicitation",
        (Protocol::Icmp, 11) => "time-exceeded",
        (Protocol::Icmp, 12) => "parameter-problem",
        (Protocol::Icmp, 13) => "timestamp-request",
        (Protocol::Icmp, 14) => "timestamp-reply",
        (Protocol::Icmpv6, 1) => "destination-unreachable",
        (Protocol::Icmpv6, 2) => "packet-too-big",
        (Protocol::Icmpv6, 3) => "time-exceeded",
        (Protocol::Icmpv6, 4) => "parameter-problem",
        (Protocol::Icmpv6, 128) => "echo-request",
        (Protocol::Icmpv6, 129) => "echo-reply",
        (Protocol::Icmpv6, 133) => "router-solicitation",
        (Protocol::Icmpv6, 134) => "router-advertisement",
        (Protocol::Icmpv6, 135) => "neighbour-solicitation",
        (Protocol::Icmpv6, 136) => "neighbour-advertisement",
        (Protocol::Icmpv6, 137) => "redirect",
        _ => return None,
    };
    Some(name)
}

/// The names of every type in `ranges`, or `None` when firewalld has no name for one of them.
pub fn type_names(protocol: Protocol, ranges: &[(u16, u16)]) -> Option<Vec<&'static str>> {
    (ranges.iter())
        .flat_map(|&(lo, hi)| lo..=hi.min(255))
        .map(|number| type_name(protocol, number))
        .collect()
}
