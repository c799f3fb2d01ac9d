//! The human report, drawn by ariadne with the source lines under each diagnostic.

use crate::diagnostic::Severity;
use crate::escape::escaped;
use crate::source::SourceMap;
use crate::Diagnostic;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

/// Renders diagnostics with source snippets; `color` is for terminals only. File names are
/// shown [`escaped`] and source lines through [`visible_text`]: nothing in a site can reach the
/// reader's terminal as a control character.
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
            .map(|(_, file)| (escaped(&file.name).into_owned(), visible_text(&file.text))),
    );
    let mut output = Vec::new();
    for diagnostic in diagnostics {
        let (kind, primary_color) = match diagnostic.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Note => (ReportKind::Advice, Color::Cyan),
        };
        // Character offsets, which ariadne turns into lines and columns correctly for every
        // file (with byte offsets it places the header of a second file by the wrong unit).
        let span = |span: crate::Span| {
            let file = sources.get(span.file);
            let start = file.char_offset(span.start);
            let end = file.char_offset(span.end).max(start);
            (escaped(&file.name).into_owned(), start..end)
        };
        // ariadne starts a new header whenever a label sits above the one before it, and heads
        // every group of the primary's file with the primary's position: so the labels go in
        // one run per file (the primary's file first), each in source order.
        let mut labels: Vec<(crate::Span, Option<&str>)> = vec![(diagnostic.primary.span, None)];
        labels.extend(
            (diagnostic.labels.iter()).map(|label| (label.span, Some(label.message.as_str()))),
        );
        let primary_file = diagnostic.primary.span.file;
        labels
            .sort_by_key(|(span, _)| (span.file != primary_file, span.file, span.start, span.end));
        let mut report = Report::build(kind, span(diagnostic.primary.span))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Char),
            )
            .with_code(diagnostic.code)
            .with_message(&diagnostic.message);
        for (order, (label_span, message)) in labels.into_iter().enumerate() {
            let label = match message {
                None => {
                    // ariadne underlines only labels with a message: the primary span always
                    // is, so the reader sees where the diagnostic is, named by the code's title
                    // when the diagnostic has nothing more precise to say there.
                    let message = if diagnostic.primary.message.is_empty() {
                        crate::explanations::lookup(diagnostic.code)
                            .map_or(String::new(), |info| info.title.to_string())
                    } else {
                        diagnostic.primary.message.clone()
                    };
                    Label::new(span(label_span))
                        .with_color(primary_color)
                        .with_priority(1)
                        .with_message(message)
                }
                Some(message) => Label::new(span(label_span))
                    .with_message(message)
                    .with_color(Color::Blue),
            };
            report = report.with_label(label.with_order(order as i32));
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

/// The text as the report shows it: every control character but tab and the line breaks
/// becomes its visible picture (`␛` for ESC, `␀` for NUL, `␡` for DEL), so that a source line
/// cannot move the cursor, change colours or hide text on the reader's terminal. Other
/// characters that some programs take as line breaks (vertical tab, form feed, NEL, U+2028 and
/// U+2029) are made visible too, so the report counts lines as the compiler does. Each
/// character becomes one character: the offsets given to ariadne stay right.
fn visible_text(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '\t' | '\n' | '\r' => character,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + character as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' => '\u{fffd}',
            _ => character,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_pictures() {
        assert_eq!(
            visible_text("a\u{1b}[2Jb\0\u{7f}\u{85}\tc\r\n"),
            "a\u{241b}[2Jb\u{2400}\u{2421}\u{fffd}\tc\r\n"
        );
    }
}
