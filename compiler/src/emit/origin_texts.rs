//! The printed origin of every flow, made once per run and shared by every ruleset: a site's
//! zone-wide flows appear in the ruleset of every host of the zone.

use super::comments::{push_origin_line, push_origin_text, push_quotable};
use crate::model::{Flow, FlowOrigin, Policy};
use crate::source::SourceMap;
use std::sync::OnceLock;

/// One flow origin as rulesets print it.
#[derive(Debug)]
pub(super) struct OriginText {
    /// The `#` line's text after its prefix: [`super::origin_text`] and the citation.
    pub line: Box<str>,
    /// [`super::origin_text`] made safe inside quotes, for rule comments.
    pub quoted: Box<str>,
}

impl OriginText {
    fn new(sources: &SourceMap, origin: &FlowOrigin) -> OriginText {
        let mut plain = String::new();
        push_origin_text(&mut plain, sources, origin);
        let mut quoted = String::with_capacity(plain.len());
        push_quotable(&mut quoted, &plain);
        let mut line = plain;
        push_origin_line(&mut line, origin);
        OriginText {
            line: line.into_boxed_str(),
            quoted: quoted.into_boxed_str(),
        }
    }
}

/// The texts of the policy's flow origins, each made on first use by whichever thread needs it.
#[derive(Debug)]
pub(super) struct OriginTexts {
    texts: Vec<OnceLock<OriginText>>,
}

impl OriginTexts {
    pub fn new(policy: &Policy) -> OriginTexts {
        OriginTexts {
            texts: (0..policy.flows.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Calls `use_text` with the text of `origin`. An origin of one of the policy's flows is
    /// made once and kept; any other (a test's own rule) is made for this call only.
    pub fn with<R>(
        &self,
        policy: &Policy,
        sources: &SourceMap,
        origin: &FlowOrigin,
        use_text: impl FnOnce(&OriginText) -> R,
    ) -> R {
        match flow_index(&policy.flows, origin).and_then(|index| self.texts.get(index)) {
            Some(cell) => use_text(cell.get_or_init(|| OriginText::new(sources, origin))),
            None => use_text(&OriginText::new(sources, origin)),
        }
    }
}

/// The index of the flow whose `origin` field this is, found from its address: rules borrow
/// their origins from the policy's flows, so the address identifies the flow without a hash
/// lookup. The final identity check makes any other `FlowOrigin` answer `None`.
fn flow_index(flows: &[Flow], origin: &FlowOrigin) -> Option<usize> {
    let first = flows.as_ptr() as usize + std::mem::offset_of!(Flow, origin);
    let offset = (origin as *const FlowOrigin as usize).checked_sub(first)?;
    let index = offset / std::mem::size_of::<Flow>().max(1);
    let flow = flows.get(index)?;
    std::ptr::eq(&flow.origin, origin).then_some(index)
}
