//! `flowc fmt`: rewrite files in the canonical layout, or check that they are.

use crate::atomic_file::write_atomically;
use crate::files::FileSystemWorld;
use crate::status;
use flowc_compiler::{format, report, World};
use std::io::Read;
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], check: bool) -> u8 {
    let world = match FileSystemWorld::collect_or_report(paths) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let mut code = status::CLEAN;
    for name in world.site_files() {
        let shown = flowc_compiler::escape::escaped(&name);
        let text = match world.read(&name) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {shown}: {error}");
                code = status::USAGE;
                continue;
            }
        };
        let formatted = match format::format_source(&name, &text) {
            Ok(formatted) => formatted,
            Err(failure) => {
                eprint!(
                    "{}",
                    report::render_short(&failure.sources, &failure.diagnostics)
                );
                eprintln!("{shown}: {}", failure.reason());
                code = code.max(status::PROBLEMS);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            crate::output::println(&format!("{shown}: not formatted"));
            code = code.max(status::PROBLEMS);
        } else {
            let path = world.path_of(&name).expect("every site name has a path");
            if let Err(error) = write_atomically(path, formatted.as_bytes()) {
                eprintln!("error: cannot write {shown}: {error}");
                code = status::USAGE;
            } else {
                crate::output::println(&format!("formatted {shown}"));
            }
        }
    }
    code
}

pub fn run_stdin() -> u8 {
    let mut bytes = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: cannot read standard input: {error}");
        return status::USAGE;
    }
    let text = String::from_utf8_lossy(&bytes);
    match format::format_source("<stdin>", &text) {
        Ok(formatted) => {
            crate::output::print(&formatted);
            status::CLEAN
        }
        Err(failure) => {
            eprint!(
                "{}",
                report::render_short(&failure.sources, &failure.diagnostics)
            );
            status::PROBLEMS
        }
    }
}
