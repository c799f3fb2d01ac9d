//! `emit -o DIR`: the whole set of outputs switches as one step. Every file goes into a fresh
//! sibling directory; what is already on disk with the same bytes is hard-linked there (its time
//! does not change); then the two directories are exchanged with one `renameat2(…,
//! RENAME_EXCHANGE)`, so a reader sees all old rulesets or all new ones, never a mix, even if
//! flowc is killed at any moment.
//!
//! Files flowc did not write this run are carried over, except the outputs of targets that no
//! longer exist: `.flowc-outputs` in the directory lists, per backend, the files flowc wrote for
//! each target, and a listed file whose target left the site is not carried over. Files flowc
//! never wrote are always kept.

use crate::atomic_file::{
    directory_of, keep_mode_and_owner, remove_stale_temporaries, TEMPORARY_MARK,
};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of outputs flowc wrote, in the output directory.
pub const MANIFEST: &str = ".flowc-outputs";

/// One line of the manifest: the backend, the target (`-` for a site-wide file) and the path.
type Entry = (String, String, PathBuf);

/// An output directory being replaced.
pub struct OutputDirectory {
    /// The directory users name (with its symlinks followed).
    target: PathBuf,
    /// The fresh sibling the new outputs go to.
    staging: PathBuf,
    backend: String,
    old_manifest: BTreeSet<Entry>,
    written: BTreeSet<Entry>,
}

/// What [`OutputDirectory::finish`] did.
pub struct Summary {
    /// Files written or left as they were.
    pub files: usize,
    /// Outputs of targets that are gone, which the new directory no longer holds.
    pub removed: Vec<PathBuf>,
}

