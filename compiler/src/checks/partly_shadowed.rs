//! `partly-shadowed`: allows part of which denies close, where the denied part is not an
//! exception carved out of the allow (that is `generalization`).

use super::origin_label;
use super::shadowed::{deny_labels, witness_note, Denied};
use crate::coverage::opening_within;
use crate::diagnostic::Diagnostic;
use crate::model::Flow;
use crate::source::Span;

crate::explain_lints! {
    /// An allow part of which can never pass, because denies cover that part (default:
    /// warning). The report names the part and one packet of it.
    ///
    /// Deny overrides allow whatever the order. Two shapes are reported. A whole flow of the
    /// allow is denied: one direction of `<->`, one source or destination of a list, one
    /// service of several:
    ///
    /// ```text
    /// zone inside = 10.0.0.0/8
    /// zone outside = any
    /// deny  outside -> inside : any
    /// allow h <-> peer : udp 500     # peer is outside: peer -> h can never pass
    /// ```
    ///
    /// Or a deny and the allow overlap without one holding the other (they are correlated): the
    /// deny reaches past the allow's sources or destinations, or its ports only overlap the
    /// allow's (`tcp 1001..2000` against `tcp 1900..2100`). That usually means the deny is
    /// wider than meant, or the allow is. A deny that closes some of the allow's own addresses,
    /// for the allow's services or for all (an exception such as `deny printer -> db : any`
    /// under `allow office -> db : tcp 5432`), is `generalization`, reported as a note.
    ///
    /// `flowc query` with the packet the report names shows which deny stops it. Narrow the
    /// allow to what can pass, or narrow the deny.
    PARTLY_SHADOWED, "part of an allow can never pass";
}

/// The report for an allow whose flows `denied` are closed in part, unless every deny is an
/// exception inside the allow's addresses (`None`: then it is a generalization).
pub(super) fn report(flows: &[Flow], item: Span, denied: &[Denied]) -> Option<Diagnostic> {
    // A whole flow denied: one direction, one end of a list, one service.
    if let Some(whole) = denied.iter().find(|denied| denied.entirely) {
        let flow = &flows[whole.flow];
        let message = format!(
            "`{} -> {} : {}` can never pass: denies cover all of it",
            flow.origin.source_label,
            flow.origin.destination_label,
            flow.opening.describe()
        );
        let diagnostic = Diagnostic::warning(PARTLY_SHADOWED, item, message)
            .with_primary_message("part of this allow is denied")
            .with_note(witness_note(&whole.denies[0].1))
            .with_note("deny overrides allow whatever the order; narrow the allow to what can pass, or narrow the deny");
        return Some(origin_label(deny_labels(diagnostic, flows, &[whole]), flow));
    }
    // A deny that reaches beyond the allow's addresses and closes part of it.
    let (partial, packet) = denied.iter().find_map(|denied| {
        let flow = &flows[denied.flow];
        (denied.denies.iter())
            .find(|(deny, _)| !is_exception(&flows[*deny], flow))
            .map(|(_, packet)| (denied, packet))
    })?;
    let flow = &flows[partial.flow];
    let message = format!(
        "part of `{} -> {} : {}` can never pass: a wider deny closes it",
        flow.origin.source_label,
        flow.origin.destination_label,
        flow.opening.describe()
    );
    let diagnostic = Diagnostic::warning(PARTLY_SHADOWED, item, message)
        .with_primary_message("part of this allow is denied")
        .with_note(witness_note(packet))
        .with_note("deny overrides allow whatever the order; narrow the allow to what can pass, or narrow the deny");
    Some(origin_label(
        deny_labels(diagnostic, flows, &[partial]),
        flow,
    ))
}

/// Whether a deny is an exception carved out of the allow, usually meant: it closes traffic
/// among the allow's own addresses only, and either only services the allow opens or all of
/// them (`deny printer -> db : any` under `allow office -> db : tcp 5432`). A deny whose
/// services only overlap the allow's (`tcp 1001..2000` against `tcp 1900..2100`) is not.
pub(super) fn is_exception(deny: &Flow, allow: &Flow) -> bool {
    deny.source.is_subset(&allow.source)
        && deny.destination.is_subset(&allow.destination)
        && (opening_within(&deny.opening, &allow.opening)
            || opening_within(&allow.opening, &deny.opening))
}
