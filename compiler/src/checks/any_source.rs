//! `any-source`: flows from anywhere to services not meant to be public.

use super::{origin_label, Context};
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Opening, PortSet, Protocol};
use std::collections::BTreeSet;

crate::explain_lints! {
    /// A flow from `any`, or from a zone declared `= any`, to a service that is not meant to
    /// be public (default: warning).
    ///
    /// Public services are web (tcp 80, 443), DNS (53) and ICMP echo; anything else open to
    /// the whole internet is usually a mistake — an administration port, IPMI, NFS. Narrow the
    /// source to the zones or hosts that need it, or excuse the item with
    /// `@allow(any-source, "why")`.
    ANY_SOURCE, "non-public service open to any source";
}

fn is_public(opening: &Opening) -> bool {
    match opening.protocol {
        Protocol::Tcp => {
            opening
                .ports
                .is_subset(&PortSet::from_ranges([(53, 53), (80, 80), (443, 443)]))
        }
        Protocol::Udp => opening.ports.is_subset(&PortSet::single(53)),
        Protocol::Icmp => {
            opening
                .ports
                .is_subset(&PortSet::from_ranges([(0, 0), (3, 3), (8, 8), (11, 11)]))
        }
        Protocol::Icmpv6 => opening
            .ports
            .is_subset(&PortSet::from_ranges([(1, 4), (128, 129)])),
        _ => false,
    }
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let any_regions: Vec<&crate::model::AddressSet> = context
        .topology
        .zones
        .iter()
        .filter(|zone| zone.is_any && !zone.region.is_empty())
        .map(|zone| &zone.region)
        .collect();
    let mut seen = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for flow in context
        .flows
        .iter()
        .filter(|flow| flow.action == Action::Allow)
    {
        let from_anywhere = flow.source.is_any()
            || any_regions
                .iter()
                .any(|region| region.is_subset(&flow.source));
        // A flow to everywhere exposes no particular machine.
        let to_anywhere = flow.destination.is_any()
            || any_regions
                .iter()
                .any(|region| region.is_subset(&flow.destination));
        if !from_anywhere || to_anywhere || is_public(&flow.opening) {
            continue;
        }
        if !seen.insert((flow.origin.item, flow.origin.statement)) {
            continue;
        }
        let diagnostic = Diagnostic::warning(
            ANY_SOURCE,
            flow.origin.item,
            format!(
                "{} on `{}` is open to any source",
                flow.opening.describe(),
                flow.origin.destination_label
            ),
        )
        .with_primary_message(format!("from `{}`", flow.origin.source_label))
        .with_note("narrow the source to the zones or hosts that need it");
        diagnostics.push(origin_label(diagnostic, flow));
    }
    diagnostics
}
