//! Every command README.md shows runs as written from the repository root: the set-up command
//! (with the test's own `flowc` in place of `cargo run --release --`) and every command of the
//! tour, each with exit status 0, in a copy of the example site.

mod support;

/// The shell commands of README.md's ```sh blocks, without their comments.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(support::repository_root().join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_shell = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell = !in_shell && line.trim() == "```sh";
            continue;
        }
        if in_shell {
            let command = line.split("  #").next().unwrap_or("").trim();
            if !command.is_empty() {
                commands.push(command.to_string());
            }
        }
    }
    commands
}

fn copy_directory(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_directory(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_command_of_the_readme_runs_as_written() {
    let commands = readme_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let root = tempfile::tempdir().unwrap();
    copy_directory(
        &support::repository_root().join("examples"),
        &root.path().join("examples"),
    );
    let bin = root.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_flowc"), bin.join("flowc")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for command in &commands {
        // Building and testing the repository itself is what this test is part of.
        if command.starts_with("cargo test") || command.starts_with("cargo install") {
            continue;
        }
        let command = command.replace("cargo run --release --", "flowc");
        assert!(
            command.starts_with("flowc "),
            "a README command that is not flowc's: {command}"
        );
        let output = std::process::Command::new("sh")
            .args(["-c", &command])
            .current_dir(root.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{command}` failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 10);
    // The set-up command wrote the example's rulesets where README.md says.
    assert!(root.path().join("out/core.nft").is_file());
}
