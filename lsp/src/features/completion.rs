//! Completion from the text before the cursor: stdlib modules after `import`, members after
//! `nim.`, parameters inside a role use's parentheses, enumeration values after `param =`, and
//! otherwise keywords and the names in scope.
//!
//! Names are filtered by the word being typed and at most [`MOST_NAMES`] are sent, the best
//! first; a list that was cut says so (`isIncomplete`), and the editor asks again as the word
//! grows. A site of ten thousand hosts would otherwise send them all on every keystroke.

use crate::snapshot::Snapshot;
use flowc_compiler::format::param_text;
use flowc_compiler::resolve::{DefinitionKind, ModuleId};
use flowc_compiler::syntax::ast::{ItemKind, ParamType, TypeWord};
use flowc_compiler::syntax::lexer::KEYWORDS;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, Position,
};

/// The most names one answer carries; keywords and a module's members are always all sent.
pub const MOST_NAMES: usize = 200;

/// An answer: the items, and whether names that match were left out of it.
#[derive(Debug, Default)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    pub incomplete: bool,
}

impl Completions {
    fn all(items: Vec<CompletionItem>) -> Completions {
        Completions {
            items,
            incomplete: false,
        }
    }

    pub fn into_response(self) -> CompletionResponse {
        if self.incomplete {
            CompletionResponse::List(CompletionList {
                is_incomplete: true,
                items: self.items,
            })
        } else {
            CompletionResponse::Array(self.items)
        }
    }
}

/// Whether `label` can complete `word`: its characters appear in `label` in order, ignoring
/// case, the first at the start (how editors filter, so nothing they would show is withheld).
fn can_complete(label: &str, word: &str) -> bool {
    let mut label = label.chars().flat_map(char::to_lowercase);
    let mut word = word.chars().flat_map(char::to_lowercase);
    let Some(first) = word.next() else {
        return true;
    };
    if label.next() != Some(first) {
        return false;
    }
    word.all(|wanted| label.by_ref().any(|have| have == wanted))
}

