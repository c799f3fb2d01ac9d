//! Probes derived from the model: packets around every rule of a target (range ends, one past
//! them, source ports inside and outside a constraint, other sources, the reverse direction),
//! each expected to pass exactly when `Policy::decide` allows it; and the Python programs that
//! listen and probe with real sockets inside the namespaces.

use flowc_compiler::model::{AddressSet, Opening, Policy, PortSet, Protocol, TargetRules};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// Listens on TCP ports (dual-stack) and UDP ports on each given address, echoing datagrams
/// from the address they came to; exits when its standard input closes, or after 120 s.
pub const LISTENER: &str = r#"
import os, selectors, socket, sys, threading, time
tcp = [int(p) for p in sys.argv[1].split(',') if p]
udp = [int(p) for p in sys.argv[2].split(',') if p]
addresses = [a for a in sys.argv[3].split(',') if a]
selector = selectors.DefaultSelector()
for port in tcp:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::', port)); s.listen(128); s.setblocking(False)
    selector.register(s, selectors.EVENT_READ, 'tcp')
for port in udp:
    for address in addresses:
        s = socket.socket(socket.AF_INET6 if ':' in address else socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((address, port)); s.setblocking(False)
        selector.register(s, selectors.EVENT_READ, 'udp')
def watchdog():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watchdog, daemon=True).start()
print('ready', flush=True)
deadline = time.time() + 120
while time.time() < deadline:
    for key, _ in selector.select(timeout=1):
        try:
            if key.data == 'tcp':
                connection, _ = key.fileobj.accept(); connection.close()
            else:
                data, peer = key.fileobj.recvfrom(2048); key.fileobj.sendto(data, peer)
        except OSError:
            pass
os._exit(0)
"#;

/// Reads probes as lines `proto source sport destination port` and prints one line per probe:
/// `passed` (connected, answered, or refused by the far end) or `blocked` (timed out, or
/// refused by the sender's own output filter).
pub const PROBER: &str = r#"
import concurrent.futures, socket, sys
TIMEOUT = 1.5
probes = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
def run(probe):
    proto, source, sport, destination, port = probe
    family = socket.AF_INET6 if ':' in destination else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(TIMEOUT)
    try:
        s.bind((source, int(sport)))
        if proto == 'tcp':
            s.connect((destination, int(port)))
        else:
            s.sendto(b'flowc', (destination, int(port)))
            s.recvfrom(64)
        return 'passed'
    except ConnectionRefusedError:
        return 'passed'
    except PermissionError:
        return 'blocked'
    except (socket.timeout, TimeoutError):
        return 'blocked'
    except OSError as error:
        return 'error:' + str(error).replace(' ', '_')
    finally:
        s.close()
with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
    for result in pool.map(run, probes):
        print(result)
"#;

/// One packet to send.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Probe {
    pub protocol: Protocol,
    pub source: IpAddr,
    pub source_port: u16,
    pub destination: IpAddr,
    pub port: u16,
    /// What the model says: `Policy::decide`.
    pub allowed: bool,
    /// Whether the probe tests a source-port constraint.
    pub constrained: bool,
}

impl Probe {
    /// A probe expected to pass exactly when the model allows that packet.
    pub fn decided(
        policy: &Policy,
        protocol: Protocol,
        source: IpAddr,
        source_port: u16,
        destination: IpAddr,
        port: u16,
        constrained: bool,
    ) -> Probe {
        let allowed = policy.decide(source, destination, protocol, port, source_port);
        Probe {
            protocol,
            source,
            source_port,
            destination,
            port,
            allowed,
            constrained,
        }
    }

    pub fn line(&self) -> String {
        let protocol = if self.protocol == Protocol::Tcp {
            "tcp"
        } else {
            "udp"
        };
        format!(
            "{protocol} {} {} {} {}",
            self.source, self.source_port, self.destination, self.port
        )
    }
}

/// Which source ports a probe wants.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Wanted {
    Inside(PortSet),
    Outside(PortSet),
}

