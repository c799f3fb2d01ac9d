//! Replacing one file atomically (`flowc fmt`, and each output `emit -o` cannot link): the new
//! text goes to a temporary sibling that no one else could have created, then is renamed over
//! the file, which keeps its permissions (and owner, where the user may set it). A symlink is
//! written through: its target is replaced and the link stays a link.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The prefix of every temporary name flowc makes, before its process id: a later run removes
/// the ones a killed run left (see [`remove_stale_temporaries`]).
pub const TEMPORARY_MARK: &str = ".flowc-";

/// Writes `contents` to `path` atomically. A reader sees the old file or the new one, never a
/// mix; a symlink planted at any temporary name is never followed (`O_CREAT | O_EXCL`, random
/// names); an existing file keeps its mode and owner.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let path = resolve_symlink(path)?;
    let directory = directory_of(&path);
    let existing = std::fs::metadata(&path)
        .ok()
        .filter(|metadata| metadata.is_file());
    let mut temporary = temporary_in(directory, &path)?;
    temporary.write_all(contents)?;
    if let Some(existing) = &existing {
        keep_mode_and_owner(temporary.as_file(), existing)?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(&path).map_err(|error| error.error)?;
    Ok(())
}

/// A new, empty temporary file beside `path`: `.NAME.flowc-PID-RANDOM.tmp`, created with
/// `O_EXCL`, removed if dropped before it is persisted.
pub fn temporary_in(directory: &Path, path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMPORARY_MARK}{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(directory)
}

/// The file a path names once its symlinks are followed; the path itself when it does not exist
/// yet or is not a symlink.
pub fn resolve_symlink(path: &Path) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => std::fs::canonicalize(path),
        _ => Ok(path.to_path_buf()),
    }
}

/// Gives a freshly written file the mode of the one it replaces, and its owner and group when
/// the process may (root may; others keep their own).
pub fn keep_mode_and_owner(
    file: &std::fs::File,
    existing: &std::fs::Metadata,
) -> std::io::Result<()> {
    file.set_permissions(std::fs::Permissions::from_mode(existing.mode() & 0o7777))?;
    let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
    Ok(())
}

/// The directory a file is written in: its parent, or `.` for a bare file name.
pub fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes, in `directory`, the temporary files and directories a flowc process left when it was
/// killed: names with [`TEMPORARY_MARK`] and the id of a process that no longer runs.
pub fn remove_stale_temporaries(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .split_once(TEMPORARY_MARK)
            .and_then(|(_, rest)| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        if !name.starts_with('.') || process_runs(pid) {
            continue;
        }
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
    }
}

fn process_runs(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_planted_at_the_old_temporary_name_is_not_followed() {
        let directory = tempfile::tempdir().unwrap();
        let victim = directory.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let output = directory.path().join("core.nft");
        // flowc used `.NAME.flowc-PID.tmp`: an attacker could plant it in advance.
        std::os::unix::fs::symlink(
            &victim,
            directory
                .path()
                .join(format!(".core.nft.flowc-{}.tmp", std::process::id())),
        )
        .unwrap();
        write_atomically(&output, b"table inet flowc {}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&output)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(&output).unwrap(),
            "table inet flowc {}\n"
        );
    }

    #[test]
    fn a_symlinked_file_is_written_through_and_keeps_its_mode() {
        let directory = tempfile::tempdir().unwrap();
        let real = directory.path().join("real.flow");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = directory.path().join("link.flow");
        std::os::unix::fs::symlink("real.flow", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().mode() & 0o7777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_others_kept() {
        let directory = tempfile::tempdir().unwrap();
        // Process ids are below 2^22 on Linux; this one cannot run.
        let dead = directory.path().join(".core.nft.flowc-99999999-abc.tmp");
        let alive = directory
            .path()
            .join(format!(".core.nft.flowc-{}-abc.tmp", std::process::id()));
        let stranger = directory.path().join("notes.flowc-1.txt");
        for path in [&dead, &alive, &stranger] {
            std::fs::write(path, "x").unwrap();
        }
        remove_stale_temporaries(directory.path());
        assert!(!dead.exists());
        assert!(alive.exists() && stranger.exists());
    }
}
