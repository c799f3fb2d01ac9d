//! A complete analysis of the workspace and the maps between its files and LSP URIs.

use flowc_compiler::source::Origin;
use flowc_compiler::{Checked, FileId, MemoryWorld, ParseCache};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tower_lsp_server::ls_types::Uri;

/// One analysis, immutable once built; requests read it without locks.
pub struct Snapshot {
    pub checked: Checked,
    uris: HashMap<FileId, Uri>,
    files: HashMap<String, FileId>,
    /// The version of each open document this analysis read, by its name in the site.
    pub versions: HashMap<String, i32>,
}

impl Snapshot {
    /// Analyses the site `files` (names relative to `root`) with every stage.
    pub fn build(
        root: &Path,
        files: BTreeMap<String, String>,
        stdlib: &Path,
        cache: &mut ParseCache,
    ) -> Snapshot {
        let world = MemoryWorld { files };
        let checked = flowc_compiler::check_cached(&world, cache);
        let mut uris = HashMap::new();
        let mut by_uri = HashMap::new();
        for (id, file) in checked.analysis.sources.iter() {
            let path = match file.origin {
                Origin::Site => root.join(&file.name),
                Origin::Stdlib => stdlib.join(file.name.trim_start_matches("stdlib/")),
            };
            if let Some(uri) = Uri::from_file_path(&path) {
                by_uri.insert(uri.as_str().to_string(), id);
                uris.insert(id, uri);
            }
        }
        Snapshot {
            checked,
            uris,
            files: by_uri,
            versions: HashMap::new(),
        }
    }

    /// Whether this analysis read version `version` or a later one of the document `name`.
    pub fn has_analysed(&self, name: &str, version: i32) -> bool {
        self.versions
            .get(name)
            .is_some_and(|analysed| *analysed >= version)
    }

    pub fn uri(&self, file: FileId) -> Option<Uri> {
        self.uris.get(&file).cloned()
    }

    pub fn file(&self, uri: &Uri) -> Option<FileId> {
        self.files.get(uri.as_str()).copied()
    }

    /// The byte offset of an LSP position in a file.
    pub fn offset(&self, file: FileId, position: tower_lsp_server::ls_types::Position) -> u32 {
        self.checked
            .analysis
            .sources
            .get(file)
            .offset_of_utf16(position.line, position.character)
    }

    /// Site files only (not the stdlib), for publishing diagnostics.
    pub fn site_files(&self) -> impl Iterator<Item = (FileId, Uri)> + '_ {
        self.checked
            .analysis
            .sources
            .iter()
            .filter(|(_, file)| file.origin == Origin::Site)
            .filter_map(|(id, _)| Some((id, self.uri(id)?)))
    }
}

/// Writes the embedded stdlib to a cache directory, read-only, so that go-to-definition can
/// open real files; returns the directory.
pub fn materialize_stdlib() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let directory = base
        .join("flowc")
        .join(format!("stdlib-{}", env!("CARGO_PKG_VERSION")));
    let _ = std::fs::create_dir_all(&directory);
    for (module, text) in flowc_compiler::stdlib::MODULES {
        let path = directory.join(format!("{module}.flow"));
        if std::fs::read_to_string(&path).ok().as_deref() == Some(*text) {
            continue;
        }
        if let Ok(metadata) = std::fs::metadata(&path) {
            let mut permissions = metadata.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            let _ = std::fs::set_permissions(&path, permissions);
        }
        if std::fs::write(&path, text).is_ok() {
            if let Ok(metadata) = std::fs::metadata(&path) {
                let mut permissions = metadata.permissions();
                permissions.set_readonly(true);
                let _ = std::fs::set_permissions(&path, permissions);
            }
        }
    }
    directory
}

/// Every `.flow` file under `root` as (name relative to root, text), skipping hidden
/// directories, `target` and `node_modules`. Symlinks to directories are not followed (a link
/// to a parent loops); only regular files are read (see [`read_regular_file`]).
pub fn scan(root: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    let mut visited = 0;
    while let Some(directory) = pending.pop() {
        visited += 1;
        // A workspace this large is not a site; stop rather than read a whole disk.
        if visited > 10_000 {
            break;
        }
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    pending.push(path);
                }
            } else if name.ends_with(".flow") {
                if let (Some(bytes), Ok(relative)) =
                    (read_regular_file(&path), path.strip_prefix(root))
                {
                    files.insert(
                        relative.to_string_lossy().into_owned(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    );
                }
            }
        }
    }
    files
}

/// The largest file the server reads, as the command line: a whole site is a few megabytes.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The bytes of a regular file (or a symlink to one) of at most [`MAX_FILE_BYTES`]; `None` for
/// a FIFO, device or directory, which is never waited on or read to no end.
pub fn read_regular_file(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The site-relative name of a document URI, if it is under the root.
pub fn name_of(root: &Path, uri: &Uri) -> Option<String> {
    let path = uri.to_file_path()?;
    let relative = path.strip_prefix(root).ok()?;
    Some(relative.to_string_lossy().into_owned())
}

/// A URI from a string, for tests and messages.
pub fn parse_uri(text: &str) -> Option<Uri> {
    Uri::from_str(text).ok()
}
