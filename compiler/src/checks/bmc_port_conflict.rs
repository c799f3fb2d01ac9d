//! `bmc-port-conflict`: OS services that bind the ports a shared-NIC BMC owns.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::lower::Value;
use crate::model::{Action, Flow, PortSet, Protocol};
use crate::source::Span;
use std::collections::BTreeSet;

crate::explain_lints! {
    /// A machine whose BMC shares its network interface (`ipmi.bmc(shared_nic = true)`) and
    /// whose operating system uses port 623 or 664 (default: warning).
    ///
    /// Seed 002: the BMC owns RMCP (623/udp) and secure RMCP (664/udp) on the shared NIC and
    /// takes every packet sent to those ports, so an OS service bound to them times out. The
    /// usual culprits are rsh and rcmd(), whose reserved source ports 513..1023 include 623
    /// and 664, and RPC services such as NIS that portmap may place there. Reserve the ports in
    /// /etc/services (`asf-rmcp 623/udp`, `asf-secure-rmcp 664/udp` and the tcp lines), use a
    /// dedicated management NIC, or use nimsh/ssh instead of rsh.
    BMC_PORT_CONFLICT, "OS service collides with a shared-NIC BMC";
}

/// One use of the BMC's ports: where on the machine's own line, why, and the role statement
/// behind it with its role.
type Reason<'a> = (Span, String, Option<(Span, &'a str)>);

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let owned = PortSet::from_ranges([(623, 623), (664, 664)]);
    let mut diagnostics = Vec::new();
    for instance in &context.site.instances {
        let shared = instance.role_name == "ipmi.bmc"
            && instance.arguments.get("shared_nic") == Some(&Value::Bool(true));
        if !shared {
            continue;
        }
        let machine = instance.machine;
        let name = &context.site.machines[machine].name;
        let mut reasons: BTreeSet<Reason<'_>> = BTreeSet::new();
        for flow in context.flows.iter().filter(|flow| {
            flow.action == Action::Allow && flow.origin.role.as_deref() != Some("ipmi.bmc")
        }) {
            let opening = &flow.opening;
            if !matches!(opening.protocol, Protocol::Tcp | Protocol::Udp) {
                continue;
            }
            let binds_source = flow.source_holders.contains(&machine)
                && opening.source_ports.intersects(&owned)
                && !opening.source_ports.is_full();
            let listens = flow.destination_holders.contains(&machine)
                && !addressed_to_the_bmc(flow, &owned)
                && (opening.ports.intersects(&owned) || opening.ports.contains(111));
            let what = if binds_source {
                format!(
                    "`{name}` binds source ports {} for {}",
                    crate::model::flow::describe_ports(&opening.source_ports),
                    opening.describe()
                )
            } else if listens && opening.ports.contains(111) {
                format!(
                    "`{name}` runs RPC services (portmap 111) whose ports may land on 623 or 664"
                )
            } else if listens {
                format!("`{name}` listens on {}", opening.describe())
            } else {
                continue;
            };
            let label = if binds_source {
                &flow.origin.source_label
            } else {
                &flow.origin.destination_label
            };
            reasons.insert((
                own_role_use(context, machine, flow, label),
                what,
                flow.origin.statement.zip(flow.origin.role.as_deref()),
            ));
        }
        if reasons.is_empty() {
            continue;
        }
        let mut diagnostic = Diagnostic::warning(
            BMC_PORT_CONFLICT,
            instance.use_span,
            format!("`{name}` shares its NIC with its BMC, which owns ports 623 and 664, but its OS uses them"),
        )
        .with_primary_message("the BMC shares this machine's NIC")
        .with_note("reserve 623 and 664 in /etc/services, give the BMC its own NIC, or replace rsh with nimsh or ssh (seed 002)");
        let mut statements = BTreeSet::new();
        for (span, what, statement) in reasons.iter().take(4) {
            diagnostic = diagnostic.with_label(*span, what.clone());
            if let Some((statement, role)) = statement {
                if statements.insert(*statement) {
                    diagnostic =
                        diagnostic.with_label(*statement, format!("this flow of `{role}`"));
                }
            }
        }
        diagnostics.push(diagnostic);
    }
    diagnostics
}

/// Whether a flow is traffic to the BMC itself rather than to an OS service: written towards
/// the `ipmi.bmc` role (an xCAT management node's IPMI, an `ipmi.manager`) and only on the
/// ports the BMC owns. The BMC answers it; no OS daemon is involved.
fn addressed_to_the_bmc(flow: &Flow, owned: &PortSet) -> bool {
    flow.origin.destination_label == "ipmi.bmc"
        && flow
            .opening
            .ports
            .ranges()
            .iter()
            .all(|&(lo, hi)| (lo..=hi).all(|port| owned.contains(port)))
}

/// The role use on the machine's own line that puts it in a flow: the flow's own item when
/// the machine holds the role, else the machine's use of the peer role the flow names
/// (`nim.client` for a flow of `nim.master` written `self -> client`), else the machine's line.
fn own_role_use(context: &Context<'_, '_>, machine: usize, flow: &Flow, label: &str) -> Span {
    let instances = context
        .site
        .instances
        .iter()
        .filter(|instance| instance.machine == machine);
    let mut fallback = context.site.machines[machine].span;
    for instance in instances {
        if instance.use_span == flow.origin.item {
            return instance.use_span;
        }
        let short = instance.role_name.rsplit('.').next().unwrap_or_default();
        if instance.role_name == label || short == label {
            fallback = instance.use_span;
        }
    }
    fallback
}
