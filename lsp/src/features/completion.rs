//! Completion from the text before the cursor: stdlib modules after `import`, members after
//! `nim.`, parameters inside a role use's parentheses, enumeration values after `param =`, and
//! otherwise keywords and the names in scope.

use crate::snapshot::Snapshot;
use flowc_compiler::format::param_text;
use flowc_compiler::resolve::{DefinitionKind, ModuleId};
use flowc_compiler::syntax::ast::{ItemKind, ParamType, TypeWord};
use flowc_compiler::syntax::lexer::KEYWORDS;
use tower_lsp_server::ls_types::{CompletionItem, CompletionItemKind, Position};

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

fn kind_of(kind: DefinitionKind) -> CompletionItemKind {
    match kind {
        DefinitionKind::Zone => CompletionItemKind::ENUM,
        DefinitionKind::Firewall => CompletionItemKind::INTERFACE,
        DefinitionKind::Host => CompletionItemKind::VARIABLE,
        DefinitionKind::Group => CompletionItemKind::STRUCT,
        DefinitionKind::Service => CompletionItemKind::CONSTANT,
        DefinitionKind::Role => CompletionItemKind::CLASS,
    }
}

/// The text of the cursor's line before the cursor; a position past the line or the document
/// is clamped to its end.
pub fn line_prefix(text: &str, position: Position) -> &str {
    // The document's own line model: a lone CR ends a line too.
    let line_start = crate::document_text::byte_offset(
        text,
        Position {
            line: position.line,
            character: 0,
        },
    );
    let end = crate::document_text::byte_offset(text, position).max(line_start);
    &text[line_start..end]
}

/// Completions for a cursor after `line_prefix` (the text of its line before the cursor).
pub fn complete(snapshot: &Snapshot, line_prefix: &str) -> Vec<CompletionItem> {
    let trimmed = line_prefix.trim_start();
    if let Some(partial) = trimmed.strip_prefix("import ") {
        return flowc_compiler::stdlib::module_names()
            .filter(|module| module.starts_with(partial.trim()))
            .map(|module| {
                item(
                    module,
                    CompletionItemKind::MODULE,
                    Some("stdlib module".into()),
                )
            })
            .collect();
    }
    if let Some(items) = inside_role_use(snapshot, line_prefix) {
        return items;
    }
    let word = &line_prefix[word_start(line_prefix)..];
    if let Some((module, _)) = word.rsplit_once('.') {
        return members(snapshot, module);
    }
    let resolution = &snapshot.checked.analysis.resolution;
    let mut items: Vec<CompletionItem> = KEYWORDS
        .iter()
        .map(|keyword| item(keyword, CompletionItemKind::KEYWORD, None))
        .collect();
    let prelude = resolution.module_named(flowc_compiler::stdlib::PRELUDE);
    for module in [Some(ModuleId::SITE), prelude].into_iter().flatten() {
        for (name, id) in &resolution.modules[module.0 as usize].definitions {
            items.push(item(
                name,
                kind_of(resolution.definition(*id).kind),
                Some(resolution.definition(*id).kind.noun().into()),
            ));
        }
    }
    for module in resolution.modules[ModuleId::SITE.0 as usize].imports.keys() {
        items.push(item(
            module,
            CompletionItemKind::MODULE,
            Some("imported module".into()),
        ));
    }
    items
}

/// Where the name (or `module.name` path) that `text` ends with begins: just after the last
/// character that cannot be part of one, which may be wider than a byte.
fn word_start(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(0, |(index, c)| index + c.len_utf8())
}

fn members(snapshot: &Snapshot, module: &str) -> Vec<CompletionItem> {
    let resolution = &snapshot.checked.analysis.resolution;
    let Some(id) = resolution
        .module_named(module)
        .filter(|id| *id != ModuleId::SITE)
    else {
        return Vec::new();
    };
    resolution.modules[id.0 as usize]
        .definitions
        .iter()
        .map(|(name, definition)| {
            let kind = resolution.definition(*definition).kind;
            item(
                name,
                kind_of(kind),
                Some(format!("{} {module}.{name}", kind.noun())),
            )
        })
        .collect()
}

