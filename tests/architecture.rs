//! The compiler's shape, kept: each top-level module of `compiler/src` imports only the modules
//! before it in [`LAYERS`], so the pipeline stays one straight line (source → syntax → resolve →
//! lower → expand → topology → checks → emit) with its shared vocabulary at the bottom. A
//! backward `use crate::…` fails here with the file that has it.
//!
//! Tests (everything after a file's `#[cfg(test)]`) and comments are not read: a test may drive
//! the whole pipeline. A stage names what it uses by its defining module, never by the crate
//! root's re-exports of a stage's types (`crate::Analysis`), which would hide the dependency;
//! the root's re-exports of the vocabulary (`crate::Span`) count as their modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules in pipeline order; a module may import those of earlier layers only.
const LAYERS: &[&[&str]] = &[
    // The vocabulary every stage shares.
    &["source"],
    &["escape", "parallel"],
    &["codes"],
    &["diagnostic"],
    &["lints"],
    &["model"],
    // The stages, in order.
    &["syntax"],
    &["stdlib"],
    &["resolve"],
    &["analysis"],
    &["lower"],
    &["expand"],
    &["topology"],
    &["coverage"],
    &["query"],
    &["checks"],
    &["pipeline"],
    // What reads a checked site.
    &["answer"],
    &["emit"],
    &["format"],
    &["doc"],
    &["explanations"],
    &["report"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The code of a file that the check reads: before its tests, without comment lines.
fn code_of(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
    before_tests
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::NAME` and each first name inside `crate::{…}`, as written.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        // `$crate::` is a macro's path to its own crate; `some_crate::` is another name.
        let before = start.checked_sub(1).map(|index| bytes[index]);
        if before.is_some_and(|byte| byte == b'$' || byte == b'_' || byte.is_ascii_alphanumeric()) {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(
                group
                    .split(',')
                    .map(|part| part.trim().split("::").next().unwrap_or("").trim())
                    .filter(|name| !name.is_empty())
                    .map(str::to_string),
            );
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

fn rust_files(directory: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn stages_import_only_the_stages_before_them() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let mut files = Vec::new();
    rust_files(&source, &mut files);
    files.sort();

    // The crate root's re-exports of vocabulary count as their modules; macros as the module
    // that defines them.
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    let root = std::fs::read_to_string(source.join("lib.rs")).unwrap();
    for line in root.lines() {
        let Some(rest) = line.strip_prefix("pub use ") else {
            continue;
        };
        let (module, names) = rest.trim_end_matches(';').split_once("::").unwrap();
        let module = module.to_string();
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if layer_of(&module).is_some_and(|layer| layer <= layer_of("model").unwrap()) {
                aliases.insert(name.to_string(), module.clone());
            }
        }
    }
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&source).unwrap();
        let module = relative.components().next().unwrap().as_os_str();
        let module = module.to_string_lossy().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            if let Some(name) = line.trim().strip_prefix("macro_rules! ") {
                aliases.insert(name.trim_end_matches(" {").to_string(), module.clone());
            }
        }
        modules.insert(module);
    }
    modules.remove("lib");
    for module in &modules {
        assert!(
            layer_of(module).is_some(),
            "compiler/src/{module}: a new top-level module; give it its place in LAYERS"
        );
    }

    let mut backward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&source).unwrap();
        let module = relative.components().next().unwrap().as_os_str();
        let module = module.to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let layer = layer_of(&module).unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        for name in crate_paths(&code_of(&text)) {
            let target = aliases.get(&name).cloned().unwrap_or(name.clone());
            if target == module {
                continue;
            }
            match layer_of(&target) {
                Some(target_layer) if target_layer < layer => {}
                Some(_) => backward.push(format!(
                    "compiler/src/{}: `{module}` imports `crate::{name}` from a later stage",
                    relative.display()
                )),
                None => backward.push(format!(
                    "compiler/src/{}: `crate::{name}` is a re-export of the crate root; import it \
                     from the module that defines it",
                    relative.display()
                )),
            }
        }
    }
    backward.sort();
    backward.dedup();
    assert!(
        backward.is_empty(),
        "imports against the pipeline's order (tests/architecture.rs):\n{}",
        backward.join("\n")
    );
}

/// The check finds what it is for: a backward import, and a stage's type taken from the root.
#[test]
fn the_path_reader_sees_plain_and_grouped_imports() {
    let code = code_of(
        "use crate::lower::Site;\nuse crate::{model, expand::Flow};\n// crate::commented\n\
         let x = $crate::codes::X;\nuse other_crate::y;\nuse crate::Analysis;\n\
         #[cfg(test)]\nuse crate::pipeline;\n",
    );
    assert_eq!(
        crate_paths(&code),
        ["lower", "model", "expand", "Analysis"].map(String::from)
    );
}
