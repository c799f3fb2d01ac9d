//! iptables and ip6tables: `iptables-restore` / `ip6tables-restore` input for the filter table.
//!
//! One backend serves both families. A rule whose sources and destinations are single CIDRs is
//! one line (per multiport chunk of at most 15 ports); a rule with several CIDRs on a side jumps,
//! once per destination CIDR, to a chain of its own that matches the source CIDRs, so a rule
//! costs sources + destinations lines, never sources × destinations.

mod matches;

use super::{by_family, origin_lines, rule_comment, Family};
use super::{Backend, Input, Layout};
use crate::model::{Direction, Target};
use matches::rule_lines;

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
                body.push_str(&origin_lines(input, &rule.origins, "# "));
                let comment = rule_comment(input, &rule.origins, COMMENT_LIMIT);
                body.push_str(&rule_lines(&part, base, icmp, &comment, &mut chains));
            }
        }
    }
    let mut text = String::new();
    super::push_comment_lines(
        &mut text,
        "# ",
        &format!(
            "flowc {command} input for {}.",
            super::target_description(input.policy, target)
        ),
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
