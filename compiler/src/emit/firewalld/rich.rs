//! firewalld rich rules, and the ipsets they name.

use super::{document, icmp, xml};
use crate::emit::{by_family, origin_lines, Family, FamilyRule, Input, Side};
use crate::model::{Action, PortSet, Protocol, TargetRule};
use std::collections::BTreeMap;

/// TFTP's port. An allow of it names firewalld's `tftp` service instead of the port: the
/// service carries the TFTP connection-tracking helper (`<helper name="tftp"/>`), which makes
/// the transfer, between two new ports, a related connection. Without a helper no TFTP transfer
/// crosses a stateful filter unless the data ports are opened (`tftp_helper = false`).
const TFTP: u16 = 69;

/// The files of one target, and the ipsets they share.
pub(super) struct Tree {
    pub(super) files: BTreeMap<String, String>,
    ipsets: BTreeMap<(String, Vec<String>), String>,
    /// What the ipsets' names start with: a firewall's differ from a machine's, so that both
    /// trees can be copied into one `/etc/firewalld/`.
    prefix: &'static str,
}

impl Tree {
    pub(super) fn new(prefix: &'static str) -> Tree {
        Tree {
            files: BTreeMap::new(),
            ipsets: BTreeMap::new(),
            prefix,
        }
    }

