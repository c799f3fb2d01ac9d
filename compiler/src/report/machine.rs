//! Machine-readable reports: one line per diagnostic, JSON for scripts, SARIF for code scanners.

use crate::source::{Origin, SourceMap};
use crate::Diagnostic;
use serde_json::{json, Value};

/// `file:line:col: severity[code]: message`, one per line: codespan-reporting's short style.
pub fn render_short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity};
    use codespan_reporting::term::{self, Config, DisplayStyle};
    let config = Config {
        display_style: DisplayStyle::Short,
        ..Config::default()
    };
    let mut output = String::new();
    for diagnostic in diagnostics {
        let severity = match diagnostic.severity {
            crate::Severity::Error => Severity::Error,
            crate::Severity::Warning => Severity::Warning,
            crate::Severity::Note => Severity::Note,
        };
        let span = diagnostic.span();
        let report = Report::new(severity)
            .with_code(diagnostic.code)
            .with_message(&diagnostic.message)
            .with_label(Label::primary(span.file, span.range()));
        // Every file of a diagnostic is in the map, so rendering cannot fail; if it did, the
        // one line would be missing, never the others.
        let _ = term::emit_to_string(&mut output, &config, sources, &report);
    }
    output
}

fn span_json(sources: &SourceMap, span: crate::Span) -> Value {
    let file = sources.get(span.file);
    let start = file.line_column(span.start);
    let end = file.line_column(span.end);
    json!({
        "file": file.name,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
    })
}

fn diagnostic_json(sources: &SourceMap, diagnostic: &Diagnostic) -> Value {
    let mut value = span_json(sources, diagnostic.span());
    let object = value.as_object_mut().expect("span_json builds an object");
    object.insert("severity".into(), json!(diagnostic.severity.as_str()));
    object.insert("code".into(), json!(diagnostic.code));
    object.insert("message".into(), json!(diagnostic.message));
    // What the primary label says ("did you mean `nim01`?"), which the human report draws
    // under the span.
    if !diagnostic.primary.message.is_empty() {
        object.insert("label".into(), json!(diagnostic.primary.message));
    }
    let labels: Vec<Value> = diagnostic
        .labels
        .iter()
        .map(|label| {
            let mut value = span_json(sources, label.span);
            value["message"] = json!(label.message);
            value
        })
        .collect();
    object.insert("labels".into(), json!(labels));
    object.insert("notes".into(), json!(diagnostic.notes));
    if let Some(fix) = &diagnostic.fix {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                let mut value = span_json(sources, edit.span);
                value["replacement"] = json!(edit.replacement);
                value
            })
            .collect();
        object.insert(
            "fix".into(),
            json!({ "message": fix.message, "edits": edits }),
        );
    }
    value
}

/// One JSON array; each element has `severity`, `code`, `message`, `file`, `line`, `column`,
/// `end_line`, `end_column`, `labels` and `notes`, plus `label` (what the primary span's label
/// says) and `fix` when present.
pub fn render_json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let array: Vec<Value> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic_json(sources, diagnostic))
        .collect();
    serde_json::to_string_pretty(&array).expect("JSON values always serialise") + "\n"
}

fn sarif_level(severity: crate::Severity) -> &'static str {
    match severity {
        crate::Severity::Error => "error",
        crate::Severity::Warning => "warning",
        crate::Severity::Note => "note",
    }
}

fn sarif_location(sources: &SourceMap, span: crate::Span, message: Option<&str>) -> Value {
    let file = sources.get(span.file);
    let start = file.line_column(span.start);
    let end = file.line_column(span.end);
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    });
    if let Some(message) = message.filter(|message| !message.is_empty()) {
        location["message"] = json!({ "text": message });
    }
    location
}

/// SARIF 2.1.0: one run whose rules are the codes that occur, and one result per diagnostic.
pub fn render_sarif(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut codes: Vec<&str> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            let info = crate::explanations::lookup(code);
            json!({
                "id": code,
                "shortDescription": { "text": info.map_or("", |info| info.title) },
                "fullDescription": { "text": info.map_or("", |info| info.explanation.trim()) },
                "help": { "text": format!("flowc explain {code}") },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            // Labels in the standard library point into files that are not in the user's
            // repository, so a code-scanning viewer could not open them: they are written into
            // the message instead of being related locations.
            let (site_labels, stdlib_labels): (Vec<_>, Vec<_>) = (diagnostic.labels.iter())
                .partition(|label| sources.get(label.span.file).origin == Origin::Site);
            let related: Vec<Value> = (site_labels.iter())
                .map(|label| sarif_location(sources, label.span, Some(&label.message)))
                .collect();
            let mut text = diagnostic.message.clone();
            if !diagnostic.primary.message.is_empty() {
                text.push_str(&format!(" ({})", diagnostic.primary.message));
            }
            for label in stdlib_labels {
                let file = sources.get(label.span.file);
                let at = file.line_column(label.span.start);
                text.push_str(&format!(
                    "\n{}:{}:{}: {} (flowc's standard library; `flowc doc` shows it)",
                    file.name, at.line, at.column, label.message
                ));
            }
            for note in &diagnostic.notes {
                text.push_str("\nnote: ");
                text.push_str(note);
            }
            json!({
                "ruleId": diagnostic.code,
                "ruleIndex": codes.iter().position(|code| *code == diagnostic.code),
                "level": sarif_level(diagnostic.severity),
                "message": { "text": text },
                "locations": [sarif_location(sources, diagnostic.span(), None)],
                "relatedLocations": related,
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "flowc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).expect("JSON values always serialise") + "\n"
}
