//! `port-collision`: two different services listening on the same port of one machine.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::model::{Action, Protocol};
use std::collections::{BTreeMap, BTreeSet};

crate::explain_lints! {
    /// Two services that listen on the same protocol and port on one machine (default:
    /// warning).
    ///
    /// Only one daemon can bind a port. The xCAT port table lists `shell` (rsh) and `rsyslogd`
    /// both on 514/tcp: a node cannot run both. Services with identical openings under two
    /// names (aliases such as `nfs` and `nfsd`) are not a collision.
    ///
    /// Only listeners count. A service whose doc comment says `listener: no` is not a daemon
    /// of its own: a list of other daemons' ports (`hmc.remote_access` includes sshd's 22, so
    /// `net.ssh` to the same console is the same sshd), or a client-side port bound for one
    /// exchange (`net.rcmd_stderr`, the rsh caller's stderr socket; `net.tftp_data`). A
    /// service whose doc comment says `listener: SERVICE` reaches that service's daemon
    /// another way (`net.bootp_relay`, relayed requests to the same BOOTP/DHCP server as
    /// `net.bootps`).
    PORT_COLLISION, "two services listen on the same port";
}

/// One listening port range: protocol, first and last port, service, and the whole opening's
/// ports and source ports (services with identical openings are aliases, not a collision),
/// all borrowed from the flows.
type Listener<'a> = (
    Protocol,
    u16,
    u16,
    &'a str,
    (&'a [(u16, u16)], &'a [(u16, u16)]),
);

/// What the `listener:` doc lines of the services say, by qualified name: `None` for
/// `listener: no` (not a daemon), `Some(daemon)` for `listener: SERVICE` (the daemon of that
/// service of the same module, reached another way: `net.bootp_relay` is `net.bootps`).
fn listener_notes(context: &Context<'_, '_>) -> BTreeMap<String, Option<String>> {
    let mut notes = BTreeMap::new();
    for &id in context.site.model.services.keys() {
        let note = (context.site.item(id).docs.iter())
            .find_map(|line| line.text.trim().strip_prefix("listener:").map(str::trim));
        let Some(note) = note else { continue };
        let name = context.site.qualified_name(id);
        let daemon = (note != "no").then(|| match name.rsplit_once('.') {
            Some((module, _)) if !note.contains('.') => format!("{module}.{note}"),
            _ => note.to_string(),
        });
        notes.insert(name, daemon);
    }
    notes
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let notes = listener_notes(context);
    let mut listening: BTreeMap<usize, Vec<Listener<'_>>> = BTreeMap::new();
    for flow in context
        .flows
        .iter()
        .filter(|flow| flow.action == Action::Allow)
    {
        let opening = &flow.opening;
        let Some(service) = &opening.service else {
            continue;
        };
        let service = match notes.get(service) {
            Some(None) => continue,
            Some(Some(daemon)) => daemon.as_str(),
            None => service.as_str(),
        };
        if !matches!(opening.protocol, Protocol::Tcp | Protocol::Udp) {
            continue;
        }
        for &machine in &flow.destination_holders {
            for &(lo, hi) in opening.ports.ranges() {
                listening.entry(machine).or_default().push((
                    opening.protocol,
                    lo,
                    hi,
                    service,
                    (opening.ports.ranges(), opening.source_ports.ranges()),
                ));
            }
        }
    }
    let mut diagnostics = Vec::new();
    for (machine, mut entries) in listening {
        entries.sort();
        entries.dedup();
        let mut pairs: BTreeSet<(&str, &str, Protocol, u16)> = BTreeSet::new();
        // Sweep by port: each entry is compared with the earlier ones still open at its start.
        let mut open: Vec<&Listener<'_>> = Vec::new();
        for entry in &entries {
            open.retain(|earlier| earlier.0 == entry.0 && earlier.2 >= entry.1);
            for earlier in &open {
                if earlier.3 != entry.3 && earlier.4 != entry.4 {
                    let (a, b) = if earlier.3 < entry.3 {
                        (earlier.3, entry.3)
                    } else {
                        (entry.3, earlier.3)
                    };
                    pairs.insert((a, b, entry.0, entry.1.max(earlier.1)));
                }
            }
            open.push(entry);
        }
        let machine = &context.site.machines[machine];
        let mut reported = BTreeSet::new();
        for (a, b, protocol, port) in pairs {
            if !reported.insert((a, b)) {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    PORT_COLLISION,
                    machine.span,
                    format!("`{a}` and `{b}` both listen on {} {port} on `{}`", protocol.name(), machine.name),
                )
                .with_note("only one daemon can bind a port: disable one service, or move it to another port"),
            );
        }
    }
    diagnostics
}