/// The names that can complete `word`, best first (those it begins, then the shorter, then
/// by label), at most [`MOST_NAMES`] of them. Items are made only for those sent.
fn best_names<'n>(
    names: impl Iterator<Item = (&'n str, CompletionItemKind, &'n str)>,
    word: &str,
) -> Completions {
    let lowered = word.to_lowercase();
    let mut found: Vec<(bool, usize, &str, CompletionItemKind, &str)> = names
        .filter(|(name, _, _)| can_complete(name, word))
        .map(|(name, kind, detail)| {
            let begins = name.to_lowercase().starts_with(&lowered);
            (!begins, name.len(), name, kind, detail)
        })
        .collect();
    let rank = |a: &(bool, usize, &str, CompletionItemKind, &str),
                b: &(bool, usize, &str, CompletionItemKind, &str)| {
        (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2))
    };
    let incomplete = found.len() > MOST_NAMES;
    if incomplete {
        found.select_nth_unstable_by(MOST_NAMES, rank);
        found.truncate(MOST_NAMES);
    }
    found.sort_by(rank);
    Completions {
        items: (found.into_iter())
            .map(|(_, _, name, kind, detail)| item(name, kind, Some(detail.to_string())))
            .collect(),
        incomplete,
    }
}

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
pub fn complete(snapshot: &Snapshot, line_prefix: &str) -> Completions {
    let trimmed = line_prefix.trim_start();
    if let Some(partial) = trimmed.strip_prefix("import ") {
        return Completions::all(
            flowc_compiler::stdlib::module_names()
                .filter(|module| module.starts_with(partial.trim()))
                .map(|module| {
                    item(
                        module,
                        CompletionItemKind::MODULE,
                        Some("stdlib module".into()),
                    )
                })
                .collect(),
        );
    }
    if let Some(completions) = inside_role_use(snapshot, line_prefix) {
        return completions;
    }
    let word = &line_prefix[word_start(line_prefix)..];
    if let Some((module, _)) = word.rsplit_once('.') {
        return Completions::all(members(snapshot, module));
    }
    let resolution = &snapshot.checked.analysis.resolution;
    let prelude = resolution.module_named(flowc_compiler::stdlib::PRELUDE);
    let definitions = [Some(ModuleId::SITE), prelude]
        .into_iter()
        .flatten()
        .flat_map(|module| &resolution.modules[module.0 as usize].definitions)
        .map(|(name, id)| {
            let kind = resolution.definition(*id).kind;
            (name.as_str(), kind_of(kind), kind.noun())
        });
    let modules = resolution.modules[ModuleId::SITE.0 as usize]
        .imports
        .keys()
        .map(|module| {
            (
                module.as_str(),
                CompletionItemKind::MODULE,
                "imported module",
            )
        });
    let mut completions = best_names(definitions.chain(modules), word);
    let keywords = KEYWORDS
        .iter()
        .filter(|keyword| can_complete(keyword, word))
        .map(|keyword| item(keyword, CompletionItemKind::KEYWORD, None));
    completions.items.splice(0..0, keywords);
    completions
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
fn inside_role_use(snapshot: &Snapshot, line_prefix: &str) -> Option<Completions> {
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
    if let Some((name, typed)) = segment.split_once('=') {
        let param = params.iter().find(|param| param.name.name == name.trim())?;
        let values = match &param.ty {
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
                .collect::<Vec<_>>(),
            ParamType::Host { .. } => {
                let hosts = (resolution.modules[ModuleId::SITE.0 as usize]
                    .definitions
                    .iter())
                .filter(|(_, id)| {
                    matches!(
                        resolution.definition(**id).kind,
                        DefinitionKind::Host | DefinitionKind::Group
                    )
                })
                .map(|(name, _)| (name.as_str(), CompletionItemKind::VARIABLE, "host"));
                return Some(best_names(hosts, typed.trim_start()));
            }
        };
        return Some(Completions::all(values));
    }
    Some(Completions::all(
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
    ))
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
            let items = complete(&snapshot, prefix).items;
            // After `😀x` the word is `x`, which no keyword completes.
            assert_eq!(
                items.iter().any(|item| item.label == "zone"),
                !prefix.ends_with('x'),
                "keywords are offered after {prefix:?}"
            );
        }
        let position = Position {
            line: 0,
            character: 5,
        };
        assert_eq!(line_prefix(text, position), "zone\u{793}");
    }

    /// A site of ten thousand hosts must not send them all on every keystroke: names are
    /// filtered by the word typed, the best first, and a cut list says it is incomplete.
    #[test]
    fn names_are_filtered_by_the_word_and_capped() {
        let mut text = String::new();
        for index in 0..1000 {
            text.push_str(&format!(
                "host h{index} = 198.18.{}.{}\n",
                index / 250,
                1 + index % 250
            ));
        }
        text.push_str("host web_front = 198.18.9.1\n");
        let snapshot = snapshot_of(&text);
        let labels = |completions: &Completions| -> Vec<String> {
            completions
                .items
                .iter()
                .map(|item| item.label.clone())
                .collect()
        };

        let everything = complete(&snapshot, "allow ");
        assert!(
            everything.incomplete,
            "1,001 names are more than one answer"
        );
        let names = labels(&everything);
        for keyword in KEYWORDS {
            assert!(
                names.iter().any(|name| name == keyword),
                "keyword {keyword} is kept"
            );
        }
        assert_eq!(names.len(), KEYWORDS.len() + MOST_NAMES);

        let h4 = complete(&snapshot, "allow h4");
        let names = labels(&h4);
        assert!(h4.incomplete, "h4, h40…h49, h400…h499 and more match");
        assert_eq!(
            names[..2],
            ["h4", "h40"],
            "the word itself and the shortest first"
        );
        assert!(names.iter().all(|name| name.starts_with('h')));

        let exact = complete(&snapshot, "allow h47");
        let names = labels(&exact);
        assert!(
            !exact.incomplete,
            "h47, h470…h479 and h4?7: all of them are sent"
        );
        assert!(
            names[..11].iter().all(|name| name.starts_with("h47")),
            "{names:?}"
        );
        assert!(
            names[11..].iter().all(|name| !name.starts_with("h47")),
            "{names:?}"
        );

        // Editors filter by subsequence: `wf` offers `web_front`.
        let fuzzy = complete(&snapshot, "allow h1 -> wf");
        assert_eq!(labels(&fuzzy), ["web_front"]);
        assert!(matches!(
            fuzzy.into_response(),
            CompletionResponse::Array(_)
        ));
        assert!(matches!(
            complete(&snapshot, "allow h").into_response(),
            CompletionResponse::List(CompletionList {
                is_incomplete: true,
                ..
            })
        ));
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
