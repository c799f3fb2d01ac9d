//! The lines of one iptables rule: addresses, user chains for CIDR lists, protocol and port matches.

use super::MULTIPORT_LIMIT;
use crate::emit::{port_list, FamilyRule};
use crate::model::{Action, PortSet, Protocol};

/// The lines of one rule in one family; new user chains are appended to `chains`.
pub(super) fn rule_lines(
    part: &FamilyRule<'_>,
    base: &str,
    icmp: &str,
    comment: &str,
    chains: &mut Vec<String>,
) -> String {
    let rule = part.rule;
    let target = if rule.action == Action::Allow {
        "ACCEPT"
    } else {
        "DROP"
    };
    let sources: Vec<String> = crate::emit::networks(&part.source)
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    let destinations: Vec<String> = crate::emit::networks(&part.destination)
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    let matches = protocol_matches(&rule.opening, icmp);
    let comment = format!("-m comment --comment \"{comment}\"");
    let mut lines = String::new();
    if sources.len() <= 1 && destinations.len() <= 1 {
        let source = sources
            .first()
            .map(|source| format!(" -s {source}"))
            .unwrap_or_default();
        let destination = destinations
            .first()
            .map(|destination| format!(" -d {destination}"))
            .unwrap_or_default();
        for matched in &matches {
            lines.push_str(&format!(
                "-A {base}{source}{destination}{matched} {comment} -j {target}\n"
            ));
        }
        return lines;
    }
    let chain = format!("FLOWC-{}", chains.len() + 1);
    chains.push(chain.clone());
    let destinations = if destinations.is_empty() {
        vec![String::new()]
    } else {
        destinations
    };
    for destination in &destinations {
        let destination = if destination.is_empty() {
            String::new()
        } else {
            format!(" -d {destination}")
        };
        for matched in &matches {
            lines.push_str(&format!(
                "-A {base}{destination}{matched} {comment} -j {chain}\n"
            ));
        }
    }
    let sources = if sources.is_empty() {
        vec![String::new()]
    } else {
        sources
    };
    for source in &sources {
        let source = if source.is_empty() {
            String::new()
        } else {
            format!(" -s {source}")
        };
        lines.push_str(&format!("-A {chain}{source} {comment} -j {target}\n"));
    }
    lines
}

/// The protocol and port matches of an opening: one entry per line it needs.
fn protocol_matches(opening: &crate::model::Opening, icmp: &str) -> Vec<String> {
    match opening.protocol {
        Protocol::Tcp | Protocol::Udp => {
            let name = opening.protocol.name();
            let sources = port_chunks(&opening.source_ports, "sport");
            let destinations = port_chunks(&opening.ports, "dport");
            let mut matches = Vec::new();
            for destination in &destinations {
                for source in &sources {
                    matches.push(format!(" -p {name}{source}{destination}"));
                }
            }
            matches
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            let option = if opening.protocol == Protocol::Icmp {
                "--icmp-type"
            } else {
                "--icmpv6-type"
            };
            if opening.ports.is_full() {
                return vec![format!(" -p {icmp}")];
            }
            (opening.ports.ranges().iter())
                .flat_map(|&(lo, hi)| lo..=hi.min(255))
                .map(|number| format!(" -p {icmp} {option} {number}"))
                .collect()
        }
        Protocol::Ip(number) => vec![format!(" -p {number}")],
        Protocol::Any => vec![String::new()],
    }
}

/// `--dport 22`, `--dport 80:90` or `-m multiport --dports …` in chunks multiport accepts;
/// one empty chunk when every port matches.
fn port_chunks(ports: &PortSet, option: &str) -> Vec<String> {
    if ports.is_full() {
        return vec![String::new()];
    }
    if let [(lo, hi)] = ports.ranges() {
        let single = PortSet::range(*lo, *hi);
        return vec![format!(" --{option} {}", port_list(&single, ":", ","))];
    }
    let mut chunks = Vec::new();
    let mut current: Vec<(u16, u16)> = Vec::new();
    let mut weight = 0;
    for &(lo, hi) in ports.ranges() {
        let cost = if lo == hi { 1 } else { 2 };
        if weight + cost > MULTIPORT_LIMIT {
            chunks.push(std::mem::take(&mut current));
            weight = 0;
        }
        current.push((lo, hi));
        weight += cost;
    }
    chunks.push(current);
    chunks
        .into_iter()
        .map(|chunk| {
            format!(
                " -m multiport --{option}s {}",
                port_list(&PortSet::from_ranges(chunk), ":", ",")
            )
        })
        .collect()
}
