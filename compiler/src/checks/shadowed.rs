//! `shadowed`: allows that denies cover entirely, alone or together.

use super::origin_label;
use crate::coverage::{covered, each_box};
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
    /// that denies cover entirely are reported at the role's use.
    SHADOWED, "allow fully covered by denies";
}

pub fn check(flows: &[Flow], evaluator: &Evaluator<'_>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<(Span, Option<Span>), Vec<usize>> = BTreeMap::new();
    for (index, flow) in flows
        .iter()
        .enumerate()
        // An allow that opens nothing is not covered by denies but empty: `redundant` says so.
        .filter(|(_, flow)| flow.action == Action::Allow && !flow.opening.opens_nothing())
    {
        groups
            .entry((flow.origin.item, flow.origin.statement))
            .or_default()
            .push(index);
    }
    let denies = evaluator.deny_index();
    let mut diagnostics = Vec::new();
    for ((item, _), members) in groups {
        let all_covered = members.iter().all(|&index| {
            let flow = &flows[index];
            covered(
                each_box(&flow.source, &flow.destination, &flow.opening),
                denies,
                |_| true,
            )
        });
        if !all_covered {
            continue;
        }
        let flow = &flows[members[0]];
        let mut covering: Vec<Span> = members
            .iter()
            .flat_map(|&index| {
                let flow = &flows[index];
                each_box(&flow.source, &flow.destination, &flow.opening)
            })
            .flat_map(|packet| denies.overlapping(&packet))
            .map(|(_, deny)| flows[deny].origin.item)
            .collect();
        covering.sort();
        covering.dedup();
        let what = match &flow.origin.role {
            Some(role) => format!("this flow of `{role}` is entirely denied"),
            None => "this allow can never open anything: denies cover all of it".to_string(),
        };
        let mut diagnostic = Diagnostic::warning(SHADOWED, item, what)
            .with_primary_message(format!(
                "{} -> {} : {}",
                flow.origin.source_label,
                flow.origin.destination_label,
                flow.opening.describe()
            ))
            .with_note(
                "deny overrides allow whatever the order; remove the allow or narrow the deny",
            );
        for span in covering.iter().take(4) {
            diagnostic = diagnostic.with_label(*span, "denied here");
        }
        diagnostics.push(origin_label(diagnostic, flow));
    }
    diagnostics
}
