//! Machines: every host and group of the site with its addresses; groups are flattened through
//! their member hosts and groups, with cycles reported.

use super::{MachineDef, Model, CYCLE};
use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::AddressSet;
use crate::resolve::{DefinitionId, DefinitionKind};
use crate::syntax::ast::{ItemKind, Member};
use crate::syntax::literals::parse_address;
use std::collections::HashMap;

pub(super) fn collect_machines(analysis: &Analysis, model: &mut Model) {
    let mut ids: Vec<DefinitionId> = analysis.site_definitions(DefinitionKind::Host).collect();
    ids.extend(analysis.site_definitions(DefinitionKind::Group));
    ids.sort_by_key(|id| {
        (
            analysis.definition(*id).item_span.file,
            analysis.definition(*id).item_span.start,
        )
    });
    let mut memo: HashMap<DefinitionId, AddressSet> = HashMap::new();
    // Stdlib groups are named address sets (IBM's call-home servers): not machines, but usable.
    let named_sets: Vec<DefinitionId> = (0..analysis.resolution.definitions.len())
        .map(|index| DefinitionId(index as u32))
        .filter(|id| {
            matches!(
                analysis.definition(*id).kind,
                DefinitionKind::Host | DefinitionKind::Group
            )
        })
        .collect();
    for id in named_sets {
        let addresses = addresses_of(analysis, model, id, &mut memo, &mut Vec::new());
        model.address_sets.insert(id, addresses);
    }
    for id in ids {
        let mut visiting = Vec::new();
        let addresses = addresses_of(analysis, model, id, &mut memo, &mut visiting);
        let definition = analysis.definition(id).clone();
        model.machine_of.insert(id, model.machines.len());
        model.machines.push(MachineDef {
            name: definition.name.clone(),
            definition: id,
            is_group: definition.kind == DefinitionKind::Group,
            addresses,
            span: definition.item_span,
        });
    }
}

fn addresses_of(
    analysis: &Analysis,
    model: &mut Model,
    id: DefinitionId,
    memo: &mut HashMap<DefinitionId, AddressSet>,
    visiting: &mut Vec<DefinitionId>,
) -> AddressSet {
    if let Some(known) = memo.get(&id) {
        return known.clone();
    }
    if visiting.contains(&id) {
        let definition = analysis.definition(id);
        model.diagnostics.push(
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
    let addresses = match &analysis.item(id).kind {
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
                        if let Some(member) = analysis.resolution.resolved(path.span) {
                            set = set.union(&addresses_of(analysis, model, member, memo, visiting));
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
