//! Go to definition (stdlib definitions open as read-only files), find references, and rename
//! across every file of the site.

use super::name_at;
use crate::convert::range;
use crate::snapshot::Snapshot;
use flowc_compiler::resolve::{DefinitionId, ModuleId};
use flowc_compiler::syntax::lexer::KEYWORDS;
use flowc_compiler::Span;
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit,
};

fn location(snapshot: &Snapshot, span: Span) -> Option<Location> {
    Some(Location {
        uri: snapshot.uri(span.file)?,
        range: range(&snapshot.checked.analysis.sources, span),
    })
}

pub fn definition(snapshot: &Snapshot, uri: &Uri, position: Position) -> Option<Location> {
    let (_, name) = name_at(snapshot, uri, position)?;
    location(
        snapshot,
        snapshot
            .checked
            .analysis
            .resolution
            .definition(name.definition)
            .name_span,
    )
}

/// Every use of a definition, and the definition itself when asked for.
fn occurrences(
    snapshot: &Snapshot,
    definition: DefinitionId,
    include_declaration: bool,
) -> Vec<Span> {
    let resolution = &snapshot.checked.analysis.resolution;
    let mut spans: Vec<Span> = resolution
        .references
        .iter()
        .filter(|reference| reference.target == definition)
        .map(|reference| {
            // In `nim.master`, only the last segment is the name itself.
            let text = snapshot
                .checked
                .analysis
                .sources
                .get(reference.span.file)
                .slice(reference.span);
            match text.rfind('.') {
                Some(dot) => Span {
                    start: reference.span.start + dot as u32 + 1,
                    ..reference.span
                },
                None => reference.span,
            }
        })
        .collect();
    if include_declaration {
        spans.push(resolution.definition(definition).name_span);
    }
    spans.sort();
    spans.dedup();
    spans
}

pub fn references(
    snapshot: &Snapshot,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((_, name)) = name_at(snapshot, uri, position) else {
        return Vec::new();
    };
    occurrences(snapshot, name.definition, include_declaration)
        .into_iter()
        .filter_map(|span| location(snapshot, span))
        .collect()
}

/// Why a rename is refused, or the name's current span.
pub fn prepare_rename(
    snapshot: &Snapshot,
    uri: &Uri,
    position: Position,
) -> Result<PrepareRenameResponse, String> {
    let (_, name) = name_at(snapshot, uri, position).ok_or("there is no name here to rename")?;
    let definition = snapshot
        .checked
        .analysis
        .resolution
        .definition(name.definition);
    if definition.module != ModuleId::SITE {
        return Err(format!(
            "`{}` is defined in the standard library and cannot be renamed",
            definition.name
        ));
    }
    let span = occurrences(snapshot, name.definition, true)
        .into_iter()
        .find(|span| {
            span.file == name.span.file
                && span.start <= name.span.end
                && name.span.start <= span.end
        })
        .unwrap_or(name.span);
    Ok(PrepareRenameResponse::Range(range(
        &snapshot.checked.analysis.sources,
        span,
    )))
}

pub fn rename(
    snapshot: &Snapshot,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    prepare_rename(snapshot, uri, position)?;
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && new_name.chars().all(|character| {
            character.is_ascii_alphanumeric() || character == '_' || character == '-'
        })
        && !new_name.ends_with('-');
    if !valid {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    if KEYWORDS.contains(&new_name) {
        return Err(format!("`{new_name}` is a keyword"));
    }
    let (_, name) = name_at(snapshot, uri, position).ok_or("there is no name here to rename")?;
    if snapshot
        .checked
        .analysis
        .resolution
        .lookup(ModuleId::SITE, new_name)
        .is_some()
    {
        return Err(format!("`{new_name}` is already defined in this site"));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in occurrences(snapshot, name.definition, true) {
        if let Some(location) = location(snapshot, span) {
            changes.entry(location.uri).or_default().push(TextEdit {
                range: location.range,
                new_text: new_name.to_string(),
            });
        }
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
