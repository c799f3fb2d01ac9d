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
//! question meets. At 100,000 flows this is a tenth of the memory a box per entry took.

use super::{extend_service_ranges, PacketBox, DESTINATION, PORT, PROTOCOL, SOURCE, SOURCE_PORT};
use crate::model::interval_tree::{build, search, Point};
use crate::model::Flow;
use std::ops::Range;

/// The address rectangles of every indexed flow, by destination and then by source.
pub struct FlowIndex {
    /// The distinct destination intervals, sorted, with their tree's maxima.
    destinations: Vec<(Point, Point)>,
    destination_max_end: Vec<Point>,
    /// `groups[i]` is the run of entries whose destination is `destinations[i]`.
    groups: Vec<Range<usize>>,
    /// Per entry, sorted by destination and then by source: the source interval (its family is
    /// the group's), the subtree maxima of each group's tree, and the flow.
    sources: Vec<(u128, u128)>,
    source_max_end: Vec<u128>,
    entry_flows: Vec<u32>,
    /// The (protocol, port, source port) ranges of every indexed flow, flat;
    /// `services_of[flow]` is the flow's run of them.
    services: Vec<[(u128, u128); 3]>,
    services_of: Vec<Range<u32>>,
}

impl FlowIndex {
    /// Indexes the flows `keep` accepts.
    ///
    /// Entries are placed by a counting sort on their destination, so the index is built in two
    /// passes over the flows into arrays of their final size, with no larger temporary.
    pub fn new(flows: &[Flow], keep: impl Fn(&Flow) -> bool) -> FlowIndex {
        let kept: Vec<usize> = (0..flows.len()).filter(|&i| keep(&flows[i])).collect();
        let mut services = Vec::new();
        let mut services_of = vec![0..0; flows.len()];
        let mut destinations: Vec<(Point, Point)> = Vec::new();
        for &index in &kept {
            let flow = &flows[index];
            let start = services.len() as u32;
            extend_service_ranges(&flow.opening, &mut services);
            services_of[index] = start..services.len() as u32;
            destinations.extend(flow.destination.points());
        }
        destinations.sort_unstable();
        destinations.dedup();

        // First pass: how many entries each destination gets, and where each flow's
        // destination ranges sit among the distinct ones.
        let mut counts = vec![0usize; destinations.len() + 1];
        let mut destination_ids: Vec<u32> = Vec::new();
        for &index in &kept {
            let flow = &flows[index];
            for ipv6 in [false, true] {
                let source_count = flow.source.family_ranges(ipv6).count();
                for (lo, hi) in flow.destination.family_ranges(ipv6) {
                    let id = destinations
                        .binary_search(&((ipv6, lo), (ipv6, hi)))
                        .expect("every destination interval was collected");
                    counts[id + 1] += source_count;
                    destination_ids.push(id as u32);
                }
            }
        }
        for id in 1..counts.len() {
            counts[id] += counts[id - 1];
        }
        let groups: Vec<Range<usize>> = counts.windows(2).map(|w| w[0]..w[1]).collect();

        // Second pass: every entry straight into its group.
        let total = counts[destinations.len()];
        let mut sources = vec![(0u128, 0u128); total];
        let mut entry_flows = vec![0u32; total];
        let mut next = counts;
        let mut ids = destination_ids.into_iter();
        for &index in &kept {
            let flow = &flows[index];
            for ipv6 in [false, true] {
                for _ in flow.destination.family_ranges(ipv6) {
                    let id = ids.next().expect("one id per destination range") as usize;
                    for range in flow.source.family_ranges(ipv6) {
                        sources[next[id]] = range;
                        entry_flows[next[id]] = index as u32;
                        next[id] += 1;
                    }
                }
            }
        }

        // Each group's tree wants its sources sorted by start.
        let mut scratch: Vec<(u128, u128, u32)> = Vec::new();
        let mut source_max_end = vec![0; total];
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
        let mut destination_max_end = vec![(false, 0); destinations.len()];
        build(&destinations, &mut destination_max_end);
        FlowIndex {
            destinations,
            destination_max_end,
            groups,
            sources,
            source_max_end,
            entry_flows,
            services,
            services_of,
        }
    }

    /// Every indexed box that intersects `query`, as `(box, flow index)`, in index order.
    pub fn overlapping(&self, query: &PacketBox) -> Vec<(PacketBox, usize)> {
        let (source_start, source_end) = query.ranges[SOURCE];
        let (destination_start, destination_end) = query.ranges[DESTINATION];
        let mut found: Vec<(usize, u32, usize)> = Vec::new();
        search(
            &self.destinations,
            &self.destination_max_end,
            0,
            (
                (query.ipv6, destination_start),
                (query.ipv6, destination_end),
            ),
            &mut |group| {
                let range = self.groups[group].clone();
                search(
                    &self.sources[range.clone()],
                    &self.source_max_end[range.clone()],
                    range.start,
                    (source_start, source_end),
                    &mut |entry| {
                        let flow = self.entry_flows[entry] as usize;
                        for service in self.services_of[flow].clone() {
                            let [protocol, port, source_port] = self.services[service as usize];
                            if overlaps(protocol, query.ranges[PROTOCOL])
                                && overlaps(port, query.ranges[PORT])
                                && overlaps(source_port, query.ranges[SOURCE_PORT])
                            {
                                found.push((entry, service, group));
                            }
                        }
                    },
                );
            },
        );
        found.sort_unstable();
        found
            .into_iter()
            .map(|(entry, service, group)| {
                let [protocol, port, source_port] = self.services[service as usize];
                let destination = self.destinations[group];
                let packet = PacketBox {
                    ipv6: query.ipv6,
                    ranges: [
                        self.sources[entry],
                        (destination.0 .1, destination.1 .1),
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

fn overlaps(a: (u128, u128), b: (u128, u128)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}
