//! Machines: every host and group of the site with its addresses; groups are flattened through
//! their member hosts and groups, with cycles reported.

use super::{MachineDef, Site, CYCLE};
use crate::diagnostic::Diagnostic;
use crate::model::AddressSet;
use crate::resolve::{DefinitionId, DefinitionKind};
use crate::syntax::ast::{ItemKind, Member};
use crate::syntax::literals::parse_address;
use std::collections::HashMap;

pub(super) fn collect_machines(site: &mut Site<'_>) {
    let mut ids: Vec<DefinitionId> = site.site_definitions(DefinitionKind::Host).collect();
    ids.extend(site.site_definitions(DefinitionKind::Group));
    ids.sort_by_key(|id| {
        (
            site.definition(*id).item_span.file,
            site.definition(*id).item_span.start,
        )
    });
    let mut memo: HashMap<DefinitionId, AddressSet> = HashMap::new();
    // Stdlib groups are named address sets (IBM's call-home servers): not machines, but usable.
    let named_sets: Vec<DefinitionId> = (0..site.analysis.resolution.definitions.len())
        .map(|index| DefinitionId(index as u32))
        .filter(|id| {
            matches!(
                site.definition(*id).kind,
                DefinitionKind::Host | DefinitionKind::Group
            )
        })
        .collect();
    for id in named_sets {
        let addresses = addresses_of(site, id, &mut memo, &mut Vec::new());
        site.address_sets.insert(id, addresses);
    }
    for id in ids {
        let mut visiting = Vec::new();
        let addresses = addresses_of(site, id, &mut memo, &mut visiting);
        let definition = site.definition(id).clone();
        site.machine_of.insert(id, site.machines.len());
        site.machines.push(MachineDef {
            name: definition.name.clone(),
            definition: id,
            is_group: definition.kind == DefinitionKind::Group,
            addresses,
            span: definition.item_span,
        });
    }
}

fn addresses_of(
    site: &Site<'_>,
    id: DefinitionId,
    memo: &mut HashMap<DefinitionId, AddressSet>,
    visiting: &mut Vec<DefinitionId>,
) -> AddressSet {
    if let Some(known) = memo.get(&id) {
        return known.clone();
    }
    if visiting.contains(&id) {
        let definition = site.definition(id);
        site.report(
            Diagnostic::error(
                CYCLE,
                definition.name_span,
                format!("group `{}` contains itself", definition.name),
            )
            .with_note("a group's members are flattened into one address set, so they cannot loop"),
        );
        return AddressSet::empty();
    }
    visiting.push(id);
    let addresses = match &site.item(id).kind {
        ItemKind::Host(host) => AddressSet::from_networks(
            host.addresses
                .iter()
                .filter_map(|address| parse_address(&address.text).ok()),
        ),
        ItemKind::Group(group) => {
            let mut set = AddressSet::empty();
            for member in &group.members {
                match member {
                    Member::Address(address) => {
                        if let Ok(network) = parse_address(&address.text) {
                            set = set.union(&AddressSet::from_network(network));
                        }
                    }
                    Member::Name(path) => {
                        if let Some(member) = site.resolved(path.span) {
                            set = set.union(&addresses_of(site, member, memo, visiting));
                        }
                    }
                }
            }
            set
        }
        _ => AddressSet::empty(),
    };
    visiting.pop();
    memo.insert(id, addresses.clone());
    addresses
}
