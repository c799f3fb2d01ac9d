//! The one conversion from compiler values to LSP values: positions and diagnostics.

use flowc_compiler::diagnostic::Severity;
use flowc_compiler::source::SourceMap;
use flowc_compiler::{Diagnostic, FileId, Span};
use std::str::FromStr;
use tower_lsp_server::ls_types::{self as lsp, Uri};

/// An LSP range (0-based lines, UTF-16 columns) for a span.
pub fn range(sources: &SourceMap, span: Span) -> lsp::Range {
    let file = sources.get(span.file);
    let (start_line, start_character) = file.line_utf16_column(span.start);
    let (end_line, end_character) = file.line_utf16_column(span.end);
    lsp::Range {
        start: lsp::Position {
            line: start_line,
            character: start_character,
        },
        end: lsp::Position {
            line: end_line,
            character: end_character,
        },
    }
}

/// Converts one compiler diagnostic. Secondary labels become related information when
/// `uri_of` knows their file; the code links to its `flowc explain` text in the spec.
pub fn to_lsp_diagnostic(
    sources: &SourceMap,
    diagnostic: &Diagnostic,
    uri_of: &dyn Fn(FileId) -> Option<Uri>,
) -> lsp::Diagnostic {
    let severity = match diagnostic.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
    };
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: uri_of(label.span.file)?,
                    range: range(sources, label.span),
                },
                message: label.message.clone(),
            })
        })
        .collect();
    let mut message = diagnostic.message.clone();
    if !diagnostic.primary.message.is_empty() {
        message.push_str(&format!(" ({})", diagnostic.primary.message));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    lsp::Diagnostic {
        range: range(sources, diagnostic.span()),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(diagnostic.code.to_string())),
        code_description: explain_link(diagnostic.code).map(|href| lsp::CodeDescription { href }),
        source: Some("flowc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (diagnostic.code == "unused").then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// Where an editor can read the long explanation: the `flowc explain` text as published in
/// the project's spec, under a `flowc:` URI the extension resolves by running `flowc explain`.
fn explain_link(code: &str) -> Option<Uri> {
    Uri::from_str(&format!("flowc:explain/{code}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowc_compiler::{analyze, MemoryWorld};

    #[test]
    fn positions_are_zero_based_utf16_and_labels_become_related_information() {
        // The emoji is two UTF-16 units: LSP columns must count it as 2, not 1 char or 4 bytes.
        let text = "host web = 10.0.0.1\n@allow(unused, \"\u{1F600}\") host web = 10.0.0.2\n";
        let analysis = analyze(&MemoryWorld::single("site.flow", text));
        let duplicate = analysis
            .diagnostics
            .iter()
            .find(|diagnostic| diagnostic.code == "E0103")
            .unwrap();
        let uri = Uri::from_str("file:///site/site.flow").unwrap();
        let converted = to_lsp_diagnostic(&analysis.sources, duplicate, &|_| Some(uri.clone()));
        assert_eq!(
            converted.range.start,
            lsp::Position {
                line: 1,
                character: 26
            }
        );
        assert_eq!(
            converted.range.end,
            lsp::Position {
                line: 1,
                character: 29
            }
        );
        assert_eq!(converted.severity, Some(lsp::DiagnosticSeverity::ERROR));
        assert_eq!(
            converted.code,
            Some(lsp::NumberOrString::String("E0103".into()))
        );
        let related = converted.related_information.unwrap();
        assert_eq!(
            related[0].location.range.start,
            lsp::Position {
                line: 0,
                character: 5
            }
        );
    }
}
