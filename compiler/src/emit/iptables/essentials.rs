//! The rules each of flowc's iptables chains starts with, before the site's own.

use crate::emit::Family;
use crate::model::Direction;

/// The rules every chain starts with: replies and related ICMP errors, invalid packets,
/// loopback and the ICMPv6 neighbour discovery without which IPv6 does not work.
pub(super) fn essentials(base: &str, direction: Direction, family: Family) -> String {
    let mut body = format!(
        "-A {base} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment \"replies, and ICMP errors about allowed flows\" -j ACCEPT\n\
         -A {base} -m conntrack --ctstate INVALID -j DROP\n"
    );
    let (interface, discovery) = match direction {
        Direction::Forward => return body,
        Direction::Input => (
            "-i",
            &[
                "neighbour-solicitation",
                "neighbour-advertisement",
                "router-advertisement",
            ],
        ),
        Direction::Output => (
            "-o",
            &[
                "neighbour-solicitation",
                "neighbour-advertisement",
                "router-solicitation",
            ],
        ),
    };
    body.push_str(&format!("-A {base} {interface} lo -j ACCEPT\n"));
    if family == Family::V6 {
        for kind in discovery {
            body.push_str(&format!(
                "-A {base} -p ipv6-icmp --icmpv6-type {kind} -m hl --hl-eq 255 -m comment --comment \"IPv6 neighbour discovery\" -j ACCEPT\n"
            ));
        }
        if direction == Direction::Output {
            for kind in [131, 143] {
                body.push_str(&format!("-A {base} -p ipv6-icmp --icmpv6-type {kind} -m comment --comment \"multicast listener reports for neighbour discovery\" -j ACCEPT\n"));
            }
        }
    }
    body
}
