//! The index behind every coverage question: the flows' address rectangles, found by
//! destination and then by source, so that a question about one host pair touches only the
//! flows near it.
//!
//! A site where thousands of clients each reach one server has thousands of flows to that
//! server. Indexing destinations alone would make every question about that server scan all of
//! them, and a question per client quadratic. Rectangles are therefore grouped by their exact
//! destination interval; an interval tree finds the groups a question's destination overlaps,
//! and inside each group a second interval tree finds the rectangles its source overlaps.
//!
//! The index holds one entry per (source range, destination range) rectangle of a flow, not
//! one per box: the protocol and port dimensions are the same for every rectangle of a flow,
//! so they are kept once per flow and the boxes are put together only for the entries a
//! question meets. Each address family has an index of its own, over its own numbers: a box
//! never spans two families, and IPv4 entries held as 32-bit numbers take a quarter of the
//! memory. At 100,000 flows the index is over a million entries, and on a virtual machine
//! every fresh megabyte costs time to fault in.

use super::{extend_service_ranges, PacketBox, DESTINATION, PORT, PROTOCOL, SOURCE, SOURCE_PORT};
use crate::model::interval_tree::{build, search};
use crate::model::{AddressSet, Flow};
use std::ops::Range;

/// The address rectangles of every indexed flow, by family, then destination, then source.
pub struct FlowIndex {
    v4: FamilyIndex<u32>,
    v6: FamilyIndex<u128>,
    /// The (protocol, port, source port) ranges of every indexed flow, flat;
    /// `services_of[flow]` is the flow's run of them.
    services: Vec<Service>,
    services_of: Vec<Range<u32>>,
}

/// The last three dimensions of a flow's boxes. Protocol numbers, ports and source ports all
/// fit 16 bits, so a service takes 12 bytes instead of the 96 of three `u128` ranges.
#[derive(Clone, Copy)]
struct Service([(u16, u16); 3]);

impl Service {
    fn new(ranges: [(u128, u128); 3]) -> Service {
        let narrow = |value: u128| u16::try_from(value).unwrap_or(u16::MAX);
        Service(ranges.map(|(lo, hi)| (narrow(lo), narrow(hi))))
    }

    fn ranges(self) -> [(u128, u128); 3] {
        self.0.map(|(lo, hi)| (u128::from(lo), u128::from(hi)))
    }
}

/// The numbers of one address family: what an [`AddressSet`] holds of it, and the conversion
/// to and from the `u128` of a [`PacketBox`].
trait Family: Copy + Ord + Default + Into<u128> {
    fn ranges(set: &AddressSet) -> &[(Self, Self)];
    fn narrow(value: u128) -> Self;
}

impl Family for u32 {
    fn ranges(set: &AddressSet) -> &[(u32, u32)] {
        set.v4.ranges()
    }
    fn narrow(value: u128) -> u32 {
        u32::try_from(value).unwrap_or(u32::MAX)
    }
}

impl Family for u128 {
    fn ranges(set: &AddressSet) -> &[(u128, u128)] {
        set.v6.ranges()
    }
    fn narrow(value: u128) -> u128 {
        value
    }
}

/// The rectangles of one family.
struct FamilyIndex<A> {
    /// The distinct destination intervals, sorted, with their tree's maxima.
    destinations: Vec<(A, A)>,
    destination_max_end: Vec<A>,
    /// `groups[i]` is the run of entries whose destination is `destinations[i]`.
    groups: Vec<Range<usize>>,
    /// Per entry, sorted by destination and then by source: the source interval, the subtree
    /// maxima of each group's tree, and the flow.
    sources: Vec<(A, A)>,
    source_max_end: Vec<A>,
    entry_flows: Vec<u32>,
}

impl FlowIndex {
    /// Indexes the flows `keep` accepts.
    pub fn new(flows: &[Flow], keep: impl Fn(&Flow) -> bool) -> FlowIndex {
        let kept: Vec<usize> = (0..flows.len()).filter(|&i| keep(&flows[i])).collect();
        let mut services = Vec::new();
        let mut services_of = vec![0..0; flows.len()];
        let mut ranges = Vec::new();
        for &index in &kept {
            ranges.clear();
            extend_service_ranges(&flows[index].opening, &mut ranges);
            let start = services.len() as u32;
            services.extend(ranges.iter().map(|&service| Service::new(service)));
            services_of[index] = start..services.len() as u32;
        }
        FlowIndex {
            v4: FamilyIndex::new(flows, &kept),
            v6: FamilyIndex::new(flows, &kept),
            services,
            services_of,
        }
    }

    /// Every indexed box that intersects `query`, as `(box, flow index)`, in index order.
    pub fn overlapping(&self, query: &PacketBox) -> Vec<(PacketBox, usize)> {
        if query.ipv6 {
            self.v6.overlapping(self, query)
        } else {
            self.v4.overlapping(self, query)
        }
    }

