//! The flows that touch each machine, found with interval trees over the machines' addresses:
//! what the ruleset of a host or group reads.

use super::interval_tree::{build, search};
use super::policy::{MachineFlows, Policy, Touch, TouchingEnds};

impl Policy {
    /// For each machine, the flows whose source or destination holds one of its addresses, in
    /// flow order; a machine's ruleset reads only these. Built on first use (only rulesets of
    /// machines need it, `flowc check` never does) from one interval tree over every machine
    /// address range, queried with each flow's ranges, so a site of many machines and many
    /// flows never compares every machine with every flow.
    pub fn machine_flows(&self) -> &MachineFlows {
        self.machine_flows_cache.get_or_init(|| {
            // One tree per family, over plain numbers.
            let trees = [false, true].map(|ipv6| {
                let mut ranges: Vec<((u128, u128), u32)> = Vec::new();
                for (machine, info) in self.machines.iter().enumerate() {
                    let machine = machine as u32;
                    ranges.extend(
                        info.addresses
                            .family_ranges(ipv6)
                            .map(|range| (range, machine)),
                    );
                }
                ranges.sort_unstable();
                let (intervals, machines): (Vec<(u128, u128)>, Vec<u32>) =
                    ranges.into_iter().unzip();
                let mut max_end = vec![0; intervals.len()];
                build(&intervals, &mut max_end);
                (intervals, max_end, machines)
            });
            // Every (machine, flow) pair once, in flow order; a flow meets a machine several
            // times when both its ends or several of its ranges hold the machine's addresses,
            // and each meeting adds what that end holds.
            let single_range: Vec<bool> = (self.machines.iter())
                .map(|info| info.addresses.range_count() == 1)
                .collect();
            let mut pairs: Blocks<(u32, u32, TouchingEnds)> = Blocks::default();
            let mut last_pair = vec![usize::MAX; self.machines.len()];
            for (index, flow) in self.flows.iter().enumerate() {
                let index = index as u32;
                for (ipv6, (intervals, max_end, machines)) in [false, true].into_iter().zip(&trees)
                {
                    let ends = (flow.source.family_ranges(ipv6).map(|range| (true, range))).chain(
                        flow.destination
                            .family_ranges(ipv6)
                            .map(|range| (false, range)),
                    );
                    for (is_source, range) in ends {
                        search(intervals, max_end, 0, range, &mut |position| {
                            let machine = machines[position] as usize;
                            let (lo, hi) = intervals[position];
                            let touch = if single_range[machine] && range.0 <= lo && hi <= range.1 {
                                Touch::All
                            } else {
                                Touch::Some
                            };
                            let last = last_pair[machine];
                            if pairs.get_mut(last).is_none_or(|pair| pair.1 != index) {
                                last_pair[machine] = pairs.len();
                                pairs.push((machine as u32, index, TouchingEnds::default()));
                            }
                            if let Some((_, _, ends)) = pairs.get_mut(last_pair[machine]) {
                                let end = if is_source {
                                    &mut ends.source
                                } else {
                                    &mut ends.destination
                                };
                                *end = (*end).max(touch);
                            }
                        });
                    }
                }
            }
            // A counting sort by machine keeps each machine's flows in flow order.
            let mut starts = vec![0u32; self.machines.len() + 1];
            for &(machine, _, _) in pairs.iter() {
                starts[machine as usize + 1] += 1;
            }
            for machine in 1..starts.len() {
                starts[machine] += starts[machine - 1];
            }
            let mut next = starts.clone();
            let mut flows = vec![0u32; pairs.len()];
            let mut touching = vec![TouchingEnds::default(); pairs.len()];
            for &(machine, flow, ends) in pairs.iter() {
                let slot = next[machine as usize] as usize;
                flows[slot] = flow;
                touching[slot] = ends;
                next[machine as usize] += 1;
            }
            MachineFlows {
                starts,
                flows,
                ends: touching,
            }
        })
    }
}

/// How many items a block of [`Blocks`] holds.
const BLOCK: usize = 1 << 16;

/// A list kept in blocks of fixed size. A site of 100,000 flows has about three million
/// (machine, flow) pairs; a list that grows by doubling copies them into a fresh allocation at
/// every step, and fresh memory is what costs most on a virtual machine. Blocks are filled
/// once, in place.
struct Blocks<T> {
    blocks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Blocks<T> {
    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, item: T) {
        if self.len % BLOCK == 0 {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        if let Some(block) = self.blocks.last_mut() {
            block.push(item);
            self.len += 1;
        }
    }

    fn get_mut(&mut self, position: usize) -> Option<&mut T> {
        self.blocks
            .get_mut(position / BLOCK)?
            .get_mut(position % BLOCK)
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::{Blocks, BLOCK};

    /// Items come back in the order they were pushed, across block boundaries, and each can
    /// be changed where it is.
    #[test]
    fn blocks_keep_order_across_boundaries() {
        let mut blocks = Blocks::default();
        let count = 2 * BLOCK + 3;
        for item in 0..count {
            blocks.push(item);
        }
        assert_eq!(blocks.len(), count);
        if let Some(item) = blocks.get_mut(BLOCK) {
            *item += 1_000_000;
        }
        assert!(blocks.get_mut(count).is_none());
        let items: Vec<usize> = blocks.iter().copied().collect();
        let expected: Vec<usize> = (0..count)
            .map(|item| {
                if item == BLOCK {
                    item + 1_000_000
                } else {
                    item
                }
            })
            .collect();
        assert_eq!(items, expected);
    }
}
