//! The pieces of a target's rules in one family, in their final order: each flow's request
//! rules, the reply rules stateless filtering needs, TFTP data, and the order of the ranges.

use super::carve;
use super::genfilt::{Op, Proto, Rule};
use super::plan::{parts, pieces, Group, Kind, Mode, Part, Piece, ENUMERATION_LIMIT};
use super::region::{all_protocols, Cell, TCP, TCP_ACK};
use crate::emit::Family;
use crate::model::{PortSet, Protocol, TargetRules};
use std::collections::BTreeSet;

/// ICMP queries and their answers, by family: a stateless filter must let the answer back.
fn queries(family: Family) -> &'static [(u16, u16)] {
    match family {
        // Echo, timestamp, information and address mask requests (RFC 792, RFC 950).
        Family::V4 => &[(8, 0), (13, 14), (15, 16), (17, 18)],
        Family::V6 => &[(128, 129)],
    }
}

/// TFTP's well-known port, and the range both ends pick their transfer identifiers from
/// (seed 000: "random port between 32768 and 65535").
const TFTP: u16 = 69;
const TFTP_DATA: (u16, u16) = (32768, 65535);

pub struct FamilyPieces {
    pub parts: Vec<Part>,
    /// In print order.
    pub pieces: Vec<Piece>,
    /// Target rules genfilt cannot express (a protocol number outside 1..=252).
    pub unexpressible: Vec<usize>,
    /// Denies cut out of the permits rather than written (see `carve`).
    pub carved: Vec<usize>,
}

pub fn build(rules: &TargetRules<'_>, family: Family) -> FamilyPieces {
    let parts = parts(rules, family);
    let wide = |part: &Part| !part.allow && carve::deny_cost(part) > carve::DENY_RULES;
    let (all, unexpressible, carved) = part_list(&parts, family, wide)
        .or_else(|| part_list(&parts, family, |_| false))
        .expect("without carving every piece is named");
    let mut ordered: Vec<Piece> = Vec::new();
    for group in [Group::TcpReplies, Group::Denies, Group::Permits] {
        ordered.extend(all.iter().filter(|piece| piece.group == group).cloned());
    }
    let ranges: Vec<Piece> = all
        .into_iter()
        .filter(|p| p.group == Group::Ranges)
        .collect();
    let (mut rewritten, ranges) = order_ranges(ranges);
    ordered.append(&mut rewritten);
    ordered.extend(ranges);
    FamilyPieces {
        parts,
        pieces: ordered,
        unexpressible,
        carved,
    }
}

/// Every piece of the parts, with the denies `wide` picks cut out of the permits instead of
/// written (`None` when a permit's remainder cannot be named).
fn part_list(
    parts: &[Part],
    family: Family,
    wide: impl Fn(&Part) -> bool,
) -> Option<(Vec<Piece>, Vec<usize>, Vec<usize>)> {
    let mut all = Vec::new();
    let mut unexpressible = Vec::new();
    let mut carved = Vec::new();
    let mut carved_rules = Vec::new();
    for part in parts {
        match Proto::of(part.protocol) {
            Some(_) if wide(part) => {
                carved.push((part.way, part.cell.clone()));
                carved_rules.push(part.rule);
            }
            Some(protocol) => all.extend(part_pieces(part, protocol, family, parts)),
            None => unexpressible.push(part.rule),
        }
    }
    carved_rules.dedup();
    Some((carve::carve(all, &carved)?, unexpressible, carved_rules))
}

fn part_pieces(part: &Part, protocol: Proto, family: Family, parts: &[Part]) -> Vec<Piece> {
    let full = PortSet::full();
    let o = &part.opening;
    let (source_ports, ports, mode) = match part.protocol {
        Protocol::Tcp | Protocol::Udp => (&o.source_ports, &o.ports, Mode::Permit),
        Protocol::Icmp | Protocol::Icmpv6 => (&o.ports, &full, Mode::Enumerate),
        Protocol::Ip(_) | Protocol::Any => (&full, &full, Mode::Permit),
    };
    let mode = if part.allow { mode } else { Mode::Deny };
    let ends = (&part.source, &part.destination);
    let back = (&part.destination, &part.source);
    let way = part.way;
    let mut out = pieces(
        part.rule,
        Kind::Request,
        way,
        ends,
        protocol,
        (source_ports, ports),
        part.allow,
        mode,
    );
    if !part.allow {
        return out;
    }
    let reply = |protocol, fields: (&PortSet, &PortSet), mode| {
        pieces(
            part.rule,
            Kind::Reply,
            way.reversed(),
            back,
            protocol,
            fields,
            true,
            mode,
        )
    };
    match part.protocol {
        Protocol::Tcp => out.extend(reply(Proto::TcpAck, (ports, source_ports), Mode::Widen)),
        Protocol::Udp => out.extend(reply(Proto::Udp, (ports, source_ports), Mode::Permit)),
        Protocol::Icmp | Protocol::Icmpv6 => {
            for &(query, answer) in queries(family) {
                if o.ports.contains(query) {
                    let answer = PortSet::single(answer);
                    out.extend(reply(protocol, (&answer, &full), Mode::Permit));
                }
            }
        }
        Protocol::Ip(_) => out.extend(reply(protocol, (&full, &full), Mode::Permit)),
        Protocol::Any => {
            out.extend(reply(Proto::TcpAck, (&full, &full), Mode::Widen));
            out.push(every_other_reply(part));
        }
    }
    if part.protocol == Protocol::Udp && o.ports.contains(TFTP) {
        out.extend(tftp_data(part, parts));
    }
    out
}

