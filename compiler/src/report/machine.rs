//! Machine-readable reports: one line per diagnostic, JSON for scripts, SARIF for code scanners.

use super::location;
use crate::source::SourceMap;
use crate::Diagnostic;
use serde_json::{json, Value};

/// `file:line:col: severity[code]: message`, one per line.
pub fn render_short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut output = String::new();
    for diagnostic in diagnostics {
        let (file, start, _) = location(sources, diagnostic);
        output.push_str(&format!(
            "{file}:{}:{}: {}[{}]: {}\n",
            start.line,
            start.column,
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        ));
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
/// `end_line`, `end_column`, plus `labels`, `notes` and `fix` when present.
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
            let info = crate::codes::lookup(code);
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
            let related: Vec<Value> = diagnostic
                .labels
                .iter()
                .map(|label| sarif_location(sources, label.span, Some(&label.message)))
                .collect();
            let mut text = diagnostic.message.clone();
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