/// The probes for a target's rules between the addresses of two sides: all that the model
/// allows or that test a source-port constraint, and at most `limit` of the other denied ones.
pub fn derive(
    policy: &Policy,
    rules: &TargetRules,
    a: &[IpAddr],
    b: &[IpAddr],
    limit: usize,
) -> Vec<Probe> {
    let side_of = |address: IpAddr| if a.contains(&address) { 0 } else { 1 };
    let mut wanted: BTreeSet<(Protocol, IpAddr, IpAddr, u16, Wanted)> = BTreeSet::new();
    for rule in &rules.rules {
        let opening = &rule.opening;
        let protocols: &[Protocol] = match opening.protocol {
            Protocol::Tcp => &[Protocol::Tcp],
            Protocol::Udp => &[Protocol::Udp],
            Protocol::Any => &[Protocol::Tcp, Protocol::Udp],
            _ => &[],
        };
        let ports: Vec<u16> = if opening.protocol.has_ports() {
            (opening.ports.ranges().iter())
                .flat_map(|&(lo, hi)| [lo, hi, hi.saturating_add(1), lo.saturating_sub(1)])
                .filter(|&port| port != 0)
                .collect()
        } else {
            vec![9]
        };
        let full = Opening::any().source_ports;
        let sources = if opening.protocol.has_ports() {
            &opening.source_ports
        } else {
            &full
        };
        for &protocol in protocols {
            for (source, destination) in endpoints(&rule.source, &rule.destination, a, b) {
                let others = a.iter().chain(b).filter(|&&other| {
                    other.is_ipv4() == source.is_ipv4()
                        && side_of(other) == side_of(source)
                        && !rule.source.contains(other)
                });
                for &port in &ports {
                    let mut add = |from: IpAddr, to: IpAddr, want: Wanted| {
                        if side_of(from) != side_of(to) {
                            wanted.insert((protocol, from, to, port, want));
                        }
                    };
                    add(source, destination, Wanted::Inside(sources.clone()));
                    if !sources.is_full() {
                        add(source, destination, Wanted::Outside(sources.clone()));
                    }
                    add(destination, source, Wanted::Inside(sources.clone()));
                    for &other in others.clone().take(1) {
                        add(other, destination, Wanted::Inside(sources.clone()));
                    }
                }
            }
        }
    }
    // Concrete source ports: each (address, protocol) uses a port once, never one its side
    // listens on.
    let mut listening: BTreeMap<(usize, Protocol), BTreeSet<u16>> = BTreeMap::new();
    for (protocol, _, to, port, _) in &wanted {
        listening
            .entry((side_of(*to), *protocol))
            .or_default()
            .insert(*port);
    }
    let mut used: BTreeMap<(IpAddr, Protocol), BTreeSet<u16>> = BTreeMap::new();
    let mut probes = Vec::new();
    for (protocol, source, destination, port, want) in wanted {
        let busy = listening
            .get(&(side_of(source), protocol))
            .cloned()
            .unwrap_or_default();
        let taken = used.entry((source, protocol)).or_default();
        let free = |candidate: &u16| !busy.contains(candidate) && !taken.contains(candidate);
        let (set, inside) = match &want {
            Wanted::Inside(set) => (set, true),
            Wanted::Outside(set) => (set, false),
        };
        let ephemeral = (40000..60000).find(|port| set.contains(*port) == inside && free(port));
        let reserved = (1..1024)
            .rev()
            .find(|port| set.contains(*port) == inside && free(port));
        let Some(source_port) = ephemeral.or(reserved) else {
            continue;
        };
        taken.insert(source_port);
        probes.push(Probe::decided(
            policy,
            protocol,
            source,
            source_port,
            destination,
            port,
            !set.is_full(),
        ));
    }
    // Every allowed probe and every denied one about a source-port constraint; a sample of
    // the other denied ones.
    let (mut kept, rest): (Vec<Probe>, Vec<Probe>) = probes
        .into_iter()
        .partition(|probe| probe.allowed || probe.constrained);
    let stride = rest.len().div_ceil(limit.max(1)).max(1);
    kept.extend(rest.into_iter().step_by(stride));
    kept.sort();
    kept
}

/// Source and destination pairs across the two sides: per family and direction, the first
/// configured address of each side in the rule's sets.
fn endpoints(
    source: &AddressSet,
    destination: &AddressSet,
    a: &[IpAddr],
    b: &[IpAddr],
) -> Vec<(IpAddr, IpAddr)> {
    let mut pairs = Vec::new();
    for v4 in [true, false] {
        for (from_side, to_side) in [(a, b), (b, a)] {
            let pick = |side: &[IpAddr], set: &AddressSet| {
                side.iter()
                    .copied()
                    .find(|&address| address.is_ipv4() == v4 && set.contains(address))
            };
            if let (Some(from), Some(to)) = (pick(from_side, source), pick(to_side, destination)) {
                pairs.push((from, to));
            }
        }
    }
    pairs
}
