//! The server's document queue driven synchronously, without tokio or a client. It exists for
//! fuzzing (`fuzz/fuzz_targets/lsp_edits.rs`) and tests; the server itself does not use it.
//!
//! Events go through the worker's own `apply` (an older version never replaces a newer one) and
//! analyses through [`Snapshot::build`] with a kept [`ParseCache`], exactly as the worker does;
//! only the debouncing and the publishing to a client are left out.

use crate::snapshot::Snapshot;
use crate::worker::{apply, site_texts, Event};
use flowc_compiler::ParseCache;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::Uri;

/// The worker's state: open documents, the files on disk under `root`, and the parse cache.
pub struct Documents {
    root: PathBuf,
    open: HashMap<String, (i32, String)>,
    disk: BTreeMap<String, String>,
    cache: ParseCache,
}

impl Documents {
    /// A workspace at `root`, scanned once as the worker does when it starts.
    pub fn new(root: &Path) -> Documents {
        Documents {
            root: root.to_path_buf(),
            open: HashMap::new(),
            disk: crate::snapshot::scan(root),
            cache: ParseCache::default(),
        }
    }

    /// `textDocument/didOpen`.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        self.apply(Event::Open { uri, version, text });
    }

    /// `textDocument/didChange` with the whole new text (the server asks for full sync).
    pub fn change(&mut self, uri: Uri, version: i32, text: String) {
        self.apply(Event::Change { uri, version, text });
    }

    /// `textDocument/didClose`: the document falls back to its file on disk, if any.
    pub fn close(&mut self, uri: Uri) {
        self.apply(Event::Close { uri });
    }

    /// A save or a watched-file change: the disk is scanned again.
    pub fn rescan(&mut self) {
        self.apply(Event::Rescan);
    }

    fn apply(&mut self, event: Event) {
        apply(event, &self.root, &mut self.open, &mut self.disk);
    }

    /// The text the queue holds for an open document, with its version.
    pub fn open_text(&self, uri: &Uri) -> Option<(i32, &str)> {
        let name = crate::worker::document_name(&self.root, uri)?;
        self.open
            .get(&name)
            .map(|(version, text)| (*version, text.as_str()))
    }

    /// Analyses the current texts as the worker does; `stdlib` is where stdlib URIs point.
    pub fn analyze(&mut self, stdlib: &Path) -> Snapshot {
        let files = site_texts(&self.disk, &self.open);
        Snapshot::build(&self.root, files, stdlib, &mut self.cache)
    }
}
