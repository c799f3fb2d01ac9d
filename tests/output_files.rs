//! What `flowc emit -o` and `flowc check` do to and with the file system: outputs switch as one
//! set, outputs of removed targets go, other files stay, and special files and leftovers of a
//! killed run never block or confuse a run (issue 23, items 3, 10, 13, 14, 15).

mod support;

use std::path::Path;
use std::time::Duration;
use support::flowc;

const SITE: &str = "zone lan = 198.18.0.0/16\nhost a = 198.18.0.1\nhost b = 198.18.0.2\nhost c = 198.18.0.3\nallow a -> b, c : ssh\n";

fn emit(directory: &Path, backend: &str) -> std::process::Output {
    flowc(
        &["emit", "--target", backend, "-o", "out", "site"],
        directory,
    )
}

fn site() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir(directory.path().join("site")).unwrap();
    std::fs::write(directory.path().join("site/site.flow"), SITE).unwrap();
    directory
}

#[test]
fn outputs_of_removed_targets_go_and_every_other_file_stays() {
    let directory = site();
    let out = directory.path().join("out");
    assert!(emit(directory.path(), "nftables").status.success());
    assert!(emit(directory.path(), "iptables").status.success());
    std::fs::write(out.join("README"), "deployment notes").unwrap();
    // Host c leaves the site.
    std::fs::write(
        directory.path().join("site/site.flow"),
        SITE.replace("host c = 198.18.0.3\n", "")
            .replace("b, c", "b"),
    )
    .unwrap();
    let output = emit(directory.path(), "nftables");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("removed"));
    assert!(
        !out.join("c.nft").exists(),
        "the output of a removed host stays"
    );
    assert!(out.join("a.nft").is_file() && out.join("b.nft").is_file());
    // Another backend's outputs and a file flowc never wrote are untouched.
    assert!(out.join("c.rules").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("README")).unwrap(),
        "deployment notes"
    );
    // Nothing of the run is left beside the directory.
    let leftovers: Vec<_> = std::fs::read_dir(directory.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().contains(".flowc-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_unchanged_output_is_left_as_it_was() {
    use std::os::unix::fs::MetadataExt;
    let directory = site();
    assert!(emit(directory.path(), "nftables").status.success());
    let before = std::fs::metadata(directory.path().join("out/a.nft")).unwrap();
    assert!(emit(directory.path(), "nftables").status.success());
    let after = std::fs::metadata(directory.path().join("out/a.nft")).unwrap();
    assert_eq!((before.ino(), before.mtime()), (after.ino(), after.mtime()));
}

#[test]
fn what_a_killed_run_left_is_removed_by_the_next() {
    let directory = site();
    // A run killed mid-way left its staging directory and a temporary file; its process is gone.
    let staging = directory.path().join(".out.flowc-99999999-x1");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("a.nft"), "half").unwrap();
    std::fs::write(directory.path().join(".a.nft.flowc-99999999-y.tmp"), "half").unwrap();
    assert!(emit(directory.path(), "nftables").status.success());
    assert!(!staging.exists());
    assert!(!directory
        .path()
        .join(".a.nft.flowc-99999999-y.tmp")
        .exists());
}

#[test]
fn a_symlinked_output_directory_is_written_through() {
    let directory = site();
    let real = directory.path().join("real-out");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink("real-out", directory.path().join("out")).unwrap();
    assert!(emit(directory.path(), "nftables").status.success());
    let link = std::fs::symlink_metadata(directory.path().join("out")).unwrap();
    assert!(link.file_type().is_symlink());
    assert!(real.join("a.nft").is_file());
}

/// Runs flowc with a deadline: a FIFO must never make it wait for a writer.
fn flowc_within(arguments: &[&str], directory: &Path) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(arguments)
        .current_dir(directory)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("flowc {arguments:?} blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
}

#[test]
fn special_files_never_block_and_are_never_read() {
    let directory = site();
    // In the site: a FIFO and an endless device named like site files, and a directory loop.
    mkfifo(&directory.path().join("site/pipe.flow"));
    std::os::unix::fs::symlink("/dev/zero", directory.path().join("site/zero.flow")).unwrap();
    std::os::unix::fs::symlink("..", directory.path().join("site/loop")).unwrap();
    let check = flowc_within(&["check", "site"], directory.path());
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // Named on the command line, each is refused with a reason.
    for name in ["site/pipe.flow", "site/zero.flow"] {
        let output = flowc_within(&["check", name], directory.path());
        assert_ne!(output.status.code(), Some(0));
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(text.contains("not a regular file"), "{name}: {text}");
    }
    // In the output directory: a FIFO where an output goes is replaced, never opened.
    std::fs::create_dir(directory.path().join("out")).unwrap();
    mkfifo(&directory.path().join("out/a.nft"));
    let output = flowc_within(
        &["emit", "--target", "nftables", "-o", "out", "site"],
        directory.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::metadata(directory.path().join("out/a.nft"))
        .unwrap()
        .is_file());
}
