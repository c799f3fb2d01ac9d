//! `insecure-service`: clear-text and unauthenticated protocols crossing a firewall, and NFS or
//! TFTP served by a firewall itself.

use super::{origin_label, Context};
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Flow, Protocol};
use std::collections::BTreeSet;

crate::explain_lints! {
    /// rsh, rlogin, rexec, telnet, TFTP, NFSv3 (mountd, NFS over UDP) or SNMPv1/v2c crossing a
    /// firewall, or NFS/TFTP served by a firewall host (default: warning).
    ///
    /// Seed 000, "Firewall Considerations": NFS has many weaknesses and should not run on a
    /// firewall host; TFTP needs no authentication and its servers should not sit on firewall
    /// machines; clients should disable rsh when they leave the NIM environment. Prefer nimsh
    /// over rsh (`nim.master(protocol = nimsh)`), NFSv4 over NFSv3 (`nfs = 4`), SSH over
    /// telnet and rsh, and SNMPv3 over community strings.
    INSECURE_SERVICE, "insecure protocol crosses a firewall";
}

/// The insecure protocol a flow carries, if any. A named service is judged by its name (xCAT
/// runs rsyslog on tcp 514, which is not rsh); literal openings by their ports.
fn insecure(flow: &Flow, statement_text: &str) -> Option<&'static str> {
    let opening = &flow.opening;
    if statement_text.contains("mountd") {
        return Some("NFSv3 (mountd)");
    }
    if let Some(service) = &opening.service {
        let name = service.rsplit('.').next().unwrap_or(service);
        let by_name = match name {
            "shell" | "rsh" | "rlogin" | "exec" | "rexec" | "rcmd_stderr" => {
                Some("the rsh family (rexec, rlogin, rsh)")
            }
            "telnet" => Some("telnet"),
            "tftp" | "tftp_data" => Some("TFTP"),
            name if name.contains("mountd") => Some("NFSv3 (mountd)"),
            name if name.starts_with("nfs") && opening.protocol == Protocol::Udp => {
                Some("NFS over UDP (NFSv3)")
            }
            "snmp" | "snmptrap" => Some("SNMP (v1/v2c send community strings in clear)"),
            _ => None,
        };
        if by_name.is_some() {
            return by_name;
        }
    }
    // Ports 512..514 are reused (xCAT runs rsyslog on tcp 514), so only a literal opening of
    // them, not one of a differently named service, counts as rsh.
    let literal = opening.service.is_none();
    // A wide range that merely includes these ports (rcmd's reserved 513..1023) is not the
    // service itself; `broad-range` speaks about wide ranges.
    let specific = opening.ports.len() <= 64;
    let has = |protocol: Protocol, lo: u16, hi: u16| {
        specific && opening.protocol == protocol && opening.ports.intersects_range(lo, hi)
    };
    if literal && has(Protocol::Tcp, 512, 514) {
        Some("the rsh family (rexec, rlogin, rsh)")
    } else if has(Protocol::Tcp, 23, 23) {
        Some("telnet")
    } else if has(Protocol::Udp, 69, 69) {
        Some("TFTP")
    } else if has(Protocol::Udp, 2049, 2049) {
        Some("NFS over UDP (NFSv3)")
    } else if has(Protocol::Udp, 161, 162) {
        Some("SNMP (v1/v2c send community strings in clear)")
    } else {
        None
    }
}

fn serves_files(flow: &Flow) -> bool {
    let opening = &flow.opening;
    let nfs = matches!(opening.protocol, Protocol::Tcp | Protocol::Udp)
        && opening.ports.intersects_range(2049, 2049);
    let tftp = opening.protocol == Protocol::Udp && opening.ports.intersects_range(69, 69);
    nfs || tftp
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let crossing: BTreeSet<usize> = context
        .routes
        .iter()
        .filter(|route| !route.firewalls.is_empty())
        .map(|route| route.flow)
        .collect();
    let mut seen = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for (index, flow) in context
        .flows
        .iter()
        .enumerate()
        .filter(|(_, flow)| flow.action == Action::Allow)
    {
        let text = super::statement_text(context, flow);
        if crossing.contains(&index) {
            if let Some(protocol) = insecure(flow, &text) {
                if seen.insert((flow.origin.item, protocol)) {
                    let diagnostic = Diagnostic::warning(INSECURE_SERVICE, flow.origin.item, format!("{protocol} crosses a firewall"))
                        .with_primary_message(format!("{} -> {} : {}", flow.origin.source_label, flow.origin.destination_label, flow.opening.describe()))
                        .with_note("prefer nimsh over rsh, NFSv4 over NFSv3, SSH over telnet, SNMPv3 over community strings (seed 000, \"Firewall Considerations\")");
                    diagnostics.push(origin_label(diagnostic, flow));
                }
            }
        }
        for firewall in &context.topology.firewalls {
            if serves_files(flow)
                && flow.destination.intersects(&firewall.addresses)
                && seen.insert((flow.origin.item, "served by a firewall"))
            {
                let diagnostic = Diagnostic::warning(
                    INSECURE_SERVICE,
                    flow.origin.item,
                    format!("NFS or TFTP served by firewall `{}`", firewall.name),
                )
                .with_label(firewall.span, "this firewall")
                .with_note("seed 000: NFS and TFTP servers should not run on firewall machines; serve from another host");
                diagnostics.push(origin_label(diagnostic, flow));
            }
        }
    }
    diagnostics
}
