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
    Some((file, name_at_offset(snapshot, file, offset)?))
}

/// The name at byte `offset` of `file` (see [`name_at`]).
pub fn name_at_offset(snapshot: &Snapshot, file: FileId, offset: u32) -> Option<NameAt> {
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
    reference.or_else(definition)
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

#[cfg(test)]
mod tests {
    use crate::fuzzing::Documents;
    use crate::snapshot::{parse_uri, Snapshot};
    use std::path::Path;
    use tower_lsp_server::ls_types::{HoverContents, Position, Uri};

    fn analyse(text: &str) -> (Snapshot, Uri) {
        let mut documents = Documents::new(Path::new("/nonexistent/site"));
        let uri = parse_uri("file:///nonexistent/site/site.flow").unwrap();
        documents.open(uri.clone(), 1, text.to_string());
        (documents.analyze(Path::new("/nonexistent/stdlib")), uri)
    }

    fn hover_text(snapshot: &Snapshot, uri: &Uri, line: u32, character: u32) -> String {
        let hover = super::hover::hover(snapshot, uri, Position { line, character });
        match hover.map(|hover| hover.contents) {
            Some(HoverContents::Markup(markup)) => markup.value,
            other => panic!("no markup hover: {other:?}"),
        }
    }

    /// Found by the `lsp_edits` fuzz target: hover and inlay hints lowered the site even when
    /// it had name errors, and lowering, which assumes a tree without holes, panicked on a host
    /// whose role is another host.
    #[test]
    fn features_do_not_lower_a_site_with_name_errors() {
        let (snapshot, uri) = analyse("host a = 10.0.0.1 is web\nhost web = 10.0.0.2\n");
        assert!(snapshot.checked.has_errors() && !snapshot.checked.lowered());
        let file = snapshot.file(&uri).unwrap();
        assert!(super::editing::inlay_hints(&snapshot, file).is_empty());
        assert!(hover_text(&snapshot, &uri, 0, 5).contains("host a"));
        assert!(hover_text(&snapshot, &uri, 0, 22).contains("host web"));
    }

    #[test]
    fn a_clean_site_gets_ports_in_hints_and_hovers() {
        let text = "service web = tcp 80, tcp 443\nhost a = 10.0.0.1\nhost b = 10.0.0.2\nallow a -> b : web\n";
        let (snapshot, uri) = analyse(text);
        assert!(snapshot.checked.lowered());
        let file = snapshot.file(&uri).unwrap();
        let hints = super::editing::inlay_hints(&snapshot, file);
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hover_text(&snapshot, &uri, 0, 9).contains("**Opens:**"));
        assert!(hover_text(&snapshot, &uri, 1, 5).contains("**Addresses:** `10.0.0.1/32`"));
    }
}
