//! The language server under a sequence of edits: LSP range edits (UTF-16 positions, possibly out of range; odd text, emoji, CRLF) applied by a simulated client and delivered in and out of version order through the worker's own event handling, with analyses and every feature at arbitrary positions in between; no panic, and every range handed to the client inside its document.
#![no_main]

use arbitrary::Arbitrary;
use flowc_compiler::source::{Origin, SourceFile};
use flowc_lsp::document_text;
use flowc_lsp::features::{completion, editing, hover, navigation, symbols};
use flowc_lsp::fuzzing::Documents;
use flowc_lsp::snapshot::{parse_uri, Snapshot};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tower_lsp_server::ls_types::{self as lsp, Uri};

/// A workspace that does not exist: the disk is empty, and closing a document forgets it.
const ROOT: &str = "/nonexistent/flowc-fuzz/site";
const STDLIB: &str = "/nonexistent/flowc-fuzz/stdlib";
const DOCUMENTS: [&str; 2] = ["a.flow", "nested/b.flow"];
const MAX_STEPS: usize = 48;
const MAX_ANALYSES: usize = 6;
const MAX_TEXT: usize = 16 * 1024;

#[derive(Arbitrary, Debug)]
struct Input {
    steps: Vec<Step>,
    /// The first document's text when it is opened; last, so that a seed file can be the
    /// input after a zero byte (no steps).
    text: String,
}