    /// The flows that have a box overlapping `query`, pushed to `found` once per entry (a flow
    /// with several source or destination ranges may come more than once), unsorted: for a
    /// caller that needs the flows and not the boxes, without building and sorting the boxes.
    pub fn flows_overlapping(&self, query: &PacketBox, found: &mut Vec<usize>) {
        if query.ipv6 {
            self.v6.flows_overlapping(self, query, found)
        } else {
            self.v4.flows_overlapping(self, query, found)
        }
    }
}

impl<A: Family> FamilyIndex<A> {
    /// Entries are placed by a counting sort on their destination, so the index is built in two
    /// passes over the flows into arrays of their final size, with no larger temporary.
    fn new(flows: &[Flow], kept: &[usize]) -> FamilyIndex<A> {
        let mut destinations: Vec<(A, A)> = (kept.iter())
            .flat_map(|&index| A::ranges(&flows[index].destination).iter().copied())
            .collect();
        destinations.sort_unstable();
        destinations.dedup();

        // First pass: how many entries each destination gets, and where each flow's
        // destination ranges sit among the distinct ones.
        let mut counts = vec![0usize; destinations.len() + 1];
        let mut destination_ids: Vec<u32> = Vec::new();
        for &index in kept {
            let flow = &flows[index];
            let source_count = A::ranges(&flow.source).len();
            for range in A::ranges(&flow.destination) {
                let id = destinations
                    .binary_search(range)
                    .expect("every destination interval was collected");
                counts[id + 1] += source_count;
                destination_ids.push(id as u32);
            }
        }
        for id in 1..counts.len() {
            counts[id] += counts[id - 1];
        }
        let groups: Vec<Range<usize>> = counts.windows(2).map(|w| w[0]..w[1]).collect();

        // Second pass: every entry straight into its group.
        let total = counts[destinations.len()];
        let mut sources = vec![(A::default(), A::default()); total];
        let mut entry_flows = vec![0u32; total];
        let mut next = counts;
        let mut ids = destination_ids.into_iter();
        for &index in kept {
            let flow = &flows[index];
            for _ in A::ranges(&flow.destination) {
                let id = ids.next().expect("one id per destination range") as usize;
                for &range in A::ranges(&flow.source) {
                    sources[next[id]] = range;
                    entry_flows[next[id]] = index as u32;
                    next[id] += 1;
                }
            }
        }

        // Each group's tree wants its sources sorted by start.
        let mut scratch: Vec<(A, A, u32)> = Vec::new();
        let mut source_max_end = vec![A::default(); total];
        for group in &groups {
            scratch.clear();
            scratch.extend(
                group
                    .clone()
                    .map(|i| (sources[i].0, sources[i].1, entry_flows[i])),
            );
            scratch.sort_unstable();
            for (offset, &(start, end, flow)) in scratch.iter().enumerate() {
                sources[group.start + offset] = (start, end);
                entry_flows[group.start + offset] = flow;
            }
            build(&sources[group.clone()], &mut source_max_end[group.clone()]);
        }
        let mut destination_max_end = vec![A::default(); destinations.len()];
        build(&destinations, &mut destination_max_end);
        FamilyIndex {
            destinations,
            destination_max_end,
            groups,
            sources,
            source_max_end,
            entry_flows,
        }
    }

    /// Calls `visit(entry, group)` for every entry whose source and destination overlap the
    /// query's; the services are the caller's to hold to it.
    fn visit_entries(&self, query: &PacketBox, mut visit: impl FnMut(usize, usize)) {
        let narrow = |(start, end): (u128, u128)| (A::narrow(start), A::narrow(end));
        let source_query = narrow(query.ranges[SOURCE]);
        let mut visit_group = |group: usize| {
            let range = self.groups[group].clone();
            search(
                &self.sources[range.clone()],
                &self.source_max_end[range.clone()],
                range.start,
                source_query,
                &mut |entry| visit(entry, group),
            );
        };
        search(
            &self.destinations,
            &self.destination_max_end,
            0,
            narrow(query.ranges[DESTINATION]),
            &mut visit_group,
        );
    }

    /// [`FlowIndex::flows_overlapping`] for a query of this family.
    fn flows_overlapping(&self, index: &FlowIndex, query: &PacketBox, found: &mut Vec<usize>) {
        self.visit_entries(query, |entry, _| {
            let flow = self.entry_flows[entry] as usize;
            if (index.services_of[flow].clone()).any(|service| service_meets(index, service, query))
            {
                found.push(flow);
            }
        });
    }

