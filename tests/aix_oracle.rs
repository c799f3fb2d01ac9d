//! The AIX oracle: no AIX machine is available, so the emitted scripts are run through an
//! interpreter of what ksh and AIX's filter commands do with them (`aix_oracle/script.rs`,
//! first-match evaluation in `aix_oracle/filter.rs`, each flag from IBM's documentation),
//! and fed the differential probes of the kernel tests (`tests/kernel/probes.rs`) on the
//! random sites of `tests/kernel/differential.rs`, the bundled example and the emitter test
//! sites. For every host (its own inbound and outbound packets) and firewall, each probe's
//! exchange must go as `Policy::decide` (the answer of `flowc query`) says, replies
//! included, except where the compiler's `aix-stateless` report names the difference; and
//! every reported difference must be real.

#[path = "aix_oracle/compare.rs"]
mod compare;
#[path = "aix_oracle/external.rs"]
mod external;
#[path = "aix_oracle/filter.rs"]
mod filter;
#[path = "aix_oracle/flags.rs"]
mod flags;
#[path = "aix_oracle/nim.rs"]
mod nim;
#[path = "aix_oracle/oracle_tests.rs"]
mod oracle_tests;
#[allow(dead_code)]
#[path = "kernel/probes.rs"]
mod probes;
#[path = "aix_oracle/random.rs"]
mod random;
#[path = "aix_oracle/ranges.rs"]
mod ranges;
#[path = "aix_oracle/script.rs"]
mod script;
#[path = "aix_oracle/sites.rs"]
mod sites;
#[path = "aix_oracle/witnesses.rs"]
mod witnesses;

use compare::{Machine, Send, Tally};
use flowc_compiler::emit::{aix, backend, Input};
use flowc_compiler::model::{AddressSet, Protocol, Target};
use flowc_compiler::Checked;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Runs every probe between `outside` and `inside` against one target's script as flowc
/// emits it, and checks every difference against the compiler's report.
fn probe_target(
    checked: &Checked,
    target: Target,
    outside: &[IpAddr],
    inside: &[IpAddr],
    extra: &[Send],
) -> Tally {
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let text = backend("aix")
        .expect("registered")
        .emit(&input, Some(target));
    let approximations = aix::approximations(&input, target);
    probe_script(
        checked,
        target,
        &text,
        &approximations,
        outside,
        inside,
        extra,
    )
}

/// Runs every probe against one script, allowing the differences in `approximations`.
fn probe_script(
    checked: &Checked,
    target: Target,
    text: &str,
    approximations: &[aix::Approximation],
    outside: &[IpAddr],
    inside: &[IpAddr],
    extra: &[Send],
) -> Tally {
    let policy = &checked.policy;
    let name = policy.target_name(target).to_string();
    let tables = match script::run(text) {
        Ok(tables) => tables,
        Err(error) => {
            return Tally {
                mismatches: vec![format!("{name}: the oracle cannot run the script: {error}")],
                ..Tally::default()
            }
        }
    };
    let (own, firewall) = match target {
        Target::Machine(index) => (policy.machines[index].addresses.clone(), false),
        Target::Firewall(_) => (AddressSet::any(), true),
    };
    let machine = Machine {
        tables: &tables,
        own: &own,
        firewall,
        approximations,
    };
    let mut tally = Tally::default();
    let rules = policy.rules_for(target);
    let mut sends: Vec<Send> = probes::derive(policy, &rules, outside, inside, 30)
        .into_iter()
        .map(|probe| Send {
            source: probe.source,
            destination: probe.destination,
            protocol: if probe.protocol == Protocol::Tcp {
                6
            } else {
                17
            },
            ack: false,
            source_port: probe.source_port,
            port: probe.port,
        })
        .collect();
    sends.extend_from_slice(extra);
    // AIX's reserved rule, both ways, in IPv4.
    for (&from, &to) in outside
        .iter()
        .zip(inside.iter().cycle())
        .filter(|(a, b)| a.is_ipv4() && b.is_ipv4())
        .take(1)
    {
        for (source, destination) in [(from, to), (to, from)] {
            sends.push(Send {
                source,
                destination,
                protocol: 17,
                ack: false,
                source_port: 4001,
                port: 4001,
            });
        }
    }
    let mut pairs = BTreeSet::new();
    for send in &sends {
        machine.probe(policy, *send, &mut tally);
        if send.protocol == 17 && send.port == 69 {
            machine.tftp(policy, *send, &mut tally);
        }
        pairs.insert((send.source, send.destination));
    }
    for (source, destination) in pairs {
        machine.echo(policy, source, destination, &mut tally);
    }
    machine.check_witnesses(policy, &mut tally);
    for mismatch in &mut tally.mismatches {
        *mismatch = format!("{name}: {mismatch}");
    }
    tally
}

fn report(what: &str, tallies: &[Tally]) {
    let exchanges: usize = tallies.iter().map(|t| t.exchanges).sum();
    let packets: usize = tallies.iter().map(|t| t.packets).sum();
    let mut explained = std::collections::BTreeMap::new();
    for tally in tallies {
        for (reason, count) in &tally.explained {
            *explained.entry(reason.clone()).or_insert(0) += count;
        }
    }
    let mismatches: Vec<&String> = tallies.iter().flat_map(|t| &t.mismatches).collect();
    eprintln!("{what}: {exchanges} exchanges, {packets} packets through the oracle, differences reported by the compiler: {explained:?}, mismatches: {}", mismatches.len());
    assert!(
        mismatches.is_empty(),
        "{what}:\n{}",
        mismatches
            .iter()
            .take(40)
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_example_and_every_test_site_agree_with_the_aix_oracle() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sites_to_check = vec![sites::directory_files(&root.join("examples/site"), "site")];
    for kind in ["emit", "ok"] {
        for path in sites::flow_files(&root.join("tests/data").join(kind)) {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            sites_to_check.push(vec![(name, std::fs::read_to_string(&path).unwrap())]);
        }
    }
    assert!(sites_to_check.len() >= 20, "{} sites", sites_to_check.len());
    let mut tallies = Vec::new();
    for files in &sites_to_check {
        let checked = sites::checked(files);
        let policy = &checked.policy;
        let addresses = sites::site_addresses(policy);
        for target in policy.targets() {
            let own = match target {
                Target::Machine(index) => policy.machines[index].addresses.clone(),
                Target::Firewall(_) => continue,
            };
            let (outside, mut inside): (Vec<IpAddr>, Vec<IpAddr>) =
                addresses.iter().partition(|a| !own.contains(**a));
            inside.extend(own.first_address().filter(|a| !inside.contains(a)));
            tallies.push(probe_target(&checked, target, &outside, &inside, &[]));
        }
    }
    report(
        &format!("the example and {} test sites", sites_to_check.len() - 1),
        &tallies,
    );
}
