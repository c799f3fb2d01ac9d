//! iptables and ip6tables rulesets own only flowc's chains: loaded as their header says into a
//! namespace that already holds other tools' rules (a Docker-like user chain in `FORWARD`, a
//! fail2ban-like one in `INPUT`, a raw-table rule), those rules survive, the built-in chains
//! jump to flowc's exactly once, and loading the same file again changes nothing.

use super::lab::{run, Lab, Side};
use super::{addresses, programs, site};
use flowc_compiler::model::Target;

/// Other tools' rules, added with `program` (iptables or ip6tables) before flowc's load.
fn foreign_rules(program: &str, address: &str) -> Vec<Vec<String>> {
    let rule = |words: &str| -> Vec<String> {
        std::iter::once(program.to_string())
            .chain(
                words
                    .replace("ADDRESS", address)
                    .split(' ')
                    .map(str::to_string),
            )
            .collect()
    };
    vec![
        rule("-N DOCKER-USER"),
        rule("-A DOCKER-USER -j RETURN"),
        rule("-A FORWARD -j DOCKER-USER"),
        rule("-A FORWARD -d ADDRESS -p tcp --dport 8080 -j ACCEPT"),
        rule("-N f2b-sshd"),
        rule("-A f2b-sshd -s ADDRESS -j REJECT"),
        rule("-A INPUT -p tcp --dport 22 -j f2b-sshd"),
        rule("-t raw -A PREROUTING -s ADDRESS -j ACCEPT"),
    ]
}

/// `iptables-save` of a namespace without its timestamp lines and counters.
fn saved(namespace: &str, program: &str) -> String {
    let output = run(
        "ip",
        &["netns", "exec", namespace, &format!("{program}-save")],
    );
    (String::from_utf8_lossy(&output.stdout).lines())
        .filter(|line| !line.starts_with('#'))
        .map(|line| match line.find(" [") {
            Some(at) if line.starts_with(':') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn survives(tag: &str, target_name: &str) {
    if !super::lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let checked = site();
    let target = checked
        .policy
        .target_named(target_name)
        .expect("the target");
    let (client, host) = (
        addresses(&["198.18.1.10", "fd00:f10c:1::10"]),
        addresses(&["198.18.2.10", "fd00:f10c:2::10"]),
    );
    let mut lab = Lab::direct(
        tag,
        Side {
            addresses: &client,
            subnet: 1,
        },
        Side {
            addresses: &host,
            subnet: 2,
        },
    );
    let namespace = lab.server.clone();
    for (program, address) in [("iptables", "198.18.9.9"), ("ip6tables", "fd00:f10c:9::9")] {
        for rule in foreign_rules(program, address) {
            let mut arguments = vec!["netns", "exec", &namespace];
            arguments.extend(rule.iter().map(String::as_str));
            run("ip", &arguments);
        }
    }
    let before = [
        saved(&namespace, "iptables"),
        saved(&namespace, "ip6tables"),
    ];
    let load = programs(&[
        ("iptables", "iptables-restore"),
        ("ip6tables", "ip6tables-restore"),
    ]);
    load(&mut lab, &namespace, &checked, target);
    let first = [
        saved(&namespace, "iptables"),
        saved(&namespace, "ip6tables"),
    ];
    for ((program, before), after) in ["iptables", "ip6tables"].iter().zip(&before).zip(&first) {
        for line in before.lines().filter(|line| line.starts_with("-A")) {
            assert!(
                after.lines().any(|kept| kept == line),
                "{tag}: {program}: the foreign rule `{line}` did not survive flowc's load:\n{after}"
            );
        }
        let builtins: &[&str] = match target {
            Target::Firewall(_) => &["FORWARD"],
            Target::Machine(_) => &["INPUT", "OUTPUT"],
        };
        for builtin in builtins {
            let jump = format!("-A {builtin} -j FLOWC-{builtin}");
            let jumps = after.lines().filter(|line| *line == jump).count();
            assert_eq!(
                jumps, 1,
                "{tag}: {program}: `{jump}` {jumps} times:\n{after}"
            );
            let first_rule = after
                .lines()
                .find(|line| line.starts_with(&format!("-A {builtin} ")));
            assert_eq!(
                first_rule,
                Some(jump.as_str()),
                "{tag}: {program}: flowc's jump comes first, before other tools' accepts"
            );
        }
        assert!(
            after.contains("-j DROP") && after.lines().any(|line| line.starts_with("-A FLOWC-")),
            "{tag}: {program}: flowc's chains were loaded:\n{after}"
        );
    }
    load(&mut lab, &namespace, &checked, target);
    let second = [
        saved(&namespace, "iptables"),
        saved(&namespace, "ip6tables"),
    ];
    assert_eq!(
        first, second,
        "{tag}: loading the same rulesets again changed the ruleset"
    );
}

#[test]
fn iptables_firewall_ruleset_keeps_other_tools_rules_and_loads_twice_the_same() {
    survives("cofw", "fw");
}

#[test]
fn iptables_host_ruleset_keeps_other_tools_rules_and_loads_twice_the_same() {
    survives("coho", "nim01");
}
