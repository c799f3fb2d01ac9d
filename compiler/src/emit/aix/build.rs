//! The pieces of a target's rules in one family, in their final order: each flow's request
//! rules, the reply rules stateless filtering needs, TFTP data, and the order of the ranges.

use super::carve;
use super::genfilt::{Op, Proto, Rule};
use super::order::order_ranges;
use super::plan::{parts, pieces, Group, Kind, Mode, Part, Piece};
use super::region::{all_protocols, Cell, TCP, TCP_ACK};
use crate::emit::Family;
use crate::model::{PortSet, Protocol, TargetRules};

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
    // Grouped without copying: a firewall's pieces hold large address sets.
    let mut grouped: [Vec<Piece>; 4] = Default::default();
    for piece in all {
        grouped[piece.group as usize].push(piece);
    }
    let [tcp_replies, denies, permits, ranges] = grouped;
    let mut ordered: Vec<Piece> = tcp_replies;
    ordered.extend(denies);
    ordered.extend(permits);
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
        let allowed = (parts.iter())
            .filter(|other| other.allow && other.way.meets(way))
            .map(|other| &other.cell);
        if super::region::subtract(vec![cell], allowed).is_empty() {
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
