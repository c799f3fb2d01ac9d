//! The rule list of one target in one family, in the order first-match evaluation needs.
//!
//! genfilt compares a port field with one operator, and its IF/ELSE/ENDIF rules are not a
//! per-packet condition (IBM, "Stateful filter rules": once a packet satisfies the IF rule,
//! its block is used for every packet until `mkfilt -u` runs again), so a range such as
//! 513-1023 is written as two rules: a deny of the ports above it, then a permit from its
//! lower end. Such a deny must come after every permit that wants a packet it catches; the
//! list is therefore built in groups:
//!
//! 1. TCP segments with ACK in the reply direction of every permitted TCP flow (`tcp/ack`,
//!    ranges widened to one comparison): they cannot open a connection, and coming first no
//!    deny of the other direction breaks a permitted connection, as with a stateful filter;
//! 2. the denied flows (ranges written one port at a time), before every permit;
//! 3. permits that need one rule per port field (requests, and the replies of UDP, ICMP
//!    queries and other protocols, which stateless filtering opens at any time);
//! 4. permits of ranges (deny above, permit from), ordered so that no deny catches a packet
//!    a later permit wants; where that order cannot exist, the range is written port by port
//!    or, past [`ENUMERATION_LIMIT`] ports, widened (and reported).

use super::genfilt::{Op, Proto, Rule, Way};
use super::region::Cell;
use crate::emit::{by_family, Family};
use crate::model::{Action, AddressSet, Direction, PortSet, Protocol, TargetRules};

/// Ranges of at most this many ports are written one port per rule, which needs no order.
const SMALL_RANGE: u32 = 16;
/// The most rules a range that cannot be ordered is written port by port with.
pub const ENUMERATION_LIMIT: u64 = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    TcpReplies,
    Denies,
    Permits,
    Ranges,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Reply,
    TftpData,
}

/// The rules of one box of packets: the rules printed together and the packets they permit.
#[derive(Clone, Debug)]
pub struct Piece {
    pub group: Group,
    /// Index of the target rule it comes from.
    pub rule: usize,
    pub kind: Kind,
    pub way: Way,
    /// What the rules permit (or deny), exactly.
    pub exact: Cell,
    pub rules: Vec<Rule>,
    /// What its leading deny rules catch beyond `exact`.
    pub cut: Vec<Cell>,
    /// Whether a range was widened to one comparison because no order could hold it.
    pub widened: bool,
}

/// One port field: a single comparison, or a range written as deny-above and permit-from.
#[derive(Clone, Copy, Debug)]
enum Field {
    One(Op),
    Range(u16, u16),
}

impl Field {
    fn lower(self) -> Op {
        match self {
            Field::One(op) => op,
            Field::Range(lo, _) => Op::Ge(lo),
        }
    }
    fn set(self) -> PortSet {
        match self {
            Field::One(op) => op.set(),
            Field::Range(lo, hi) => PortSet::range(lo, hi),
        }
    }
}

/// The fields of a port set: one comparison per range, small ranges port by port, larger
/// ones as ranges (or, with `widen`, one enclosing comparison; with `exact`, port by port).
fn fields(set: &PortSet, mode: Mode) -> Vec<Field> {
    let mut fields = Vec::new();
    for &(lo, hi) in set.ranges() {
        if let Some(op) = Op::exact(lo, hi) {
            fields.push(Field::One(op));
            continue;
        }
        let small = u32::from(hi - lo) < SMALL_RANGE;
        match mode {
            Mode::Widen if !small => fields.push(Field::One(Op::enclosing(lo, hi))),
            // Port 0 is never a real port: a deny of 1..hi may deny it too.
            Mode::Deny if lo == 1 => fields.push(Field::One(Op::Le(hi))),
            Mode::Permit if !small => fields.push(Field::Range(lo, hi)),
            Mode::Deny | Mode::Enumerate | Mode::Permit | Mode::Widen => {
                fields.extend((lo..=hi).map(|port| Field::One(Op::Eq(port))))
            }
        }
    }
    fields
}

