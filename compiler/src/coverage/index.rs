//! The index behind every coverage question: the boxes of the flows, found by destination and
//! then by source, so that a question about one host pair touches only the flows near it.
//!
//! A site where thousands of clients each reach one server has thousands of flows to that
//! server. Indexing destinations alone would make every question about that server scan all of
//! them, and a question per client quadratic. Boxes are therefore grouped by their exact
//! destination interval; an interval tree finds the groups a question's destination overlaps,
//! and inside each group a second interval tree finds the boxes its source overlaps.

use super::{PacketBox, DESTINATION, SOURCE};
use crate::model::Flow;

/// A point on the address line: the family first, so IPv4 and IPv6 never overlap.
type Point = (bool, u128);

/// A static interval tree: intervals sorted by start, each node holding the largest end of
/// its subtree, over an implicit balanced tree of the sorted array.
struct IntervalTree {
    /// `(start, end, payload)`, sorted by start.
    intervals: Vec<(Point, Point, usize)>,
    max_end: Vec<Point>,
}

impl IntervalTree {
    fn new(mut intervals: Vec<(Point, Point, usize)>) -> IntervalTree {
        intervals.sort_unstable();
        let mut tree = IntervalTree {
            max_end: vec![(false, 0); intervals.len()],
            intervals,
        };
        tree.build(0, tree.intervals.len());
        tree
    }

    fn build(&mut self, lo: usize, hi: usize) -> Point {
        if lo >= hi {
            return (false, 0);
        }
        let middle = (lo + hi) / 2;
        let maximum = self.intervals[middle]
            .1
            .max(self.build(lo, middle))
            .max(self.build(middle + 1, hi));
        self.max_end[middle] = maximum;
        maximum
    }

    /// Calls `visit` with the payload of every interval that overlaps `[start, end]`.
    fn search(&self, start: Point, end: Point, visit: &mut impl FnMut(usize)) {
        self.search_between(0, self.intervals.len(), start, end, visit);
    }

    fn search_between(
        &self,
        lo: usize,
        hi: usize,
        start: Point,
        end: Point,
        visit: &mut impl FnMut(usize),
    ) {
        if lo >= hi || self.max_end[(lo + hi) / 2] < start {
            return;
        }
        let middle = (lo + hi) / 2;
        self.search_between(lo, middle, start, end, visit);
        let (first, last, payload) = self.intervals[middle];
        if first <= end {
            if last >= start {
                visit(payload);
            }
            self.search_between(middle + 1, hi, start, end, visit);
        }
    }
}

fn interval(packet: &PacketBox, dimension: usize) -> (Point, Point) {
    let (lo, hi) = packet.ranges[dimension];
    ((packet.ipv6, lo), (packet.ipv6, hi))
}

/// The boxes of every flow, indexed by destination and then by source.
pub struct FlowIndex {
    pub boxes: Vec<(PacketBox, usize)>,
    /// Distinct destination intervals; the payload is the group's position in `groups`.
    destinations: IntervalTree,
    /// For each distinct destination interval, its boxes by source; the payload is a box index.
    groups: Vec<IntervalTree>,
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
        // Group box indexes by exact destination interval, in one sort.
        let mut by_destination: Vec<((Point, Point), usize)> = boxes
            .iter()
            .enumerate()
            .map(|(position, (packet, _))| (interval(packet, DESTINATION), position))
            .collect();
        by_destination.sort_unstable();
        let mut destinations = Vec::new();
        let mut groups = Vec::new();
        for run in by_destination.chunk_by(|a, b| a.0 == b.0) {
            let ((start, end), _) = run[0];
            destinations.push((start, end, groups.len()));
            let members = run
                .iter()
                .map(|&(_, position)| {
                    let (start, end) = interval(&boxes[position].0, SOURCE);
                    (start, end, position)
                })
                .collect();
            groups.push(IntervalTree::new(members));
        }
        FlowIndex {
            boxes,
            destinations: IntervalTree::new(destinations),
            groups,
        }
    }

    /// Every indexed box that intersects `query`, as `(box, flow index)`, in index order.
    pub fn overlapping(&self, query: &PacketBox) -> Vec<(PacketBox, usize)> {
        let mut positions = Vec::new();
        let (destination_start, destination_end) = interval(query, DESTINATION);
        let (source_start, source_end) = interval(query, SOURCE);
        self.destinations
            .search(destination_start, destination_end, &mut |group| {
                self.groups[group].search(source_start, source_end, &mut |position| {
                    if self.boxes[position].0.intersection(query).is_some() {
                        positions.push(position);
                    }
                });
            });
        positions.sort_unstable();
        positions
            .into_iter()
            .map(|position| self.boxes[position])
            .collect()
    }
}
