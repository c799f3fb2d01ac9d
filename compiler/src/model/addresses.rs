//! Address sets over both families, built from CIDRs and turned back into minimal CIDR lists.

use super::intervals::IntervalSet;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A set of IPv4 and IPv6 addresses.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug)]
pub struct AddressSet {
    pub v4: IntervalSet<u32>,
    pub v6: IntervalSet<u128>,
}

impl AddressSet {
    pub fn empty() -> AddressSet {
        AddressSet::default()
    }

    /// Every address of both families: `any`.
    pub fn any() -> AddressSet {
        AddressSet {
            v4: IntervalSet::full(),
            v6: IntervalSet::full(),
        }
    }

    pub fn from_network(network: IpNet) -> AddressSet {
        match network {
            IpNet::V4(network) => AddressSet {
                v4: IntervalSet::range(
                    u32::from(network.network()),
                    u32::from(network.broadcast()),
                ),
                v6: IntervalSet::empty(),
            },
            IpNet::V6(network) => AddressSet {
                v4: IntervalSet::empty(),
                v6: IntervalSet::range(
                    u128::from(network.network()),
                    u128::from(network.broadcast()),
                ),
            },
        }
    }

    pub fn from_networks(networks: impl IntoIterator<Item = IpNet>) -> AddressSet {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for network in networks {
            match network {
                IpNet::V4(network) => {
                    v4.push((u32::from(network.network()), u32::from(network.broadcast())))
                }
                IpNet::V6(network) => v6.push((
                    u128::from(network.network()),
                    u128::from(network.broadcast()),
                )),
            }
        }
        AddressSet {
            v4: IntervalSet::from_ranges(v4),
            v6: IntervalSet::from_ranges(v6),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// How many ranges the set has, IPv4 and IPv6 together: a host's address is one.
    pub fn range_count(&self) -> usize {
        self.v4.ranges().len() + self.v6.ranges().len()
    }

    /// The union of many sets at once: one sort and merge, not one merge per set. The union of
    /// one set is that set, copied: the usual case, a name that stands for one machine.
    pub fn union_all<'a>(sets: impl IntoIterator<Item = &'a AddressSet>) -> AddressSet {
        let mut sets = sets.into_iter();
        let Some(first) = sets.next() else {
            return AddressSet::empty();
        };
        let Some(second) = sets.next() else {
            return first.clone();
        };
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for set in [first, second].into_iter().chain(sets) {
            v4.extend_from_slice(set.v4.ranges());
            v6.extend_from_slice(set.v6.ranges());
        }
        AddressSet {
            v4: IntervalSet::from_ranges(v4),
            v6: IntervalSet::from_ranges(v6),
        }
    }

    pub fn is_any(&self) -> bool {
        self.v4.is_full() && self.v6.is_full()
    }

    pub fn union(&self, other: &AddressSet) -> AddressSet {
        AddressSet {
            v4: self.v4.union(&other.v4),
            v6: self.v6.union(&other.v6),
        }
    }

    pub fn intersection(&self, other: &AddressSet) -> AddressSet {
        AddressSet {
            v4: self.v4.intersection(&other.v4),
            v6: self.v6.intersection(&other.v6),
        }
    }

    pub fn difference(&self, other: &AddressSet) -> AddressSet {
        AddressSet {
            v4: self.v4.difference(&other.v4),
            v6: self.v6.difference(&other.v6),
        }
    }

    pub fn intersects(&self, other: &AddressSet) -> bool {
        self.v4.intersects(&other.v4) || self.v6.intersects(&other.v6)
    }

    pub fn is_subset(&self, other: &AddressSet) -> bool {
        self.v4.is_subset(&other.v4) && self.v6.is_subset(&other.v6)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        match address {
            IpAddr::V4(address) => self.v4.contains(u32::from(address)),
            IpAddr::V6(address) => self.v6.contains(u128::from(address)),
        }
    }

    /// The ranges of one family (`ipv6` or not) on the common `u128` line, without allocating.
    pub fn family_ranges(&self, ipv6: bool) -> impl Iterator<Item = (u128, u128)> + '_ {
        let v4 = (!ipv6).then(|| {
            self.v4
                .ranges()
                .iter()
                .map(|&(lo, hi)| (lo as u128, hi as u128))
        });
        let v6 = ipv6.then(|| self.v6.ranges().iter().copied());
        v4.into_iter().flatten().chain(v6.into_iter().flatten())
    }

    /// How many ranges one family (`ipv6` or not) has.
    pub fn family_range_count(&self, ipv6: bool) -> usize {
        if ipv6 {
            self.v6.ranges().len()
        } else {
            self.v4.ranges().len()
        }
    }

    /// The range at `position` among those of one family, on the common `u128` line.
    pub fn family_range(&self, ipv6: bool, position: usize) -> Option<(u128, u128)> {
        if ipv6 {
            self.v6.ranges().get(position).copied()
        } else {
            let &(lo, hi) = self.v4.ranges().get(position)?;
            Some((u128::from(lo), u128::from(hi)))
        }
    }