/// Inside `ROLE(…`: parameter names, or after `param =` the values it accepts.
fn inside_role_use(snapshot: &Snapshot, line_prefix: &str) -> Option<Vec<CompletionItem>> {
    let open = line_prefix.rfind('(')?;
    if line_prefix[open..].contains(')') {
        return None;
    }
    let before = line_prefix[..open].trim_end();
    let start = word_start(before);
    let role_path = &before[start..];
    if before[..start].trim_end().ends_with("role") {
        return None;
    }
    let resolution = &snapshot.checked.analysis.resolution;
    let id = match role_path.split_once('.') {
        Some((module, name)) => resolution.lookup(resolution.module_named(module)?, name)?,
        None => resolution.lookup(ModuleId::SITE, role_path)?,
    };
    let definition = resolution.definition(id);
    let file = snapshot.checked.analysis.file(definition.item_span.file)?;
    let ItemKind::Role(role) = &file.parsed.ast.items[definition.item_index].kind else {
        return None;
    };
    let params = role.params.as_deref().unwrap_or(&[]);
    let segment = line_prefix[open + 1..].rsplit(',').next().unwrap_or("");
    if let Some((name, _)) = segment.split_once('=') {
        let param = params.iter().find(|param| param.name.name == name.trim())?;
        let values: Vec<CompletionItem> = match &param.ty {
            ParamType::Words { words, .. } => words
                .iter()
                .filter_map(|word| match word {
                    TypeWord::Word(ident)
                        if !matches!(
                            ident.name.as_str(),
                            "int" | "port" | "ports" | "addresses"
                        ) =>
                    {
                        Some(if ident.name == "bool" {
                            vec!["true", "false"]
                        } else {
                            vec![ident.name.as_str()]
                        })
                    }
                    TypeWord::Number(int) => Some(vec![int.text.as_str()]),
                    _ => None,
                })
                .flatten()
                .map(|value| item(value, CompletionItemKind::ENUM_MEMBER, None))
                .collect(),
            ParamType::Host { .. } => resolution.modules[0]
                .definitions
                .iter()
                .filter(|(_, id)| {
                    matches!(
                        resolution.definition(**id).kind,
                        DefinitionKind::Host | DefinitionKind::Group
                    )
                })
                .map(|(name, _)| item(name, CompletionItemKind::VARIABLE, Some("host".into())))
                .collect(),
        };
        return Some(values);
    }
    Some(
        params
            .iter()
            .map(|param| {
                item(
                    &param.name.name,
                    CompletionItemKind::FIELD,
                    Some(param_text(param)),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::Documents;
    use crate::snapshot::parse_uri;
    use std::path::Path;

    fn snapshot_of(text: &str) -> Snapshot {
        let mut documents = Documents::new(Path::new("/nonexistent/site"));
        let uri = parse_uri("file:///nonexistent/site/site.flow").unwrap();
        documents.open(uri, 1, text.to_string());
        documents.analyze(Path::new("/nonexistent/stdlib"))
    }

    /// Found by the `lsp_edits` fuzz target: a word after a character wider than one byte
    /// (`é`, `ޓ`, an emoji) made completion slice inside that character and panic.
    #[test]
    fn completes_after_characters_wider_than_a_byte() {
        let text = "zone\u{793} é \u{1F600}x nim.master\u{e9}(";
        let snapshot = snapshot_of(text);
        for prefix in [
            "zone\u{793}",
            "host é",
            "\u{1F600}x",
            "xé(",
            "nim.master\u{e9}(",
        ] {
            let items = complete(&snapshot, prefix);
            assert!(
                items.iter().any(|item| item.label == "zone"),
                "keywords are offered after {prefix:?}"
            );
        }
        let position = Position {
            line: 0,
            character: 5,
        };
        assert_eq!(line_prefix(text, position), "zone\u{793}");
    }

    #[test]
    fn line_prefix_clamps_positions_past_the_line_or_the_document() {
        let text = "ab\u{1F600}c\r\nsecond";
        let at = |line, character| line_prefix(text, Position { line, character });
        assert_eq!(at(0, 3), "ab\u{1F600}", "inside the emoji's surrogate pair");
        assert_eq!(at(0, 5), "ab\u{1F600}c");
        assert_eq!(at(1, 3), "sec");
        assert_eq!(at(7, 1), "");
    }
}
