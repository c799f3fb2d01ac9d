//! `shadowed`: allows that denies cover entirely, alone or together. The same pass finds the
//! allows that denies cover in part, which `partly_shadowed` and `generalization` report.

use super::{generalization, origin_label, partly_shadowed};
use crate::coverage::{
    covered, each_box, hulls, service_ranges, shares_family, FlowIndex, PacketBox, Witness,
    DESTINATION,
};
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Flow};
use crate::query::Evaluator;
use crate::source::Span;
use std::collections::BTreeMap;

crate::explain_lints! {
    /// An allow that deny rules fully cover, alone or together: it can never open anything
    /// (default: warning).
    ///
    /// Deny overrides allow whatever the order, so such an allow is dead. flowc finds coverage
    /// by the union of several denies, not only by one:
    ///
    /// ```text
    /// deny  lan -> db : tcp 1..1000
    /// deny  lan -> db : tcp 1001..2000
    /// allow lan -> db : tcp 500..1500   # shadowed by both denies together
    /// ```
    ///
    /// Remove the allow, or narrow the deny if the allow is what you meant. Flows of a role
    /// that denies cover entirely are reported at the role's use. The report names one packet
    /// of the allow (`flowc query SOURCE DESTINATION 'SPEC'` shows which deny stops it). When
    /// only part of an allow is denied, `partly-shadowed` or `generalization` reports it.
    SHADOWED, "allow fully covered by denies";
}

/// How denies meet one flow of an allow.
pub(super) struct Denied {
    /// The flow (an index into the flow list).
    pub flow: usize,
    /// Whether the denies cover all of it.
    pub entirely: bool,
    /// Each deny that meets it, with the first packets they share.
    pub denies: Vec<(usize, PacketBox)>,
}

pub fn check(flows: &[Flow], evaluator: &Evaluator<'_>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<(Span, Option<Span>), Vec<usize>> = BTreeMap::new();
    for (index, flow) in flows.iter().enumerate().filter(|(_, flow)| {
        // An allow that holds no packet (no port, or no family in common: `family-mismatch`)
        // is not covered by denies but empty.
        flow.action == Action::Allow
            && !flow.opening.opens_nothing()
            && shares_family(&flow.source, &flow.destination)
    }) {
        groups
            .entry((flow.origin.item, flow.origin.statement))
            .or_default()
            .push(index);
    }
    let denies = evaluator.deny_index();
    let mut diagnostics = Vec::new();
    for ((item, _), members) in groups {
        let denied: Vec<Denied> = (members.iter())
            .filter_map(|&index| denied(flows, index, denies))
            .collect();
        if denied.is_empty() {
            continue;
        }
        let diagnostic = if denied.len() == members.len() && denied.iter().all(|d| d.entirely) {
            shadowed(flows, item, &denied)
        } else if let Some(diagnostic) = partly_shadowed::report(flows, item, &denied) {
            diagnostic
        } else {
            generalization::report(flows, item, &denied)
        };
        diagnostics.push(diagnostic);
    }
    diagnostics
}

/// The most destination ranges a flow asks the deny index about one by one.
const DESTINATION_QUESTIONS: usize = 16;

/// How the denies meet one flow, or `None` when none does.
///
/// Candidates come from the index by the flow's hull (one question per address family); each
/// is then held to the flow by its address sets and services, never box by box, so the usual
/// answer ("no deny meets it") costs a few interval merges.
fn denied(flows: &[Flow], index: usize, denies: &FlowIndex) -> Option<Denied> {
    let flow = &flows[index];
    let mut candidates: Vec<usize> = Vec::new();
    for hull in hulls(&flow.source, &flow.destination, &flow.opening) {
        // The hull of a sparse destination spans denies that fall between its ranges: ask per
        // destination range when there are few.
        if flow.destination.family_range_count(hull.ipv6) <= DESTINATION_QUESTIONS {
            for range in flow.destination.family_ranges(hull.ipv6) {
                let mut question = hull;
                question.ranges[DESTINATION] = range;
                denies.flows_overlapping(&question, &mut candidates);
            }
        } else {
            denies.flows_overlapping(&hull, &mut candidates);
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let met: Vec<(usize, PacketBox)> = (candidates.into_iter())
        .filter_map(|deny| Some((deny, first_shared_packet(flow, &flows[deny])?)))
        .collect();
    if met.is_empty() {
        return None;
    }
    let entirely = covered(
        each_box(&flow.source, &flow.destination, &flow.opening),
        denies,
        |deny| met.iter().any(|(met, _)| *met == deny),
    );
    Some(Denied {
        flow: index,
        entirely,
        denies: met,
    })
}

/// The lowest box of packets two flows share, if they share any.
fn first_shared_packet(flow: &Flow, other: &Flow) -> Option<PacketBox> {
    let source = flow.source.intersection(&other.source);
    let destination = flow.destination.intersection(&other.destination);
    if source.is_empty() || destination.is_empty() {
        return None;
    }
    let services: Vec<PacketBox> = (service_ranges(&other.opening).into_iter())
        .map(|[protocol, port, source_port]| PacketBox {
            ipv6: false,
            ranges: [(0, u128::MAX), (0, u128::MAX), protocol, port, source_port],
        })
        .collect();
    // Services that never meet make every address pair miss: find that out once.
    let meets = (service_ranges(&flow.opening).into_iter()).any(|[protocol, port, source_port]| {
        let service = PacketBox {
            ipv6: false,
            ranges: [(0, u128::MAX), (0, u128::MAX), protocol, port, source_port],
        };
        services
            .iter()
            .any(|other| other.intersection(&service).is_some())
    });
    if !meets {
        return None;
    }
    each_box(&source, &destination, &flow.opening).find_map(|packet| {
        services.iter().find_map(|service| {
            packet.intersection(&PacketBox {
                ipv6: packet.ipv6,
                ..*service
            })
        })
    })
}

/// The one packet a report names, with the command that checks it.
pub(super) fn witness_note(packet: &PacketBox) -> String {
    let witness = Witness::of(packet);
    format!("for example {witness}: `{}`", witness.query_command())
}

/// The deny items that meet a set of flows, in source order, at most four.
pub(super) fn deny_labels(
    diagnostic: Diagnostic,
    flows: &[Flow],
    denied: &[&Denied],
) -> Diagnostic {
    let mut items: Vec<Span> = (denied.iter())
        .flat_map(|denied| &denied.denies)
        .map(|(deny, _)| flows[*deny].origin.item)
        .collect();
    items.sort();
    items.dedup();
    let mut diagnostic = diagnostic;
    for span in items.iter().take(4) {
        diagnostic = diagnostic.with_label(*span, "denied here");
    }
    diagnostic
}

fn shadowed(flows: &[Flow], item: Span, denied: &[Denied]) -> Diagnostic {
    let flow = &flows[denied[0].flow];
    let what = match &flow.origin.role {
        Some(role) => format!("this flow of `{role}` is entirely denied"),
        None => "this allow can never open anything: denies cover all of it".to_string(),
    };
    let diagnostic = Diagnostic::warning(SHADOWED, item, what)
        .with_primary_message(format!(
            "{} -> {} : {}",
            flow.origin.source_label,
            flow.origin.destination_label,
            flow.opening.describe()
        ))
        .with_note(witness_note(&denied[0].denies[0].1))
        .with_note("deny overrides allow whatever the order; remove the allow or narrow the deny");
    let all: Vec<&Denied> = denied.iter().collect();
    origin_label(deny_labels(diagnostic, flows, &all), flow)
}
