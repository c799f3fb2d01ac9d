//! Printing nftables rules: the named sets they share and each rule's match text.

use super::Line;
use crate::emit::{icmp_type_name, port_list, Family, Side};
use crate::model::{FlowOrigin, PortSet, Protocol};
use std::collections::HashMap;

/// The named sets of a ruleset, declared in order of first use.
#[derive(Default)]
pub struct Sets {
    names: HashMap<(&'static str, Vec<String>), String>,
    taken: HashMap<String, usize>,
    pub declarations: String,
}

impl Sets {
    /// A set reference `@name` or the single element itself. The label is asked for only
    /// when a new set is declared.
    fn reference(
        &mut self,
        kind: &'static str,
        label: impl FnOnce() -> String,
        mut elements: Vec<String>,
    ) -> String {
        if elements.len() == 1 {
            return elements.pop().unwrap_or_default();
        }
        let key = (kind, elements);
        if let Some(name) = self.names.get(&key) {
            return format!("@{name}");
        }
        let elements = key.1;
        let label = label();
        let count = self.taken.entry(label.clone()).or_insert(0);
        *count += 1;
        let name = if *count == 1 {
            label.to_string()
        } else {
            format!("{label}_{count}")
        };
        self.declarations.push_str(&format!(
            "\tset {name} {{\n\t\ttype {kind}\n\t\tflags interval\n\t\telements = {{\n{}\t\t}}\n\t}}\n",
            elements.iter().map(|element| format!("\t\t\t{element},\n")).collect::<String>()
        ));
        self.names.insert((kind, elements), name.clone());
        format!("@{name}")
    }

    fn address(
        &mut self,
        family: Family,
        side: &Side,
        label: impl FnOnce() -> String,
    ) -> Option<String> {
        let set = side.as_ref()?;
        let elements: Vec<String> = (set.to_networks().iter())
            .map(|network| {
                if network.prefix_len() == network.max_prefix_len() {
                    network.addr().to_string()
                } else {
                    network.to_string()
                }
            })
            .collect();
        let (kind, suffix) = match family {
            Family::V4 => ("ipv4_addr", "v4"),
            Family::V6 => ("ipv6_addr", "v6"),
        };
        Some(self.reference(kind, || format!("{}_{suffix}", label()), elements))
    }

    fn ports(&mut self, ports: &PortSet) -> String {
        let elements: Vec<String> = port_list(ports, "-", ",")
            .split(',')
            .map(str::to_string)
            .collect();
        let first = elements[0].replace('-', "_");
        self.reference("inet_service", move || format!("ports_{first}"), elements)
    }

    pub fn rule_text(&mut self, line: &Line<'_>) -> String {
        let rule = line.rule;
        let mut parts = Vec::new();
        let family_word = |family| if family == Family::V4 { "ip" } else { "ip6" };
        match line.family {
            Some(family) if line.source.is_none() && line.destination.is_none() => {
                parts.push(format!(
                    "meta nfproto {}",
                    if family == Family::V4 { "ipv4" } else { "ipv6" }
                ));
            }
            Some(family) => {
                if let Some(source) =
                    self.address(family, &line.source, || label(&rule.origins, true))
                {
                    parts.push(format!("{} saddr {source}", family_word(family)));
                }
                if let Some(destination) =
                    self.address(family, &line.destination, || label(&rule.origins, false))
                {
                    parts.push(format!("{} daddr {destination}", family_word(family)));
                }
            }
            None => {}
        }
        let opening = &rule.opening;
        let verdict = crate::emit::verdict(rule.action).to_string();
        match opening.protocol {
            Protocol::Tcp | Protocol::Udp => {
                let name = opening.protocol.name();
                if !opening.source_ports.is_full() {
                    parts.push(format!(
                        "{name} sport {}",
                        self.ports(&opening.source_ports)
                    ));
                }
                if let Some(accepted) = &line.accepted {
                    let mut elements: Vec<(u16, String)> = Vec::new();
                    for (set, word) in [(&opening.ports, "drop"), (accepted, "accept")] {
                        elements.extend(set.ranges().iter().map(|&(lo, hi)| {
                            let ports = if lo == hi {
                                lo.to_string()
                            } else {
                                format!("{lo}-{hi}")
                            };
                            (lo, format!("{ports} : {word}"))
                        }));
                    }
                    elements.sort();
                    let map = elements
                        .into_iter()
                        .map(|(_, element)| element)
                        .collect::<Vec<_>>()
                        .join(", ");
                    parts.push(format!("{name} dport vmap {{ {map} }}"));
                    return parts.join(" ");
                }
                if !opening.ports.is_full() {
                    parts.push(format!("{name} dport {}", self.ports(&opening.ports)));
                }
            }
            Protocol::Icmp | Protocol::Icmpv6 => {
                let keyword = if opening.protocol == Protocol::Icmp {
                    "icmp"
                } else {
                    "icmpv6"
                };
                if opening.ports.is_full() {
                    parts.push(format!(
                        "meta l4proto {}",
                        if keyword == "icmp" {
                            "icmp"
                        } else {
                            "ipv6-icmp"
                        }
                    ));
                } else {
                    let types: Vec<String> = (opening.ports.ranges().iter())
                        .flat_map(|&(lo, hi)| lo..=hi.min(255))
                        .map(|number| {
                            icmp_type_name(opening.protocol, number)
                                .map_or(number.to_string(), str::to_string)
                        })
                        .collect();
                    let types = if types.len() == 1 {
                        types[0].clone()
                    } else {
                        format!("{{ {} }}", types.join(", "))
                    };
                    parts.push(format!("{keyword} type {types}"));
                }
            }
            Protocol::Ip(number) => parts.push(format!("meta l4proto {number}")),
            Protocol::Any => {}
        }
        parts.push(verdict);
        parts.join(" ")
    }
}

/// A set name from the labels the rule's flows were written with, when they agree.
fn label(origins: &[FlowOrigin], source: bool) -> String {
    let mut labels: Vec<&str> = origins
        .iter()
        .map(|origin| {
            if source {
                origin.source_label.as_str()
            } else {
                origin.destination_label.as_str()
            }
        })
        .collect();
    labels.sort();
    labels.dedup();
    let fallback = if source { "sources" } else { "destinations" };
    let word = match labels.as_slice() {
        [single] => single
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>(),
        _ => fallback.to_string(),
    };
    if word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        word
    } else {
        fallback.to_string()
    }
}
