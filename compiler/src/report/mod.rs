//! Rendering diagnostics for people (`human`, `short`) and for tools (`json`, `sarif`).
//!
//! Rendering is pure: each function returns a `String`, and the caller decides where it goes.

mod files;
mod human;
mod machine;

pub use human::render_human;
pub use machine::{render_json, render_sarif, render_short};

use crate::source::{LineColumn, SourceMap};
use crate::Diagnostic;

/// The start and end of a diagnostic's primary span as 1-based lines and columns.
pub fn location(sources: &SourceMap, diagnostic: &Diagnostic) -> (String, LineColumn, LineColumn) {
    let span = diagnostic.span();
    let file = sources.get(span.file);
    (
        file.name.clone(),
        file.line_column(span.start),
        file.line_column(span.end),
    )
}

/// "2 errors, 1 warning", or `None` when there is nothing to count.
pub fn summary(diagnostics: &[Diagnostic]) -> Option<String> {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    };
    let plural =
        |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    let errors = count(crate::Severity::Error);
    let warnings = count(crate::Severity::Warning);
    match (errors, warnings) {
        (0, 0) => None,
        (errors, 0) => Some(plural(errors, "error")),
        (0, warnings) => Some(plural(warnings, "warning")),
        (errors, warnings) => Some(format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )),
    }
}
