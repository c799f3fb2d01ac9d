//! firewalld: zone, policy and ipset XML files, the tree to copy into `/etc/firewalld/`.
//!
//! A firewall gets one zone per zone it joins (bound by the zone's addresses) and one policy per
//! (ingress zone, egress zone) pair with rich rules for the flows between them. A machine gets a
//! zone `flowc` (target DROP; make it the default zone) for its input rules and a policy from
//! `HOST` to `ANY` (target DROP) for its output rules. Address sets of several CIDRs are ipsets;
//! sources with source ports are `hash:net,port` ipsets.

mod rich;

use super::{Backend, Input, Layout};
use crate::model::{Direction, Target, TargetRule};
use rich::Tree;
use std::borrow::Cow;

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
        let name = input.policy.target_name(target);
        let mut tree = Tree::default();
        let rules = input.policy.rules_for(target);
        match target {
            Target::Firewall(index) => {
                let zones = &input.policy.firewalls[index].zones;
                for &zone in zones {
                    let info = &input.policy.zones[zone];
                    let sources: String = (info.region.to_networks().iter())
                        .map(|network| format!("  <source address=\"{network}\"/>\n"))
                        .collect();
                    let body = format!("  <short>flowc {}</short>\n{sources}", info.name);
                    let path = format!("zones/{}.xml", zone_name(input, zone));
                    tree.files
                        .insert(path, document("zone", "target=\"default\"", &body));
                }
                for &from in zones {
                    for &to in zones.iter().filter(|&&to| to != from) {
                        let (from_zone, to_zone) =
                            (&input.policy.zones[from], &input.policy.zones[to]);
                        let mut body = format!(
                            "  <short>flowc {} to {}</short>\n  <ingress-zone name=\"{}\"/>\n  <egress-zone name=\"{}\"/>\n",
                            from_zone.name,
                            to_zone.name,
                            zone_name(input, from),
                            zone_name(input, to)
                        );
                        let mut any = false;
                        for rule in &rules.rules {
                            let source = rule.source.intersection(&from_zone.region);
                            let destination = rule.destination.intersection(&to_zone.region);
                            if source.is_empty() || destination.is_empty() {
                                continue;
                            }
                            let restricted = TargetRule {
                                source: Cow::Owned(source),
                                destination: Cow::Owned(destination),
                                ..rule.clone()
                            };
                            body.push_str(&tree.rich_rules(input, &restricted));
                            any = true;
                        }
                        if any {
                            let mut policy = format!("flowc-{}-{}", from_zone.name, to_zone.name);
                            if policy.len() > 18 {
                                policy = format!("flowc-p{}-{}", from + 1, to + 1);
                            }
                            let path = format!("policies/{policy}.xml");
                            tree.files
                                .insert(path, document("policy", "target=\"CONTINUE\"", &body));
                        }
                    }
                }
            }
            Target::Machine(_) => {
                let mut zone = String::from("  <short>flowc</short>\n  <description>Input rules of this machine: make it the default zone (firewall-offline-cmd --set-default-zone=flowc).</description>\n");
                let mut policy = String::from("  <short>flowc output</short>\n  <ingress-zone name=\"HOST\"/>\n  <egress-zone name=\"ANY\"/>\n");
                for kind in [
                    "neighbour-solicitation",
                    "neighbour-advertisement",
                    "router-solicitation",
                ] {
                    policy.push_str(&format!("  <!-- IPv6 neighbour discovery -->\n  <rule family=\"ipv6\">\n    <icmp-type name=\"{kind}\"/>\n    <accept/>\n  </rule>\n"));
                }
                for rule in &rules.rules {
                    let text = tree.rich_rules(input, rule);
                    if rule.direction == Direction::Input {
                        zone.push_str(&text)
                    } else {
                        policy.push_str(&text)
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
            }
        }
        let mut files: Vec<(String, String)> = tree.files.into_iter().collect();
        for (path, _) in &mut files {
            *path = format!("{name}/{path}");
        }
        files
    }
}

/// firewalld keeps zone names to 17 characters: `flowc-NAME`, or `flowc-zN` when that is longer.
fn zone_name(input: &Input<'_>, zone: usize) -> String {
    let name = format!("flowc-{}", input.policy.zones[zone].name);
    if name.len() <= 17 {
        name
    } else {
        format!("flowc-z{}", zone + 1)
    }
}

fn document(element: &str, attributes: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- Generated by flowc from the site's .flow files; do not edit. -->\n<{element} {attributes}>\n{body}</{element}>\n")
}
