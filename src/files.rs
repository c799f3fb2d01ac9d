//! The filesystem side of the command line: finding a site's files and writing output atomically.

use flowc_compiler::World;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A site on disk: every `.flow` file under the given paths, named as the user would write them.
pub struct FileSystemWorld {
    files: BTreeMap<String, PathBuf>,
}

impl FileSystemWorld {
    /// Collects the site's files; an error names a path that does not exist or has no `.flow` file.
    pub fn collect(paths: &[PathBuf]) -> Result<FileSystemWorld, String> {
        let mut files = BTreeMap::new();
        for path in paths {
            let metadata =
                std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
            if metadata.is_dir() {
                let mut found = Vec::new();
                walk(path, &mut found).map_err(|error| format!("{}: {error}", path.display()))?;
                if found.is_empty() {
                    return Err(format!(
                        "{}: no .flow files in this directory",
                        path.display()
                    ));
                }
                for file in found {
                    files.insert(display_name(&file), file);
                }
            } else {
                files.insert(display_name(path), path.clone());
            }
        }
        Ok(FileSystemWorld { files })
    }

    /// `collect`, printing the reason and giving the usage status when it fails.
    pub fn collect_or_report(paths: &[PathBuf]) -> Result<FileSystemWorld, u8> {
        FileSystemWorld::collect(paths).map_err(|message| {
            eprintln!("error: {message}");
            crate::status::USAGE
        })
    }

    pub fn path_of(&self, name: &str) -> Option<&Path> {
        self.files.get(name).map(PathBuf::as_path)
    }
}

impl World for FileSystemWorld {
    fn site_files(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    /// Invalid UTF-8 becomes U+FFFD, which the lexer then reports with its line and column.
    fn read(&self, name: &str) -> Result<String, String> {
        let path = self
            .files
            .get(name)
            .ok_or_else(|| format!("{name} is not part of the site"))?;
        let bytes = std::fs::read(path).map_err(|error| error.to_string())?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        })
    }
}

/// Finds `.flow` files below `directory` in sorted order, skipping hidden directories and `target`.
fn walk(directory: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(directory)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, found)?;
            }
        } else if name.ends_with(".flow") {
            found.push(path);
        }
    }
    Ok(())
}

/// The path relative to the working directory when it is below it, else as given.
fn display_name(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let path = relative.unwrap_or_else(|| path.to_path_buf());
    let text = path.to_string_lossy().into_owned();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Writes a file by writing a temporary sibling and renaming it over the target, so a reader
/// never sees a half-written file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_all_atomically([(path.to_path_buf(), contents.to_vec())])
        .map(|_| ())
        .map_err(|(_, error)| error)
}

/// Writes many files atomically: each goes to a temporary sibling first; then one flush of the
/// file system that received one makes them all durable; then each is renamed over its target.
/// A reader never sees a half-written file, and a site of 100,000 rulesets costs one flush per
/// file system, not 100,000.
/// Files whose contents are already on disk are left alone, so their times do not change.
/// Contents are taken one file at a time, so a caller can produce them lazily. Returns the
/// number of files; on failure, the path that failed, and no temporary file is left behind.
pub fn write_all_atomically(
    files: impl IntoIterator<Item = (PathBuf, Vec<u8>)>,
) -> Result<usize, (PathBuf, std::io::Error)> {
    let mut pending: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut count = 0;
    let mut directories: HashMap<PathBuf, Directory> = HashMap::new();
    let result = (|| {
        for (path, contents) in files {
            count += 1;
            let directory = directory_of(&path);
            let seen = directories.contains_key(directory);
            let state = directories.entry(directory.to_path_buf()).or_default();
            if seen {
                state.names.get_or_insert_with(|| names_in(directory));
            }
            // Without a listing yet (the directory's first file), the file may be there.
            let present = state
                .names
                .as_ref()
                .is_none_or(|names| path.file_name().is_some_and(|name| names.contains(name)));
            if present && std::fs::read(&path).is_ok_and(|existing| existing == contents) {
                continue;
            }
            if !state.created {
                std::fs::create_dir_all(directory).map_err(|error| (path.clone(), error))?;
                state.created = true;
            }
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temporary =
                directory.join(format!(".{file_name}.flowc-{}.tmp", std::process::id()));
            let mut file =
                std::fs::File::create(&temporary).map_err(|error| (path.clone(), error))?;
            pending.push((temporary, path.clone()));
            file.write_all(&contents).map_err(|error| (path, error))?;
        }
        flush_to_disk(&pending).map_err(|error| (PathBuf::from("."), error))?;
        for (temporary, path) in &pending {
            std::fs::rename(temporary, path).map_err(|error| (path.clone(), error))?;
        }
        Ok(count)
    })();
    if result.is_err() {
        for (temporary, _) in &pending {
            let _ = std::fs::remove_file(temporary);
        }
    }
    result
}

/// What [`write_all_atomically`] knows of one output directory.
#[derive(Default)]
struct Directory {
    /// The names it held, read at its second file: only those can hold the same bytes already,
    /// so a fresh output directory costs no failed open per file, and writing a single file
    /// (`flowc fmt`) never lists its directory.
    names: Option<HashSet<OsString>>,
    /// Whether it was created (or found) already: most files share one directory.
    created: bool,
}

/// The directory a file is written in: its parent, or `.` for a bare file name.
fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The names in a directory; none when it cannot be read (it does not exist yet).
fn names_in(directory: &Path) -> HashSet<OsString> {
    std::fs::read_dir(directory)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name())
                .collect()
        })
        .unwrap_or_default()
}

/// Makes the written temporary files durable before they are renamed into place.
#[cfg(target_os = "linux")]
fn flush_to_disk(pending: &[(PathBuf, PathBuf)]) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    // One syncfs flushes a whole file system, whatever the file count. The output directory may
    // hold a mount point, so every file system that received a file is flushed: a temporary
    // file lives on its directory's file system, and there are few directories.
    let directories: std::collections::BTreeSet<&Path> = pending
        .iter()
        .map(|(temporary, _)| directory_of(temporary))
        .collect();
    let mut flushed_devices = Vec::new();
    for directory in directories {
        let handle = std::fs::File::open(directory)?;
        let device = handle.metadata()?.dev();
        if flushed_devices.contains(&device) {
            continue;
        }
        flushed_devices.push(device);
        // SAFETY: `syncfs` only reads the descriptor, which `handle` keeps open for the call.
        if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Makes the written temporary files durable before they are renamed into place.
#[cfg(not(target_os = "linux"))]
fn flush_to_disk(pending: &[(PathBuf, PathBuf)]) -> std::io::Result<()> {
    for (temporary, _) in pending {
        std::fs::File::open(temporary)?.sync_all()?;
    }
    Ok(())
}