/// The replies of `any` other than TCP: every protocol back, after a deny of TCP (whose
/// replies are the `tcp/ack` rule), so that the server cannot open a connection back.
fn every_other_reply(part: &Part) -> Piece {
    let way = part.way.reversed();
    let rule = |permit, protocol| Rule {
        permit,
        way,
        source: part.destination.clone(),
        destination: part.source.clone(),
        protocol,
        source_field: Op::Any,
        destination_field: Op::Any,
    };
    let tcp = PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]);
    Piece {
        group: Group::Ranges,
        rule: part.rule,
        kind: Kind::Reply,
        way,
        exact: Cell {
            protocols: all_protocols().difference(&tcp),
            ..rule(true, Proto::All).cell()
        },
        rules: vec![rule(false, Proto::Tcp), rule(true, Proto::All)],
        cut: vec![rule(false, Proto::Tcp).cell()],
        widened: false,
    }
}

/// TFTP's data, which moves to new ports at both ends (RFC 1350 §4): unless the model opens
/// it already, udp 32768-65535 both ways between the client and the server.
fn tftp_data(part: &Part, parts: &[Part]) -> Vec<Piece> {
    let data = PortSet::range(TFTP_DATA.0, TFTP_DATA.1);
    let mut out = Vec::new();
    for (way, ends) in [
        (part.way.reversed(), (&part.destination, &part.source)),
        (part.way, (&part.source, &part.destination)),
    ] {
        let cell = Cell {
            source: ends.0.clone(),
            destination: ends.1.clone(),
            protocols: Proto::Udp.values(),
            source_ports: data.clone(),
            ports: data.clone(),
        };
        let allowed: Vec<Cell> = (parts.iter())
            .filter(|other| other.allow && other.way.meets(way))
            .map(|other| other.cell.clone())
            .collect();
        if super::region::subtract(vec![cell], &allowed).is_empty() {
            continue;
        }
        out.extend(pieces(
            part.rule,
            Kind::TftpData,
            way,
            ends,
            Proto::Udp,
            (&data, &data),
            true,
            Mode::Permit,
        ));
    }
    out
}

/// Orders the range pieces so that no deny-above rule catches a packet a later piece
/// permits. Pieces caught in a cycle are written port by port (returned first, to print
/// with the other single-rule permits) or, past [`ENUMERATION_LIMIT`], widened.
fn order_ranges(mut ranges: Vec<Piece>) -> (Vec<Piece>, Vec<Piece>) {
    let mut rewritten = Vec::new();
    loop {
        let count = ranges.len();
        let mut before: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut waiting = vec![0usize; count];
        for (first, piece) in ranges.iter().enumerate() {
            for (later, other) in ranges.iter().enumerate() {
                let caught = first != later
                    && piece.way.meets(other.way)
                    && other.cut.iter().any(|cut| cut.intersects(&piece.exact));
                if caught {
                    before[first].push(later);
                    waiting[later] += 1;
                }
            }
        }
        let mut ready: BTreeSet<usize> = (0..count).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(count);
        while let Some(next) = ready.pop_first() {
            order.push(next);
            for &later in &before[next] {
                waiting[later] -= 1;
                if waiting[later] == 0 {
                    ready.insert(later);
                }
            }
        }
        if order.len() == count {
            let mut slots: Vec<Option<Piece>> = ranges.into_iter().map(Some).collect();
            let ordered = order.into_iter().filter_map(|i| slots[i].take()).collect();
            return (rewritten, ordered);
        }
        let stuck = (0..count)
            .filter(|&i| waiting[i] > 0)
            .min_by_key(|&i| cost(&ranges[i]))
            .expect("a cycle has members");
        rewritten.extend(rewrite(ranges.remove(stuck)));
    }
}

/// How many rules a range piece takes port by port.
fn cost(piece: &Piece) -> u64 {
    // The replies of `any` other than TCP are cut by protocol, which no port list replaces.
    if piece
        .rules
        .last()
        .is_some_and(|rule| rule.protocol == Proto::All)
    {
        return u64::MAX;
    }
    // A field one comparison holds stays one rule; a range is one rule per port.
    let count = |set: &PortSet| match set.ranges() {
        [(lo, hi)] if Op::exact(*lo, *hi).is_some() => 1,
        _ => set.len() as u64,
    };
    count(&piece.exact.source_ports).saturating_mul(count(&piece.exact.ports))
}

/// A range piece without its deny-above rules: port by port, or widened.
fn rewrite(piece: Piece) -> Vec<Piece> {
    let last = piece.rules.last().expect("a piece has rules").clone();
    if cost(&piece) == u64::MAX {
        return vec![Piece {
            group: Group::Permits,
            exact: last.cell(),
            rules: vec![last],
            cut: Vec::new(),
            widened: true,
            ..piece
        }];
    }
    let mode = if cost(&piece) <= ENUMERATION_LIMIT {
        Mode::Enumerate
    } else {
        Mode::Widen
    };
    let exact = &piece.exact;
    let mut out = pieces(
        piece.rule,
        piece.kind,
        piece.way,
        (&exact.source, &exact.destination),
        last.protocol,
        (&exact.source_ports, &exact.ports),
        true,
        mode,
    );
    for rewritten in &mut out {
        rewritten.group = Group::Permits;
        rewritten.widened |= mode == Mode::Widen;
    }
    out
}
