//! The index behind every coverage question: the boxes of the flows, found by destination and
//! then by source, so that a question about one host pair touches only the flows near it.
//!
//! A site where thousands of clients each reach one server has thousands of flows to that
//! server. Indexing destinations alone would make every question about that server scan all of
//! them, and a question per client quadratic. Boxes are therefore grouped by their exact
//! destination interval; an interval tree finds the groups a question's destination overlaps,
//! and inside each group a second interval tree finds the boxes its source overlaps.

use super::{PacketBox, DESTINATION, SOURCE};
use crate::model::interval_tree::{build, search, Point};
use crate::model::Flow;

fn interval(packet: &PacketBox, dimension: usize) -> (Point, Point) {
    let (lo, hi) = packet.ranges[dimension];
    ((packet.ipv6, lo), (packet.ipv6, hi))
}

/// The boxes of every flow, indexed by destination and then by source.
pub struct FlowIndex {
    /// `(box, flow index)`, sorted by destination interval and then by source start, so that
    /// the boxes sharing a destination interval form one run: a group.
    pub boxes: Vec<(PacketBox, usize)>,
    /// The source interval of each box, and the subtree maxima of each group's tree.
    sources: Vec<(Point, Point)>,
    source_max_end: Vec<Point>,
    /// The distinct destination intervals, sorted, with their tree's maxima; `groups[i]` is the
    /// run of boxes of `destinations[i]`.
    destinations: Vec<(Point, Point)>,
    destination_max_end: Vec<Point>,
    groups: Vec<std::ops::Range<usize>>,
}

impl FlowIndex {
    /// Indexes the flows `keep` accepts.
    pub fn new(flows: &[Flow], keep: impl Fn(&Flow) -> bool) -> FlowIndex {
        let mut boxes = Vec::new();
        for (index, flow) in flows.iter().enumerate().filter(|(_, flow)| keep(flow)) {
            boxes.extend(
                super::boxes(&flow.source, &flow.destination, &flow.opening)
                    .into_iter()
                    .map(|packet| (packet, index)),
            );
        }
        boxes.sort_unstable_by_key(|(packet, _)| {
            (interval(packet, DESTINATION), interval(packet, SOURCE).0)
        });
        let sources: Vec<(Point, Point)> = boxes
            .iter()
            .map(|(packet, _)| interval(packet, SOURCE))
            .collect();
        let mut source_max_end = vec![(false, 0); boxes.len()];
        let mut destinations = Vec::new();
        let mut groups = Vec::new();
        let mut group_start = 0;
        while group_start < boxes.len() {
            let destination = interval(&boxes[group_start].0, DESTINATION);
            let mut group_end = group_start + 1;
            while group_end < boxes.len()
                && interval(&boxes[group_end].0, DESTINATION) == destination
            {
                group_end += 1;
            }
            build(
                &sources[group_start..group_end],
                &mut source_max_end[group_start..group_end],
            );
            destinations.push(destination);
            groups.push(group_start..group_end);
            group_start = group_end;
        }
        let mut destination_max_end = vec![(false, 0); destinations.len()];
        build(&destinations, &mut destination_max_end);
        FlowIndex {
            boxes,
            sources,
            source_max_end,
            destinations,
            destination_max_end,
            groups,
        }
    }

    /// Every indexed box that intersects `query`, as `(box, flow index)`, in index order.
    pub fn overlapping(&self, query: &PacketBox) -> Vec<(PacketBox, usize)> {
        let mut positions = Vec::new();
        let source = interval(query, SOURCE);
        search(
            &self.destinations,
            &self.destination_max_end,
            0,
            interval(query, DESTINATION),
            &mut |group| {
                let range = self.groups[group].clone();
                search(
                    &self.sources[range.clone()],
                    &self.source_max_end[range.clone()],
                    range.start,
                    source,
                    &mut |position| {
                        if self.boxes[position].0.intersection(query).is_some() {
                            positions.push(position);
                        }
                    },
                );
            },
        );
        positions.sort_unstable();
        positions
            .into_iter()
            .map(|position| self.boxes[position])
            .collect()
    }
}
