//! The documentation stays in step with the compiler: every `flow` example in `spec/` and the
//! README parses, and `spec/diagnostics.md` is exactly what the code registry generates.

mod support;

use flowc_compiler::explanations::all_codes;
use flowc_compiler::format::syntax_errors;
use flowc_compiler::syntax::parse_file;
use flowc_compiler::FileId;
use support::repository_root;

fn markdown_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repository_root().join("spec"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    files.push(repository_root().join("README.md"));
    files.push(repository_root().join("stdlib/README.md"));
    files.sort();
    files
}

/// The contents of every fenced block with the given info string.
fn fenced_blocks(markdown: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{language}") => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_flow_example_in_the_docs_parses() {
    let mut examples = 0;
    for path in markdown_files() {
        let Ok(markdown) = std::fs::read_to_string(&path) else {
            continue;
        };
        for block in fenced_blocks(&markdown, "flow") {
            let parsed = parse_file(FileId(0), &block);
            let errors = syntax_errors(&parsed);
            assert!(
                errors.is_empty(),
                "{}: example does not parse: {errors:?}\n{block}",
                path.display()
            );
            examples += 1;
        }
    }
    assert!(examples >= 10, "only {examples} examples found");
}

/// The reference of every diagnostic code, generated from the explanations kept with the code.
fn generated_diagnostics_reference() -> String {
    let mut text = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from the explanations next to the code that emits each diagnostic.\n     \
         Regenerate with `UPDATE_SPEC=1 cargo test --test spec`; `flowc explain CODE` prints the same text. -->\n\n\
         Codes `E0000`–`E0999` are errors in the source itself and cannot be silenced. Lints\n\
         (named in kebab-case) are checks of the site's meaning; their level is set with\n\
         `lint NAME = error|warn|allow` and one item is excused with `@allow(NAME, \"reason\")`.\n\n\
         | code | title |\n|---|---|\n",
    );
    let codes = all_codes();
    for info in &codes {
        text.push_str(&format!(
            "| [`{}`](#{}) | {} |\n",
            info.code,
            info.code.to_lowercase(),
            info.title
        ));
    }
    for info in &codes {
        text.push_str(&format!("\n## {}\n\n**{}**\n\n", info.code, info.title));
        for line in info.explanation.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
    }
    text
}

#[test]
fn diagnostics_reference_matches_the_code_registry() {
    let path = repository_root().join("spec/diagnostics.md");
    let generated = generated_diagnostics_reference();
    if std::env::var_os("UPDATE_SPEC").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "spec/diagnostics.md is stale: run `UPDATE_SPEC=1 cargo test --test spec`"
    );
}

#[test]
fn every_lint_fires_somewhere_and_has_a_near_miss() {
    let read = |kind: &str| -> Vec<String> {
        support::data_files(kind)
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    };
    let firing: Vec<String> = read("err").into_iter().chain(read("warn")).collect();
    let near_misses = read("ok");
    for lint in flowc_compiler::lints::names() {
        let fires = firing.iter().any(|case| {
            ["error", "warning", "note"]
                .iter()
                .any(|severity| case.contains(&format!("{severity}: {lint}")))
        });
        assert!(
            fires,
            "no case in tests/data/err or warn expects lint {lint}"
        );
        let near = near_misses
            .iter()
            .any(|case| case.contains(&format!("# near-miss: {lint} ")));
        assert!(
            near,
            "no file in tests/data/ok is a near miss for lint {lint}"
        );
    }
}

#[test]
fn every_error_code_has_a_test_case() {
    let cases: Vec<String> = support::data_files("err")
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    for info in all_codes() {
        // E0000 is an IO failure and E0999 a note on a flood of errors, both covered by the
        // command-line tests (`tests/report_positions.rs`); E0014 is `flowc fmt` refusing its
        // own output, covered by `tests/formatting.rs`, `tests/cli.rs` and `tests/lsp_stdio.rs`.
        if !info.code.starts_with('E') || ["E0000", "E0014", "E0999"].contains(&info.code) {
            continue;
        }
        let marker = format!("error: {}", info.code);
        assert!(
            cases.iter().any(|case| case.contains(&marker)),
            "no file in tests/data/err expects {}",
            info.code
        );
    }
}

/// The lint table and the explanations agree: every lint has exactly one explanation, and every
/// explained lint is in the table.
#[test]
fn every_lint_of_the_table_has_one_explanation() {
    let explained: Vec<&str> = flowc_compiler::checks::lint_codes()
        .iter()
        .map(|info| info.code)
        .collect();
    for lint in flowc_compiler::lints::LINTS {
        let count = explained.iter().filter(|name| **name == lint.name).count();
        assert_eq!(count, 1, "lint {} has {count} explanations", lint.name);
    }
    for name in &explained {
        assert!(
            flowc_compiler::lints::lint(name).is_some(),
            "{name} is explained but not in the lint table (compiler/src/lints.rs)"
        );
    }
}
