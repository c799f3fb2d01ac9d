//! The filesystem side of the command line: finding a site's files and reading them safely.
//! Writing is in `atomic_file.rs` and `output_directory.rs`.

use flowc_compiler::World;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The largest site file read: a site of 100,000 flows is 6 MB in all. A larger file (or
/// `x.flow -> /dev/zero`) is reported, never read to the end.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// A site on disk: every `.flow` file under the given paths, named as the user would write them.
pub struct FileSystemWorld {
    files: BTreeMap<String, PathBuf>,
}

impl FileSystemWorld {
    /// Collects the site's files; an error names a path that does not exist or has no `.flow` file.
    pub fn collect(paths: &[PathBuf]) -> Result<FileSystemWorld, String> {
        let mut files = BTreeMap::new();
        for path in paths {
            let metadata = std::fs::metadata(path)
                .map_err(|error| format!("{}: {error}", crate::output::shown(path)))?;
            if metadata.is_dir() {
                let mut found = Vec::new();
                walk(path, &mut found)
                    .map_err(|error| format!("{}: {error}", crate::output::shown(path)))?;
                if found.is_empty() {
                    return Err(format!(
                        "{}: no .flow files in this directory",
                        crate::output::shown(path)
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
        let bytes = read_site_file(path)?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        })
    }
}

/// Reads a regular file (a symlink to one is fine) of at most [`MAX_FILE_BYTES`]. A FIFO, a
/// device or a directory named `*.flow` is refused without blocking: it is opened without
/// waiting for a writer, and what was opened is checked, not what the name pointed at before.
pub fn read_site_file(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|error| error.to_string())?;
    let metadata = file.metadata().map_err(|error| error.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file (a FIFO, device or directory is never read)".into());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} bytes, more than the {} MiB a site file may have",
            metadata.len(),
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "grew past the {} MiB a site file may have while it was read",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// Finds `.flow` files below `directory` in sorted order, skipping hidden directories and `target`.
/// A symlink to a directory is not followed (a link to a parent would loop); a symlink to a
/// file is taken like the file.
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
        } else if name.ends_with(".flow")
            && std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_file())
        {
            // Only regular files (and symlinks to them) are site files: a FIFO or device named
            // `*.flow` would block or never end.
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
