//! The one ordered queue for document edits. Handlers only enqueue; this task applies events in
//! arrival order (an older version never replaces a newer one), waits for quiet (100 ms within a
//! burst of edits, 2 ms after a pause), analyses, and publishes. An analysis that newer edits
//! overtook is discarded, not published. A request waiting for the analysis of the text it
//! names sends [`Event::Flush`], which ends the wait for quiet at once.

use crate::snapshot::{name_of, scan, Snapshot};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;
use tower_lsp_server::ls_types::{MessageType, Uri};
use tower_lsp_server::Client;

/// How long the queue must be quiet before an analysis starts while edits come in a burst
/// (within this time of the last analysis).
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// The wait for an edit that follows a quiet period: just enough to fold in its neighbours, so
/// a single edit gets its diagnostics at once.
pub const SETTLE: Duration = Duration::from_millis(2);

#[derive(Debug)]
pub enum Event {
    Open {
        uri: Uri,
        version: i32,
        text: String,
    },
    Change {
        uri: Uri,
        version: i32,
        text: String,
    },
    Close {
        uri: Uri,
    },
    /// Files changed on disk (saved elsewhere, created, deleted).
    Rescan,
    /// A request waits for the analysis of the latest text: analyse without waiting for quiet.
    Flush,
}

impl Event {
    fn is_edit(&self) -> bool {
        !matches!(self, Event::Flush)
    }
}

/// What requests read: the last complete analysis, and a way to wait for the next one.
pub struct Shared {
    snapshot: watch::Sender<Option<Arc<Snapshot>>>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared {
            snapshot: watch::channel(None).0,
        }
    }
}

impl Shared {
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.borrow().clone()
    }

    fn publish(&self, snapshot: Arc<Snapshot>) {
        self.snapshot.send_replace(Some(snapshot));
    }

    /// The first snapshot that has analysed version `version` (or later) of the document
    /// `name`, waiting at most until `deadline`; after that, the latest snapshot there is.
    /// `flush` is called whenever the wait begins or a snapshot arrives that is not yet it.
    pub async fn snapshot_for(
        &self,
        wanted: Option<(&str, i32)>,
        deadline: Instant,
        flush: impl Fn(),
    ) -> Option<Arc<Snapshot>> {
        let mut updates = self.snapshot.subscribe();
        loop {
            let current = updates.borrow_and_update().clone();
            let fresh = match (&current, wanted) {
                (Some(snapshot), Some((name, version))) => snapshot.has_analysed(name, version),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if fresh {
                return current;
            }
            flush();
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining, updates.changed()).await {
                Ok(Ok(())) => continue,
                _ => return self.current(),
            }
        }
    }
}

pub async fn run(
    client: Client,
    mut events: UnboundedReceiver<Event>,
    shared: Arc<Shared>,
    root: PathBuf,
    stdlib: PathBuf,
) {
    let mut disk = scan(&root);
    let mut open: HashMap<String, (i32, String)> = HashMap::new();
    let mut published: HashSet<String> = HashSet::new();
    let mut pending = true;
    let mut last_analysis = std::time::Instant::now() - DEBOUNCE;
    let mut cache = Some(flowc_compiler::ParseCache::default());
    loop {
        if !pending {
            match events.recv().await {
                Some(event) => apply(event, &root, &mut open, &mut disk),
                None => return,
            }
        }
        // Debounce: fold in every event that arrives before the queue is quiet; in a burst the
        // quiet must last DEBOUNCE, after a pause only SETTLE.
        let quiet = if last_analysis.elapsed() < DEBOUNCE {
            DEBOUNCE
        } else {
            SETTLE
        };
        loop {
            match tokio::time::timeout(quiet, events.recv()).await {
                Ok(Some(Event::Flush)) => break,
                Ok(Some(event)) => apply(event, &root, &mut open, &mut disk),
                Ok(None) => return,
                Err(_) => break,
            }
        }
        pending = false;
        last_analysis = Instant::now();
        let files = site_texts(&disk, &open);
        let versions: HashMap<String, i32> = (open.iter())
            .map(|(name, (version, _))| (name.clone(), *version))
            .collect();
        let (root_for_build, stdlib_for_build) = (root.clone(), stdlib.clone());
        let mut parse_cache = cache.take().unwrap_or_default();
        let built = tokio::task::spawn_blocking(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut snapshot =
                    Snapshot::build(&root_for_build, files, &stdlib_for_build, &mut parse_cache);
                snapshot.versions = versions;
                snapshot
            }));
            // After a panic the cache may be half-updated; start a fresh one.
            (result.is_ok().then_some(parse_cache), result)
        })
        .await;
        let built = match built {
            Ok((kept, result)) => {
                cache = kept;
                Ok(result)
            }
            Err(error) => Err(error),
        };
        // Newer edits that arrived during the analysis make it stale: its diagnostics are not
        // published, and the queue analyses again. Requests' flushes alone do not.
        let mut stale = false;
        while let Ok(event) = events.try_recv() {
            if event.is_edit() {
                stale = true;
                apply(event, &root, &mut open, &mut disk);
            }
        }
        let snapshot = match built {
            Ok(Ok(snapshot)) => Arc::new(snapshot),
            _ => {
                client
                    .log_message(
                        MessageType::ERROR,
                        "flowc: the analysis panicked; keeping the previous results",
                    )
                    .await;
                pending = stale;
                continue;
            }
        };
        // A stale analysis is still exact for the versions it read: requests waiting for one
        // of them are answered from it.
        shared.publish(Arc::clone(&snapshot));
        if stale {
            pending = true;
            continue;
        }
        publish(&client, &snapshot, &mut published, &open).await;
    }
}

