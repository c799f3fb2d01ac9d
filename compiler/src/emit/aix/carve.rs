//! Denies too wide to write port by port. A deny comes before every permit and cannot be
//! cut in two rules as a permit's range is, so a deny of an inner range (`udp 2000..3000
//! from 1000..1100`) would take a rule per port pair. Past [`DENY_RULES`] rules it is not
//! written at all: its packets are cut out of every permit that holds them, and the default
//! rule denies them. TCP replies (`tcp/ack`) stay whole, as with written denies.

use super::genfilt::{Op, Proto, Rule, Way};
use super::plan::{pieces, Group, Mode, Part, Piece};
use super::region::{all_protocols, subtract, Cell, TCP, TCP_ACK};
use crate::model::{PortSet, Protocol};

/// The most rules a deny is written with port by port.
pub const DENY_RULES: u64 = 64;

/// How many rules a deny takes written port by port.
pub fn deny_cost(part: &Part) -> u64 {
    if !matches!(part.protocol, Protocol::Tcp | Protocol::Udp) {
        return 1;
    }
    let rules = |set: &PortSet| -> u64 {
        (set.ranges().iter())
            .map(|&(lo, hi)| {
                if Op::exact(lo, hi).is_some() || lo == 1 {
                    1
                } else {
                    u64::from(hi - lo) + 1
                }
            })
            .sum()
    };
    rules(&part.opening.ports).saturating_mul(rules(&part.opening.source_ports))
}

/// The pieces with the packets of `denies` cut out of every permit; `None` when what is
/// left of a permit has protocols no rule can name.
pub fn carve(all: Vec<Piece>, denies: &[(Way, Cell)]) -> Option<Vec<Piece>> {
    let mut out = Vec::with_capacity(all.len());
    for piece in all {
        let cutting: Vec<&Cell> = (denies.iter())
            .filter(|(way, cell)| way.meets(piece.way) && cell.intersects(&piece.exact))
            .map(|(_, cell)| cell)
            .collect();
        if cutting.is_empty() || matches!(piece.group, Group::TcpReplies | Group::Denies) {
            out.push(piece);
            continue;
        }
        for cell in subtract(vec![piece.exact.clone()], cutting) {
            out.extend(rebuild(&piece, cell)?);
        }
    }
    Some(out)
}

/// The genfilt word for a set of protocol values, if one names it.
fn proto(values: &PortSet) -> Option<Proto> {
    let tcp = PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]);
    if *values == tcp {
        return Some(Proto::Tcp);
    }
    if *values == all_protocols() {
        return Some(Proto::All);
    }
    match values.ranges() {
        [(17, 17)] => Some(Proto::Udp),
        [(1, 1)] => Some(Proto::Icmp),
        [(58, 58)] => Some(Proto::Icmpv6),
        // TCP without or with ACK alone is no genfilt word (`tcp` is both).
        [(value, hi)] if value == hi && (2..=252).contains(value) && *value != TCP => {
            Some(Proto::Number(*value as u8))
        }
        _ => None,
    }
}

/// The pieces of what is left of `piece`: one protocol's rules, or every protocol but some
/// (a deny of each, then a permit of all, ordered like a range).
fn rebuild(piece: &Piece, cell: Cell) -> Option<Vec<Piece>> {
    if let Some(protocol) = proto(&cell.protocols) {
        let mode = if matches!(protocol, Proto::Icmp | Proto::Icmpv6) {
            Mode::Enumerate
        } else {
            Mode::Permit
        };
        let mut out = pieces(
            piece.rule,
            piece.kind,
            piece.way,
            (&cell.source, &cell.destination),
            protocol,
            (&cell.source_ports, &cell.ports),
            true,
            mode,
        );
        for rebuilt in &mut out {
            rebuilt.widened = piece.widened;
        }
        return Some(out);
    }
    if !cell.source_ports.is_full() || !cell.ports.is_full() {
        return None;
    }
    let missing = all_protocols().difference(&cell.protocols);
    let mut excluded = Vec::new();
    let tcp = PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]);
    if tcp.is_subset(&missing) {
        excluded.push(Proto::Tcp);
    }
    for &(lo, hi) in missing.difference(&tcp).ranges() {
        for value in lo..=hi {
            excluded.push(proto(&PortSet::single(value))?);
        }
    }
    let rule = |permit, protocol| Rule {
        permit,
        way: piece.way,
        source: cell.source.clone(),
        destination: cell.destination.clone(),
        protocol,
        source_field: Op::Any,
        destination_field: Op::Any,
    };
    let mut rules: Vec<Rule> = excluded.iter().map(|&p| rule(false, p)).collect();
    let cut = rules.iter().map(Rule::cell).collect();
    rules.push(rule(true, Proto::All));
    Some(vec![Piece {
        group: Group::Ranges,
        rule: piece.rule,
        kind: piece.kind,
        way: piece.way,
        exact: cell,
        rules,
        cut,
        widened: piece.widened,
    }])
}