    /// The smallest list of CIDRs covering exactly this set, IPv4 first, each family sorted.
    pub fn to_networks(&self) -> Vec<IpNet> {
        // Each range is at least one CIDR; most are exactly one (a host, a zone's block).
        let mut networks = Vec::with_capacity(self.range_count());
        for &(lo, hi) in self.v4.ranges() {
            range_to_prefixes(lo as u128, hi as u128, 32, |start, prefix| {
                let network = Ipv4Net::new(Ipv4Addr::from(start as u32), prefix)
                    .expect("prefix is at most 32");
                networks.push(IpNet::V4(network));
            });
        }
        for &(lo, hi) in self.v6.ranges() {
            range_to_prefixes(lo, hi, 128, |start, prefix| {
                let network =
                    Ipv6Net::new(Ipv6Addr::from(start), prefix).expect("prefix is at most 128");
                networks.push(IpNet::V6(network));
            });
        }
        networks
    }

    /// The one CIDR this set is, if it is exactly one (a host, a zone's block): found without
    /// building a list, since rule printers ask it of every address they print.
    pub fn single_network(&self) -> Option<IpNet> {
        let mut single = None;
        let mut count = 0;
        match (self.v4.ranges(), self.v6.ranges()) {
            ([(lo, hi)], []) => range_to_prefixes(*lo as u128, *hi as u128, 32, |start, prefix| {
                count += 1;
                single = Ipv4Net::new(Ipv4Addr::from(start as u32), prefix)
                    .ok()
                    .map(IpNet::V4);
            }),
            ([], [(lo, hi)]) => range_to_prefixes(*lo, *hi, 128, |start, prefix| {
                count += 1;
                single = Ipv6Net::new(Ipv6Addr::from(start), prefix)
                    .ok()
                    .map(IpNet::V6);
            }),
            _ => return None,
        }
        single.filter(|_| count == 1)
    }

    /// One representative address (the lowest), for probes and examples.
    pub fn first_address(&self) -> Option<IpAddr> {
        self.v4
            .first()
            .map(|value| IpAddr::V4(Ipv4Addr::from(value)))
            .or_else(|| {
                self.v6
                    .first()
                    .map(|value| IpAddr::V6(Ipv6Addr::from(value)))
            })
    }
}

/// Splits the inclusive range `lo..=hi` of a `bits`-wide space into aligned prefixes, handed
/// to `prefix` (start, length) in order.
fn range_to_prefixes(mut lo: u128, hi: u128, bits: u32, mut prefix: impl FnMut(u128, u8)) {
    loop {
        // The last address of the aligned block of 2^size addresses starting at `lo`; `lo` is
        // aligned to that size, so the sum cannot overflow.
        let block_last = |size: u32| {
            if size >= 128 {
                u128::MAX
            } else {
                lo + ((1u128 << size) - 1)
            }
        };
        let mut size = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        while block_last(size) > hi {
            size -= 1;
        }
        prefix(lo, (bits - size) as u8);
        let last = block_last(size);
        if last >= hi {
            return;
        }
        lo = last + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks(text: &[&str]) -> AddressSet {
        AddressSet::from_networks(text.iter().map(|network| network.parse().unwrap()))
    }

    #[test]
    fn networks_round_trip_to_minimal_prefixes() {
        let set = networks(&["10.0.0.0/25", "10.0.0.128/25", "10.0.1.7/32", "fd00::/64"]);
        let back: Vec<String> = set.to_networks().iter().map(ToString::to_string).collect();
        assert_eq!(back, ["10.0.0.0/24", "10.0.1.7/32", "fd00::/64"]);
        let everything: Vec<String> = AddressSet::any()
            .to_networks()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(everything, ["0.0.0.0/0", "::/0"]);
        let odd = AddressSet {
            v4: IntervalSet::range(1, 6),
            v6: IntervalSet::empty(),
        };
        let back: Vec<String> = odd.to_networks().iter().map(ToString::to_string).collect();
        assert_eq!(
            back,
            ["0.0.0.1/32", "0.0.0.2/31", "0.0.0.4/31", "0.0.0.6/32"]
        );
    }

    proptest::proptest! {
        /// `single_network` is the one CIDR `to_networks` lists, when it lists exactly one.
        #[test]
        fn single_network_is_the_only_network(
            v4 in proptest::collection::vec((0u32..4096, 0u32..300), 0..3),
            v6 in proptest::collection::vec((0u128..4096, 0u128..300), 0..2),
        ) {
            let set = AddressSet {
                v4: IntervalSet::from_ranges(v4.into_iter().map(|(lo, width)| (lo, lo + width))),
                v6: IntervalSet::from_ranges(v6.into_iter().map(|(lo, width)| (lo, lo + width))),
            };
            let networks = set.to_networks();
            let expected = if let [network] = networks.as_slice() { Some(*network) } else { None };
            proptest::prop_assert_eq!(set.single_network(), expected);
        }
    }

    #[test]
    fn difference_of_a_zone_and_a_nested_zone() {
        let lpars = networks(&["10.3.0.0/16"]);
        let aix = networks(&["10.3.0.0/24"]);
        let rest = lpars.difference(&aix);
        assert!(!rest.contains("10.3.0.9".parse().unwrap()));
        assert!(rest.contains("10.3.1.9".parse().unwrap()));
        assert_eq!(rest.to_networks().len(), 8);
    }
}