    /// [`FlowIndex::overlapping`] for a query of this family.
    fn overlapping(&self, index: &FlowIndex, query: &PacketBox) -> Vec<(PacketBox, usize)> {
        let mut found: Vec<(usize, u32, usize)> = Vec::new();
        self.visit_entries(query, |entry, group| {
            let flow = self.entry_flows[entry] as usize;
            for service in index.services_of[flow].clone() {
                if service_meets(index, service, query) {
                    found.push((entry, service, group));
                }
            }
        });
        found.sort_unstable();
        let widen = |(start, end): (A, A)| (start.into(), end.into());
        found
            .into_iter()
            .map(|(entry, service, group)| {
                let [protocol, port, source_port] = index.services[service as usize].ranges();
                let packet = PacketBox {
                    ipv6: query.ipv6,
                    ranges: [
                        widen(self.sources[entry]),
                        widen(self.destinations[group]),
                        protocol,
                        port,
                        source_port,
                    ],
                };
                (packet, self.entry_flows[entry] as usize)
            })
            .collect()
    }
}

/// Whether service `service` of the index meets the query's protocol and ports.
fn service_meets(index: &FlowIndex, service: u32, query: &PacketBox) -> bool {
    let [protocol, port, source_port] = index.services[service as usize].ranges();
    overlaps(protocol, query.ranges[PROTOCOL])
        && overlaps(port, query.ranges[PORT])
        && overlaps(source_port, query.ranges[SOURCE_PORT])
}

fn overlaps(a: (u128, u128), b: (u128, u128)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[cfg(test)]
mod tests {
    use super::FlowIndex;
    use crate::coverage::{boxes, PacketBox};
    use crate::model::intervals::IntervalSet;
    use crate::model::{Action, AddressSet, Flow, FlowOrigin, Opening, PortSet, Protocol};
    use crate::source::{FileId, Span};
    use proptest::collection::vec;
    use proptest::prelude::*;

    const V4_BASE: u32 = 0xC612_0000;
    const V6_BASE: u128 = 0xfd00 << 112;

    /// IPv4 ranges near 198.18.0.0 and IPv6 ranges near fd00::, both small enough to overlap.
    fn addresses() -> impl Strategy<Value = AddressSet> {
        let v4 = vec((0u32..64, 0u32..8), 0..3);
        let v6 = vec((0u128..64, 0u128..8), 0..3);
        (v4, v6).prop_map(|(v4, v6)| AddressSet {
            v4: IntervalSet::from_ranges(
                (v4.into_iter()).map(|(lo, width)| (V4_BASE + lo, V4_BASE + lo + width)),
            ),
            v6: IntervalSet::from_ranges(
                (v6.into_iter()).map(|(lo, width)| (V6_BASE + lo, V6_BASE + lo + width)),
            ),
        })
    }

    fn flow(deny: bool, source: AddressSet, destination: AddressSet, port: u16, udp: bool) -> Flow {
        let protocol = if udp { Protocol::Udp } else { Protocol::Tcp };
        Flow {
            action: if deny { Action::Deny } else { Action::Allow },
            source,
            destination,
            opening: Opening {
                protocol,
                ports: PortSet::from_ranges([(port, port + 2), (port + 10, port + 10)]),
                source_ports: PortSet::full(),
                service: None,
            },
            origin: FlowOrigin {
                item: Span::new(FileId(0), 0..0),
                statement: None,
                role: None,
                citation: None,
                source_label: String::new(),
                destination_label: String::new(),
                allowed_lints: Vec::new(),
            },
            source_holders: Vec::new(),
            destination_holders: Vec::new(),
        }
    }

    proptest! {
        /// The index finds exactly the boxes of the kept flows that meet the question, in
        /// either family, as comparing the question with every box of every flow does.
        #[test]
        fn finds_every_box_that_meets_the_question(
            flows in vec((any::<bool>(), addresses(), addresses(), 0u16..20, any::<bool>()), 0..12),
            ipv6 in any::<bool>(),
            source in (0u128..72, 0u128..16),
            destination in (0u128..72, 0u128..16),
            port in (0u16..40, 0u16..8),
        ) {
            let flows: Vec<Flow> = (flows.into_iter())
                .map(|(deny, source, destination, port, udp)| flow(deny, source, destination, port, udp))
                .collect();
            let base = if ipv6 { V6_BASE } else { u128::from(V4_BASE) };
            let query = PacketBox {
                ipv6,
                ranges: [
                    (base + source.0, base + source.0 + source.1),
                    (base + destination.0, base + destination.0 + destination.1),
                    (6, 6),
                    (u128::from(port.0), u128::from(port.0 + port.1)),
                    (0, 65535),
                ],
            };
            let index = FlowIndex::new(&flows, |flow| flow.action == Action::Allow);
            let mut found = index.overlapping(&query);
            let mut expected: Vec<(PacketBox, usize)> = (flows.iter().enumerate())
                .filter(|(_, flow)| flow.action == Action::Allow)
                .flat_map(|(position, flow)| {
                    boxes(&flow.source, &flow.destination, &flow.opening)
                        .into_iter()
                        .filter(|packet| packet.intersection(&query).is_some())
                        .map(move |packet| (packet, position))
                })
                .collect();
            found.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(found, expected);
        }
    }
}
