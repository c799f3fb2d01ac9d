//! Zone regions: each address belongs to the zone with the most specific CIDR containing it,
//! and a zone `= any` holds every address no other zone claims.

use super::{Model, OVERLAPPING_ZONES};
use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::AddressSet;
use crate::resolve::{DefinitionId, DefinitionKind};
use crate::syntax::ast::{ItemKind, ZoneAddresses};
use crate::syntax::literals::parse_address;
use ipnet::IpNet;

/// One zone with the addresses that belong to it.
#[derive(Clone, Debug)]
pub struct ZoneDef {
    pub name: String,
    pub definition: DefinitionId,
    pub region: AddressSet,
    pub is_any: bool,
}

pub(super) fn collect_zones(analysis: &Analysis, model: &mut Model) {
    let ids: Vec<DefinitionId> = analysis.site_definitions(DefinitionKind::Zone).collect();
    let mut prefixes: Vec<(IpNet, usize, crate::source::Span)> = Vec::new();
    let mut any_zone: Option<usize> = None;
    for (index, &id) in ids.iter().enumerate() {
        let ItemKind::Zone(zone) = &analysis.item(id).kind else {
            continue;
        };
        match &zone.addresses {
            ZoneAddresses::Any(span) => {
                if let Some(first) = any_zone {
                    let first_span = analysis.definition(ids[first]).name_span;
                    model.diagnostics.push(
                        Diagnostic::error(OVERLAPPING_ZONES, *span, "a second zone is `any`")
                            .with_label(first_span, "this zone is `any` already")
                            .with_note("`any` is every address no other zone claims; only one zone can be it"),
                    );
                } else {
                    any_zone = Some(index);
                }
            }
            ZoneAddresses::List(addresses) => {
                for address in addresses {
                    if let Ok(network) = parse_address(&address.text) {
                        prefixes.push((network, index, address.span));
                    }
                }
            }
        }
    }
    // Most specific first; equal prefixes in two zones are an error, the first zone keeps them.
    prefixes.sort_by_key(|(network, index, _)| {
        (std::cmp::Reverse(network.prefix_len()), *network, *index)
    });
    let mut regions = vec![AddressSet::empty(); ids.len()];
    let mut claimed = AddressSet::empty();
    for window in 0..prefixes.len() {
        let (network, index, span) = prefixes[window];
        if window > 0 && prefixes[window - 1].0 == network && prefixes[window - 1].1 != index {
            let (_, other, other_span) = prefixes[window - 1];
            model.diagnostics.push(
                Diagnostic::error(
                    OVERLAPPING_ZONES,
                    span,
                    format!("`{network}` is claimed by two zones"),
                )
                .with_label(
                    other_span,
                    format!(
                        "zone `{}` claims it here",
                        analysis.definition(ids[other]).name
                    ),
                ),
            );
            continue;
        }
        let set = AddressSet::from_network(network);
        regions[index] = regions[index].union(&set.difference(&claimed));
        claimed = claimed.union(&set);
    }
    if let Some(index) = any_zone {
        regions[index] = AddressSet::any().difference(&claimed);
    }
    model.zones = ids
        .iter()
        .zip(regions)
        .enumerate()
        .map(|(index, (&id, region))| ZoneDef {
            name: analysis.definition(id).name.clone(),
            definition: id,
            region,
            is_any: any_zone == Some(index),
        })
        .collect();
}
