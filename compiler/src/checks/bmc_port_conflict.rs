//! `bmc-port-conflict`: OS services that bind the ports a shared-NIC BMC owns.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::lower::Value;
use crate::model::{Action, PortSet, Protocol};
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
        let mut reasons = BTreeSet::new();
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
                && (opening.ports.intersects(&owned) || opening.ports.contains(111));
            if binds_source || listens {
                let what = if binds_source {
                    format!(
                        "binds source ports {} for {}",
                        crate::model::flow::describe_ports(&opening.source_ports),
                        opening.describe()
                    )
                } else if opening.ports.contains(111) {
                    "runs RPC services (portmap 111) whose ports may land on 623 or 664".to_string()
                } else {
                    format!("listens on {}", opening.describe())
                };
                reasons.insert((flow.origin.item, what));
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let name = &context.site.machines[machine].name;
        let mut diagnostic = Diagnostic::warning(
            BMC_PORT_CONFLICT,
            instance.use_span,
            format!("`{name}` shares its NIC with its BMC, which owns ports 623 and 664, but its OS uses them"),
        )
        .with_note("reserve 623 and 664 in /etc/services, give the BMC its own NIC, or replace rsh with nimsh or ssh (seed 002)");
        for (span, what) in reasons.iter().take(4) {
            diagnostic = diagnostic.with_label(*span, what.clone());
        }
        diagnostics.push(diagnostic);
    }
    diagnostics
}
