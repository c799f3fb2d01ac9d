//! The firewalld backend under the real daemon: the kernel test site's firewall and NIM
//! master, six random sites, and a site whose names and reasons are hostile. Every probe is
//! decided by the kernel (through firewalld's ruleset) exactly as by `Policy::decide`.

use super::differential::differential;
use super::example_site::example_firewall;
use super::firewalld::{self, with_firewalld};
use super::probes::derive;
use super::{clients, firewall_test, host_test, probe_routed_firewall, servers};
use flowc_compiler::{check, MemoryWorld};

#[test]
fn firewalld_firewall_forwards_exactly_what_the_model_allows() {
    with_firewalld(|| firewall_test("fwd", &firewalld::load));
}

#[test]
fn firewalld_host_tree_filters_its_own_traffic_like_the_model() {
    with_firewalld(|| host_test("hfwd", &firewalld::load));
}

/// The example's edge under firewalld: the HMC's call-home leaves (it arrives from the
/// management network behind the core, through the transit network).
#[test]
fn firewalld_example_site_edge_carries_the_call_home() {
    with_firewalld(|| example_firewall("exfe", "edge", &firewalld::load, true));
}

/// The example's core under firewalld, with TFTP transfers through its helper.
#[test]
fn firewalld_example_site_core_agrees_and_tracks_tftp() {
    with_firewalld(|| example_firewall("exfc", "core", &firewalld::load, true));
}

/// Echo requests by firewalld's ICMP type names, whole protocols, and a deny of a type.
#[test]
fn firewalld_icmp_types_agree_with_the_model() {
    with_firewalld(|| super::icmp::icmp_test("icmpf", &firewalld::load));
}

#[test]
fn random_sites_agree_with_the_kernel_under_firewalld() {
    with_firewalld(|| differential("fwd", &firewalld::load));
}

/// A 260-character group name, a file name and `@allow` reasons with control characters and
/// XML's own characters, and a 20,000-character reason: the daemon starts, takes every rule of
/// both trees, and forwards as the model says.
#[test]
fn hostile_names_and_reasons_load_into_the_daemon() {
    with_firewalld(|| {
        let group = format!("g{}", "x".repeat(259));
        let reason = "why ".repeat(5000);
        let text = format!(
            "zone c = 198.18.1.0/24, fd00:f10c:1::/64\nzone s = 198.18.2.0/24, fd00:f10c:2::/64\n\
             firewall fw {{ zones c, s }}\n\
             host c1 = 198.18.1.10, fd00:f10c:1::10\n\
             group {group} = 198.18.2.10, 198.18.2.20, fd00:f10c:2::10\n\
             @allow(broad-range, \"{reason}\")\nallow c1 -> {group} : tcp 1000..1010\n\
             allow c1 -> {group} : ssh\n"
        );
        let name = "hostile\u{1}\u{1b}[31m<&>--.flow";
        let mut checked = check(&MemoryWorld::single(name, &text));
        assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
        // Reasons with every kind of character, whether or not the language lets them in: the
        // backend's escaping is the second line of defence.
        for flow in checked.policy.flows_mut() {
            (flow.origin.allowed_lints).push((
                "broad-range".into(),
                "nul \u{0} soh \u{1} esc \u{1b}[2J del \u{7f} c1 \u{85} -- <rule> & \"quoted\" ]]> -".into(),
            ));
        }
        let policy = &checked.policy;
        for target in policy.targets() {
            for (path, contents) in firewalld::tree(&checked, target) {
                assert!(
                    !contents.chars().any(|c| c.is_control() && c != '\n'),
                    "{path} holds a control character"
                );
                assert!(
                    contents.lines().all(|line| line.len() < 1100),
                    "{path} has a line longer than the cap"
                );
            }
        }
        let machine = policy
            .target_named(&group)
            .expect("the long group is a target");
        let tree = firewalld::tree(&checked, machine);
        assert!(
            tree.iter().any(|(_, text)| text.contains("\\x1b[2J")),
            "{tree:?}"
        );
        let mut lab = super::lab::Lab::direct(
            "hostile",
            super::lab::Side {
                addresses: &clients(),
                subnet: 1,
            },
            super::lab::Side {
                addresses: &servers(),
                subnet: 2,
            },
        );
        let server = lab.server.clone();
        firewalld::load_tree(&mut lab, &server, &tree, "flowc");
        drop(lab);
        let firewall = policy.target_named("fw").expect("the firewall");
        let probes = derive(
            policy,
            &policy.rules_for(firewall),
            &clients(),
            &servers(),
            30,
        );
        assert!(probes.iter().any(|probe| probe.allowed), "{probes:?}");
        probe_routed_firewall(
            "hostilefw",
            "hostile names",
            &checked,
            firewall,
            &firewalld::load,
            &probes,
        );
    });
}
