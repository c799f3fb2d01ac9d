//! `duplicate-address`: two hosts of the site with the same address.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::model::AddressSet;
use std::collections::BTreeMap;

crate::explain_lints! {
    /// Two hosts of the site declared with the same address (default: warning).
    ///
    /// An address belongs to one interface: two `host` items with one address are a copy and
    /// paste mistake, or one machine under two names. Every rule written for either name
    /// applies to both, so each host's ruleset silently carries the other's flows. Give each
    /// host its own address, or merge the two into one host holding both sets of roles. Groups
    /// may overlap hosts and each other: a group is a set of machines, not an interface.
    DUPLICATE_ADDRESS, "two hosts with the same address";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut first_by_address: BTreeMap<&AddressSet, usize> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (index, machine) in context.site.machines.iter().enumerate() {
        if machine.is_group || machine.addresses.is_empty() {
            continue;
        }
        match first_by_address.get(&machine.addresses) {
            Some(&first) => {
                let first = &context.site.machines[first];
                diagnostics.push(
                    Diagnostic::warning(
                        DUPLICATE_ADDRESS,
                        machine.span,
                        format!(
                            "`{}` has the same address as `{}`",
                            machine.name, first.name
                        ),
                    )
                    .with_primary_message("second host with this address")
                    .with_label(first.span, format!("`{}` is declared here", first.name))
                    .with_note("give each host its own address, or merge them into one host holding both roles"),
                );
            }
            None => {
                first_by_address.insert(&machine.addresses, index);
            }
        }
    }
    diagnostics
}
