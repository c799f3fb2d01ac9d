//! The printed origin of every flow, made once per run and shared by every ruleset: a site's
//! zone-wide flows appear in the ruleset of every host of the zone.

use super::comments::{push_origin_line, push_origin_text, push_quotable, FileNames};
use crate::model::origin_ranks::flow_index;
use crate::model::{FlowOrigin, Policy};
use std::sync::OnceLock;

/// How many flows' texts are made together, into one string. Rulesets copy these texts over
/// and over; texts of neighbouring flows side by side in memory make those copies hit the
/// cache, where a string per flow sent every copy to a different place. Small enough that
/// emitting one target does not print the origins of the whole site.
const CHUNK: usize = 64;

/// One flow origin as rulesets print it.
#[derive(Debug)]
pub(super) struct OriginText<'a> {
    /// The `#` line's text after its prefix: [`super::origin_text`] and the citation.
    pub line: &'a str,
    /// [`super::origin_text`] made safe inside quotes, for rule comments.
    pub quoted: &'a str,
}

/// The texts of [`CHUNK`] consecutive flows in one string, and where each lies in it. The
/// bounds are held inline, so that finding a text reads the chunk list and the text only.
#[derive(Debug)]
struct Chunk {
    text: String,
    /// The start of each flow's `line`, where its `quoted` starts (the `line` ends), and where
    /// the `quoted` ends, in flow order; `count` of them are in use.
    bounds: [(u32, u32, u32); CHUNK],
    count: usize,
}

impl Chunk {
    fn new<'o>(names: FileNames<'_>, origins: impl Iterator<Item = &'o FlowOrigin>) -> Chunk {
        let mut chunk = Chunk {
            text: String::new(),
            bounds: [(0, 0, 0); CHUNK],
            count: 0,
        };
        for (bounds, origin) in chunk.bounds.iter_mut().zip(origins) {
            *bounds = push_texts(&mut chunk.text, names, origin);
            chunk.count += 1;
        }
        chunk
    }

    fn get(&self, position: usize) -> Option<OriginText<'_>> {
        let &(start, middle, end) = self.bounds[..self.count].get(position)?;
        Some(OriginText {
            line: self.text.get(start as usize..middle as usize)?,
            quoted: self.text.get(middle as usize..end as usize)?,
        })
    }
}

/// Appends an origin's `line` text, then its `quoted` text, and returns where the first
/// starts, where the second starts and where it ends.
fn push_texts(text: &mut String, names: FileNames<'_>, origin: &FlowOrigin) -> (u32, u32, u32) {
    let line_start = text.len();
    push_origin_text(text, names, origin);
    let plain_end = text.len();
    push_origin_line(text, origin);
    let line_end = text.len();
    // The quoted form is made from the plain text, which the line begins with.
    let plain = text[line_start..plain_end].to_string();
    push_quotable(text, &plain);
    let offset = |position: usize| position as u32;
    (offset(line_start), offset(line_end), offset(text.len()))
}

/// The texts of the policy's flow origins, made a chunk at a time on first use by whichever
/// thread needs one.
#[derive(Debug)]
pub(super) struct OriginTexts {
    chunks: Vec<OnceLock<Chunk>>,
}

impl OriginTexts {
    pub fn new(policy: &Policy) -> OriginTexts {
        OriginTexts {
            chunks: (0..policy.flows.len().div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// Calls `use_text` with the text of `origin`. An origin of one of the policy's flows is
    /// made once and kept; any other (a test's own rule) is made for this call only.
    pub fn with<R>(
        &self,
        policy: &Policy,
        names: FileNames<'_>,
        origin: &FlowOrigin,
        use_text: impl FnOnce(&OriginText<'_>) -> R,
    ) -> R {
        let kept = flow_index(&policy.flows, origin).and_then(|index| {
            let chunk = self.chunks.get(index / CHUNK)?.get_or_init(|| {
                let first = index / CHUNK * CHUNK;
                let flows = &policy.flows[first..(first + CHUNK).min(policy.flows.len())];
                Chunk::new(names, flows.iter().map(|flow| &flow.origin))
            });
            chunk.get(index % CHUNK)
        });
        match kept {
            Some(text) => use_text(&text),
            None => {
                let mut text = String::new();
                let (start, middle, end) = push_texts(&mut text, names, origin);
                use_text(&OriginText {
                    line: &text[start as usize..middle as usize],
                    quoted: &text[middle as usize..end as usize],
                })
            }
        }
    }
}
