//! `broad-range`: one opening wider than the configured maximum.

use super::{origin_label, Context};
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Protocol};
use std::collections::BTreeSet;

crate::explain_lints! {
    /// One opening wider than `lint broad-range.max` ports (default 1024; default level:
    /// warning).
    ///
    /// Wide openings usually come from daemons with dynamic ports. The note says how to narrow
    /// each known cause:
    ///
    /// - NFS mountd picks a port in 32768..65535 at each start: pin it with `mountd 9999/tcp`
    ///   and `mountd 9999/udp` in /etc/services, restart rpc.mountd, and pass the port to the
    ///   role (`nim.master(mountd = 9999)`); or serve NFSv4 (`nfs = 4`), which needs only 111
    ///   and 2049/tcp.
    /// - TFTP data ports (32768..65535): let the firewall track TFTP (nf_conntrack_tftp, or
    ///   `tftp_helper = true` in the stdlib roles) so only port 69 is opened.
    /// - statd cannot be pinned at all: avoid NFS locking across firewalls.
    ///
    /// ```text
    /// lint broad-range.max = 4096
    /// ```
    BROAD_RANGE, "opening wider than the configured maximum";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let maximum = context.settings.option("broad-range", "max", 1024);
    let mut seen = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for flow in context
        .flows
        .iter()
        .filter(|flow| flow.action == Action::Allow)
    {
        let opening = &flow.opening;
        if !matches!(opening.protocol, Protocol::Tcp | Protocol::Udp)
            || opening.ports.len() <= maximum as u128
        {
            continue;
        }
        if !seen.insert((flow.origin.item, opening.describe())) {
            continue;
        }
        let text = super::statement_text(context, flow);
        let service = opening.service.clone().unwrap_or_default().to_lowercase();
        let note = if text.contains("mountd") || service.contains("mountd") {
            "pin mountd in /etc/services (`mountd 9999/tcp`, `mountd 9999/udp`), restart rpc.mountd and pass the port \
             (`mountd = 9999`); or use NFSv4 (`nfs = 4`): 111 and 2049/tcp only"
        } else if text.contains("tftp") || service.contains("tftp") {
            "let the firewalls track TFTP (nf_conntrack_tftp; `tftp_helper = true`) so only udp 69 is opened"
        } else if text.contains("statd") || text.contains("locking") {
            "statd cannot be pinned to a port; avoid NFS locking across firewalls"
        } else {
            "narrow the range to the ports the service really uses"
        };
        let diagnostic = Diagnostic::warning(
            BROAD_RANGE,
            flow.origin.item,
            format!("{} opens {} ports, more than the maximum of {maximum}", opening.describe(), opening.ports.len()),
        )
        .with_primary_message(format!("{} -> {}", flow.origin.source_label, flow.origin.destination_label))
        .with_note(note)
        .with_note("raise the limit with `lint broad-range.max = N`, or excuse this item with `@allow(broad-range, \"why\")`");
        diagnostics.push(origin_label(diagnostic, flow));
    }
    diagnostics
}
