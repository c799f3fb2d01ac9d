//! The order of the range pieces (a deny of the ports above a range, then a permit from its
//! lower end): no deny may catch a packet a later piece permits. Where no such order exists
//! (two ranges whose denies catch each other's ports), one of them is written port by port,
//! or past [`ENUMERATION_LIMIT`] rules widened to one comparison (and reported).

use super::genfilt::{Op, Proto};
use super::plan::{pieces, Group, Mode, Piece, ENUMERATION_LIMIT};
use crate::model::PortSet;
use std::collections::BTreeSet;

/// Orders the range pieces so that no deny-above rule catches a packet a later piece
/// permits. Pieces caught in a cycle are written port by port (returned first, to print
/// with the other single-rule permits) or, past [`ENUMERATION_LIMIT`], widened.
pub fn order_ranges(ranges: Vec<Piece>) -> (Vec<Piece>, Vec<Piece>) {
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
    // Kahn's order, lowest index first; when every piece left waits on another (a cycle),
    // the cheapest of them is written without its deny-above rules and taken out of the
    // graph, which frees the pieces it held back.
    let mut ready: BTreeSet<usize> = (0..count).filter(|&i| waiting[i] == 0).collect();
    let mut done = vec![false; count];
    let mut order = Vec::with_capacity(count);
    let mut taken_out = Vec::new();
    while order.len() + taken_out.len() < count {
        let next = match ready.pop_first() {
            Some(next) => {
                order.push(next);
                next
            }
            None => {
                let stuck = (0..count)
                    .filter(|&i| !done[i])
                    .min_by_key(|&i| cost(&ranges[i]))
                    .expect("a cycle has members");
                taken_out.push(stuck);
                stuck
            }
        };
        done[next] = true;
        for &later in &before[next] {
            waiting[later] -= 1;
            if waiting[later] == 0 && !done[later] {
                ready.insert(later);
            }
        }
    }
    let mut slots: Vec<Option<Piece>> = ranges.into_iter().map(Some).collect();
    let rewritten = (taken_out.into_iter())
        .filter_map(|i| slots[i].take())
        .flat_map(rewrite)
        .collect();
    let ordered = order.into_iter().filter_map(|i| slots[i].take()).collect();
    (rewritten, ordered)
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
