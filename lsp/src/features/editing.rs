//! Formatting (the same formatter as `flowc fmt`), quick fixes, and inlay hints with the ports
//! a service or role expands to.

use crate::convert::range;
use crate::snapshot::Snapshot;
use flowc_compiler::resolve::DefinitionKind;
use flowc_compiler::FileId;
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, InlayHint, InlayHintKind, InlayHintLabel,
    Position, Range, TextEdit, Uri, WorkspaceEdit,
};

/// Why the language server did not format a document.
#[derive(Debug, PartialEq, Eq)]
pub enum FormatRefusal {
    /// The document has errors; they are already shown as diagnostics.
    HasErrors,
    /// The formatter's output did not round-trip (`E0014`): the user must be told.
    RoundTrip(String),
}

/// The whole document reformatted (no edits when it already is), or why it is left alone.
pub fn format_document(text: &str) -> Result<Vec<TextEdit>, FormatRefusal> {
    let formatted = match flowc_compiler::format::format_source("document", text) {
        Ok(formatted) => formatted,
        Err(failure) if failure.file_has_errors() => return Err(FormatRefusal::HasErrors),
        Err(failure) => {
            let message = failure
                .diagnostics
                .first()
                .map_or(String::new(), |diagnostic| diagnostic.message.clone());
            return Err(FormatRefusal::RoundTrip(format!(
                "flowc: {message} (E0014, see `flowc explain E0014`)"
            )));
        }
    };
    if formatted == text {
        return Ok(Vec::new());
    }
    // One past the last line (LF, CRLF and a lone CR each end one), so the edit covers it all.
    let lines = text.replace("\r\n", "\n").matches(['\n', '\r']).count() as u32 + 1;
    Ok(vec![TextEdit {
        range: Range {
            start: Position {
                line: 0,
                character: 0,
            },
            end: Position {
                line: lines,
                character: 0,
            },
        },
        new_text: formatted,
    }])
}

/// Quick fixes for the diagnostics in `requested` (a range of the file): each diagnostic's own
/// fix, and for lints an `@allow(lint, "…")` before the item.
pub fn code_actions(
    snapshot: &Snapshot,
    file: FileId,
    uri: &Uri,
    requested: Range,
) -> Vec<CodeActionOrCommand> {
    let analysis = &snapshot.checked.analysis;
    let sources = &analysis.sources;
    let mut actions = Vec::new();
    for diagnostic in analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.span().file == file)
    {
        let diagnostic_range = range(sources, diagnostic.span());
        if diagnostic_range.end < requested.start || requested.end < diagnostic_range.start {
            continue;
        }
        let lsp_diagnostic =
            crate::convert::to_lsp_diagnostic(sources, diagnostic, &|id| snapshot.uri(id));
        if let Some(fix) = &diagnostic.fix {
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for edit in &fix.edits {
                if let Some(edit_uri) = snapshot.uri(edit.span.file) {
                    changes.entry(edit_uri).or_default().push(TextEdit {
                        range: range(sources, edit.span),
                        new_text: edit.replacement.clone(),
                    });
                }
            }
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        if flowc_compiler::lints::is_lint(diagnostic.code) {
            let item = analysis.file(file).and_then(|analyzed| {
                analyzed.parsed.ast.items.iter().find(|item| {
                    item.span.start <= diagnostic.span().start
                        && diagnostic.span().end <= item.span.end
                })
            });
            if let Some(item) = item {
                let (line, _) = sources.get(file).line_utf16_column(item.span.start);
                let at = Position { line, character: 0 };
                let edit = TextEdit {
                    range: Range { start: at, end: at },
                    new_text: format!("@allow({}, \"reason\")\n", diagnostic.code),
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Allow `{}` here (with a reason)", diagnostic.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..WorkspaceEdit::default()
                    }),
                    ..CodeAction::default()
                }));
            }
        }
    }
    actions
}

/// After each use of a service, the ports it opens; nothing while the site has syntax or name
/// errors, because the ports come from lowering, which needs a tree without holes.
pub fn inlay_hints(snapshot: &Snapshot, file: FileId) -> Vec<InlayHint> {
    let Some(site) = snapshot.checked.site() else {
        return Vec::new();
    };
    let analysis = &snapshot.checked.analysis;
    let source = analysis.sources.get(file);
    let mut hints = Vec::new();
    for reference in analysis
        .resolution
        .references
        .iter()
        .filter(|reference| reference.span.file == file)
    {
        if analysis.resolution.definition(reference.target).kind != DefinitionKind::Service {
            continue;
        }
        let openings: Vec<String> = site
            .service_openings(reference.target)
            .iter()
            .map(|opening| opening.describe())
            .collect();
        if openings.is_empty() {
            continue;
        }
        let (line, character) = source.line_utf16_column(reference.span.end);
        hints.push(InlayHint {
            position: Position { line, character },
            label: InlayHintLabel::String(format!(" = {}", openings.join(", "))),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(false),
            padding_right: Some(false),
            data: None,
        });
    }
    hints
}