#[derive(Arbitrary, Debug)]
enum Step {
    /// `didChange`: a range edit (or the whole text with `range: None`) the client applies to
    /// its copy and sends in full, under a version that may be stale.
    Edit {
        document: Document,
        range: Option<(Position, Position)>,
        text: Insert,
        version: Version,
    },
    Open {
        document: Document,
        text: Insert,
    },
    Close {
        document: Document,
    },
    Rescan,
    Analyze,
    Request {
        document: Document,
        position: Position,
        request: Request,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Document {
    First,
    Second,
}

impl Document {
    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Version {
    Next,
    Same,
    Older,
    Exactly(i32),
}

/// A 0-based line and UTF-16 column: mostly near the text, sometimes anywhere.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Position {
    Near { line: u8, character: u8 },
    Anywhere { line: u32, character: u32 },
}

impl Position {
    fn lsp(self) -> lsp::Position {
        match self {
            Position::Near { line, character } => lsp::Position {
                line: line.into(),
                character: character.into(),
            },
            Position::Anywhere { line, character } => lsp::Position { line, character },
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Insert {
    Text(String),
    Piece(Piece),
    Pieces(Vec<Piece>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Piece {
    CrLf,
    Cr,
    Lf,
    Emoji,
    ByteOrderMark,
    CombiningAccent,
    Nul,
    Replacement,
    Word(u8),
}

/// Words and punctuation of the language, and names the stdlib defines.
const WORDS: &[&str] = &[
    "import ",
    "nim",
    "zone ",
    "firewall ",
    "host ",
    "group ",
    "service ",
    "role ",
    "allow ",
    "deny ",
    "expect ",
    "lint ",
    " is ",
    "if ",
    "else ",
    "for ",
    " in ",
    "self",
    "any",
    "tcp ",
    "udp ",
    "icmp",
    "from ",
    "zones ",
    "allowed",
    "denied",
    "nim.master",
    "nim.client",
    "ssh",
    "master = ",
    " = ",
    ", ",
    ": ",
    ".",
    "..",
    " -> ",
    " <-> ",
    "{",
    "}",
    "(",
    ")",
    " | ",
    "@allow(",
    "\"why\"",
    "\"",
    "22",
    "10.0.0.1",
    "10.0.0.0/24",
    "fd00::1",
    "# note",
    "/// doc",
    "a",
    "b",
    "web",
    "fw1",
];

impl Insert {
    fn text(&self) -> String {
        let piece = |piece: &Piece| match piece {
            Piece::CrLf => "\r\n",
            Piece::Cr => "\r",
            Piece::Lf => "\n",
            Piece::Emoji => "\u{1F600}",
            Piece::ByteOrderMark => "\u{FEFF}",
            Piece::CombiningAccent => "e\u{301}",
            Piece::Nul => "\0",
            Piece::Replacement => "\u{FFFD}",
            Piece::Word(index) => WORDS[*index as usize % WORDS.len()],
        };
        match self {
            Insert::Text(text) => text.clone(),
            Insert::Piece(one) => piece(one).to_string(),
            Insert::Pieces(pieces) => pieces.iter().map(piece).collect(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Request {
    Hover,
    Definition,
    References { include_declaration: bool },
    PrepareRename,
    Rename { new_name: String },
    Completion,
    DocumentSymbols,
    WorkspaceSymbols { query: String },
    SemanticTokens,
    Formatting,
    CodeActions { end: Position },
    InlayHints,
    Diagnostics,
}

/// The client: its own copy of each document and the version it last sent.
struct Client {
    uris: [Uri; 2],
    texts: [Option<String>; 2],
    versions: [i32; 2],
}

fuzz_target!(|input: Input| {
    if input.text.len() > MAX_TEXT {
        return;
    }
    let root = Path::new(ROOT);
    let mut documents = Documents::new(root);
    let uri = |name: &str| parse_uri(&format!("file://{ROOT}/{name}")).expect("a valid URI");
    let mut client = Client {
        uris: [uri(DOCUMENTS[0]), uri(DOCUMENTS[1])],
        texts: [Some(input.text.clone()), None],
        versions: [1, 0],
    };
    documents.open(client.uris[0].clone(), 1, input.text.clone());
    let mut snapshot: Option<Snapshot> = None;
    let mut analyses = 0;
    for step in input.steps.iter().take(MAX_STEPS) {
        match step {
            Step::Edit {
                document,
                range,
                text,
                version,
            } => {
                let index = document.index();
                let current = client.texts[index].take().unwrap_or_default();
                let edited = apply_edit(&current, *range, &text.text());
                if edited.len() > MAX_TEXT {
                    client.texts[index] = Some(current);
                    continue;
                }
                let sent = match version {
                    Version::Next => client.versions[index].wrapping_add(1),
                    Version::Same => client.versions[index],
                    Version::Older => client.versions[index].wrapping_sub(1),
                    Version::Exactly(version) => *version,
                };
                client.versions[index] = client.versions[index].max(sent);
                documents.change(client.uris[index].clone(), sent, edited.clone());
                client.texts[index] = Some(edited);
            }
            Step::Open { document, text } => {
                let index = document.index();
                let text = text.text();
                if text.len() > MAX_TEXT {
                    continue;
                }
                client.versions[index] = client.versions[index].wrapping_add(1);
                documents.open(
                    client.uris[index].clone(),
                    client.versions[index],
                    text.clone(),
                );
                client.texts[index] = Some(text);
            }
            Step::Close { document } => {
                let index = document.index();
                documents.close(client.uris[index].clone());
                client.texts[index] = None;
            }
            Step::Rescan => documents.rescan(),
            Step::Analyze => {
                if analyses < MAX_ANALYSES {
                    analyses += 1;
                    snapshot = Some(analyze(&mut documents));
                }
            }
            Step::Request {
                document,
                position,
                request,
            } => {
                if snapshot.is_none() && analyses < MAX_ANALYSES {
                    analyses += 1;
                    snapshot = Some(analyze(&mut documents));
                }
                if let Some(snapshot) = &snapshot {
                    let uri = &client.uris[document.index()];
                    answer(snapshot, &documents, uri, position.lsp(), request);
                }
            }
        }
    }
    // Finally, what an editor asks after the last edit, at every name of every document.
    let snapshot = analyze(&mut documents);
    for uri in &client.uris {
        for request in [
            Request::DocumentSymbols,
            Request::SemanticTokens,
            Request::InlayHints,
            Request::Formatting,
            Request::Diagnostics,
            Request::CodeActions {
                end: Position::Anywhere {
                    line: u32::MAX,
                    character: u32::MAX,
                },
            },
        ] {
            answer(
                &snapshot,
                &documents,
                uri,
                lsp::Position::default(),
                &request,
            );
        }
        let Some(file) = snapshot.file(uri) else {
            continue;
        };
        let resolution = &snapshot.checked.analysis.resolution;
        let spans: Vec<_> = resolution
            .references
            .iter()
            .map(|reference| reference.span)
            .chain(
                resolution
                    .definitions
                    .iter()
                    .map(|definition| definition.name_span),
            )
            .filter(|span| span.file == file)
            .take(16)
            .collect();
        let source = snapshot.checked.analysis.sources.get(file);
        for span in spans {
            let (line, character) = source.line_utf16_column(span.start);
            let position = lsp::Position { line, character };
            for request in [
                Request::Hover,
                Request::Definition,
                Request::References {
                    include_declaration: true,
                },
                Request::PrepareRename,
                Request::Rename {
                    new_name: "renamed".into(),
                },
                Request::Completion,
            ] {
                answer(&snapshot, &documents, uri, position, &request);
            }
        }
    }
    let _ = symbols::workspace_symbols(&snapshot, "");
});

/// What a client does with a `TextDocumentContentChangeEvent`: replace the range (UTF-16
/// positions, clamped to the line and the document as LSP asks) or, without one, everything.
fn apply_edit(text: &str, range: Option<(Position, Position)>, insert: &str) -> String {
    let Some((start, end)) = range else {
        return insert.to_string();
    };
    let source = SourceFile::new("client", text, Origin::Site);
    let offset = |position: Position| {
        let position = position.lsp();
        source.offset_of_utf16(position.line, position.character) as usize
    };
    let (mut start, mut end) = (offset(start), offset(end));
    if start > end {
        std::mem::swap(&mut start, &mut end);
    }
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "offset_of_utf16 gave an offset inside a character: {start}..{end} in {text:?}"
    );
    let mut edited = String::with_capacity(text.len() + insert.len());
    edited.push_str(&text[..start]);
    edited.push_str(insert);
    edited.push_str(&text[end..]);
    edited
}

fn analyze(documents: &mut Documents) -> Snapshot {
    let snapshot = documents.analyze(Path::new(STDLIB));
    let analysis = &snapshot.checked.analysis;
    for diagnostic in &analysis.diagnostics {
        flowc_fuzz::assert_diagnostic_spans(&analysis.sources, diagnostic);
    }
    snapshot
}

/// Answers one request as the server would, and checks the ranges it hands back.
fn answer(
    snapshot: &Snapshot,
    documents: &Documents,
    uri: &Uri,
    position: lsp::Position,
    request: &Request,
) {
    let file = snapshot.file(uri);
    match request {
        Request::Hover => {
            let _ = hover::hover(snapshot, uri, position);
            // As the server answers while edits await their analysis: the same answer as a
            // hover on the analysed text at the same place, on the same bytes of the name.
            if let (Some((_, live)), Some(file)) = (documents.open_text(uri), file) {
                if let Some(Some(answer)) =
                    hover::hover_in_newer_text(snapshot, uri, live, position)
                {
                    let source = snapshot.checked.analysis.sources.get(file);
                    let region = document_text::EditedRegion::between(&source.text, live);
                    let cursor = region
                        .old_offset(document_text::byte_offset(live, position))
                        .expect("answered only outside the edited text");
                    // Positions in the analysed text as the snapshot counts them (a leading
                    // byte-order mark is no column there), positions in the editor's text as
                    // the document sync counts them.
                    let (line, character) = source.line_utf16_column(cursor as u32);
                    let fresh = hover::hover(snapshot, uri, lsp::Position { line, character })
                        .expect("the analysed text has that hover");
                    assert_eq!(fresh.contents, answer.contents);
                    let range = fresh.range.expect("a hover names its range");
                    let start = source.offset_of_utf16(range.start.line, range.start.character);
                    let end = source.offset_of_utf16(range.end.line, range.end.character);
                    let name = &source.text[start as usize..end as usize];
                    let range = answer.range.expect("a hover names its range");
                    let start = document_text::byte_offset(live, range.start);
                    let placed = &live[start..document_text::byte_offset(live, range.end)];
                    assert_eq!(placed, name, "the hover is placed on the name it describes");
                }
            }
        }
        Request::Definition => {
            if let Some(location) = navigation::definition(snapshot, uri, position) {
                assert_location(snapshot, &location);
            }
        }
        Request::References {
            include_declaration,
        } => {
            for location in navigation::references(snapshot, uri, position, *include_declaration) {
                assert_location(snapshot, &location);
            }
        }
        Request::PrepareRename => {
            if let Ok(lsp::PrepareRenameResponse::Range(range)) =
                navigation::prepare_rename(snapshot, uri, position)
            {
                assert_range(snapshot, uri, range);
            }
        }
        Request::Rename { new_name } => {
            if let Ok(edit) = navigation::rename(snapshot, uri, position, new_name) {
                for (uri, edits) in edit.changes.iter().flatten() {
                    for edit in edits {
                        assert_range(snapshot, uri, edit.range);
                    }
                }
            }
        }
        Request::Completion => {
            // The server completes from the queue's text of an open document, else the snapshot's.
            let text = documents
                .open_text(uri)
                .map(|(_, text)| text.to_string())
                .or_else(|| {
                    file.map(|file| snapshot.checked.analysis.sources.get(file).text.to_string())
                });
            if let Some(text) = text {
                let _ = completion::complete(snapshot, completion::line_prefix(&text, position));
            }
        }
        Request::DocumentSymbols => {
            if let Some(file) = file {
                for symbol in symbols::document_symbols(snapshot, file) {
                    assert_location(snapshot, &symbol.location);
                }
            }
        }
        Request::WorkspaceSymbols { query } => {
            for symbol in symbols::workspace_symbols(snapshot, query) {
                assert_location(snapshot, &symbol.location);
            }
        }
        Request::SemanticTokens => {
            if let Some(file) = file {
                let _ = symbols::semantic_tokens(snapshot, file);
            }
        }
        Request::Formatting => {
            if let Some((_, text)) = documents.open_text(uri) {
                let _ = editing::format_document(text);
            }
        }
        Request::CodeActions { end } => {
            if let Some(file) = file {
                let range = lsp::Range {
                    start: position,
                    end: end.lsp(),
                };
                for action in editing::code_actions(snapshot, file, uri, range) {
                    if let lsp::CodeActionOrCommand::CodeAction(action) = action {
                        for (uri, edits) in action
                            .edit
                            .iter()
                            .flat_map(|edit| edit.changes.iter().flatten())
                        {
                            for edit in edits {
                                assert_range(snapshot, uri, edit.range);
                            }
                        }
                    }
                }
            }
        }
        Request::InlayHints => {
            if let Some(file) = file {
                for hint in editing::inlay_hints(snapshot, file) {
                    assert_position(snapshot, uri, hint.position);
                }
            }
        }
        Request::Diagnostics => {
            // What the worker publishes for every site file.
            let sources = &snapshot.checked.analysis.sources;
            for diagnostic in &snapshot.checked.analysis.diagnostics {
                let converted = flowc_lsp::convert::to_lsp_diagnostic(sources, diagnostic, &|id| {
                    snapshot.uri(id)
                });
                if let Some(uri) = snapshot.uri(diagnostic.span().file) {
                    assert_range(snapshot, &uri, converted.range);
                }
            }
        }
    }
}

fn assert_location(snapshot: &Snapshot, location: &lsp::Location) {
    assert_range(snapshot, &location.uri, location.range);
}

fn assert_range(snapshot: &Snapshot, uri: &Uri, range: lsp::Range) {
    assert!(range.start <= range.end, "inverted range {range:?}");
    assert_position(snapshot, uri, range.start);
    assert_position(snapshot, uri, range.end);
}

/// The lines of a text as LSP counts them: `\r\n`, `\n` and a lone `\r` each end a line.
fn lsp_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\r', '\n']) {
            Some(end) => {
                let after = if text[end..].starts_with("\r\n") {
                    end + 2
                } else {
                    end + 1
                };
                rest = Some(&text[after..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// A position inside the document: an existing line, at most its length in UTF-16 units, and
/// mapping back to the same place.
fn assert_position(snapshot: &Snapshot, uri: &Uri, position: lsp::Position) {
    let file = snapshot
        .file(uri)
        .unwrap_or_else(|| panic!("a range in {uri:?}, which is not in the snapshot"));
    let source = snapshot.checked.analysis.sources.get(file);
    let line = lsp_lines(&source.text)
        .nth(position.line as usize)
        .unwrap_or_else(|| panic!("{position:?} is past the last line of {uri:?}"));
    let length: usize = line.chars().map(char::len_utf16).sum();
    assert!(
        position.character as usize <= length,
        "{position:?} is past the end of its line ({length} units) in {uri:?}"
    );
    let offset = snapshot.offset(file, position);
    assert_eq!(
        source.line_utf16_column(offset),
        (position.line, position.character),
        "{position:?} does not map back to itself in {uri:?}"
    );
}
