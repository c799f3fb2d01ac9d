//! TFTP through a firewall that opens only udp 69 and assigns the TFTP conntrack helper
//! (issue 17 item 7): a real transfer, whose data comes back from a new port of the server to
//! the reader's port, crosses under nftables and iptables; the same ruleset with the helper
//! assignment taken out stops it (modern kernels attach no helper by themselves), so the test
//! can fail; and a reader the site does not allow gets nothing.

use super::lab::{Lab, Side};
use super::wire::tftp_transfer;
use flowc_compiler::emit::{backend, Input};
use flowc_compiler::{check, Checked, MemoryWorld};
use std::net::IpAddr;

const SITE: &str = "\
zone clients = 198.18.1.0/24
zone servers = 198.18.2.0/24

firewall fw {
  zones clients, servers
  address 198.18.1.1, 198.18.2.1
}

host tftpd  = 198.18.2.10
host reader = 198.18.1.10
host other  = 198.18.1.20

allow reader -> tftpd : udp 69
";

const READER: &str = "198.18.1.10";
const OTHER: &str = "198.18.1.20";
const SERVER: &str = "198.18.2.10";

/// The backends, each with how to load it and the marker of its helper assignment line.
const BACKENDS: [(&str, &str, &str); 2] = [
    ("nftables", "nft", "ct helper set \"tftp\""),
    ("iptables", "iptables-restore", "-j CT --helper tftp"),
];

/// Whether the kernel has the TFTP conntrack helper (nf_conntrack_tftp): an nftables helper
/// object for it loads in an empty network namespace.
fn helper_present(what: &str) -> bool {
    let ruleset =
        "add table inet probe; add ct helper inet probe tftp { type \"tftp\" protocol udp; }";
    let loaded = std::process::Command::new("unshare")
        .args(["-n", "nft", ruleset])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let missing = if loaded {
        vec![]
    } else {
        vec!["the TFTP conntrack helper (kernel module nf_conntrack_tftp)".to_string()]
    };
    super::support::present_or_skip(what, &missing)
}

fn emitted(checked: &Checked, name: &str) -> String {
    let target = checked.policy.target_named("fw").expect("the firewall");
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    backend(name)
        .expect("registered")
        .emit(&input, Some(target))
}

/// Loads `ruleset` into a fresh lab's firewall and reads the file as `reader`.
fn transfer(tag: &str, program: &str, ruleset: &str, reader: &str) -> bool {
    let parse = |address: &str| -> IpAddr { address.parse().expect("an address") };
    // Lab::routed gives each side an IPv6 route too, so each has an IPv6 address.
    let clients = [parse(READER), parse(OTHER), parse("fd00:f10c:1::10")];
    let servers = [parse(SERVER), parse("fd00:f10c:2::10")];
    let mut lab = Lab::routed(
        tag,
        Side {
            addresses: &clients,
            subnet: 1,
        },
        Side {
            addresses: &servers,
            subnet: 2,
        },
    );
    let firewall = lab.firewall.clone().expect("a firewall namespace");
    lab.load(&firewall, program, ruleset);
    let (client, server) = (lab.client.clone(), lab.server.clone());
    tftp_transfer(&mut lab, &server, parse(SERVER), &client, parse(reader))
}

#[test]
fn tftp_crosses_only_udp_69_with_the_helper_and_not_without() {
    let what = "kernel test TFTP helper";
    if !super::lab::available(what) || !helper_present(what) {
        return;
    }
    let checked = check(&MemoryWorld::single("tftp.flow", SITE));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    for (index, (name, program, assignment)) in BACKENDS.into_iter().enumerate() {
        let ruleset = emitted(&checked, name);
        assert!(
            !ruleset.contains("32768") && !ruleset.contains("65535"),
            "{name}: the ruleset opens no data port range:\n{ruleset}"
        );
        assert_eq!(
            ruleset.matches(assignment).count(),
            1,
            "{name}: one helper assignment:\n{ruleset}"
        );
        assert!(
            transfer(&format!("tf{index}a"), program, &ruleset, READER),
            "{name}: the allowed reader's TFTP transfer did not complete:\n{ruleset}"
        );
        assert!(
            !transfer(&format!("tf{index}o"), program, &ruleset, OTHER),
            "{name}: a reader the site does not allow read the file"
        );
        let without: String = (ruleset.lines())
            .filter(|line| !line.contains(assignment))
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(
            !transfer(&format!("tf{index}n"), program, &without, READER),
            "{name}: the transfer crossed without the helper, so this test proves nothing"
        );
    }
}
