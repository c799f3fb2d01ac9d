//! Evaluating a question about traffic: is everything from these sources to these
//! destinations on these openings allowed, partly allowed, or denied — and by which flows.
//! `expect` items and `flowc query` both ask it here, so they cannot disagree.
//!
//! Deny overrides allow. Without `from`, the question is about *some* source port: the traffic
//! is allowed when, for every packet, at least one source port is allowed.

use crate::coverage::{boxes, subtract_all, FlowIndex, PacketBox, SOURCE_PORT};
use crate::model::{Action, AddressSet, Flow, Opening};

/// The answer, with the flows that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Everything asked about is allowed.
    pub allowed: bool,
    /// Nothing asked about is allowed.
    pub denied: bool,
    /// Allow flows that open part of it (indexes into the flow list).
    pub allows: Vec<usize>,
    /// Deny flows that close part of it.
    pub denies: Vec<usize>,
}

/// Indexes of the flows for repeated questions.
pub struct Evaluator<'a> {
    flows: &'a [Flow],
    allows: FlowIndex,
    denies: FlowIndex,
}

impl<'a> Evaluator<'a> {
    pub fn new(flows: &'a [Flow]) -> Evaluator<'a> {
        Evaluator {
            flows,
            allows: FlowIndex::new(flows, |flow| flow.action == Action::Allow),
            denies: FlowIndex::new(flows, |flow| flow.action == Action::Deny),
        }
    }

    pub fn flows(&self) -> &'a [Flow] {
        self.flows
    }

    pub fn allow_index(&self) -> &FlowIndex {
        &self.allows
    }

    pub fn deny_index(&self) -> &FlowIndex {
        &self.denies
    }

    /// Evaluates traffic on every opening; `has_source_ports` says whether the question
    /// constrains source ports.
    pub fn evaluate(
        &self,
        source: &AddressSet,
        destination: &AddressSet,
        openings: &[Opening],
        has_source_ports: bool,
    ) -> Verdict {
        let question: Vec<PacketBox> = openings
            .iter()
            .flat_map(|opening| boxes(source, destination, opening))
            .collect();
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        let mut opened: Vec<PacketBox> = Vec::new();
        let mut closing: Vec<PacketBox> = Vec::new();
        for piece in &question {
            for (packet, flow) in self.allows.overlapping(piece) {
                opened.extend(packet.intersection(piece));
                allows.push(flow);
            }
            for (packet, flow) in self.denies.overlapping(piece) {
                closing.push(packet);
                denies.push(flow);
            }
        }
        for list in [&mut allows, &mut denies] {
            list.sort_unstable();
            list.dedup();
        }
        closing.sort();
        closing.dedup();
        // What is open after the denies; an over-large residual is answered conservatively.
        let open = subtract_all(opened, &closing).unwrap_or_default();
        let denied = open.is_empty();
        let widen = |packet: &PacketBox| {
            let mut packet = *packet;
            if !has_source_ports {
                packet.ranges[SOURCE_PORT] = (0, u16::MAX as u128);
            }
            packet
        };
        let mut cover: Vec<PacketBox> = open.iter().map(widen).collect();
        cover.sort();
        cover.dedup();
        let asked: Vec<PacketBox> = question.iter().map(widen).collect();
        let allowed = !question.is_empty()
            && matches!(subtract_all(asked, &cover), Some(rest) if rest.is_empty());
        // Only the denies that actually close something asked about decided anything.
        if allowed {
            denies.clear();
        }
        Verdict {
            allowed,
            denied,
            allows,
            denies,
        }
    }
}
