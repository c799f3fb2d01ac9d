//! The human report, drawn by ariadne with the source lines under each diagnostic.

use crate::diagnostic::Severity;
use crate::source::SourceMap;
use crate::Diagnostic;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

/// Renders diagnostics with source snippets; `color` is for terminals only.
pub fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    // Only the files the diagnostics point into: ariadne copies and indexes the lines of each
    // source it is given, and a large site's other files would cost more than the report.
    let shown: std::collections::BTreeSet<crate::source::FileId> = (diagnostics.iter())
        .flat_map(|diagnostic| {
            std::iter::once(diagnostic.primary.span.file)
                .chain(diagnostic.labels.iter().map(|label| label.span.file))
        })
        .collect();
    let mut cache = ariadne::sources(
        (sources.iter())
            .filter(|(id, _)| shown.contains(id))
            .map(|(_, file)| (file.name.clone(), file.text.to_string())),
    );
    let mut output = Vec::new();
    for diagnostic in diagnostics {
        let (kind, primary_color) = match diagnostic.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Note => (ReportKind::Advice, Color::Cyan),
        };
        let span = |span: crate::Span| (sources.get(span.file).name.clone(), span.range());
        let mut primary = Label::new(span(diagnostic.primary.span))
            .with_color(primary_color)
            .with_priority(1);
        if !diagnostic.primary.message.is_empty() {
            primary = primary.with_message(&diagnostic.primary.message);
        }
        let mut report = Report::build(kind, span(diagnostic.primary.span))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_code(diagnostic.code)
            .with_message(&diagnostic.message)
            .with_label(primary);
        for label in &diagnostic.labels {
            report = report.with_label(
                Label::new(span(label.span))
                    .with_message(&label.message)
                    .with_color(Color::Blue),
            );
        }
        for note in &diagnostic.notes {
            report = report.with_note(note);
        }
        if let Some(fix) = &diagnostic.fix {
            report = report.with_help(&fix.message);
        }
        // Writing into a Vec cannot fail; a failure would only lose this one report.
        let _ = report.finish().write(&mut cache, &mut output);
    }
    String::from_utf8_lossy(&output).into_owned()
}