/// The name a document has in the site: relative to the root when below it, else its path.
pub(crate) fn document_name(root: &std::path::Path, uri: &Uri) -> Option<String> {
    name_of(root, uri).or_else(|| {
        uri.to_file_path()
            .map(|path| path.to_string_lossy().into_owned())
    })
}

/// The texts an analysis sees: the files on disk, overlaid by the open documents.
pub(crate) fn site_texts(
    disk: &BTreeMap<String, String>,
    open: &HashMap<String, (i32, String)>,
) -> BTreeMap<String, String> {
    let mut files = disk.clone();
    for (name, (_, text)) in open {
        files.insert(name.clone(), text.clone());
    }
    files
}

/// Applies one event to the open documents and the disk view: an older version of a document
/// never replaces a newer one; closing falls back to the file on disk.
pub(crate) fn apply(
    event: Event,
    root: &std::path::Path,
    open: &mut HashMap<String, (i32, String)>,
    disk: &mut BTreeMap<String, String>,
) {
    let name = |uri: &Uri| document_name(root, uri);
    match event {
        Event::Open { uri, version, text } | Event::Change { uri, version, text } => {
            let Some(name) = name(&uri) else { return };
            let newer = open.get(&name).is_none_or(|(known, _)| version >= *known);
            if newer {
                open.insert(name, (version, text));
            }
        }
        Event::Close { uri } => {
            if let Some(name) = name(&uri) {
                open.remove(&name);
                match (uri.to_file_path())
                    .and_then(|path| crate::snapshot::read_regular_file(&path))
                {
                    Some(bytes) => {
                        disk.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                    None => {
                        disk.remove(&name);
                    }
                }
            }
        }
        Event::Rescan => *disk = scan(root),
        Event::Flush => {}
    }
}

async fn publish(
    client: &Client,
    snapshot: &Snapshot,
    published: &mut HashSet<String>,
    open: &HashMap<String, (i32, String)>,
) {
    let sources = &snapshot.checked.analysis.sources;
    let mut now: HashSet<String> = HashSet::new();
    for (file, uri) in snapshot.site_files() {
        let diagnostics: Vec<_> = snapshot
            .checked
            .analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.span().file == file)
            .map(|diagnostic| {
                crate::convert::to_lsp_diagnostic(sources, diagnostic, &|id| snapshot.uri(id))
            })
            .collect();
        let version = open
            .get(&sources.get(file).name)
            .map(|(version, _)| *version);
        // Open documents always hear back, so the editor knows they were analysed; other files
        // only when they have diagnostics or had some before.
        if diagnostics.is_empty() && !published.contains(uri.as_str()) && version.is_none() {
            continue;
        }
        if !diagnostics.is_empty() {
            now.insert(uri.as_str().to_string());
        }
        client.publish_diagnostics(uri, diagnostics, version).await;
    }
    // Files that had diagnostics and are gone from the site are cleared too.
    for stale in published.difference(&now) {
        if let Some(uri) = crate::snapshot::parse_uri(stale) {
            if snapshot.file(&uri).is_none() {
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
    *published = now;
}
