//! Kernel tests: the emitted rulesets loaded into real network namespaces and probed with real
//! TCP connections and UDP datagrams. Every probe's expectation is `Policy::decide` (the answer
//! `flowc query` gives), so the model and the kernel are compared, not two hand-written lists.
//! Needs root, `ip`, `nft`, `iptables-restore`, `ip6tables-restore` and `python3`; the firewalld
//! tests also need `firewalld` and `dbus-daemon` (skipped with a notice without them).

#[path = "../support/mod.rs"]
mod support;

mod coexistence;
mod differential;
mod example_site;
mod firewalld;
mod icmp;
mod lab;
mod probes;
mod tftp;
mod under_firewalld;
mod wire;

use flowc_compiler::emit::{backend, Input};
use flowc_compiler::model::{Protocol, Target};
use flowc_compiler::{check, Checked, MemoryWorld};
use lab::{wait_bounded, Lab, Side};
use probes::{derive, Probe, LISTENER, PROBER};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::time::Duration;

fn site() -> Checked {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/emit/kernel.flow");
    let text = std::fs::read_to_string(path).expect("the kernel site");
    let checked = check(&MemoryWorld::single("emit/kernel.flow", &text));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    checked
}

fn addresses(list: &[&str]) -> Vec<IpAddr> {
    list.iter()
        .map(|address| address.parse().expect("an address"))
        .collect()
}

/// The client zone's machines plus an address of the zone that is no machine's.
fn clients() -> Vec<IpAddr> {
    addresses(&[
        "198.18.1.10",
        "198.18.1.20",
        "198.18.1.99",
        "fd00:f10c:1::10",
        "fd00:f10c:1::20",
        "fd00:f10c:1::99",
    ])
}

fn servers() -> Vec<IpAddr> {
    addresses(&[
        "198.18.2.10",
        "198.18.2.20",
        "198.18.2.30",
        "fd00:f10c:2::10",
        "fd00:f10c:2::20",
    ])
}

/// Loads a site's rulesets for one target into a namespace of the lab (the firewall's, or a
/// host's); whatever must live as long as the lab goes into `lab.keep`.
pub type Loader<'a> = &'a dyn Fn(&mut Lab, &str, &Checked, Target);

/// A [`Loader`] of the rulesets of backends that a program reads (`nft -f FILE`,
/// `iptables-restore FILE`), one `(backend, program)` after another.
fn programs<'a>(load: &'a [(&'a str, &'a str)]) -> impl Fn(&mut Lab, &str, &Checked, Target) + 'a {
    move |lab, namespace, checked, target| {
        for (backend, program) in load {
            lab.load(namespace, program, &ruleset(checked, backend, target));
        }
    }
}

fn ruleset(checked: &Checked, name: &str, target: Target) -> String {
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    backend(name)
        .expect("registered")
        .emit(&input, Some(target))
}

/// Starts a listener in a namespace for the ports its side is probed on; waits until ready.
fn listen(lab: &mut Lab, namespace: &str, probes: &[Probe], own: &[IpAddr]) {
    let ports = |protocol| {
        let set: BTreeSet<u16> = probes
            .iter()
            .filter(|probe| probe.protocol == protocol && own.contains(&probe.destination))
            .map(|probe| probe.port)
            .collect();
        set.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    };
    let own = own
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut child = lab.python(
        namespace,
        LISTENER,
        &[ports(Protocol::Tcp), ports(Protocol::Udp), own],
    );
    let stdout = child.stdout.take().expect("piped");
    lab.children.push(child);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the listener starts within 30 s");
    assert_eq!(
        line.trim(),
        "ready",
        "the listener in {namespace} failed to start"
    );
}

/// Sends the probes that start on one side from inside its namespace; returns the outcomes.
fn send(lab: &Lab, namespace: &str, probes: &[&Probe]) -> Vec<String> {
    if probes.is_empty() {
        return Vec::new();
    }
    let mut child = lab.python(namespace, PROBER, &[]);
    let lines: String = probes.iter().map(|probe| probe.line() + "\n").collect();
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(lines.as_bytes())
        .expect("the prober reads");
    let output = wait_bounded(child, Duration::from_secs(60));
    let results: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        results.len(),
        probes.len(),
        "the prober answers every probe: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    results
}

