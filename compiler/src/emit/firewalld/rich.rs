//! firewalld rich rules, and the ipsets they name.

use super::document;
use crate::emit::{by_family, icmp_type_name, origin_lines, Family, FamilyRule, Input, Side};
use crate::model::{Action, Protocol, TargetRule};
use std::collections::BTreeMap;

/// The files of one target, and the ipsets they share.
#[derive(Default)]
pub(super) struct Tree {
    pub(super) files: BTreeMap<String, String>,
    ipsets: BTreeMap<(String, Vec<String>), String>,
}

impl Tree {
    /// The rich rules of one rule: one per family and port range (firewalld takes one port
    /// element per rule).
    pub(super) fn rich_rules(&mut self, input: &Input<'_>, rule: &TargetRule<'_>) -> String {
        let mut text = String::new();
        for part in by_family(rule) {
            let comments = origin_lines(input, &rule.origins, "");
            let mut comment: String = comments
                .lines()
                .map(|line| format!("  <!-- {} -->\n", xml_comment(line)))
                .collect();
            let opening = &rule.opening;
            let elements = elements(rule);
            let icmp = matches!(opening.protocol, Protocol::Icmp | Protocol::Icmpv6);
            if icmp
                && !opening.ports.is_full()
                && elements.iter().any(|element| element.contains("<protocol"))
            {
                comment.push_str("  <!-- WIDER than the model: firewalld has no name for one of these ICMP types; the whole protocol is open. -->\n");
            }
            for element in elements {
                text.push_str(&comment);
                let family = if part.family == Family::V4 {
                    "ipv4"
                } else {
                    "ipv6"
                };
                text.push_str(&format!("  <rule family=\"{family}\">\n"));
                if opening.protocol.has_ports()
                    && !opening.source_ports.is_full()
                    && !opening.ports.is_full()
                {
                    text.push_str(&self.source_with_ports(&part));
                } else {
                    text.push_str(&self.side(&part, "source", &part.source));
                }
                text.push_str(&self.side(&part, "destination", &part.destination));
                text.push_str(&element);
                text.push_str(if rule.action == Action::Allow {
                    "    <accept/>\n"
                } else {
                    "    <drop/>\n"
                });
                text.push_str("  </rule>\n");
            }
        }
        text
    }

    fn side(&mut self, part: &FamilyRule<'_>, element: &str, side: &Side<'_>) -> String {
        let Some(set) = side else {
            return String::new();
        };
        let networks: Vec<String> = set.to_networks().iter().map(ToString::to_string).collect();
        if let [network] = networks.as_slice() {
            return format!("    <{element} address=\"{network}\"/>\n");
        }
        let name = self.ipset(part.family, "hash:net", networks);
        format!("    <{element} ipset=\"{name}\"/>\n")
    }

    /// A rich rule takes one port element, so source ports go with the source addresses into a
    /// `hash:net,port` ipset (firewalld matches it as source address . protocol . source port).
    fn source_with_ports(&mut self, part: &FamilyRule<'_>) -> String {
        let opening = &part.rule.opening;
        // hash:net takes no /0: the whole family is its two halves.
        let networks = match &part.source {
            Some(set) => set.to_networks().iter().map(ToString::to_string).collect(),
            None if part.family == Family::V4 => {
                vec!["0.0.0.0/1".to_string(), "128.0.0.0/1".to_string()]
            }
            None => vec!["::/1".to_string(), "8000::/1".to_string()],
        };
        let protocol = opening.protocol.name();
        let mut entries = Vec::new();
        for network in &networks {
            for &(lo, hi) in opening.source_ports.ranges() {
                let ports = if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                };
                entries.push(format!("{network},{protocol}:{ports}"));
            }
        }
        let name = self.ipset(part.family, "hash:net,port", entries);
        format!("    <source ipset=\"{name}\"/>\n")
    }

    /// The name of the ipset holding these entries, declared on first use.
    fn ipset(&mut self, family: Family, kind: &str, entries: Vec<String>) -> String {
        let count = self.ipsets.len() + 1;
        let key = (kind.to_string(), entries);
        if let Some(name) = self.ipsets.get(&key) {
            return name.clone();
        }
        let name = format!("flowc-set{count}");
        let option = if family == Family::V6 {
            "  <option name=\"family\" value=\"inet6\"/>\n"
        } else {
            ""
        };
        let lines: String = key
            .1
            .iter()
            .map(|entry| format!("  <entry>{entry}</entry>\n"))
            .collect();
        let body = format!("  <short>{name}</short>\n{option}{lines}");
        self.files.insert(
            format!("ipsets/{name}.xml"),
            document("ipset", &format!("type=\"{kind}\""), &body),
        );
        self.ipsets.insert(key, name.clone());
        name
    }
}

/// The protocol element of each rich rule a rule needs; an empty string matches every protocol.
fn elements(rule: &TargetRule<'_>) -> Vec<String> {
    let opening = &rule.opening;
    match opening.protocol {
        Protocol::Tcp | Protocol::Udp => {
            let protocol = opening.protocol.name();
            if opening.ports.is_full() && opening.source_ports.is_full() {
                return vec![format!("    <protocol value=\"{protocol}\"/>\n")];
            }
            let (element, ports) = if opening.ports.is_full() {
                ("source-port", &opening.source_ports)
            } else {
                ("port", &opening.ports)
            };
            (ports.ranges().iter())
                .map(|&(lo, hi)| {
                    let port = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    };
                    format!("    <{element} port=\"{port}\" protocol=\"{protocol}\"/>\n")
                })
                .collect()
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            let named: Option<Vec<&str>> = (!opening.ports.is_full())
                .then(|| {
                    (opening.ports.ranges().iter())
                        .flat_map(|&(lo, hi)| lo..=hi.min(255))
                        .map(|number| icmp_type_name(opening.protocol, number))
                        .collect()
                })
                .flatten();
            match named {
                Some(names) => names
                    .iter()
                    .map(|name| format!("    <icmp-type name=\"{name}\"/>\n"))
                    .collect(),
                // Every type, or a type firewalld has no name for: the whole protocol.
                None => vec![format!(
                    "    <protocol value=\"{}\"/>\n",
                    if opening.protocol == Protocol::Icmp {
                        "icmp"
                    } else {
                        "ipv6-icmp"
                    }
                )],
            }
        }
        Protocol::Ip(number) => vec![format!("    <protocol value=\"{number}\"/>\n")],
        Protocol::Any => vec![String::new()],
    }
}

/// Text safe inside an XML comment: no `--`, no markup characters.
fn xml_comment(text: &str) -> String {
    let text = text.replace('&', "and").replace('<', "(").replace('>', ")");
    let mut text = text.replace("--", "- -");
    if text.ends_with('-') {
        text.push(' ');
    }
    text
}
