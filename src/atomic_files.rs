//! Writing output atomically: each file goes to a temporary sibling first; then one flush of
//! the file system makes them all durable; then each is renamed over its target.
//!
//! A reader never sees a half-written file, and a site of 100,000 rulesets costs one flush
//! per file system, not 100,000. Files are staged from whichever thread rendered them, so a
//! ruleset's text is written and freed where it was made instead of being handed to one
//! writing thread.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Writes a file by writing a temporary sibling and renaming it over the target.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let files = AtomicFiles::default();
    match files.stage(path, contents) {
        Ok(()) => files.commit().map(|_| ()).map_err(|(_, error)| error),
        Err((_, error)) => {
            files.abandon();
            Err(error)
        }
    }
}

/// Files written together, atomically: [`AtomicFiles::stage`] each (from any thread), then
/// [`AtomicFiles::commit`] them, or [`AtomicFiles::abandon`] them after a failure.
#[derive(Default)]
pub struct AtomicFiles {
    directories: Mutex<HashMap<PathBuf, Directory>>,
    /// Each written temporary file and the target it is renamed over.
    pending: Mutex<Vec<(PathBuf, PathBuf)>>,
    /// How many files were staged, written or found up to date.
    count: AtomicUsize,
}

/// What is known of one output directory.
#[derive(Default)]
struct Directory {
    /// The names it held, read at its second file: only those can hold the same bytes already,
    /// so a fresh output directory costs no failed open per file, and writing a single file
    /// (`flowc fmt`) never lists its directory.
    names: Option<HashSet<OsString>>,
    /// Whether it was created (or found) already: most files share one directory.
    created: bool,
}

impl AtomicFiles {
    /// Writes `contents` to a temporary sibling of `path`, unless `path` holds exactly these
    /// bytes already: then it is left alone, so its times do not change. On failure, the path
    /// that failed.
    pub fn stage(&self, path: &Path, contents: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
        self.count.fetch_add(1, Ordering::Relaxed);
        let directory = directory_of(path);
        let present = {
            let mut directories = lock(&self.directories);
            let seen = directories.contains_key(directory);
            let state = directories.entry(directory.to_path_buf()).or_default();
            if seen {
                state.names.get_or_insert_with(|| names_in(directory));
            }
            // Without a listing yet (the directory's first file), the file may be there.
            let present = (state.names.as_ref())
                .is_none_or(|names| path.file_name().is_some_and(|name| names.contains(name)));
            // The directory is created under the lock, so that no file is written before it.
            if !state.created {
                std::fs::create_dir_all(directory).map_err(|error| (path.to_path_buf(), error))?;
                state.created = true;
            }
            present
        };
        if present && std::fs::read(path).is_ok_and(|existing| existing == contents) {
            return Ok(());
        }
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = directory.join(format!(".{file_name}.flowc-{}.tmp", std::process::id()));
        let mut file =
            std::fs::File::create(&temporary).map_err(|error| (path.to_path_buf(), error))?;
        lock(&self.pending).push((temporary, path.to_path_buf()));
        file.write_all(contents)
            .map_err(|error| (path.to_path_buf(), error))
    }

    /// Flushes every staged file to disk, then renames each over its target. Returns how many
    /// files were staged; on failure, the path that failed, and no temporary file is left.
    pub fn commit(self) -> Result<usize, (PathBuf, std::io::Error)> {
        let pending = std::mem::take(&mut *lock(&self.pending));
        let result = (|| {
            flush_to_disk(&pending).map_err(|error| (PathBuf::from("."), error))?;
            for (temporary, path) in &pending {
                std::fs::rename(temporary, path).map_err(|error| (path.clone(), error))?;
            }
            Ok(self.count.load(Ordering::Relaxed))
        })();
        if result.is_err() {
            remove_temporaries(&pending);
        }
        result
    }

    /// Removes every temporary file staged so far: the run failed, and no target changes.
    pub fn abandon(self) {
        remove_temporaries(&lock(&self.pending));
    }
}

/// A lock, whatever a panicking thread left behind: every value here is updated whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn remove_temporaries(pending: &[(PathBuf, PathBuf)]) {
    for (temporary, _) in pending {
        let _ = std::fs::remove_file(temporary);
    }
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

#[cfg(test)]
mod tests {
    use super::AtomicFiles;
    use std::path::Path;

    fn names(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Files staged from several threads at once all land, with their own contents, and no
    /// temporary file is left.
    #[test]
    fn files_staged_from_several_threads_all_land() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let output = directory.path().join("out");
        let files = AtomicFiles::default();
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let (files, output) = (&files, &output);
                scope.spawn(move || {
                    for file in 0..25 {
                        let name = format!("t{thread}-{file:02}.nft");
                        let staged = files.stage(&output.join(&name), name.as_bytes());
                        assert!(staged.is_ok(), "{staged:?}");
                    }
                });
            }
        });
        assert_eq!(files.commit().ok(), Some(100));
        let landed = names(&output);
        assert_eq!(landed.len(), 100, "{landed:?}");
        for name in landed {
            let contents = std::fs::read_to_string(output.join(&name)).unwrap_or_default();
            assert_eq!(contents, name);
        }
    }

    /// After a failure, abandoning removes every temporary file and changes no target.
    #[test]
    fn abandoning_leaves_nothing_behind() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let files = AtomicFiles::default();
        assert!(files.stage(&directory.path().join("a.nft"), b"a").is_ok());
        let blocked = directory.path().join("a-file");
        assert!(std::fs::write(&blocked, b"").is_ok());
        // A directory cannot be made below a file.
        assert!(files.stage(&blocked.join("b.nft"), b"b").is_err());
        files.abandon();
        assert_eq!(names(directory.path()), vec!["a-file".to_string()]);
    }
}
