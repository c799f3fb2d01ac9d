//! Printing nftables rules: the named sets they share and each rule's match text.
//!
//! A host's ruleset is small but a site has tens of thousands of them, so this writes straight
//! into the ruleset's text: sets are looked up by their addresses or ports, and their elements
//! are printed once, when the set is declared.

use super::Line;
use crate::emit::{
    capped_name, icmp_type_name, push_decimal, write_port_range, Family, Input, Side,
};
use crate::model::{AddressSet, FlowOrigin, PortSet, Protocol};
use foldhash::fast::FixedState;
use ipnet::IpNet;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The longest set name flowc declares, before a `_2` suffix: nft takes 255 bytes
/// (`NFT_NAME_MAXLEN`), and a longer label is cut with a hash of the whole, which keeps it
/// readable and distinct.
const SET_NAME_LIMIT: usize = 64;

/// The named sets of a ruleset, declared in order of first use. Keys borrow the rules' sets
/// where the rules hold them, so declaring a set does not copy it.
#[derive(Default)]
pub struct Sets<'a> {
    /// What a rule writes for an address set: `@name`, or its one element.
    addresses: HashMap<Cow<'a, AddressSet>, String, FixedState>,
    /// The same for a port set.
    ports: HashMap<&'a PortSet, String, FixedState>,
    /// How many sets took each label, for the `_2`, `_3` suffixes.
    taken: HashMap<String, usize, FixedState>,
    /// Every `@name` declared, so that no two sets share one.
    names: HashSet<String, FixedState>,
    /// The ruleset's text up to its chains: whatever the caller put first (the header), then
    /// each set as it is declared.
    pub declarations: String,
}

impl<'a> Sets<'a> {
    /// Declares a set under a fresh name made from `label` (`label`, then `label_2`, ...), its
    /// elements written one per line by `write_elements`, and returns `@name`.
    fn declare(
        &mut self,
        kind: &str,
        label: String,
        write_elements: impl FnOnce(&mut String),
    ) -> String {
        let label = match capped_name(&label, SET_NAME_LIMIT, '_') {
            Cow::Borrowed(_) => label,
            Cow::Owned(capped) => capped,
        };
        let count = self.taken.entry(label.clone()).or_insert(0);
        // `@name`, made without the formatting machinery: a site declares a set or more per host.
        let mut reference = String::with_capacity(label.len() + 8);
        // The next of `label`, `label_2`, `label_3`, ... that no other set took: another label
        // may itself end in `_2` (`ports_22` taken 23 times, and ports 22-23).
        loop {
            *count += 1;
            reference.clear();
            reference.push('@');
            reference.push_str(&label);
            if *count > 1 {
                reference.push('_');
                let _ = write!(reference, "{count}");
            }
            if self.names.insert(reference.clone()) {
                break;
            }
        }
        let text = &mut self.declarations;
        text.push_str("\tset ");
        text.push_str(&reference[1..]);
        text.push_str(" {\n\t\ttype ");
        text.push_str(kind);
        text.push_str("\n\t\tflags interval\n\t\telements = {\n");
        write_elements(text);
        text.push_str("\t\t}\n\t}\n");
        reference
    }

    /// Writes what a rule says for one side in `family`: a set reference `@name` or the single
    /// CIDR itself. `None` (the whole family) writes nothing and returns false. The label is
    /// asked for only when a new set is declared.
    fn write_address(
        &mut self,
        out: &mut String,
        input: &Input<'_>,
        family: Family,
        side: &Side<'a>,
        label: impl FnOnce() -> String,
    ) -> bool {
        let Some(set) = side else {
            return false;
        };
        // One CIDR is written as it is: no set, so nothing to look up.
        if let Some(network) = set.single_network() {
            write_network(out, &network);
            return true;
        }
        if let Some(text) = self.addresses.get(set) {
            out.push_str(text);
            return true;
        }
        // More than one CIDR: a named set. Its elements are printed once per run: the same
        // merged sources recur in the rulesets of every host of a zone.
        let elements = input.set_text("nftables elements", set, |set, text| {
            for network in &set.to_networks() {
                text.push_str("\t\t\t");
                write_network(text, network);
                text.push_str(",\n");
            }
        });
        let (kind, suffix) = match family {
            Family::V4 => ("ipv4_addr", "v4"),
            Family::V6 => ("ipv6_addr", "v6"),
        };
        // Cut before the family suffix, which says what the set holds.
        let mut name = capped_name(&label(), SET_NAME_LIMIT - 3, '_').into_owned();
        name.push('_');
        name.push_str(suffix);
        let text = self.declare(kind, name, |text| text.push_str(&elements));
        out.push_str(&text);
        self.addresses.insert(set.clone(), text);
        true
    }

    /// Writes a port set reference `@name` or the single port or range itself.
    fn write_ports(&mut self, out: &mut String, ports: &'a PortSet) {
        // One port or range is written as it is: no set, so nothing to look up.
        if let [range] = ports.ranges() {
            write_port_range(out, *range, "-");
            return;
        }
        if let Some(text) = self.ports.get(ports) {
            out.push_str(text);
            return;
        }
        let ranges = ports.ranges();
        let text = match ranges {
            // Rules never hold an empty port set (`rules_for` leaves such flows out); an empty
            // one would print nothing rather than stop the run.
            [] => String::new(),
            [first, ..] => {
                let mut label = String::from("ports_");
                write_port_range(&mut label, *first, "_");
                self.declare("inet_service", label, |text| {
                    for &range in ranges {
                        text.push_str("\t\t\t");
                        write_port_range(text, range, "-");
                        text.push_str(",\n");
                    }
                })
            }
        };
        out.push_str(&text);
        self.ports.insert(ports, text);
    }