/// How a range no single comparison holds is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Small ranges port by port, larger ones as deny-above and permit-from.
    Permit,
    /// Port by port (a deny cannot be cut: its rules come before every permit).
    Deny,
    /// Port by port, whatever the size.
    Enumerate,
    /// Small ranges port by port, larger ones widened to one enclosing comparison.
    Widen,
}

/// The address set of a side: the rule's own, or the whole family.
fn side_set(side: &crate::emit::Side<'_>, family: Family) -> AddressSet {
    match side {
        Some(set) => set.clone().into_owned(),
        None => match family {
            Family::V4 => AddressSet {
                v4: crate::model::IntervalSet::full(),
                v6: Default::default(),
            },
            Family::V6 => AddressSet {
                v4: Default::default(),
                v6: crate::model::IntervalSet::full(),
            },
        },
    }
}

/// One target rule in one family, with the sets the planner works on.
pub struct Part {
    pub rule: usize,
    pub allow: bool,
    pub way: Way,
    pub source: AddressSet,
    pub destination: AddressSet,
    pub protocol: Protocol,
    pub opening: crate::model::Opening,
    pub cell: Cell,
}

pub fn parts(rules: &TargetRules<'_>, family: Family) -> Vec<Part> {
    let mut parts = Vec::new();
    for (index, rule) in rules.rules.iter().enumerate() {
        for part in by_family(rule).into_iter().filter(|p| p.family == family) {
            let (source, destination) = (
                side_set(&part.source, family),
                side_set(&part.destination, family),
            );
            let cell = Cell::of_opening(source.clone(), destination.clone(), &rule.opening);
            parts.push(Part {
                rule: index,
                allow: rule.action == Action::Allow,
                way: match rule.direction {
                    Direction::Input => Way::In,
                    Direction::Output => Way::Out,
                    Direction::Forward => Way::Both,
                },
                source,
                destination,
                protocol: rule.opening.protocol,
                opening: rule.opening.clone(),
                cell,
            });
        }
    }
    parts
}

/// The pieces of one box: a rule per field combination, with deny-above rules for ranges.
#[allow(clippy::too_many_arguments)]
pub fn pieces(
    rule_index: usize,
    kind: Kind,
    way: Way,
    (source, destination): (&AddressSet, &AddressSet),
    protocol: Proto,
    (source_ports, ports): (&PortSet, &PortSet),
    permit: bool,
    mode: Mode,
) -> Vec<Piece> {
    let mut out = Vec::new();
    for source_field in fields(source_ports, mode) {
        for field in fields(ports, mode) {
            let rule = |permit: bool, source_field: Op, destination_field: Op| Rule {
                permit,
                way,
                source: source.clone(),
                destination: destination.clone(),
                protocol,
                source_field,
                destination_field,
            };
            let mut rules = Vec::new();
            if let Field::Range(_, hi) = source_field {
                rules.push(rule(false, Op::Gt(hi), field.lower()));
            }
            if let Field::Range(_, hi) = field {
                rules.push(rule(false, source_field.lower(), Op::Gt(hi)));
            }
            let cut = rules.iter().map(Rule::cell).collect::<Vec<_>>();
            rules.push(rule(permit, source_field.lower(), field.lower()));
            let group = match (kind, permit, cut.is_empty()) {
                (_, false, _) => Group::Denies,
                (Kind::Reply, true, true) if protocol == Proto::TcpAck => Group::TcpReplies,
                (_, true, true) => Group::Permits,
                (_, true, false) => Group::Ranges,
            };
            out.push(Piece {
                group,
                rule: rule_index,
                kind,
                widened: mode == Mode::Widen && kind != Kind::Reply,
                way,
                exact: Cell {
                    source: source.clone(),
                    destination: destination.clone(),
                    protocols: protocol.values(),
                    source_ports: source_field.set(),
                    ports: field.set(),
                },
                rules,
                cut,
            });
        }
    }
    out
}
