//! Merging a target's flow pieces into rules: sources of the same destination and opening,
//! then ports of the same addresses, in one canonical order.

use super::addresses::AddressSet;
use super::flow::{Action, Flow, FlowOrigin, Opening, PortSet, Protocol};
use super::origin_ranks::OriginRanking;
use super::policy::{Direction, TargetRule};
use foldhash::fast::FixedState;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::hash::BuildHasher;

/// One flow's part in a target: direction, flow, and its source and destination there (often
/// the flow's own, borrowed).
pub(super) type Piece<'a> = (
    Direction,
    &'a Flow,
    Cow<'a, AddressSet>,
    Cow<'a, AddressSet>,
);

/// Pieces merged by source: one destination and opening, the union of their sources, and
/// their origins (a run of a shared list, so that no group has a list of its own).
struct BySource<'a> {
    direction: Direction,
    action: Action,
    flow: &'a Flow,
    source: Cow<'a, AddressSet>,
    destination: Cow<'a, AddressSet>,
    origins: std::ops::Range<usize>,
}

impl<'a> BySource<'a> {
    /// The part of the key of rules whose destination ports merge that is not addresses.
    fn pair_key(&self) -> (Direction, Action, Protocol, &'a [(u16, u16)]) {
        let opening = &self.flow.opening;
        (
            self.direction,
            self.action,
            opening.protocol,
            opening.source_ports.ranges(),
        )
    }

    /// Rules with the same addresses and source ports, whose destination ports merge.
    fn pair_order(&self, other: &Self) -> Ordering {
        self.pair_key()
            .cmp(&other.pair_key())
            .then_with(|| self.source.cmp(&other.source))
            .then_with(|| self.destination.cmp(&other.destination))
    }

    fn pair_hash(&self, hasher: &FixedState) -> u64 {
        hasher.hash_one((self.pair_key(), &*self.source, &*self.destination))
    }
}