    /// Writes the match and verdict of one rule (everything before its comment) to `out`.
    pub fn write_rule(&mut self, out: &mut String, input: &Input<'_>, line: &Line<'a>) {
        let rule = line.rule;
        let family_word = |family| if family == Family::V4 { "ip" } else { "ip6" };
        match line.family {
            Some(family) if line.source.is_none() && line.destination.is_none() => {
                out.push_str(if family == Family::V4 {
                    "meta nfproto ipv4 "
                } else {
                    "meta nfproto ipv6 "
                });
            }
            Some(family) => {
                let mark = out.len();
                out.push_str(family_word(family));
                out.push_str(" saddr ");
                if self.write_address(out, input, family, &line.source, || {
                    label(&rule.origins, true)
                }) {
                    out.push(' ');
                } else {
                    out.truncate(mark);
                }
                let mark = out.len();
                out.push_str(family_word(family));
                out.push_str(" daddr ");
                if self.write_address(out, input, family, &line.destination, || {
                    label(&rule.origins, false)
                }) {
                    out.push(' ');
                } else {
                    out.truncate(mark);
                }
            }
            None => {}
        }
        let opening = &rule.opening;
        match opening.protocol {
            Protocol::Tcp | Protocol::Udp => {
                let name = if opening.protocol == Protocol::Tcp {
                    "tcp"
                } else {
                    "udp"
                };
                if !opening.source_ports.is_full() {
                    out.push_str(name);
                    out.push_str(" sport ");
                    self.write_ports(out, &opening.source_ports);
                    out.push(' ');
                }
                if let Some(accepted) = &line.accepted {
                    let mut elements: Vec<(u16, u16, &str)> = Vec::new();
                    for (set, word) in [(&opening.ports, "drop"), (accepted, "accept")] {
                        elements.extend(set.ranges().iter().map(|&(lo, hi)| (lo, hi, word)));
                    }
                    elements.sort_unstable();
                    out.push_str(name);
                    out.push_str(" dport vmap { ");
                    for (index, &(lo, hi, word)) in elements.iter().enumerate() {
                        if index > 0 {
                            out.push_str(", ");
                        }
                        write_port_range(out, (lo, hi), "-");
                        out.push_str(" : ");
                        out.push_str(word);
                    }
                    out.push_str(" }");
                    return;
                }
                if !opening.ports.is_full() {
                    out.push_str(name);
                    out.push_str(" dport ");
                    self.write_ports(out, &opening.ports);
                    out.push(' ');
                }
            }
            Protocol::Icmp | Protocol::Icmpv6 => {
                let (keyword, protocol_name) = if opening.protocol == Protocol::Icmp {
                    ("icmp", "icmp")
                } else {
                    ("icmpv6", "ipv6-icmp")
                };
                if opening.ports.is_full() {
                    let _ = write!(out, "meta l4proto {protocol_name} ");
                } else {
                    let types: Vec<String> = (opening.ports.ranges().iter())
                        .flat_map(|&(lo, hi)| lo..=hi.min(255))
                        .map(|number| {
                            icmp_type_name(opening.protocol, number)
                                .map_or(number.to_string(), str::to_string)
                        })
                        .collect();
                    let _ = if let [single] = types.as_slice() {
                        write!(out, "{keyword} type {single} ")
                    } else {
                        write!(out, "{keyword} type {{ {} }} ", types.join(", "))
                    };
                }
            }
            Protocol::Ip(number) => {
                let _ = write!(out, "meta l4proto {number} ");
            }
            Protocol::Any => {}
        }
        out.push_str(crate::emit::verdict(rule.action));
    }
}

/// `address` as nft prints it: the bare address for a single host, else the CIDR.
fn write_network(out: &mut String, network: &IpNet) {
    match network {
        IpNet::V4(network) => {
            write_ipv4(out, u32::from(network.addr()));
            if network.prefix_len() != 32 {
                out.push('/');
                push_decimal(out, u16::from(network.prefix_len()));
            }
        }
        IpNet::V6(network) => {
            let _ = if network.prefix_len() == 128 {
                write!(out, "{}", network.addr())
            } else {
                write!(out, "{network}")
            };
        }
    }
}

/// Dotted-quad IPv4, without the formatting machinery: most set elements are IPv4 addresses.
/// Digits are pushed as characters: checking a few bytes as UTF-8 costs more than pushing them.
fn write_ipv4(out: &mut String, address: u32) {
    out.reserve(15);
    for (index, octet) in address.to_be_bytes().into_iter().enumerate() {
        if index > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
}

/// A set name from the labels the rule's flows were written with, when they agree.
fn label<'a>(origins: &[&'a FlowOrigin], source: bool) -> String {
    let label_of = |origin: &&'a FlowOrigin| -> &'a str {
        if source {
            origin.source_label.as_str()
        } else {
            origin.destination_label.as_str()
        }
    };
    let mut labels = origins.iter().map(label_of);
    let first = labels.next();
    let fallback = if source { "sources" } else { "destinations" };
    let word = match first {
        Some(single) if labels.all(|label| label == single) => single
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
