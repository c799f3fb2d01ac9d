//! The fast hand-written parser agrees with the chumsky parser: wherever it accepts a file, the
//! file has no syntax error and both trees are identical, and it accepts every error-free file.
//! Checked on every `.flow` file in the repository and on systematic one-token mutations of them.

mod support;

use flowc_compiler::syntax::lexer::{lex, Token};
use flowc_compiler::syntax::nesting::limit_nesting;
use flowc_compiler::syntax::parser::{parse_fast, parse_with_recovery};
use flowc_compiler::{FileId, Span};
use std::path::PathBuf;

fn repository_flow_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut folders = vec![
        root.join("tests/data"),
        root.join("examples"),
        root.join("stdlib"),
    ];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "flow")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Compares both parsers on one token list; returns whether the fast parser accepted it.
fn agree(name: &str, tokens: &[(Token<'_>, Span)], text_length: usize) -> bool {
    let fast = parse_fast(FileId(0), tokens);
    let (reference, diagnostics) = parse_with_recovery(FileId(0), text_length, tokens);
    match fast {
        Some(tree) => {
            assert!(
                diagnostics.is_empty(),
                "{name}: the fast parser accepted a file with syntax errors: {diagnostics:?}"
            );
            assert_eq!(tree, reference, "{name}: the parsers built different trees");
            true
        }
        None => {
            assert!(
                !diagnostics.is_empty(),
                "{name}: the fast parser gave up on a file without syntax errors"
            );
            false
        }
    }
}

#[test]
fn both_parsers_agree_on_every_file_and_on_mutations_of_it() {
    let mut accepted = 0;
    let mut mutations = 0;
    let mut mutations_accepted = 0;
    for path in repository_flow_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let (tokens, _) = limit_nesting(lex(FileId(0), &text).tokens);
        let tokens: Vec<_> = tokens
            .into_iter()
            .filter(|(token, _)| !matches!(token, Token::Error(_)))
            .collect();
        accepted += usize::from(agree(&name, &tokens, text.len()));
        // Every one-token deletion, duplication and swap with the next token.
        for index in 0..tokens.len() {
            let mut variants = Vec::new();
            let mut deleted = tokens.clone();
            deleted.remove(index);
            variants.push(("deleted", deleted));
            let mut duplicated = tokens.clone();
            duplicated.insert(index, tokens[index]);
            variants.push(("duplicated", duplicated));
            if index + 1 < tokens.len() {
                let mut swapped = tokens.clone();
                swapped.swap(index, index + 1);
                variants.push(("swapped", swapped));
            }
            for (how, variant) in variants {
                // Keep spans increasing, as the lexer gives them, by renumbering positions.
                let variant: Vec<_> = variant
                    .into_iter()
                    .enumerate()
                    .map(|(position, (token, span))| {
                        let start = (position * 100) as u32;
                        let length = span.end - span.start;
                        (
                            token,
                            Span {
                                file: span.file,
                                start,
                                end: start + length.min(99),
                            },
                        )
                    })
                    .collect();
                mutations += 1;
                let label = format!("{name} with token {index} {how}");
                mutations_accepted += usize::from(agree(&label, &variant, variant.len() * 100));
            }
        }
    }
    eprintln!("{accepted} files accepted; {mutations} mutations, {mutations_accepted} accepted");
    assert!(
        accepted > 30,
        "the fast parser accepted only {accepted} files"
    );
    assert!(
        mutations_accepted > 100,
        "only {mutations_accepted} mutations accepted"
    );
}
