//! Endpoints: what a name in a flow stands for. A role's name means its holders — inside
//! another role, the holders bound to this one — and omitted host parameters are bound here,
//! lazily, when a flow first needs them.

use super::Run;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lower::{ParamKind, Value};
use crate::model::AddressSet;
use crate::resolve::{DefinitionId, DefinitionKind};
use crate::syntax::ast::{Endpoint, ItemKind, Path};
use crate::syntax::literals::parse_address;

crate::explain_lints! {
    /// A role's host parameter that is omitted and binds to nothing, or to several machines.
    ///
    /// A parameter typed `host is ROLE` may be left out when exactly one machine of the site
    /// holds that role: it binds to that one. With several candidates flowc will not guess,
    /// and reports an error naming them; pass the argument (`nim.client(master = nim01)`).
    /// With no candidate at all it is a warning: the flows that need the peer are left out,
    /// which opens nothing.
    ///
    /// A role's *name* used inside another role (`client -> self`) with no holders is not a
    /// problem: it simply stands for nobody.
    UNBOUND_PEER, "host parameter binds to nothing or is ambiguous";
}

/// An endpoint's addresses, the machines it stands for, and its name as written.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub addresses: AddressSet,
    pub machines: Vec<usize>,
    pub label: String,
}

impl Resolved {
    pub(super) fn machines(site: &Run<'_>, machines: Vec<usize>, label: String) -> Resolved {
        let addresses = AddressSet::union_all(
            machines
                .iter()
                .map(|&machine| &site.machines[machine].addresses),
        );
        Resolved {
            addresses,
            machines,
            label,
        }
    }
}

/// An endpoint outside any role: `any`, an address, or a site name.
pub(super) fn site_endpoint(site: &Run<'_>, endpoint: &Endpoint) -> Option<Resolved> {
    match endpoint {
        Endpoint::SelfKw(_) => None,
        Endpoint::Any(_) => Some(Resolved {
            addresses: AddressSet::any(),
            machines: Vec::new(),
            label: "any".into(),
        }),
        Endpoint::Address(address) => parse_address(&address.text).ok().map(|network| Resolved {
            addresses: AddressSet::from_network(network),
            machines: Vec::new(),
            label: address.text.clone(),
        }),
        Endpoint::Name(path) => named(site, path, None),
    }
}

/// A name that resolved to a definition; `context` is the role and machine expanding, if any.
pub(super) fn named(
    site: &Run<'_>,
    path: &Path,
    context: Option<(DefinitionId, usize)>,
) -> Option<Resolved> {
    let id = site.resolved(path.span)?;
    let label = path.text();
    match site.definition(id).kind {
        DefinitionKind::Host | DefinitionKind::Group => match site.machine_of.get(&id) {
            Some(&machine) => Some(Resolved::machines(site, vec![machine], label)),
            None => Some(Resolved {
                addresses: site.address_sets.get(&id)?.clone(),
                machines: Vec::new(),
                label,
            }),
        },
        DefinitionKind::Zone => {
            let zone = site.zones.iter().find(|zone| zone.definition == id)?;
            Some(Resolved {
                addresses: zone.region.clone(),
                machines: Vec::new(),
                label,
            })
        }
        DefinitionKind::Firewall => {
            let ItemKind::Firewall(firewall) = &site.item(id).kind else {
                return None;
            };
            let networks = firewall.parts.iter().flat_map(|part| match &part.kind {
                crate::syntax::ast::FirewallPartKind::Address(addresses) => addresses.clone(),
                _ => Vec::new(),
            });
            let addresses = AddressSet::from_networks(
                networks.filter_map(|address| parse_address(&address.text).ok()),
            );
            Some(Resolved {
                addresses,
                machines: Vec::new(),
                label,
            })
        }
        DefinitionKind::Role => {
            // The same role name is met in many statements of one expansion: resolve it once.
            let key = (id, context);
            if let Some(known) = site.known_peers(&key) {
                return Some(Resolved {
                    label,
                    ..known.clone()
                });
            }
            let resolved = Resolved::machines(site, peers(site, id, context), label);
            site.remember_peers(key, resolved.clone());
            Some(resolved)
        }
        DefinitionKind::Service => None,
    }
}

