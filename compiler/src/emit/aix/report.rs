//! What the AIX rules of a target cannot express exactly, as packets: what they open beyond
//! the model (replies of stateless rules, TFTP data, widened ranges, AIX's reserved rule) and
//! what they cannot let through (replies a deny of the other direction blocks).

use super::build::FamilyPieces;
use super::genfilt::Way;
use super::plan::{Group, Kind, Part};
use super::region::{subtract, Cell, Packet, TCP, TCP_ACK, UDP};
use crate::emit::Family;
use crate::model::{AddressSet, PortSet, Protocol};

/// Why the AIX rules differ from the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A stateless reply rule also lets the same packets through unasked.
    Replies,
    /// TFTP data, which no stateless rule can follow to the ports it moves to.
    TftpData,
    /// A port range that no order of rules could hold, widened to one comparison.
    Widened,
    /// Replies that a deny of the other direction blocks: the flow cannot work.
    RepliesDenied,
    /// AIX's reserved IPv4 rule 1 (udp 4001 to udp 4001), which no rule can precede.
    ReservedRule,
    /// A protocol number genfilt does not take: the rule is left out.
    Unexpressible,
}

/// One difference between the AIX rules of a target and the model.
#[derive(Clone, Debug)]
pub struct Approximation {
    pub reason: Reason,
    pub way: Way,
    /// The packets treated unlike the model: opened beyond it, or for
    /// [`Reason::RepliesDenied`] and [`Reason::Unexpressible`] the permitted requests that
    /// do not work.
    pub packets: Vec<Cell>,
    pub witness: Packet,
    /// The target rule responsible, if any (its origins locate the warning).
    pub rule: Option<usize>,
    /// The deny rule blocking the replies ([`Reason::RepliesDenied`]).
    pub deny_rule: Option<usize>,
    /// The rule's box, as printed in the warning.
    pub opened: Cell,
}

fn cells(parts: &[Part], allow: bool, way: Way) -> Vec<&Cell> {
    (parts.iter())
        .filter(|part| part.allow == allow && part.way.meets(way))
        .map(|part| &part.cell)
        .collect()
}

/// Every difference in one family. `own` holds the target's addresses for AIX's reserved
/// rule (all addresses for a firewall, which sees routed packets in both directions).
pub fn approximations(
    plan: &FamilyPieces,
    family: Family,
    own: &AddressSet,
    machine: bool,
) -> Vec<Approximation> {
    let mut out = Vec::new();
    let opened = |piece: &super::plan::Piece| {
        piece.widened || matches!(piece.kind, Kind::Reply | Kind::TftpData)
    };
    // What the model permits or denies, by direction: what a rule opens beyond it is new.
    let known = |way: Way| -> Vec<&Cell> {
        (plan.parts.iter())
            .filter(|part| part.way.meets(way))
            .map(|part| &part.cell)
            .collect()
    };
    let known = [known(Way::In), known(Way::Out), known(Way::Both)];
    for piece in (plan.pieces.iter())
        .filter(|piece| matches!(piece.group, Group::Permits | Group::Ranges) && opened(piece))
    {
        let known = &known[piece.way as usize];
        let packets = subtract(vec![piece.exact.clone()], known.iter().copied());
        let Some(witness) = packets.first().and_then(Cell::witness) else {
            continue;
        };
        let reason = match piece.kind {
            Kind::TftpData => Reason::TftpData,
            _ if piece.widened => Reason::Widened,
            _ => Reason::Replies,
        };
        out.push(Approximation {
            reason,
            way: piece.way,
            packets,
            witness,
            rule: Some(piece.rule),
            deny_rule: None,
            opened: piece.exact.clone(),
        });
    }
    for part in plan.parts.iter().filter(|part| part.allow) {
        out.extend(replies_denied(part, &plan.parts, family));
    }
    for &rule in &plan.unexpressible {
        let part = plan.parts.iter().find(|part| part.rule == rule);
        if let Some(witness) = part.and_then(|part| part.cell.witness()) {
            let part = part.expect("found");
            out.push(Approximation {
                reason: Reason::Unexpressible,
                way: part.way,
                packets: vec![part.cell.clone()],
                witness,
                rule: Some(rule),
                deny_rule: None,
                opened: part.cell.clone(),
            });
        }
    }
    if family == Family::V4 {
        out.extend(reserved_rule(&plan.parts, own, machine));
    }
    out
}

fn swapped(cell: &Cell) -> Cell {
    Cell {
        source: cell.destination.clone(),
        destination: cell.source.clone(),
        protocols: cell.protocols.clone(),
        source_ports: cell.ports.clone(),
        ports: cell.source_ports.clone(),
    }
}

