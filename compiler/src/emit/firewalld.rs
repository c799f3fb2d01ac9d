//! firewalld: policy, zone and ipset XML files, the tree to copy into `/etc/firewalld/`.
//!
//! A firewall gets one policy, `flowc-forward`, from `ANY` to `ANY` (every forwarded packet,
//! whatever zones its addresses fall in) with target `DROP`, whose rich rules match the
//! addresses themselves: the rules of the nftables `forward` chain. flowc binds no address to a
//! zone of its own: traffic from zones behind another firewall arrives with addresses that no
//! zone of this firewall names, and binding every address the routes bring would hand flowc
//! the firewall's own input (its zones' services), which no flow describes, and collide with
//! the administrator's zones. A machine gets zone `flowc` (target `DROP`; make it the default
//! zone) for its input rules and policy `flowc-output` from `HOST` to `ANY` (target `DROP`)
//! for its output rules. Deny overrides allow without priorities: firewalld puts the drop rules
//! of a zone or policy in its `deny` chain, which runs before its `allow` chain. Object names
//! are fixed, never made from the site's names, so they always fit firewalld's limits.

mod icmp;
mod rich;
mod xml;

use super::{Backend, Input, Layout};
use crate::model::{Direction, Target};
use rich::Tree;

pub struct Firewalld;

impl Backend for Firewalld {
    fn name(&self) -> &'static str {
        "firewalld"
    }
    fn extension(&self) -> &'static str {
        "xml"
    }
    fn summary(&self) -> &'static str {
        "firewalld zones, policies and ipsets (a directory per target)"
    }
    fn layout(&self) -> Layout {
        Layout::PerTarget
    }
    /// Every file, each introduced by `==> PATH <==` (as `head` prints several files).
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String {
        let files = self.files(input, target);
        files
            .iter()
            .map(|(path, contents)| format!("==> {path} <==\n{contents}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn files(&self, input: &Input<'_>, target: Option<Target>) -> Vec<(String, String)> {
        let Some(target) = target else {
            return Vec::new();
        };
        let tree = match target {
            Target::Firewall(_) => firewall(input, target),
            Target::Machine(_) => machine(input, target),
        };
        let name = super::file_stem(input.policy.target_name(target));
        (tree.files.into_iter())
            .map(|(path, contents)| (format!("{name}/{path}"), contents))
            .collect()
    }
}

/// A firewall's tree: policy `flowc-forward` and its ipsets.
fn firewall(input: &Input<'_>, target: Target) -> Tree {
    let mut tree = Tree::new("flowc-fwd-");
    let name = input.policy.target_name(target);
    let mut body = format!(
        "  <short>{}</short>\n  <description>{}</description>\n  <ingress-zone name=\"ANY\"/>\n  <egress-zone name=\"ANY\"/>\n",
        xml::element_text(&format!("flowc forward {name}"), xml::SHORT_LIMIT),
        xml::element_text(
            &format!("Forward rules of firewall {name}: every flow routed through it, by its addresses, whatever zones they are in. Forwarded traffic no rule accepts is dropped."),
            xml::DESCRIPTION_LIMIT
        ),
    );
    for rule in &input.policy.rules_for(target).rules {
        body.push_str(&tree.rich_rules(input, rule));
    }
    tree.files.insert(
        "policies/flowc-forward.xml".into(),
        document("policy", "target=\"DROP\"", &body),
    );
    tree
}

/// A machine's tree: zone `flowc` for its input, policy `flowc-output`, and their ipsets.
fn machine(input: &Input<'_>, target: Target) -> Tree {
    let mut tree = Tree::new("flowc-set");
    let name = input.policy.target_name(target);
    let mut zone = format!(
        "  <short>{}</short>\n  <description>{}</description>\n",
        xml::element_text(&format!("flowc {name}"), xml::SHORT_LIMIT),
        xml::element_text(
            &format!("Input rules of {name}: make this the default zone (firewall-offline-cmd --set-default-zone=flowc)."),
            xml::DESCRIPTION_LIMIT
        ),
    );
    let mut policy = format!(
        "  <short>{}</short>\n  <ingress-zone name=\"HOST\"/>\n  <egress-zone name=\"ANY\"/>\n",
        xml::element_text(&format!("flowc output {name}"), xml::SHORT_LIMIT),
    );
    let discovery = |kinds: &[&str]| -> String {
        (kinds.iter())
            .map(|kind| format!("  <!-- IPv6 neighbour discovery -->\n  <rule family=\"ipv6\">\n    <icmp-type name=\"{kind}\"/>\n    <accept/>\n  </rule>\n"))
            .collect()
    };
    zone.push_str(&discovery(&[
        "neighbour-solicitation",
        "neighbour-advertisement",
        "router-advertisement",
    ]));
    policy.push_str(&discovery(&[
        "neighbour-solicitation",
        "neighbour-advertisement",
        "router-solicitation",
    ]));
    // firewalld names no MLD type: every ICMPv6 packet to the groups MLD reports go to (v2 to
    // ff02::16, v1 to the solicited-node groups), which only neighbour discovery uses.
    for group in ["ff02::16", "ff02::1:ff00:0/104"] {
        policy.push_str(&format!("  <!-- multicast listener reports for neighbour discovery -->\n  <rule family=\"ipv6\">\n    <destination address=\"{group}\"/>\n    <protocol value=\"ipv6-icmp\"/>\n    <accept/>\n  </rule>\n"));
    }
    for rule in &input.policy.rules_for(target).rules {
        let text = tree.rich_rules(input, rule);
        match rule.direction {
            Direction::Input => zone.push_str(&text),
            Direction::Output | Direction::Forward => policy.push_str(&text),
        }
    }
    tree.files.insert(
        "zones/flowc.xml".into(),
        document("zone", "target=\"DROP\"", &zone),
    );
    tree.files.insert(
        "policies/flowc-output.xml".into(),
        document("policy", "target=\"DROP\"", &policy),
    );
    tree
}

fn document(element: &str, attributes: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- Generated by flowc from the site's .flow files; do not edit. -->\n<{element} {attributes}>\n{body}</{element}>\n")
}
