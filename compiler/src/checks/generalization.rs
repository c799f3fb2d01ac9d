//! `generalization`: allows out of which denies carve exceptions, reported as a note.

use super::origin_label;
use super::shadowed::{deny_labels, witness_note, Denied};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Flow;
use crate::source::Span;

crate::explain_lints! {
    /// A deny that carves an exception out of an allow: it closes some of the traffic among
    /// the allow's own sources and destinations, and the rest of the allow still passes
    /// (default: note).
    ///
    /// ```text
    /// allow lan -> db : any
    /// deny  printers -> db : any   # printers are in lan: an exception to the allow
    /// ```
    ///
    /// This is usually what was meant, so it is a note, not a warning: it shows the reader of
    /// the allow that not all of it passes, and names one packet that does not (check it with
    /// the `flowc query` command in the note). `lint generalization = allow` silences it.
    GENERALIZATION, "a deny carves an exception out of an allow";
}

/// The note for an allow whose flows `denied` meet only exceptions.
pub(super) fn report(flows: &[Flow], item: Span, denied: &[Denied]) -> Diagnostic {
    let first = &denied[0];
    let flow = &flows[first.flow];
    let diagnostic = Diagnostic::new(
        GENERALIZATION,
        Severity::Note,
        item,
        format!(
            "a deny carves an exception out of `{} -> {} : {}`",
            flow.origin.source_label,
            flow.origin.destination_label,
            flow.opening.describe()
        ),
    )
    .with_primary_message("the rest of this allow passes")
    .with_note(witness_note(&first.denies[0].1));
    let all: Vec<&Denied> = denied.iter().collect();
    origin_label(deny_labels(diagnostic, flows, &all), flow)
}