/// Merges pieces in two canonical passes: sources of the same (destination, opening), then
/// ports of the same (source, destination, protocol, source ports).
///
/// Each pass sorts by a hash of its key and takes runs of equal keys, so no group owns a list
/// or a hash entry and address sets are compared in full only within a group. Each merged set
/// is built once from all its parts: adding parts one union at a time would copy the growing
/// set every time, quadratic for a server with thousands of clients. Origins are borrowed from
/// the policy's flows, never copied. Only the final sort decides the order of the rules.
pub(super) fn merge<'a>(pieces: Vec<Piece<'a>>, ranking: OriginRanking<'_>) -> Vec<TargetRule<'a>> {
    let hasher = FixedState::default();
    let mut pieces: Vec<(u64, Piece<'_>)> = pieces
        .into_iter()
        .map(|piece| (hasher.hash_one((opening_key(&piece), &*piece.3)), piece))
        .collect();
    pieces.sort_unstable_by(|(a_hash, a), (b_hash, b)| {
        a_hash.cmp(b_hash).then_with(|| piece_order(a, b))
    });
    let origins: Vec<&FlowOrigin> = pieces.iter().map(|(_, piece)| &piece.1.origin).collect();
    let mut merged: Vec<(u64, BySource<'_>)> = Vec::with_capacity(pieces.len());
    let mut start = 0;
    for run in pieces.chunk_by(|(a_hash, a), (b_hash, b)| {
        a_hash == b_hash && piece_order(a, b) == Ordering::Equal
    }) {
        let (_, (direction, flow, _, destination)) = &run[0];
        let source = match run {
            [(_, (_, _, single, _))] => single.clone(),
            _ => Cow::Owned(AddressSet::union_all(
                run.iter().map(|(_, piece)| &*piece.2),
            )),
        };
        let part = BySource {
            direction: *direction,
            action: flow.action,
            flow,
            source,
            destination: destination.clone(),
            origins: start..start + run.len(),
        };
        merged.push((part.pair_hash(&hasher), part));
        start += run.len();
    }
    merged.sort_unstable_by(|(a_hash, a), (b_hash, b)| {
        a_hash.cmp(b_hash).then_with(|| a.pair_order(b))
    });
    let mut rules: Vec<TargetRule<'_>> = Vec::with_capacity(merged.len());
    for run in merged.chunk_by_mut(|(a_hash, a), (b_hash, b)| {
        a_hash == b_hash && a.pair_order(b) == Ordering::Equal
    }) {
        // The run's addresses are moved into the rule, not copied: a merged union, or a set
        // of the policy that the rule borrows.
        let empty = || Cow::Owned(AddressSet::empty());
        let source = std::mem::replace(&mut run[0].1.source, empty());
        let destination = std::mem::replace(&mut run[0].1.destination, empty());
        let (_, first) = &run[0];
        // One part's ports are a port set already; only a union needs sorting and joining.
        let ports = match &*run {
            [(_, part)] => part.flow.opening.ports.clone(),
            _ => PortSet::from_ranges(
                (run.iter()).flat_map(|(_, part)| part.flow.opening.ports.ranges().iter().copied()),
            ),
        };
        let mut rule_origins: Vec<&FlowOrigin> = run
            .iter()
            .flat_map(|(_, part)| origins[part.origins.clone()].iter().copied())
            .collect();
        ranking.sort(&mut rule_origins);
        let opening = &first.flow.opening;
        rules.push(TargetRule {
            direction: first.direction,
            action: first.action,
            source,
            destination,
            opening: Opening {
                protocol: opening.protocol,
                ports,
                source_ports: opening.source_ports.clone(),
                service: None,
            },
            origins: rule_origins,
        });
    }
    // Denies first: with first-match backends this is what makes deny override allow. Rules
    // of the same origins and protocol (one flow cut into pieces) follow their addresses.
    // No two rules are equal in this order (the second pass joined those of the same key and
    // addresses), so sorting positions gives the one order that sorting the rules would. The
    // positions carry the leading part of the order as one number, which decides most
    // comparisons without reading the rules; the rules, which are large, move once.
    let order = |a: &TargetRule<'_>, b: &TargetRule<'_>| {
        (a.action != Action::Deny, a.direction)
            .cmp(&(b.action != Action::Deny, b.direction))
            .then_with(|| ranking.lists_order(&a.origins, &b.origins))
            .then_with(|| a.opening.protocol.cmp(&b.opening.protocol))
            .then_with(|| rule_pair_key(a).cmp(&rule_pair_key(b)))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.destination.cmp(&b.destination))
    };
    let keys = leading_keys(&rules, ranking);
    let mut positions: Vec<(u64, u32)> = keys.into_iter().zip(0..).collect();
    positions.sort_unstable_by(|(a_key, a), (b_key, b)| {
        a_key
            .cmp(b_key)
            .then_with(|| order(&rules[*a as usize], &rules[*b as usize]))
    });
    let mut slots: Vec<Option<TargetRule<'_>>> = rules.into_iter().map(Some).collect();
    positions
        .iter()
        .filter_map(|(_, position)| slots[*position as usize].take())
        .collect()
}

/// For each rule, the start of the final order as one number: allows after denies, then the
/// direction, then the rank of the first origin. Two rules whose numbers differ are in that
/// order. When some origin has no rank (it is not a flow of the policy), every number is 0 and
/// the full comparison decides alone.
fn leading_keys(rules: &[TargetRule<'_>], ranking: OriginRanking<'_>) -> Vec<u64> {
    let keys: Option<Vec<u64>> = (rules.iter())
        .map(|rule| {
            // An empty list of origins comes before any other.
            let first = match rule.origins.first() {
                None => 0,
                Some(origin) => u64::from(ranking.rank(origin)?) + 1,
            };
            let allow = u64::from(rule.action != Action::Deny);
            Some(allow << 40 | (rule.direction as u64) << 34 | first)
        })
        .collect();
    keys.unwrap_or_else(|| vec![0; rules.len()])
}

/// The part of a rule's address-pair key that is not its addresses.
fn rule_pair_key<'a>(rule: &'a TargetRule<'_>) -> (Direction, Action, Protocol, &'a [(u16, u16)]) {
    (
        rule.direction,
        rule.action,
        rule.opening.protocol,
        rule.opening.source_ports.ranges(),
    )
}

/// Pieces with the same destination and opening, whose sources merge.
fn piece_order(a: &Piece<'_>, b: &Piece<'_>) -> Ordering {
    opening_key(a)
        .cmp(&opening_key(b))
        .then_with(|| a.3.cmp(&b.3))
}

/// Direction, action, protocol, ports and source ports.
type OpeningKey<'a> = (
    Direction,
    Action,
    Protocol,
    &'a [(u16, u16)],
    &'a [(u16, u16)],
);

/// Direction, action and opening of a piece, as one comparable key.
fn opening_key<'a>(piece: &Piece<'a>) -> OpeningKey<'a> {
    let (direction, flow, _, _) = piece;
    let opening = &flow.opening;
    (
        *direction,
        flow.action,
        opening.protocol,
        opening.ports.ranges(),
        opening.source_ports.ranges(),
    )
}
