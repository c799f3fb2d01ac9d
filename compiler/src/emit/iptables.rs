//! iptables and ip6tables: `iptables-restore` / `ip6tables-restore` input for the filter table.
//!
//! One backend serves both families. A rule whose sources and destinations are single CIDRs is
//! one line (per multiport chunk of at most 15 ports); a rule with several CIDRs on a side jumps,
//! once per destination CIDR, to a chain of its own that matches the source CIDRs, so a rule
//! costs sources + destinations lines, never sources × destinations.

use super::{by_family, origin_lines, port_list, rule_comment, Family, FamilyRule};
use super::{Backend, Input, Layout};
use crate::model::{Action, Direction, PortSet, Protocol, Target};

/// The comment match keeps at most 255 bytes.
const COMMENT_LIMIT: usize = 255;
/// multiport takes at most 15 ports, a range counting as two.
const MULTIPORT_LIMIT: usize = 15;

/// `iptables` (IPv4) or `ip6tables` (IPv6).
pub enum Iptables {
    V4,
    V6,
}

impl Iptables {
    fn family(&self) -> Family {
        match self {
            Iptables::V4 => Family::V4,
            Iptables::V6 => Family::V6,
        }
    }
}

impl Backend for Iptables {
    fn name(&self) -> &'static str {
        match self {
            Iptables::V4 => "iptables",
            Iptables::V6 => "ip6tables",
        }
    }
    fn extension(&self) -> &'static str {
        match self {
            Iptables::V4 => "rules",
            Iptables::V6 => "rules6",
        }
    }
    fn summary(&self) -> &'static str {
        match self {
            Iptables::V4 => "iptables-restore input, IPv4",
            Iptables::V6 => "ip6tables-restore input, IPv6",
        }
    }
    fn layout(&self) -> Layout {
        Layout::PerTarget
    }
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String {
        target.map_or_else(String::new, |target| ruleset(input, target, self.family()))
    }
}

fn ruleset(input: &Input<'_>, target: Target, family: Family) -> String {
    let rules = input.policy.rules_for(target);
    let (command, icmp) = match family {
        Family::V4 => ("iptables-restore", "icmp"),
        Family::V6 => ("ip6tables-restore", "ipv6-icmp"),
    };
    let firewall = matches!(target, Target::Firewall(_));
    let (input_policy, output_policy) = if firewall {
        ("ACCEPT", "ACCEPT")
    } else {
        ("DROP", "DROP")
    };
    let mut chains: Vec<String> = Vec::new();
    let mut body = String::new();
    let directions: &[Direction] = if firewall {
        &[Direction::Forward]
    } else {
        &[Direction::Input, Direction::Output]
    };
    for &direction in directions {
        let base = match direction {
            Direction::Forward => "FORWARD",
            Direction::Input => "INPUT",
            Direction::Output => "OUTPUT",
        };
        body.push_str(&format!(
            "-A {base} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment \"replies, and ICMP errors about allowed flows\" -j ACCEPT\n\
             -A {base} -m conntrack --ctstate INVALID -j DROP\n"
        ));
        let (interface, discovery) = match direction {
            Direction::Forward => ("", &[][..]),
            Direction::Input => (
                "-i",
                &[
                    "neighbour-solicitation",
                    "neighbour-advertisement",
                    "router-advertisement",
                ][..],
            ),
            Direction::Output => (
                "-o",
                &[
                    "neighbour-solicitation",
                    "neighbour-advertisement",
                    "router-solicitation",
                ][..],
            ),
        };
        if !interface.is_empty() {
            body.push_str(&format!("-A {base} {interface} lo -j ACCEPT\n"));
        }
        if family == Family::V6 {
            for kind in discovery {
                body.push_str(&format!(
                    "-A {base} -p ipv6-icmp --icmpv6-type {kind} -m hl --hl-eq 255 -m comment --comment \"IPv6 neighbour discovery\" -j ACCEPT\n"
                ));
            }
            if direction == Direction::Output {
                for kind in [131, 143] {
                    body.push_str(&format!("-A {base} -p ipv6-icmp --icmpv6-type {kind} -m comment --comment \"multicast listener reports for neighbour discovery\" -j ACCEPT\n"));
                }
            }
        }
        for rule in rules
            .rules
            .iter()
            .filter(|rule| rule.direction == direction)
        {
            for part in by_family(rule)
                .into_iter()
                .filter(|part| part.family == family)
            {
                body.push_str(&origin_lines(input.sources, &rule.origins, "# "));
                let comment = rule_comment(input.sources, &rule.origins, COMMENT_LIMIT);
                body.push_str(&rule_lines(&part, base, icmp, &comment, &mut chains));
            }
        }
    }
    let mut text = format!(
        "# flowc {command} input for {}.\n",
        super::target_description(input.policy, target)
    );
    text.push_str(&format!(
        "# Generated from the site's .flow files; do not edit. `{command} FILE` replaces the\n"
    ));
    text.push_str("# filter table. Every rule names the .flow line it comes from.\n*filter\n");
    text.push_str(&format!(
        ":INPUT {input_policy} [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT {output_policy} [0:0]\n"
    ));
    for chain in &chains {
        text.push_str(&format!(":{chain} - [0:0]\n"));
    }
    text.push_str(&body);
    text.push_str("COMMIT\n");
    text
}

/// The lines of one rule in one family; new user chains are appended to `chains`.
fn rule_lines(
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
    let sources: Vec<String> = super::networks(&part.source)
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    let destinations: Vec<String> = super::networks(&part.destination)
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
    let chain = format!("flowc-{}", chains.len() + 1);
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