/// The permitted requests of a non-TCP flow whose replies a deny of the other direction
/// blocks: the reply rules come after the denies, and a stateless rule cannot tell those
/// replies from the packets the deny forbids.
fn replies_denied(part: &Part, parts: &[Part], family: Family) -> Vec<Approximation> {
    let tcp = PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]);
    let icmp = PortSet::single(if family == Family::V4 { 1 } else { 58 });
    // (requests, their replies, the ICMP query a reply answers)
    let mut pairs: Vec<(Cell, Cell, Option<u16>)> = Vec::new();
    if part.protocol == Protocol::Tcp {
        return Vec::new();
    }
    // ICMP queries are answered by another type, other ICMP types by nothing.
    if part.cell.protocols.intersects(&icmp) {
        let queries: &[(u16, u16)] = match family {
            Family::V4 => &[(8, 0), (13, 14), (15, 16), (17, 18)],
            Family::V6 => &[(128, 129)],
        };
        for &(query, answer) in queries
            .iter()
            .filter(|(q, _)| part.cell.source_ports.contains(*q))
        {
            let requests = Cell {
                protocols: icmp.clone(),
                source_ports: PortSet::single(query),
                ..part.cell.clone()
            };
            let replies = Cell {
                source_ports: PortSet::single(answer),
                ports: PortSet::full(),
                ..swapped(&requests)
            };
            pairs.push((requests, replies, Some(query)));
        }
    }
    // Every other protocol's replies are its packets with the ends swapped.
    let requests = Cell {
        protocols: part.cell.protocols.difference(&tcp).difference(&icmp),
        ..part.cell.clone()
    };
    if !requests.is_empty() {
        let replies = swapped(&requests);
        pairs.push((requests, replies, None));
    }
    let denied_requests = cells(parts, false, part.way);
    let mut out = Vec::new();
    for (requests, replies, query) in pairs {
        for deny in parts
            .iter()
            .filter(|p| !p.allow && p.way.meets(part.way.reversed()))
        {
            let blocked = replies.intersection(&deny.cell);
            if blocked.is_empty() {
                continue;
            }
            let back = match query {
                Some(query) => Cell {
                    source_ports: PortSet::single(query),
                    ports: PortSet::full(),
                    ..swapped(&blocked)
                },
                None => swapped(&blocked),
            };
            let packets = subtract(
                vec![back.intersection(&requests)],
                denied_requests.iter().copied(),
            );
            let Some(witness) = packets.first().and_then(Cell::witness) else {
                continue;
            };
            out.push(Approximation {
                reason: Reason::RepliesDenied,
                way: part.way,
                packets,
                witness,
                rule: Some(part.rule),
                deny_rule: Some(deny.rule),
                opened: replies.clone(),
            });
        }
    }
    out
}

/// AIX's IPv4 rule 1 permits udp from port 4001 to port 4001 both ways, before any rule
/// flowc adds (`rmfilt` and `mvfilt` refuse rule 1): what of it the model does not permit.
fn reserved_rule(parts: &[Part], own: &AddressSet, machine: bool) -> Vec<Approximation> {
    let own = AddressSet {
        v4: own.v4.clone(),
        v6: Default::default(),
    };
    let everyone = AddressSet {
        v4: crate::model::IntervalSet::full(),
        v6: Default::default(),
    };
    if own.is_empty() {
        return Vec::new();
    }
    let ways: &[(Way, bool)] = if machine {
        &[(Way::In, true), (Way::Out, false)]
    } else {
        &[(Way::Both, true)]
    };
    let mut out = Vec::new();
    for &(way, inbound) in ways {
        let (source, destination) = if inbound {
            (everyone.clone(), own.clone())
        } else {
            (own.clone(), everyone.clone())
        };
        let cell = Cell {
            source,
            destination,
            protocols: PortSet::single(UDP),
            source_ports: PortSet::single(4001),
            ports: PortSet::single(4001),
        };
        let mut packets = subtract(vec![cell.clone()], cells(parts, true, way));
        packets.extend(
            (cells(parts, false, way).iter())
                .map(|deny| deny.intersection(&cell))
                .filter(|cell| !cell.is_empty()),
        );
        if let Some(witness) = packets.first().and_then(Cell::witness) {
            out.push(Approximation {
                reason: Reason::ReservedRule,
                way,
                packets,
                witness,
                rule: None,
                deny_rule: None,
                opened: cell,
            });
        }
    }
    out
}
