//! `family-mismatch`: flows whose two ends have no address family in common.

use super::{origin_label, Context};
use crate::coverage::shares_family;
use crate::diagnostic::Diagnostic;
use crate::model::AddressSet;
use std::collections::BTreeSet;

crate::explain_lints! {
    /// An allow, deny or role flow between two ends that have no address family in common: one
    /// end has only IPv4 addresses and the other only IPv6 (default: error).
    ///
    /// A packet has a source and a destination of one family, so such a flow holds no packet:
    /// the allow opens nothing and the deny closes nothing. It is usually a host whose IPv4
    /// (or IPv6) address was left out, or a group of the wrong family.
    ///
    /// ```text
    /// group v6clients = fd00:1::/64
    /// host  db = 192.0.2.10
    /// allow v6clients -> db : tcp 5432   # error: no address pair of one family
    /// ```
    ///
    /// Give the host an address of the other family (`host db = 192.0.2.10, fd00:2::10`), or
    /// write the rule between ends of one family.
    FAMILY_MISMATCH, "no address pair of one family";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut reported = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for flow in context.flows {
        if flow.source.is_empty()
            || flow.destination.is_empty()
            || shares_family(&flow.source, &flow.destination)
        {
            continue;
        }
        let ends = (
            flow.origin.item,
            flow.origin.statement,
            flow.origin.source_label.clone(),
            flow.origin.destination_label.clone(),
        );
        if !reported.insert(ends) {
            continue;
        }
        let what = if flow.action == crate::model::Action::Allow {
            "this allow opens nothing"
        } else {
            "this deny closes nothing"
        };
        let diagnostic = Diagnostic::error(
            FAMILY_MISMATCH,
            flow.origin.item,
            format!(
                "`{}` has only {} addresses and `{}` only {}: {what} between them",
                flow.origin.source_label,
                family(&flow.source),
                flow.origin.destination_label,
                family(&flow.destination),
            ),
        )
        .with_primary_message("no address pair of one family")
        .with_note("give one end an address of the other family, or write the rule between ends of one family");
        diagnostics.push(origin_label(diagnostic, flow));
    }
    diagnostics
}

fn family(set: &AddressSet) -> &'static str {
    if set.v4.is_empty() {
        "IPv6"
    } else {
        "IPv4"
    }
}
