//! `redundant`: explicit allows that other allows already open entirely.

use crate::coverage::{covered, each_box, shares_family, Witness};
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Flow};
use crate::query::Evaluator;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

crate::explain_lints! {
    /// An `allow` that other allows — explicit ones or the flows of roles — already open
    /// entirely, alone or together (default: warning). Removing it changes nothing.
    ///
    /// ```text
    /// group aix = 10.3.0.0/24 is nim.client(master = nim01)
    /// allow aix -> nim01 : tcp 1058 from 513..1023   # nim.client opens this already
    /// ```
    ///
    /// Of two allows that cover each other, only one is reported, so removing every reported
    /// allow keeps what the site opens unchanged.
    REDUNDANT, "allow fully covered by other allows";
}

/// The fewest explicit allows for which the candidates are found on every core.
const PARALLEL_ITEMS: usize = 256;

pub fn check(flows: &[Flow], evaluator: &Evaluator<'_>) -> Vec<Diagnostic> {
    check_split(flows, evaluator, PARALLEL_ITEMS)
}

/// [`check`], finding the candidates on every core when there are `parallel_items` explicit
/// allows or more.
fn check_split(
    flows: &[Flow],
    evaluator: &Evaluator<'_>,
    parallel_items: usize,
) -> Vec<Diagnostic> {
    let mut items: BTreeMap<Span, Vec<usize>> = BTreeMap::new();
    for (index, flow) in flows.iter().enumerate() {
        // A flow that holds no packet (no family in common: `family-mismatch`) is not covered
        // by other allows but empty; an item of only such flows is not redundant.
        if flow.action == Action::Allow
            && flow.origin.role.is_none()
            && shares_family(&flow.source, &flow.destination)
        {
            items.entry(flow.origin.item).or_default().push(index);
        }
    }
    let allows = evaluator.allow_index();
    // Which items other items cover, flagged or not, on every core. An item that all the
    // others do not cover is not covered by fewer of them, so only these candidates are
    // looked at again below, in order, without the flagged ones: the result is the one a
    // single ordered pass gives.
    let items: Vec<(&Span, &Vec<usize>)> = items.iter().collect();
    let candidate = |(item, members): &(&Span, &Vec<usize>)| {
        members.iter().all(|&index| {
            let flow = &flows[index];
            covered(
                each_box(&flow.source, &flow.destination, &flow.opening),
                allows,
                |other: usize| flows[other].origin.item != **item,
            )
        })
    };
    // A small site (every site a person edits) is not worth a thread.
    let candidates: Vec<bool> = if items.len() < parallel_items {
        items.iter().map(candidate).collect()
    } else {
        crate::parallel::map_in_order(&items, candidate)
    };
    let mut flagged: BTreeSet<Span> = BTreeSet::new();
    let mut diagnostics = Vec::new();
    // Canonical order (file, position), so exactly one of two mutual covers is reported.
    for (item, members) in (items.iter().zip(candidates))
        .filter(|(_, candidate)| *candidate)
        .map(|(item, _)| *item)
    {
        let usable = |other: usize| {
            let origin = &flows[other].origin;
            origin.item != *item && !flagged.contains(&origin.item)
        };
        let all_covered = members.iter().all(|&index| {
            let flow = &flows[index];
            covered(
                each_box(&flow.source, &flow.destination, &flow.opening),
                allows,
                usable,
            )
        });
        if !all_covered {
            continue;
        }
        let mut covering: Vec<(Span, Option<String>)> = members
            .iter()
            .flat_map(|&index| {
                let flow = &flows[index];
                each_box(&flow.source, &flow.destination, &flow.opening)
            })
            .flat_map(|packet| allows.overlapping(&packet))
            .filter(|(_, other)| usable(*other))
            .map(|(_, other)| (flows[other].origin.item, flows[other].origin.role.clone()))
            .collect();
        covering.sort();
        covering.dedup();
        let mut diagnostic = Diagnostic::warning(REDUNDANT, *item, "this allow opens nothing new")
            .with_primary_message("other allows already open all of it");
        let first = &flows[members[0]];
        if let Some(packet) = each_box(&first.source, &first.destination, &first.opening).next() {
            let witness = Witness::of(&packet);
            diagnostic = diagnostic.with_note(format!(
                "for example {witness} is opened by the others too: `{}`",
                witness.query_command()
            ));
        }
        diagnostic = diagnostic.with_note(
            "remove it, or keep it with `@allow(redundant, \"why\")` if it documents intent",
        );
        for (span, role) in covering.iter().take(4) {
            let message = match role {
                Some(role) => format!("opened by `{role}` here"),
                None => "opened here".to_string(),
            };
            diagnostic = diagnostic.with_label(*span, message);
        }
        diagnostics.push(diagnostic);
        flagged.insert(*item);
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::check_split;
    use crate::query::Evaluator;
    use crate::source::MemoryWorld;

    /// Allows that a group's allow covers, pairs of equal allows that cover each other, and
    /// allows that nothing covers: the candidates found on every core give the same report
    /// as one ordered pass.
    #[test]
    fn split_candidates_match_one_pass() {
        let mut text = String::from(
            "zone lan = 198.18.0.0/16\n\
             group clients = 198.18.1.0/24\n\
             host server = 198.18.0.1\n\
             allow clients -> server : tcp 80\n",
        );
        for host in 0..120 {
            text.push_str(&format!("host h{host} = 198.18.1.{host}\n"));
            text.push_str(&format!("allow h{host} -> server : tcp 80\n"));
            text.push_str(&format!("allow h{host} -> server : tcp {}\n", 2000 + host));
            if host % 3 == 0 {
                text.push_str(&format!("allow h{host} -> server : tcp {}\n", 2000 + host));
            }
        }
        let checked = crate::check(&MemoryWorld::single("site.flow", &text));
        assert!(!checked.has_errors());
        let flows = &checked.policy.flows;
        let evaluator = Evaluator::new(flows);
        let one_pass = check_split(flows, &evaluator, usize::MAX);
        let split = check_split(flows, &evaluator, 0);
        // 120 allows under the group's, and one of each of the 40 pairs of equal allows.
        assert_eq!(one_pass.len(), 160);
        assert_eq!(one_pass, split);
    }
}