/// The machines a role name stands for. Outside a role: all holders. Inside role `current`
/// expanding for `machine`: the holders whose parameter typed `host is current` names this
/// machine; if the named role has no such parameter, all its holders.
fn peers(site: &Run<'_>, role: DefinitionId, context: Option<(DefinitionId, usize)>) -> Vec<usize> {
    let instances: &[usize] = site.holders.get(&role).map(Vec::as_slice).unwrap_or(&[]);
    let binding_params: Vec<String> = match context {
        None => Vec::new(),
        Some((current, _)) => site
            .role(role)
            .params
            .iter()
            .flatten()
            .filter(|param| matches!(ParamKind::of(site.analysis, param), ParamKind::Host(roles) if roles.contains(&current)))
            .map(|param| param.name.name.clone())
            .collect(),
    };
    let mut machines: Vec<usize> = instances
        .iter()
        .filter(|&&instance| match context {
            Some((_, machine)) if !binding_params.is_empty() => binding_params
                .iter()
                // The machine expanding holds the parameter's role, so the only binding error
                // possible here is ambiguity, which the brief makes an error wherever it arises.
                .any(|param| bind_host(site, instance, param, true) == Some(machine)),
            _ => true,
        })
        .map(|&instance| site.instances[instance].machine)
        .collect();
    machines.sort_unstable();
    machines.dedup();
    // Inside a role, its own name means the *other* holders (console to console), not itself.
    if let Some((current, machine)) = context {
        if current == role {
            machines.retain(|&other| other != machine);
        }
    }
    machines
}

/// The machine a host parameter of an instance is bound to: its argument, or — when omitted —
/// the one machine in the site holding the parameter's role. None (with `unbound-peer`) when
/// there is no such machine or several.
pub(super) fn bind_host(
    site: &Run<'_>,
    instance: usize,
    param_name: &str,
    report: bool,
) -> Option<usize> {
    let role_instance = &site.instances[instance];
    if let Some(Value::Machine(machine)) = role_instance.arguments.get(param_name) {
        return Some(*machine);
    }
    if role_instance
        .rejected
        .iter()
        .any(|rejected| rejected == param_name)
    {
        return None;
    }
    let param = site
        .role(role_instance.role)
        .params
        .iter()
        .flatten()
        .find(|param| param.name.name == param_name)?;
    let ParamKind::Host(roles) = ParamKind::of(site.analysis, param) else {
        return None;
    };
    let mut candidates: Vec<usize> = roles
        .iter()
        .flat_map(|role| site.holders.get(role).into_iter().flatten())
        .map(|&holder| site.instances[holder].machine)
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    match candidates.as_slice() {
        [only] => Some(*only),
        _ => {
            if report {
                report_unbound(site, instance, param, &roles, &candidates);
            }
            None
        }
    }
}

fn report_unbound(
    site: &Run<'_>,
    instance: usize,
    param: &crate::syntax::ast::Param,
    roles: &[DefinitionId],
    candidates: &[usize],
) {
    let role_instance = &site.instances[instance];
    let wanted: Vec<String> = roles
        .iter()
        .map(|role| site.qualified_name(*role))
        .collect();
    let wanted = wanted.join(" or ");
    let name = &param.name.name;
    let diagnostic = if candidates.is_empty() {
        // Nothing to bind to is a warning: the flows that need it are left out, nothing opens.
        Diagnostic::new(
            UNBOUND_PEER,
            Severity::Warning,
            role_instance.use_span,
            format!("`{name}` binds to nothing: no machine holds {wanted}"),
        )
        .with_primary_message(format!(
            "the flows of `{}` that need `{name}` are left out",
            role_instance.role_name
        ))
        .with_note(format!(
            "give a machine holding {wanted} a role use, or pass `{name} = HOST`"
        ))
    } else {
        let names: Vec<String> = candidates
            .iter()
            .map(|&machine| format!("`{}`", site.machines[machine].name))
            .collect();
        Diagnostic::error(
            UNBOUND_PEER,
            role_instance.use_span,
            format!(
                "`{name}` is ambiguous: {} all hold {wanted}",
                names.join(", ")
            ),
        )
        .with_primary_message(format!(
            "say which one: `{name} = {}`",
            site.machines[candidates[0]].name
        ))
    };
    site.report(diagnostic.with_label(param.span, format!("`{name}` is declared here")));
}
