//! Requests answered from a snapshot: each a pure function of the snapshot and the request.

pub mod completion;
pub mod editing;
pub mod hover;
pub mod navigation;
pub mod symbols;

use crate::snapshot::Snapshot;
use flowc_compiler::resolve::DefinitionId;
use flowc_compiler::{FileId, Span};
use tower_lsp_server::ls_types::{Position, Uri};

/// A name under the cursor: a use or a definition, with its span and what it names.
#[derive(Clone, Copy, Debug)]
pub struct NameAt {
    pub span: Span,
    pub definition: DefinitionId,
}

/// The resolved name at a position, if there is one.
pub fn name_at(snapshot: &Snapshot, uri: &Uri, position: Position) -> Option<(FileId, NameAt)> {
    let file = snapshot.file(uri)?;
    let offset = snapshot.offset(file, position);
    let resolution = &snapshot.checked.analysis.resolution;
    let reference = resolution
        .references
        .iter()
        .filter(|reference| reference.span.file == file && reference.span.contains_offset(offset))
        .min_by_key(|reference| reference.span.end - reference.span.start)
        .map(|reference| NameAt {
            span: reference.span,
            definition: reference.target,
        });
    let definition = || {
        resolution
            .definitions
            .iter()
            .enumerate()
            .find_map(|(index, definition)| {
                (definition.name_span.file == file && definition.name_span.contains_offset(offset))
                    .then_some(NameAt {
                        span: definition.name_span,
                        definition: DefinitionId(index as u32),
                    })
            })
    };
    Some((file, reference.or_else(definition)?))
}

/// `module.name` for stdlib definitions, `name` for the site's.
pub fn qualified_name(snapshot: &Snapshot, id: DefinitionId) -> String {
    let resolution = &snapshot.checked.analysis.resolution;
    let definition = resolution.definition(id);
    let module = &resolution.modules[definition.module.0 as usize].name;
    if module.is_empty() {
        definition.name.clone()
    } else {
        format!("{module}.{}", definition.name)
    }
}
