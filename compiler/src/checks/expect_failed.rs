//! `expect-failed`: policy unit tests that do not hold.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::query::Evaluator;
use crate::syntax::ast::Outcome;

crate::explain_lints! {
    /// An `expect` that does not hold (default: error).
    ///
    /// `expect SRC -> DST : SPEC allowed` holds when all of that traffic is allowed; `denied`
    /// holds when none of it is. Without `from`, the question is about *some* source port:
    /// `expect aix -> nim01 : tcp 1058 allowed` holds when clients may connect to 1058 from at
    /// least one source port. The note says what decided the answer — the allows that open
    /// part of it and the denies that close it — and `flowc query` asks the same question from
    /// the command line.
    EXPECT_FAILED, "expectation does not hold";
}

pub fn check(context: &Context<'_, '_>, evaluator: &Evaluator<'_>) -> Vec<Diagnostic> {
    let sources = &context.site.analysis.sources;
    let at = |span: crate::Span| {
        let file = sources.get(span.file);
        format!("{}:{}", file.name, file.line_column(span.start).line)
    };
    let mut diagnostics = Vec::new();
    for case in context.expects {
        let verdict = evaluator.evaluate(
            &case.source,
            &case.destination,
            &case.openings,
            case.has_source_ports,
        );
        let holds = match case.outcome {
            Outcome::Allowed => verdict.allowed,
            Outcome::Denied => verdict.denied,
        };
        if holds {
            continue;
        }
        let actual = if verdict.allowed {
            "allowed"
        } else if verdict.denied {
            "denied"
        } else {
            "only partly allowed"
        };
        let expected = match case.outcome {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        };
        let spec = sources.get(case.spec.file).slice(case.spec).to_string();
        let mut diagnostic = Diagnostic::error(
            EXPECT_FAILED,
            case.item,
            format!(
                "expected `{} -> {} : {spec}` to be {expected}, but it is {actual}",
                case.source_label, case.destination_label
            ),
        );
        let flows = context.flows;
        for &index in verdict.allows.iter().take(4) {
            let origin = &flows[index].origin;
            let by = origin
                .role
                .as_ref()
                .map(|role| format!(" by `{role}`"))
                .unwrap_or_default();
            diagnostic = diagnostic.with_note(format!(
                "opened{by} at {}: {}",
                at(origin.item),
                flows[index].opening.describe()
            ));
        }
        for &index in verdict.denies.iter().take(4) {
            diagnostic = diagnostic.with_note(format!(
                "closed by the deny at {}",
                at(flows[index].origin.item)
            ));
        }
        if verdict.allows.is_empty() {
            diagnostic = diagnostic.with_note("no allow or role opens any of it: default deny");
        }
        if !verdict.allowed && !verdict.denied && !case.has_source_ports {
            diagnostic =
                diagnostic.with_note("some of it is open only from some sources or destinations");
        }
        diagnostics.push(diagnostic);
    }
    diagnostics
}
