//! The sites and addresses the oracle is fed: the random sites of the kernel differential
//! test (the same generator and seeds as `tests/kernel/differential.rs`, copied here because
//! that module runs inside the kernel test crate), the bundled example and the emitter test
//! sites, and the concrete addresses probes are sent between.

use flowc_compiler::model::{AddressSet, Policy};
use flowc_compiler::{check, Checked, MemoryWorld};
use std::net::IpAddr;
use std::path::Path;

/// xorshift64*: a small, dependency-free, reproducible generator.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
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

pub const PORTS: &[u16] = &[22, 80, 443, 1000, 1005, 1010, 3901, 5000, 5050, 5100];
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

/// What the AIX rules find hardest, beyond the kernel test's specs: ICMP queries, TFTP,
/// protocols without ports, ranges of source and destination ports together.
pub const HARD_SPECS: &[&str] = &[
    "icmp 8",
    "icmp",
    "icmpv6 128",
    "udp 69",
    "esp",
    "tcp 513..1023 from 513..1023",
    "udp 2000..3000 from 1000..1100",
    "tcp 1..1023",
    "udp 5000 from 513..1023",
    "tcp 1000..1010",
    "any",
];

/// A random site over the lab's addresses: clients in zone `c`, servers in zone `s`
/// (`tests/kernel/differential.rs`, `random_site`).
pub fn random_site(random: &mut Random) -> String {
    random_site_of(random, SPECS)
}

/// [`random_site`] with other specs.
pub fn random_site_of(random: &mut Random, specs: &[&str]) -> String {
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
            std::mem::swap(&mut source, &mut destination);
            if source == "any" {
                source = "s";
            }
        }
        let arrow = if random.below(6) == 0 { "<->" } else { "->" };
        text.push_str(&format!(
            "{action} {source} {arrow} {destination} : {}\n",
            random.pick(specs)
        ));
    }
    text
}

/// The seeds of `tests/kernel/differential.rs`.
pub fn random_seed(seed: u64) -> Random {
    Random(0x9e37_79b9_7f4a_7c15 ^ seed)
}

/// The lab's client and server addresses (`tests/kernel/main.rs`).
pub fn lab_addresses() -> Vec<IpAddr> {
    [
        "198.18.1.10",
        "198.18.1.20",
        "198.18.1.99",
        "fd00:f10c:1::10",
        "fd00:f10c:1::20",
        "fd00:f10c:1::99",
        "198.18.2.10",
        "198.18.2.20",
        "198.18.2.30",
        "fd00:f10c:2::10",
        "fd00:f10c:2::20",
    ]
    .iter()
    .map(|address| address.parse().expect("an address"))
    .collect()
}

/// Addresses for a site of any shape: a host address of every machine and zone, and one
/// outside every zone in each family.
pub fn site_addresses(policy: &Policy) -> Vec<IpAddr> {
    let mut addresses: Vec<IpAddr> = ["192.0.2.7", "2001:db8::7"]
        .iter()
        .map(|address| address.parse().expect("an address"))
        .collect();
    let mut add = |set: &AddressSet| {
        for network in set.to_networks().into_iter().take(2) {
            let host = network.hosts().next().unwrap_or(network.addr());
            if !addresses.contains(&host) {
                addresses.push(host);
            }
        }
    };
    for machine in &policy.machines {
        add(&machine.addresses);
    }
    for zone in &policy.zones {
        add(&zone.region);
    }
    addresses
}

/// Checks a site given as files; panics on errors (the test sites have none).
pub fn checked(files: &[(String, String)]) -> Checked {
    let mut world = MemoryWorld::default();
    for (name, text) in files {
        world.files.insert(name.clone(), text.clone());
    }
    let checked = check(&world);
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    checked
}

/// The `.flow` files of a directory (one level, as the example is laid out), by name.
pub fn directory_files(directory: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(directory)
        .expect("the directory exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "flow")
        })
        .map(|path| {
            let name = format!("{prefix}/{}", path.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

/// Every `.flow` file below a directory, sorted.
pub fn flow_files(directory: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "flow")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