impl OutputDirectory {
    /// Starts replacing `directory` with the outputs of `backend`; removes what killed runs left.
    pub fn begin(directory: &Path, backend: &str) -> std::io::Result<OutputDirectory> {
        // Absolute, with symlinks followed: the sibling must be beside the real directory, and
        // `-o .` must name a directory that can be exchanged.
        let target = match std::fs::canonicalize(directory) {
            Ok(path) => path,
            Err(_) => std::env::current_dir()?.join(directory),
        };
        let parent = directory_of(&target).to_path_buf();
        std::fs::create_dir_all(&parent)?;
        remove_stale_temporaries(&parent);
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}{TEMPORARY_MARK}{}-", std::process::id()))
            .tempdir_in(&parent)?
            .keep();
        if let Ok(existing) = std::fs::metadata(&target) {
            if !existing.is_dir() {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(std::io::Error::other(format!(
                    "{} exists and is not a directory",
                    crate::output::shown(&target)
                )));
            }
            std::fs::set_permissions(&staging, existing.permissions())?;
        }
        let old_manifest = read_manifest(&target.join(MANIFEST));
        Ok(OutputDirectory {
            target,
            staging,
            backend: backend.to_string(),
            old_manifest,
            written: BTreeSet::new(),
        })
    }

    /// Puts one output of `target_name` at `relative`: a link to the file already there when it
    /// holds these bytes, else a new file with the old one's mode and owner.
    pub fn write(
        &mut self,
        target_name: &str,
        relative: &Path,
        contents: &[u8],
    ) -> std::io::Result<()> {
        let destination = self.staging.join(relative);
        std::fs::create_dir_all(directory_of(&destination))?;
        let old = self.target.join(relative);
        // Never open what is not a regular file: a FIFO or device planted in the output
        // directory would block or never end.
        let existing = std::fs::symlink_metadata(&old)
            .ok()
            .filter(|metadata| metadata.is_file());
        let unchanged = existing.as_ref().is_some_and(|metadata| {
            metadata.len() == contents.len() as u64
                && std::fs::read(&old).is_ok_and(|bytes| bytes == contents)
        });
        if !(unchanged && std::fs::hard_link(&old, &destination).is_ok()) {
            let mut file = std::fs::File::create_new(&destination)?;
            file.write_all(contents)?;
            if let Some(existing) = &existing {
                keep_mode_and_owner(&file, existing)?;
            }
        }
        self.written.insert((
            self.backend.clone(),
            target_name.to_string(),
            relative.to_path_buf(),
        ));
        Ok(())
    }

    /// Carries over what stays, writes the manifest, makes everything durable and switches the
    /// directories. `target_exists` says whether a target named in the old manifest is still one
    /// of the site's. On failure the staging directory is removed and the old one is untouched.
    pub fn finish(self, target_exists: impl Fn(&str) -> bool) -> std::io::Result<Summary> {
        let result = self.switch(&target_exists);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        result
    }

    fn switch(&self, target_exists: &dyn Fn(&str) -> bool) -> std::io::Result<Summary> {
        let written: BTreeSet<&PathBuf> = self.written.iter().map(|(_, _, path)| path).collect();
        let mut listed: BTreeMap<&PathBuf, &Entry> = BTreeMap::new();
        for entry in &self.old_manifest {
            listed.insert(&entry.2, entry);
        }
        let mut manifest: BTreeSet<Entry> = self.written.clone();
        let mut removed = Vec::new();
        for relative in files_below(&self.target)? {
            if written.contains(&relative) || relative == Path::new(MANIFEST) {
                continue;
            }
            if let Some(entry) = listed.get(&relative) {
                let (backend, target, _) = entry;
                let stale = *backend == self.backend && target != "-" && !target_exists(target);
                if stale {
                    removed.push(relative);
                    continue;
                }
                manifest.insert((*entry).clone());
            }
            let destination = self.staging.join(&relative);
            std::fs::create_dir_all(directory_of(&destination))?;
            carry(&self.target.join(&relative), &destination)?;
        }
        let mut text = String::from(
            "# The files flowc wrote here: backend, target, path. flowc reads it to remove the\n\
             # outputs of targets that left the site; do not edit.\n",
        );
        for (backend, target, path) in &manifest {
            text.push_str(&format!("{backend}\t{target}\t{}\n", path.display()));
        }
        std::fs::write(self.staging.join(MANIFEST), text)?;
        sync_file_system(&self.staging)?;
        if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.staging, &self.target)?;
        } else if exchange(&self.staging, &self.target).is_ok() {
            // The old outputs are now at the staging name.
            std::fs::remove_dir_all(&self.staging)?;
        } else {
            // A file system or kernel without the exchange (or a mount point as the output
            // directory): each file is renamed into place, each atomically, the set not.
            self.move_one_by_one(&removed)?;
        }
        Ok(Summary {
            files: self.written.len(),
            removed,
        })
    }
}

impl OutputDirectory {
    fn move_one_by_one(&self, removed: &[PathBuf]) -> std::io::Result<()> {
        for relative in files_below(&self.staging)? {
            let destination = self.target.join(&relative);
            std::fs::create_dir_all(directory_of(&destination))?;
            std::fs::rename(self.staging.join(&relative), destination)?;
        }
        for relative in removed {
            let _ = std::fs::remove_file(self.target.join(relative));
        }
        std::fs::remove_dir_all(&self.staging)
    }
}

/// Every file below `root` (not directories), relative to it; nothing when `root` is missing.
fn files_below(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&relative)) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Puts an existing entry into the new directory: a hard link for a regular file, the same link
/// for a symlink, and for anything else (a FIFO, a socket) a new one of the same kind is not
/// made — it stays in the old tree, which is removed.
fn carry(from: &Path, to: &Path) -> std::io::Result<()> {
    let metadata = std::fs::symlink_metadata(from)?;
    if metadata.file_type().is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
    } else if metadata.is_file() {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    } else {
        Ok(())
    }
}

fn read_manifest(path: &Path) -> BTreeSet<Entry> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some((
                fields.next()?.to_string(),
                fields.next()?.to_string(),
                PathBuf::from(fields.next()?),
            ))
        })
        .collect()
}

/// Swaps two directories in one step (both stay; each under the other's name).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Makes everything written below `directory` durable: one `syncfs` for its file system.
fn sync_file_system(directory: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = std::fs::File::open(directory)?;
    // SAFETY: `syncfs` only reads the descriptor, which `handle` keeps open for the call.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