/// Probes both directions and compares every outcome with the model.
fn probe_and_compare(
    lab: &mut Lab,
    what: &str,
    probes: &[Probe],
    client: &[IpAddr],
    server: &[IpAddr],
) {
    let (client_namespace, server_namespace) = (lab.client.clone(), lab.server.clone());
    listen(lab, &client_namespace, probes, client);
    listen(lab, &server_namespace, probes, server);
    let outbound: Vec<&Probe> = probes
        .iter()
        .filter(|probe| client.contains(&probe.source))
        .collect();
    let inbound: Vec<&Probe> = probes
        .iter()
        .filter(|probe| server.contains(&probe.source))
        .collect();
    let mut outcomes = send(lab, &client_namespace, &outbound);
    outcomes.extend(send(lab, &server_namespace, &inbound));
    let mut mismatches = Vec::new();
    for (probe, outcome) in outbound.iter().chain(&inbound).zip(&outcomes) {
        assert!(
            outcome == "passed" || outcome == "blocked",
            "{what}: probe {} failed: {outcome}",
            probe.line()
        );
        if (outcome == "passed") != probe.allowed {
            mismatches.push(format!(
                "{} model {} kernel {outcome}",
                probe.line(),
                if probe.allowed { "allows" } else { "denies" }
            ));
        }
    }
    let allowed = probes.iter().filter(|probe| probe.allowed).count();
    eprintln!(
        "{what}: {} probes, {allowed} allowed, {} denied",
        probes.len(),
        probes.len() - allowed
    );
    assert!(
        mismatches.is_empty(),
        "{what}: the kernel and the model disagree:\n{}",
        mismatches.join("\n")
    );
}

/// The probes must cover both families, both protocols, both outcomes, and a source-port
/// constraint passing from inside its range and blocked from outside it.
fn assert_coverage(what: &str, probes: &[Probe]) {
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for v4 in [true, false] {
            for allowed in [true, false] {
                assert!(
                    probes.iter().any(|probe| probe.protocol == protocol
                        && probe.source.is_ipv4() == v4
                        && probe.allowed == allowed),
                    "{what}: no {protocol:?} IPv{} probe that is {}",
                    if v4 { 4 } else { 6 },
                    if allowed { "allowed" } else { "denied" }
                );
            }
        }
    }
    let nimsh = |allowed: bool| {
        probes.iter().any(|probe| {
            probe.constrained
                && probe.port == 3901
                && probe.allowed == allowed
                && (probe.source_port <= 1023) == allowed
        })
    };
    assert!(
        nimsh(true) && nimsh(false),
        "{what}: nimsh from 513..1023 is probed from inside and outside the range"
    );
}

fn firewall_test(tag: &str, load: Loader<'_>) {
    if !lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let checked = site();
    let policy = &checked.policy;
    let target = policy.target_named("fw").expect("the firewall");
    let (client, server) = (clients(), servers());
    let probes = derive(policy, &policy.rules_for(target), &client, &server, 60);
    assert_coverage(tag, &probes);
    probe_routed_firewall(tag, tag, &checked, target, load, &probes);
}

/// Loads a firewall's rulesets into a lab routed between the client and server sides, and
/// compares every probe's outcome with the model.
fn probe_routed_firewall(
    tag: &str,
    what: &str,
    checked: &Checked,
    target: Target,
    load: Loader<'_>,
    probes: &[Probe],
) {
    let (client, server) = (clients(), servers());
    let mut lab = Lab::routed(
        tag,
        Side {
            addresses: &client,
            subnet: 1,
        },
        Side {
            addresses: &server,
            subnet: 2,
        },
    );
    let firewall = lab.firewall.clone().expect("a firewall namespace");
    load(&mut lab, &firewall, checked, target);
    probe_and_compare(&mut lab, what, probes, &client, &server);
}

#[test]
fn nftables_firewall_forwards_exactly_what_the_model_allows() {
    firewall_test("nft", &programs(&[("nftables", "nft")]));
}

#[test]
fn iptables_firewall_forwards_exactly_what_the_model_allows() {
    firewall_test(
        "ipt",
        &programs(&[
            ("iptables", "iptables-restore"),
            ("ip6tables", "ip6tables-restore"),
        ]),
    );
}

/// A host's own ruleset (input and output chains, neighbour discovery) loaded on the host,
/// which sits directly on the clients' link.
fn host_test(tag: &str, load: Loader<'_>) {
    if !lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let checked = site();
    let policy = &checked.policy;
    let target = policy.target_named("nim01").expect("the NIM master");
    let host = addresses(&["198.18.2.10", "fd00:f10c:2::10"]);
    let mut others = clients();
    others.extend(
        servers()
            .into_iter()
            .filter(|address| !host.contains(address)),
    );
    let probes = derive(policy, &policy.rules_for(target), &others, &host, 60);
    assert_coverage(tag, &probes);
    let mut lab = Lab::direct(
        tag,
        Side {
            addresses: &others,
            subnet: 1,
        },
        Side {
            addresses: &host,
            subnet: 2,
        },
    );
    let server = lab.server.clone();
    load(&mut lab, &server, &checked, target);
    probe_and_compare(&mut lab, tag, &probes, &others, &host);
}

#[test]
fn nftables_host_ruleset_filters_its_own_traffic_like_the_model() {
    host_test("hnft", &programs(&[("nftables", "nft")]));
}

#[test]
fn iptables_host_ruleset_filters_its_own_traffic_like_the_model() {
    host_test(
        "hipt",
        &programs(&[
            ("iptables", "iptables-restore"),
            ("ip6tables", "ip6tables-restore"),
        ]),
    );
}
