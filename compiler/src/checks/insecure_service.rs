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
    /// Each report carries the advice of its own source, quoted: seed 000 for the rsh family
    /// (nimsh, `nim.master(protocol = nimsh)`, is NIM's answer to rsh; disable rsh on clients
    /// that leave NIM), for TFTP (no authentication; keep TFTP servers off firewall machines;
    /// limit access with /etc/tftpaccess.ctl) and for NFSv3 (a LAN service; NFSv4, `nfs = 4`,
    /// is more firewall friendly). telnet and SNMPv1/v2c are not in the vendor documents: their
    /// notes say only that they send passwords or community strings in clear text.
    INSECURE_SERVICE, "insecure protocol crosses a firewall";
}

/// What to do about each insecure protocol, and the source that says so: a `seed NNN § "…"`
/// quote occurs word for word in that seed (`tests/stdlib_citations.rs` checks it).
pub static ADVICE: &[(&str, &str)] = &[
    (
        RSH,
        "for NIM use nimsh (`nim.master(protocol = nimsh)`), elsewhere SSH; when a client leaves NIM, remove /.rhosts and rshd — seed 000 § \"For environments where the standard rsh protocols are not secure enough, nimsh may be implemented.\" and § \"users should disable rsh services on client machines by removing /.rhosts and/or removing rshd service.\"",
    ),
    (
        TFTP,
        "keep the TFTP server off firewall machines and deny everything outside /tftpboot in /etc/tftpaccess.ctl — seed 000 § \"TFTP servers should not be placed on firewall machines since no authentication is needed when requesting service.\" and § \"The TFTP protocol does allow for denying access based on entries contained in /etc/tftpaccess.ctl.\"",
    ),
    (
        NFS_UDP,
        "serve the resources over NFSv4 (`nfs = 4`: 111 and 2049/tcp only) — seed 000 § \"NFS was designed as a LAN service and contains numerous security vulnerabilities when used over the Internet.\" and § \"NFSv4 is more complicated to set up but it is more firewall friendly.\"",
    ),
    (
        MOUNTD,
        "serve the resources over NFSv4 (`nfs = 4`: no mountd) — seed 000 § \"NFS was designed as a LAN service and contains numerous security vulnerabilities when used over the Internet.\" and § \"If you are using NFSv4, you only need to open your firewall for portmap (111 udp/tcp) and nfsd (2049 tcp).\"",
    ),
    (TELNET, "telnet sends passwords in clear text: use SSH instead"),
    (
        SNMP,
        "SNMPv1 and v2c send their community strings in clear text: use SNMPv3 with authentication and privacy",
    ),
];

const RSH: &str = "the rsh family (rexec, rlogin, rsh)";
const TELNET: &str = "telnet";
const TFTP: &str = "TFTP";
const MOUNTD: &str = "NFSv3 (mountd)";
const NFS_UDP: &str = "NFS over UDP (NFSv3)";
const SNMP: &str = "SNMP (v1/v2c send community strings in clear)";

/// The advice for one protocol of [`ADVICE`].
fn advice(protocol: &str) -> &'static str {
    (ADVICE.iter())
        .find(|(name, _)| *name == protocol)
        .map_or("", |(_, advice)| advice)
}

/// The insecure protocol a flow carries, if any. A named service is judged by its name (xCAT
/// runs rsyslog on tcp 514, which is not rsh); literal openings by their ports.
fn insecure(flow: &Flow, statement_text: &str) -> Option<&'static str> {
    let opening = &flow.opening;
    if statement_text.contains("mountd") {
        return Some(MOUNTD);
    }
    if let Some(service) = &opening.service {
        let name = service.rsplit('.').next().unwrap_or(service);
        let by_name = match name {
            "shell" | "rsh" | "rlogin" | "exec" | "rexec" | "rcmd_stderr" => Some(RSH),
            "telnet" => Some(TELNET),
            "tftp" | "tftp_data" => Some(TFTP),
            name if name.contains("mountd") => Some(MOUNTD),
            name if name.starts_with("nfs") && opening.protocol == Protocol::Udp => Some(NFS_UDP),
            "snmp" | "snmptrap" => Some(SNMP),
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
        Some(RSH)
    } else if has(Protocol::Tcp, 23, 23) {
        Some(TELNET)
    } else if has(Protocol::Udp, 69, 69) {
        Some(TFTP)
    } else if has(Protocol::Udp, 2049, 2049) {
        Some(NFS_UDP)
    } else if has(Protocol::Udp, 161, 162) {
        Some(SNMP)
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
                    let diagnostic = Diagnostic::warning(
                        INSECURE_SERVICE,
                        flow.origin.item,
                        format!("{protocol} crosses a firewall"),
                    )
                    .with_primary_message(format!(
                        "{} -> {} : {}",
                        flow.origin.source_label,
                        flow.origin.destination_label,
                        flow.opening.describe()
                    ))
                    .with_note(advice(protocol));
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
                .with_note("serve from another host — seed 000 § \"NFS services should not be run on firewall machines.\" and § \"TFTP servers should not be placed on firewall machines since no authentication is needed when requesting service.\"");
                diagnostics.push(origin_label(diagnostic, flow));
            }
        }
    }
    diagnostics
}
