//! The nftables backend: snapshots over every test site, `nft -c` on every ruleset (in an
//! empty network namespace), rule counts that follow classes, verdict maps and comments.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Input};
use flowc_compiler::{check, MemoryWorld};

fn nftables() -> &'static dyn flowc_compiler::emit::Backend {
    backend("nftables").expect("the nftables backend is registered")
}

/// `nft -c -f FILE` in an empty network namespace; panics with nft's message on failure.
fn nft_check(name: &str, ruleset: &str) {
    if !validator_present("nft", "nftables") {
        return;
    }
    let file = temporary_file(ruleset, "nft");
    let output = in_empty_namespace("nft", &["-c", "-f", file.path().to_str().unwrap()], None);
    assert!(
        output.status.success(),
        "nft -c rejects the ruleset of {name}:\n{}\n{ruleset}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_site_snapshots_and_every_ruleset_passes_nft_check() {
    for path in sites() {
        let checked = checked(&path);
        snapshot(
            "nftables",
            &site_name(&path),
            &emit_all(nftables(), &checked),
        );
        for (name, ruleset) in rulesets(nftables(), &checked) {
            nft_check(&format!("{} {name}", site_name(&path)), &ruleset);
        }
    }
}

fn site_ruleset(text: &str, target: &str) -> String {
    let checked = check(&MemoryWorld::single("site.flow", text));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked
        .policy
        .target_named(target)
        .expect("the target exists");
    nftables().emit(&input, Some(target))
}

/// A site where `hosts` scattered clients reach one server on `ports` scattered ports.
fn scaled_site(hosts: u32, ports: u32) -> String {
    let clients: Vec<String> = (0..hosts)
        .map(|index| format!("10.0.{}.{}", index / 100, 1 + 2 * (index % 100)))
        .collect();
    let ports: Vec<String> = (0..ports)
        .map(|index| (2000 + 3 * index).to_string())
        .collect();
    format!(
        "zone a = 10.0.0.0/16\nzone b = 10.9.0.0/16\nfirewall fw {{\n  zones a, b\n}}\n\
         group clients = {}\nhost server = 10.9.0.1\nservice app = tcp {{{}}}\n\
         allow clients -> server : app, udp 53\n",
        clients.join(", "),
        ports.join(", ")
    )
}

fn rule_lines(ruleset: &str) -> usize {
    count_lines(ruleset, |line| {
        let line = line.trim_start();
        (line.contains(" accept") || line.contains(" drop"))
            && !line.starts_with('#')
            && !line.starts_with("ct ")
            && !line.starts_with("type ")
    })
}

#[test]
fn rule_count_follows_classes_not_hosts_times_ports() {
    let small = site_ruleset(&scaled_site(2, 2), "fw");
    let large = site_ruleset(&scaled_site(150, 40), "fw");
    assert_eq!(rule_lines(&small), 2, "{small}");
    assert_eq!(rule_lines(&large), 2, "{large}");
    // The hosts and ports live in named sets instead.
    assert!(large.contains("set clients_v4 {"), "{large}");
    assert!(large.contains("10.0.1.99,"), "{large}");
    assert!(large.contains("2117,"), "{large}");
    nft_check("scaled", &large);
}

#[test]
fn a_deny_and_an_allow_of_one_class_fold_into_a_verdict_map() {
    let text = std::fs::read_to_string(data_directory().join("emit/features.flow")).unwrap();
    let ruleset = site_ruleset(&text, "edge");
    assert!(
        ruleset.contains("tcp dport vmap { 20-22 : accept, 23 : drop, 24-30 : accept }"),
        "{ruleset}"
    );
    // The folded allow is gone as a rule of its own.
    assert!(!ruleset.contains("tcp dport 20-30"), "{ruleset}");
}

#[test]
fn no_verdict_map_when_another_deny_could_match_what_the_allow_accepts() {
    let site = "zone a = 10.0.0.0/24\nzone b = 10.1.0.0/24\nfirewall fw {\n  zones a, b\n}\n\
                host x = 10.0.0.5\nhost y = 10.1.0.5\n\
                allow x -> y : tcp 20..30\ndeny x -> y : tcp 23\ndeny a -> y : tcp 25\n";
    let ruleset = site_ruleset(site, "fw");
    assert!(!ruleset.contains("vmap"), "{ruleset}");
    let deny = ruleset
        .find("tcp dport 25 drop")
        .expect("the zone deny is a rule");
    let allow = ruleset
        .find("tcp dport 20-30 accept")
        .expect("the allow is a rule");
    assert!(deny < allow, "denies come first:\n{ruleset}");
    nft_check("unfolded", &ruleset);
}

#[test]
fn comments_name_the_file_line_role_statement_and_reason() {
    let brief = emit_all(
        nftables(),
        &checked(&data_directory().join("ok/brief_site.flow")),
    );
    assert!(
        brief.contains("comment \"brief_site.flow:17 nim.master stdlib/nim.flow:"),
        "{brief}"
    );
    assert!(
        brief.contains("# brief_site.flow:17 nim.master stdlib/nim.flow:"),
        "{brief}"
    );
    assert!(
        brief.contains("seed 000 §"),
        "the # lines carry the citation"
    );
    let features = emit_all(
        nftables(),
        &checked(&data_directory().join("emit/features.flow")),
    );
    assert!(
        features.contains("allow(any-source): mail must reach us from anywhere\""),
        "{features}"
    );
    for path in sites() {
        let text = emit_all(nftables(), &checked(&path));
        for line in text.lines().filter(|line| line.contains(" comment \"")) {
            let comment = &line[line.find(" comment \"").unwrap() + 10..line.len() - 1];
            assert!(comment.len() <= 128, "nft takes at most 128 bytes: {line}");
            assert!(!comment.contains('"'), "{line}");
        }
    }
}

#[test]
fn machines_get_default_drop_input_and_output_with_neighbour_discovery() {
    let text = std::fs::read_to_string(data_directory().join("emit/kernel.flow")).unwrap();
    let ruleset = site_ruleset(&text, "nim01");
    for expected in [
        "chain input {\n\t\ttype filter hook input priority filter; policy drop;",
        "chain output {\n\t\ttype filter hook output priority filter; policy drop;",
        "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept",
        "ct state established,related accept",
        "ip6 saddr fd00:f10c:2::10 ip6 daddr fd00:f10c:1::10 tcp sport 513-1023 tcp dport 3901-3902 accept",
    ] {
        assert!(ruleset.contains(expected), "missing {expected:?}:\n{ruleset}");
    }
    assert!(!ruleset.contains("hook forward"), "{ruleset}");
}

#[test]
fn output_is_byte_identical_across_runs() {
    for path in sites() {
        let first = emit_all(nftables(), &checked(&path));
        let second = emit_all(nftables(), &checked(&path));
        assert_eq!(first, second, "{}", path.display());
    }
}
