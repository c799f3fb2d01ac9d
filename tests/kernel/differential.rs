//! Differential test: random sites — hosts, groups, zones, `any`, allows and denies on random
//! ports, source-port constraints, both directions — compiled by each backend that runs here
//! (nftables, iptables, firewalld) and loaded into a firewall namespace. Every probe, derived from the rules or drawn at random, must be decided
//! by the kernel exactly as `Policy::decide` (the answer of `flowc query`) decides it.
//! Deterministic: fixed seeds, so a failure names a site that can be regenerated.

use super::probes::{derive, Probe};
use super::{clients, probe_routed_firewall, programs, servers, Loader};
use flowc_compiler::model::{Policy, Protocol};
use flowc_compiler::{ask, check, MemoryWorld, World};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// xorshift64*: a small, dependency-free, reproducible generator.
pub struct Random(pub u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PORTS: &[u16] = &[22, 80, 443, 1000, 1005, 1010, 3901, 5000, 5050, 5100];
const SPECS: &[&str] = &[
    "tcp 22",
    "tcp 80",
    "tcp {80, 443}",
    "tcp 1000..1010",
    "udp 1000..1010",
    "udp 5000..5100",
    "tcp 5050",
    "tcp 3901 from 513..1023",
    "udp 5000 from 513..1023",
    "ssh",
    "https",
    "any",
];

/// A random site over the lab's addresses: clients in zone `c`, servers in zone `s`.
fn random_site(random: &mut Random) -> String {
    let mut text = String::from(
        "zone c = 198.18.1.0/24, fd00:f10c:1::/64\nzone s = 198.18.2.0/24, fd00:f10c:2::/64\n\
         firewall fw { zones c, s }\n\
         host c1 = 198.18.1.10, fd00:f10c:1::10\nhost c2 = 198.18.1.20, fd00:f10c:1::20\n\
         host s1 = 198.18.2.10, fd00:f10c:2::10\nhost s2 = 198.18.2.20, fd00:f10c:2::20\nhost s3 = 198.18.2.30\n\
         group cg = c1, 198.18.1.99\ngroup sg = s2, s3\n\
         lint unused = allow\nlint redundant = allow\nlint shadowed = allow\nlint any-source = allow\nlint broad-range = allow\n\
         lint insecure-service = allow\n",
    );
    let clients = ["c1", "c2", "cg", "c", "198.18.1.99", "fd00:f10c:1::99"];
    let servers = ["s1", "s2", "s3", "sg", "s", "any"];
    for _ in 0..4 + random.below(8) {
        let action = if random.below(4) == 0 {
            "deny"
        } else {
            "allow"
        };
        let (mut source, mut destination) = (*random.pick(&clients), *random.pick(&servers));
        if random.below(3) == 0 {
            // The other direction too: servers opening to clients.
            std::mem::swap(&mut source, &mut destination);
            if source == "any" {
                source = "s";
            }
        }
        let arrow = if random.below(6) == 0 { "<->" } else { "->" };
        text.push_str(&format!(
            "{action} {source} {arrow} {destination} : {}\n",
            random.pick(SPECS)
        ));
    }
    text
}

#[test]
fn random_sites_agree_with_the_kernel_under_nftables() {
    differential("nft", &programs(&[("nftables", "nft")]));
}

#[test]
fn random_sites_agree_with_the_kernel_under_iptables() {
    differential(
        "ipt",
        &programs(&[
            ("iptables", "iptables-restore"),
            ("ip6tables", "ip6tables-restore"),
        ]),
    );
}

/// Six random sites, each loaded by `load` into the firewall namespace.
pub fn differential(tag: &str, load: Loader<'_>) {
    if !super::lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let (client, server) = (clients(), servers());
    let mut total = 0;
    for seed in 1..=6u64 {
        let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ seed);
        let text = random_site(&mut random);
        let world = MemoryWorld::single("random.flow", &text);
        let checked = check(&world);
        assert!(
            !checked.has_errors(),
            "seed {seed}: the generated site has errors:\n{text}\n{:?}",
            checked.analysis.diagnostics
        );
        let policy = &checked.policy;
        let target = policy.target_named("fw").expect("the firewall");
        let mut probes = derive(policy, &policy.rules_for(target), &client, &server, 30);
        add_random_probes(policy, &mut random, &mut probes, &client, &server, 40);
        assert_query_agrees(&world, &probes);
        let tag = format!("d{tag}{seed}");
        probe_routed_firewall(
            &tag,
            &format!("seed {seed}:\n{text}"),
            &checked,
            target,
            load,
            &probes,
        );
        total += probes.len();
    }
    assert!(total > 200, "only {total} probes were sent");
}

/// Adds `count` random packets between the two sides, in both directions, so the sample is not
/// only what the rules suggest; then sorts the probes and drops repeats. Probes run in parallel
/// and two UDP probes bound to one source address and port would receive each other's replies,
/// so every probe gets its own source port.
pub fn add_random_probes(
    policy: &Policy,
    random: &mut Random,
    probes: &mut Vec<Probe>,
    client: &[IpAddr],
    server: &[IpAddr],
    count: usize,
) {
    let mut used: BTreeSet<(Protocol, IpAddr, u16)> = probes
        .iter()
        .map(|probe| (probe.protocol, probe.source, probe.source_port))
        .collect();
    for _ in 0..count {
        let outbound = random.below(2) == 0;
        let (from, to) = if outbound {
            (client, server)
        } else {
            (server, client)
        };
        let source = *random.pick(from);
        let candidates: Vec<_> = to
            .iter()
            .filter(|address| address.is_ipv4() == source.is_ipv4())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let destination = **random.pick(&candidates);
        let protocol = if random.below(2) == 0 {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        let port = *random.pick(PORTS);
        // A reserved source port (for `from 513..1023` rules) or an ephemeral one.
        let mut source_port = if random.below(2) == 0 { 600 } else { 40000 };
        while !used.insert((protocol, source, source_port)) {
            source_port += 1;
        }
        probes.push(Probe::decided(
            policy,
            protocol,
            source,
            source_port,
            destination,
            port,
            false,
        ));
    }
    probes.sort();
    probes.dedup_by(|a, b| {
        (a.protocol, a.source, a.source_port, a.destination, a.port)
            == (b.protocol, b.source, b.source_port, b.destination, b.port)
    });
}

/// Every probe's expectation (`Policy::decide`) is what `flowc query` answers about that one
/// packet (`flowc_compiler::ask`, the function behind the command), so every backend that
/// agrees with the probes answers as `flowc query` does.
pub fn assert_query_agrees(world: &dyn World, probes: &[Probe]) {
    for probe in probes {
        let protocol = if probe.protocol == Protocol::Tcp {
            "tcp"
        } else {
            "udp"
        };
        let spec = format!("{protocol} {} from {}", probe.port, probe.source_port);
        let answer = ask(
            world,
            &probe.source.to_string(),
            &probe.destination.to_string(),
            &spec,
        )
        .unwrap_or_else(|_| panic!("flowc query cannot answer {}", probe.line()));
        assert_eq!(
            answer.allowed,
            probe.allowed,
            "flowc query and Policy::decide disagree about {}",
            probe.line()
        );
    }
}
