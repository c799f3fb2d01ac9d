//! The order of flow origins as one number per flow, so that rulesets sort and compare the
//! origins of their rules without reading the origins themselves.
//!
//! Comparing two [`FlowOrigin`]s reads two flows scattered over the policy; a ruleset of a
//! busy server sorts thousands of them. The rank of a flow's origin is its place in the order
//! of every origin of the policy (equal origins share a rank), made once per run: comparing
//! ranks gives exactly what comparing origins gives.

use super::flow::{origin_order, Flow, FlowOrigin};
use super::policy::Policy;
use std::cmp::Ordering;

impl Policy {
    /// The rank of each flow's origin, by flow index. Built on first use (only rulesets need
    /// it). Flows come mostly in source order already, which the stable sort takes in one pass.
    pub fn origin_ranks(&self) -> &[u32] {
        self.origin_ranks_cache.get_or_init(|| {
            let flows = &self.flows;
            let mut order: Vec<u32> = (0..flows.len() as u32).collect();
            order.sort_by(|&a, &b| {
                origin_order(&flows[a as usize].origin, &flows[b as usize].origin)
            });
            let mut ranks = vec![0u32; flows.len()];
            let mut rank = 0;
            for (position, &flow) in order.iter().enumerate() {
                if position > 0 {
                    let previous = &flows[order[position - 1] as usize].origin;
                    if origin_order(previous, &flows[flow as usize].origin).is_ne() {
                        rank += 1;
                    }
                }
                ranks[flow as usize] = rank;
            }
            ranks
        })
    }

    /// The order of the policy's origins, for rulesets to sort with.
    pub fn origin_ranking(&self) -> OriginRanking<'_> {
        OriginRanking {
            flows: &self.flows,
            ranks: self.origin_ranks(),
        }
    }
}

/// Compares origins by the rank of their flows ([`Policy::origin_ranks`]).
#[derive(Clone, Copy)]
pub struct OriginRanking<'a> {
    flows: &'a [Flow],
    ranks: &'a [u32],
}

impl OriginRanking<'_> {
    /// The rank of `origin` when it is the `origin` field of one of the policy's flows.
    pub fn rank(&self, origin: &FlowOrigin) -> Option<u32> {
        let index = flow_index(self.flows, origin)?;
        self.ranks.get(index).copied()
    }

    /// The order of two origins, as [`origin_order`] gives it: by rank when both belong to the
    /// policy's flows (as every rule's do), by their fields otherwise.
    pub fn order(&self, a: &FlowOrigin, b: &FlowOrigin) -> Ordering {
        match (self.rank(a), self.rank(b)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => origin_order(a, b),
        }
    }

    /// Lists of origins in lexicographic [`OriginRanking::order`], as slices compare.
    pub fn lists_order(&self, a: &[&FlowOrigin], b: &[&FlowOrigin]) -> Ordering {
        a.iter()
            .zip(b)
            .map(|(a, b)| self.order(a, b))
            .find(|order| order.is_ne())
            .unwrap_or_else(|| a.len().cmp(&b.len()))
    }

    /// Sorts origins and removes duplicates (the same flow merged twice, or equal origins).
    pub fn sort(&self, origins: &mut Vec<&FlowOrigin>) {
        origins.sort_by(|a, b| self.order(a, b));
        origins.dedup_by(|a, b| std::ptr::eq(*a, *b) || self.order(a, b).is_eq());
    }
}

/// The index of the flow whose `origin` field this is, found from its address: rules borrow
/// their origins from the policy's flows, so the address identifies the flow without a hash
/// lookup. The final identity check makes any other `FlowOrigin` answer `None`.
pub(crate) fn flow_index(flows: &[Flow], origin: &FlowOrigin) -> Option<usize> {
    let first = flows.as_ptr() as usize + std::mem::offset_of!(Flow, origin);
    let offset = (origin as *const FlowOrigin as usize).checked_sub(first)?;
    let index = offset / std::mem::size_of::<Flow>().max(1);
    let flow = flows.get(index)?;
    std::ptr::eq(&flow.origin, origin).then_some(index)
}
