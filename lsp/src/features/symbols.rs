//! Document and workspace symbols, and semantic tokens from the lexer and the resolution.

use crate::convert::range;
use crate::snapshot::Snapshot;
use flowc_compiler::resolve::{DefinitionKind, ModuleId};
use flowc_compiler::syntax::lexer::{lex, Token};
use flowc_compiler::FileId;
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    Location, SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SymbolInformation, SymbolKind,
};

fn symbol_kind(kind: DefinitionKind) -> SymbolKind {
    match kind {
        DefinitionKind::Zone => SymbolKind::NAMESPACE,
        DefinitionKind::Firewall => SymbolKind::INTERFACE,
        DefinitionKind::Host => SymbolKind::VARIABLE,
        DefinitionKind::Group => SymbolKind::STRUCT,
        DefinitionKind::Service => SymbolKind::CONSTANT,
        DefinitionKind::Role => SymbolKind::CLASS,
    }
}

#[allow(deprecated)]
fn information(
    snapshot: &Snapshot,
    name: String,
    kind: DefinitionKind,
    span: flowc_compiler::Span,
) -> Option<SymbolInformation> {
    Some(SymbolInformation {
        name,
        kind: symbol_kind(kind),
        tags: None,
        deprecated: None,
        location: Location {
            uri: snapshot.uri(span.file)?,
            range: range(&snapshot.checked.analysis.sources, span),
        },
        container_name: None,
    })
}

/// Every named item of one file.
pub fn document_symbols(snapshot: &Snapshot, file: FileId) -> Vec<SymbolInformation> {
    snapshot
        .checked
        .analysis
        .resolution
        .definitions
        .iter()
        .filter(|definition| definition.item_span.file == file)
        .filter_map(|definition| {
            information(
                snapshot,
                definition.name.clone(),
                definition.kind,
                definition.name_span,
            )
        })
        .collect()
}

/// Site definitions (and stdlib ones, qualified) whose name contains the query.
pub fn workspace_symbols(snapshot: &Snapshot, query: &str) -> Vec<SymbolInformation> {
    let resolution = &snapshot.checked.analysis.resolution;
    let query = query.to_lowercase();
    resolution
        .definitions
        .iter()
        .filter_map(|definition| {
            let module = &resolution.modules[definition.module.0 as usize].name;
            let name = if definition.module == ModuleId::SITE {
                definition.name.clone()
            } else {
                format!("{module}.{}", definition.name)
            };
            name.to_lowercase()
                .contains(&query)
                .then(|| information(snapshot, name, definition.kind, definition.name_span))?
        })
        .take(500)
        .collect()
}

pub const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::TYPE,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::FUNCTION,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: Vec::new(),
    }
}

fn index_of(token_type: SemanticTokenType) -> u32 {
    TOKEN_TYPES
        .iter()
        .position(|known| *known == token_type)
        .unwrap_or(0) as u32
}

pub fn semantic_tokens(snapshot: &Snapshot, file: FileId) -> SemanticTokens {
    let source = snapshot.checked.analysis.sources.get(file);
    let resolution = &snapshot.checked.analysis.resolution;
    let kinds: HashMap<u32, DefinitionKind> = resolution
        .references
        .iter()
        .filter(|reference| reference.span.file == file)
        .map(|reference| {
            (
                reference.span.end,
                resolution.definition(reference.target).kind,
            )
        })
        .chain(
            resolution
                .definitions
                .iter()
                .filter(|definition| definition.name_span.file == file)
                .map(|definition| (definition.name_span.end, definition.kind)),
        )
        .collect();
    let lexed = lex(file, &source.text);
    let mut spans: Vec<(flowc_compiler::Span, SemanticTokenType)> = Vec::new();
    for (token, span) in &lexed.tokens {
        let token_type = match token {
            Token::Int(_) | Token::Address(_) => SemanticTokenType::NUMBER,
            Token::String(_) => SemanticTokenType::STRING,
            Token::Ident(_) => match kinds.get(&span.end) {
                Some(DefinitionKind::Role) => SemanticTokenType::TYPE,
                Some(DefinitionKind::Service) => SemanticTokenType::FUNCTION,
                Some(DefinitionKind::Zone | DefinitionKind::Firewall) => {
                    SemanticTokenType::NAMESPACE
                }
                Some(_) => SemanticTokenType::VARIABLE,
                None if lexed.tokens.iter().any(|(next, next_span)| {
                    *next == Token::Dot && next_span.start == span.end
                }) =>
                {
                    SemanticTokenType::NAMESPACE
                }
                None => SemanticTokenType::ENUM_MEMBER,
            },
            Token::Error(_) => continue,
            token if token.is_keyword() => SemanticTokenType::KEYWORD,
            _ => SemanticTokenType::OPERATOR,
        };
        spans.push((*span, token_type));
    }
    spans.extend(
        lexed
            .comments
            .iter()
            .map(|comment| (comment.span, SemanticTokenType::COMMENT)),
    );
    spans.sort_by_key(|(span, _)| span.start);
    let mut data = Vec::with_capacity(spans.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    for (span, token_type) in spans {
        let (line, start) = source.line_utf16_column(span.start);
        let (end_line, end) = source.line_utf16_column(span.end);
        if end_line != line || end <= start {
            continue;
        }
        let delta_start = if line == previous_line {
            start - previous_start
        } else {
            start
        };
        data.push(SemanticToken {
            delta_line: line - previous_line,
            delta_start,
            length: end - start,
            token_type: index_of(token_type),
            token_modifiers_bitset: 0,
        });
        previous_line = line;
        previous_start = start;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}
