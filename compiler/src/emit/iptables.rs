//! iptables and ip6tables: `iptables-restore --noflush` / `ip6tables-restore --noflush` input
//! that owns only flowc's chains.
//!
//! The rules live in chains of flowc's own (`FLOWC-FORWARD`, or `FLOWC-INPUT` and
//! `FLOWC-OUTPUT`), each ending in a drop, so that loading replaces them and nothing else:
//! Docker's, libvirt's or fail2ban's rules stay. The built-in chains jump to them; no
//! `iptables-restore` line can add a rule only when it is missing, so the header gives the
//! load commands, which add each jump once (`iptables -C … || iptables -I …`).
//!
//! One backend serves both families. A rule whose sources and destinations are single CIDRs is
//! one line (per multiport chunk of at most 15 ports); a rule with several CIDRs on a side jumps,
//! once per destination CIDR, to a chain of its own that matches the source CIDRs, so a rule
//! costs sources + destinations lines, never sources × destinations.

mod essentials;
mod matches;

use super::{by_family, origin_lines, rule_comment, Family};
use super::{Backend, Input, Layout};
use crate::model::{Direction, Target};
use essentials::essentials;
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

/// flowc's chain that a built-in chain of `table` jumps to, and the rules it holds.
struct Chain {
    table: &'static str,
    builtin: &'static str,
    body: String,
}

impl Chain {
    fn own(&self) -> String {
        format!("FLOWC-{}", self.builtin)
    }
}

fn ruleset(input: &Input<'_>, target: Target, family: Family) -> String {
    let rules = input.policy.rules_for(target);
    let (command, program, icmp) = match family {
        Family::V4 => ("iptables-restore", "iptables", "icmp"),
        Family::V6 => ("ip6tables-restore", "ip6tables", "ipv6-icmp"),
    };
    let directions: &[Direction] = match target {
        Target::Firewall(_) => &[Direction::Forward],
        Target::Machine(_) => &[Direction::Input, Direction::Output],
    };
    let mut rule_chains: Vec<String> = Vec::new();
    let mut filter = Vec::new();
    let mut raw = Vec::new();
    for &direction in directions {
        let builtin = match direction {
            Direction::Forward => "FORWARD",
            Direction::Input => "INPUT",
            Direction::Output => "OUTPUT",
        };
        let base = format!("FLOWC-{builtin}");
        let mut body = essentials(&base, direction, family);
        let mut tftp = false;
        for rule in rules
            .rules
            .iter()
            .filter(|rule| rule.direction == direction)
        {
            for part in by_family(rule)
                .into_iter()
                .filter(|part| part.family == family)
            {
                tftp |= super::tracks_tftp(rule);
                body.push_str(&origin_lines(input, &rule.origins, "# "));
                let comment = rule_comment(input, &rule.origins, COMMENT_LIMIT);
                body.push_str(&rule_lines(&part, &base, icmp, &comment, &mut rule_chains));
            }
        }
        body.push_str(&format!(
            "-A {base} -m comment --comment \"not allowed by the site\" -j DROP\n"
        ));
        filter.push(Chain {
            table: "filter",
            builtin,
            body,
        });
        if tftp {
            // Kernels since 4.7 attach no helper by themselves (nf_conntrack_helper = 0): the raw
            // table assigns it before conntrack sees the request, and the data, sent from a new
            // port, is then RELATED. A dropped request never reaches the helper, so every udp 69
            // packet may get it.
            let hook = if direction == Direction::Output {
                "OUTPUT"
            } else {
                "PREROUTING"
            };
            raw.push(Chain {
                table: "raw",
                builtin: hook,
                body: format!(
                    "-A FLOWC-{hook} -p udp --dport 69 -m comment --comment \"TFTP: the conntrack helper relates the data sent from a new port\" -j CT --helper tftp\n"
                ),
            });
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
    text.push_str(
        "# Generated from the site's .flow files; do not edit. Every rule names the .flow line it\n\
         # comes from. It replaces flowc's own chains (FLOWC-*) and nothing else: other tools'\n\
         # rules (Docker, libvirt, fail2ban) stay. Each jump from a built-in chain to flowc's is\n\
         # added only once, so loading again gives the same ruleset. Load it with:\n",
    );
    text.push_str(&format!("#   {command} --noflush FILE\n"));
    for chain in raw.iter().chain(&filter) {
        let (table, builtin, own) = (chain.table, chain.builtin, chain.own());
        text.push_str(&format!(
            "#   {program} -t {table} -C {builtin} -j {own} 2>/dev/null || {program} -t {table} -I {builtin} -j {own}\n"
        ));
    }
    if !raw.is_empty() {
        text.push_str("*raw\n");
        for chain in &raw {
            text.push_str(&format!(":{} - [0:0]\n", chain.own()));
        }
        for chain in &raw {
            text.push_str(&chain.body);
        }
        text.push_str("COMMIT\n");
    }
    text.push_str("*filter\n");
    for chain in filter.iter().map(Chain::own).chain(rule_chains) {
        // With --noflush a declared chain is emptied (or created), an undeclared one untouched.
        text.push_str(&format!(":{chain} - [0:0]\n"));
    }
    for chain in &filter {
        text.push_str(&chain.body);
    }
    text.push_str("COMMIT\n");
    text
}
