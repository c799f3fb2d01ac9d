//! The iptables and ip6tables backends: snapshots over every test site, and
//! `iptables-restore --test` / `ip6tables-restore --test` on every ruleset, in an empty network
//! namespace.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Backend, Input};
use flowc_compiler::{check, MemoryWorld};

fn restore_test(program: &str, name: &str, ruleset: &str) {
    if !validator_present(program, "iptables") {
        return;
    }
    let file = temporary_file(ruleset, "rules");
    let output = in_empty_namespace(program, &["--test", file.path().to_str().unwrap()], None);
    assert!(
        output.status.success(),
        "{program} --test rejects the ruleset of {name}:\n{}\n{ruleset}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_site_snapshots_and_every_ruleset_passes_restore_test() {
    for (name, program) in [
        ("iptables", "iptables-restore"),
        ("ip6tables", "ip6tables-restore"),
    ] {
        let backend = backend(name).expect("registered");
        for path in sites() {
            let checked = checked(&path);
            snapshot(name, &site_name(&path), &emit_all(backend, &checked));
            for (target, ruleset) in rulesets(backend, &checked) {
                restore_test(program, &format!("{} {target}", site_name(&path)), &ruleset);
            }
        }
    }
}

fn ruleset(backend: &dyn Backend, text: &str, target: &str) -> String {
    let checked = check(&MemoryWorld::single("site.flow", text));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    backend.emit(
        &input,
        Some(
            checked
                .policy
                .target_named(target)
                .expect("the target exists"),
        ),
    )
}

#[test]
fn multiport_takes_at_most_fifteen_ports_per_match() {
    let text = std::fs::read_to_string(data_directory().join("emit/features.flow")).unwrap();
    let rules = ruleset(backend("iptables").unwrap(), &text, "edge");
    // `many` has 16 single ports, ssh one more: 17 ports in two multiport matches.
    let chunks: Vec<&str> = rules
        .lines()
        .filter(|line| line.contains("--dports 22,7001"))
        .collect();
    assert_eq!(chunks.len(), 1, "{rules}");
    assert!(rules.contains("--dports 7029,7031 "), "{rules}");
    for line in rules.lines().filter(|line| line.contains("--dports ")) {
        let ports = line
            .split("--dports ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        let weight: usize = ports
            .split(',')
            .map(|port| if port.contains(':') { 2 } else { 1 })
            .sum();
        assert!(weight <= 15, "{line}");
    }
    restore_test("iptables-restore", "features edge", &rules);
}

#[test]
fn several_cidrs_on_a_side_cost_a_chain_not_a_product() {
    let text = std::fs::read_to_string(data_directory().join("emit/features.flow")).unwrap();
    let rules = ruleset(backend("iptables").unwrap(), &text, "edge");
    // desks (two /24s) to mail: one chain, two source lines, one jump per port chunk.
    assert!(rules.contains(":FLOWC-1 - [0:0]"), "{rules}");
    assert!(rules.contains("-s 10.10.1.0/24 "), "{rules}");
    assert!(rules.contains("-s 10.10.3.0/24 "), "{rules}");
    assert!(rules.contains("-j FLOWC-1\n"), "{rules}");
    let six = ruleset(backend("ip6tables").unwrap(), &text, "edge");
    assert!(
        six.contains(
            "-s 2001:db8:1::1/128 -d fd00:10:0:1::/64 -p udp --sport 1024:65535 --dport 514"
        ),
        "{six}"
    );
    assert!(
        !six.contains(" -p icmp "),
        "ICMPv4 stays out of ip6tables:\n{six}"
    );
    assert!(
        !rules.contains("ipv6-icmp"),
        "ICMPv6 stays out of iptables:\n{rules}"
    );
}

#[test]
fn machines_drop_by_default_and_let_neighbour_discovery_through() {
    let text = std::fs::read_to_string(data_directory().join("emit/kernel.flow")).unwrap();
    let four = ruleset(backend("iptables").unwrap(), &text, "nim01");
    // flowc's own chains, each ending in a drop; the built-in chains' policies are not touched.
    assert!(
        four.contains("*filter\n:FLOWC-INPUT - [0:0]\n:FLOWC-OUTPUT - [0:0]\n"),
        "{four}"
    );
    for chain in ["FLOWC-INPUT", "FLOWC-OUTPUT"] {
        let last = (four.lines()).rfind(|line| line.starts_with(&format!("-A {chain} ")));
        assert_eq!(
            last,
            Some(
                format!("-A {chain} -m comment --comment \"not allowed by the site\" -j DROP")
                    .as_str()
            ),
            "{four}"
        );
    }
    let six = ruleset(backend("ip6tables").unwrap(), &text, "nim01");
    assert!(
        six.contains(
            "-A FLOWC-INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -m hl --hl-eq 255"
        ),
        "{six}"
    );
    assert!(
        six.contains(
            "-A FLOWC-OUTPUT -p ipv6-icmp --icmpv6-type neighbour-advertisement -m hl --hl-eq 255"
        ),
        "{six}"
    );
    let firewall = ruleset(backend("iptables").unwrap(), &text, "fw");
    assert!(
        firewall.contains("*filter\n:FLOWC-FORWARD - [0:0]\n") && !firewall.contains("INPUT"),
        "{firewall}"
    );
    assert!(
        firewall.contains("-p tcp --sport 513:1023 -m multiport --dports 513:1023,1058:1059"),
        "{firewall}"
    );
}

/// Nothing outside flowc's chains is declared, flushed or given a policy, so
/// `iptables-restore --noflush` leaves other tools' rules alone; the header gives the load
/// commands, which add each jump once.
#[test]
fn rulesets_touch_only_flowcs_own_chains() {
    let text = std::fs::read_to_string(data_directory().join("emit/kernel.flow")).unwrap();
    for (name, program) in [("iptables", "iptables"), ("ip6tables", "ip6tables")] {
        for target in ["fw", "nim01", "web"] {
            let rules = ruleset(backend(name).unwrap(), &text, target);
            for line in rules.lines() {
                let chain = line
                    .strip_prefix(':')
                    .or_else(|| line.strip_prefix("-A "))
                    .map(|rest| rest.split(' ').next().unwrap_or_default());
                if let Some(chain) = chain {
                    assert!(chain.starts_with("FLOWC-"), "{name} {target}: {line}");
                }
                assert!(
                    !line.starts_with("-F") && !line.starts_with("-X") && !line.starts_with("-P"),
                    "{name} {target}: {line}"
                );
            }
            assert!(
                rules.contains(&format!("#   {program}-restore --noflush FILE\n")),
                "{rules}"
            );
            let builtins: &[&str] = if target == "fw" {
                &["FORWARD"]
            } else {
                &["INPUT", "OUTPUT"]
            };
            for builtin in builtins {
                assert!(
                    rules.contains(&format!(
                        "#   {program} -t filter -C {builtin} -j FLOWC-{builtin} 2>/dev/null || {program} -t filter -I {builtin} -j FLOWC-{builtin}\n"
                    )),
                    "{rules}"
                );
            }
        }
    }
}

/// An allow of udp 69 assigns the TFTP conntrack helper in the raw table, which the header's
/// load commands hook into `PREROUTING`; a ruleset without TFTP has no raw table at all.
#[test]
fn tftp_allows_assign_the_conntrack_helper_in_the_raw_table() {
    let text = std::fs::read_to_string(data_directory().join("emit/kernel.flow")).unwrap();
    let firewall = ruleset(backend("iptables").unwrap(), &text, "fw");
    assert!(
        firewall
            .contains("*raw\n:FLOWC-PREROUTING - [0:0]\n-A FLOWC-PREROUTING -p udp --dport 69 ")
            && firewall.contains(" -j CT --helper tftp\nCOMMIT\n"),
        "{firewall}"
    );
    assert!(
        firewall.contains("#   iptables -t raw -C PREROUTING -j FLOWC-PREROUTING"),
        "{firewall}"
    );
    let web = ruleset(backend("iptables").unwrap(), &text, "web");
    assert!(
        !web.contains("*raw") && !web.contains("CT --helper"),
        "{web}"
    );
}