    /// The rich rules of one rule: one per family and element (firewalld takes one port,
    /// protocol or ICMP type per rule), each under the rule's origins.
    pub(super) fn rich_rules(&mut self, input: &Input<'_>, rule: &TargetRule<'_>) -> String {
        let comments: String = (origin_lines(input, &rule.origins, "").lines())
            .map(xml::comment)
            .collect();
        let (elements, note) = elements(rule);
        let opening = &rule.opening;
        let with_source_ports = opening.protocol.has_ports()
            && !opening.source_ports.is_full()
            && !opening.ports.is_full();
        let mut text = String::new();
        for part in by_family(rule) {
            let family = match part.family {
                Family::V4 => "ipv4",
                Family::V6 => "ipv6",
            };
            for element in &elements {
                text.push_str(&comments);
                if let Some(note) = note {
                    text.push_str(&xml::comment(note));
                }
                text.push_str(&format!("  <rule family=\"{family}\">\n"));
                if with_source_ports {
                    text.push_str(&self.source_with_ports(&part));
                } else if element.is_empty() && part.source.is_none() && part.destination.is_none()
                {
                    // firewalld refuses a rule with no element, source or destination: the
                    // whole family is said as a source.
                    let whole = if part.family == Family::V4 {
                        "0.0.0.0/0"
                    } else {
                        "::/0"
                    };
                    text.push_str(&format!("    <source address=\"{whole}\"/>\n"));
                } else {
                    text.push_str(&self.side(&part, "source", &part.source));
                }
                text.push_str(&self.side(&part, "destination", &part.destination));
                text.push_str(element);
                text.push_str(match rule.action {
                    Action::Allow => "    <accept/>\n",
                    Action::Deny => "    <drop/>\n",
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
        let label = label(part.rule, element == "source");
        let name = self.ipset(part.family, "hash:net", networks, &label);
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
            for &range in opening.source_ports.ranges() {
                entries.push(format!("{network},{protocol}:{}", port_text(range)));
            }
        }
        let label = format!("{} from these source ports", label(part.rule, true));
        let name = self.ipset(part.family, "hash:net,port", entries, &label);
        format!("    <source ipset=\"{name}\"/>\n")
    }

    /// The name of the ipset holding these entries, declared on first use with `label` (what
    /// the entries stand for) as its title.
    fn ipset(&mut self, family: Family, kind: &str, entries: Vec<String>, label: &str) -> String {
        let key = (kind.to_string(), entries);
        if let Some(name) = self.ipsets.get(&key) {
            return name.clone();
        }
        let name = format!("{}{}", self.prefix, self.ipsets.len() + 1);
        let option = if family == Family::V6 {
            "  <option name=\"family\" value=\"inet6\"/>\n"
        } else {
            ""
        };
        let lines: String = (key.1.iter())
            .map(|entry| format!("  <entry>{entry}</entry>\n"))
            .collect();
        let short = xml::element_text(&format!("flowc {label}"), xml::SHORT_LIMIT);
        let body = format!("  <short>{short}</short>\n{option}{lines}");
        self.files.insert(
            format!("ipsets/{name}.xml"),
            document("ipset", &format!("type=\"{kind}\""), &body),
        );
        self.ipsets.insert(key, name.clone());
        name
    }
}

/// What a rule's sources (or destinations) stand for: the name its flows wrote, when they
/// agree.
fn label(rule: &TargetRule<'_>, source: bool) -> String {
    let of = |origin: &&crate::model::FlowOrigin| -> String {
        if source {
            origin.source_label.clone()
        } else {
            origin.destination_label.clone()
        }
    };
    let mut labels = rule.origins.iter().map(of);
    let first = labels.next();
    match first {
        Some(single) if labels.all(|label| label == single) => single,
        _ if source => "sources".to_string(),
        _ => "destinations".to_string(),
    }
}

/// `22` or `1000-1010`.
fn port_text((lo, hi): (u16, u16)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// The element of each rich rule a rule needs (an empty string matches every protocol), and a
/// note when firewalld cannot say exactly what the rule says.
fn elements(rule: &TargetRule<'_>) -> (Vec<String>, Option<&'static str>) {
    let opening = &rule.opening;
    let protocol = |value: &str| format!("    <protocol value=\"{value}\"/>\n");
    match opening.protocol {
        Protocol::Tcp | Protocol::Udp => {
            let name = opening.protocol.name();
            if opening.ports.is_full() && opening.source_ports.is_full() {
                return (vec![protocol(&name)], None);
            }
            if opening.ports.is_full() {
                let elements = (opening.source_ports.ranges().iter())
                    .map(|&range| {
                        let port = port_text(range);
                        format!("    <source-port port=\"{port}\" protocol=\"{name}\"/>\n")
                    })
                    .collect();
                return (elements, None);
            }
            let helper = rule.action == Action::Allow && opening.protocol == Protocol::Udp;
            (port_elements(&name, &opening.ports, helper), None)
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            let value = if opening.protocol == Protocol::Icmp {
                "icmp"
            } else {
                "ipv6-icmp"
            };
            if opening.ports.is_full() {
                return (vec![protocol(value)], None);
            }
            match icmp::type_names(opening.protocol, opening.ports.ranges()) {
                Some(names) => {
                    let elements = (names.iter())
                        .map(|name| format!("    <icmp-type name=\"{name}\"/>\n"))
                        .collect();
                    (elements, None)
                }
                // A type firewalld has no name for: the whole protocol. An allow opens more than
                // the model; a deny drops more (failing closed), ICMP the model allows included.
                None => {
                    let note = match rule.action {
                        Action::Allow => "WIDER than the model: firewalld has no name for one of these ICMP types; the whole protocol is accepted.",
                        Action::Deny => "NARROWER than the model: firewalld has no name for one of these ICMP types; the whole protocol is dropped.",
                    };
                    (vec![protocol(value)], Some(note))
                }
            }
        }
        Protocol::Ip(number) => (vec![protocol(&number.to_string())], None),
        Protocol::Any => (vec![String::new()], None),
    }
}

/// One `<port>` element per range; with `helper`, TFTP's port is firewalld's `tftp` service.
fn port_elements(protocol: &str, ports: &PortSet, helper: bool) -> Vec<String> {
    let port = |range: (u16, u16)| {
        let port = port_text(range);
        format!("    <port port=\"{port}\" protocol=\"{protocol}\"/>\n")
    };
    let mut elements = Vec::new();
    for &(lo, hi) in ports.ranges() {
        if !(helper && (lo..=hi).contains(&TFTP)) {
            elements.push(port((lo, hi)));
            continue;
        }
        if lo < TFTP {
            elements.push(port((lo, TFTP - 1)));
        }
        elements.push(
            "    <!-- udp 69, with firewalld's TFTP connection-tracking helper -->\n    <service name=\"tftp\"/>\n"
                .to_string(),
        );
        if hi > TFTP {
            elements.push(port((TFTP + 1, hi)));
        }
    }
    elements
}
