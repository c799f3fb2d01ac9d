//! Bad input never crashes: random bytes, token soup and every prefix of every test file go
//! through the whole pipeline, and every diagnostic they produce points inside its file.

mod support;

use flowc_compiler::format::format_source;
use flowc_compiler::syntax::parse_file;
use flowc_compiler::{analyze, Analysis, FileId, MemoryWorld};
use proptest::prelude::*;
use support::*;

fn assert_locations_valid(analysis: &Analysis) {
    for diagnostic in &analysis.diagnostics {
        let span = diagnostic.span();
        let file = analysis.sources.get(span.file);
        assert!(span.start <= span.end, "inverted span in {diagnostic:?}");
        assert!(
            span.end as usize <= file.text.len(),
            "span past the end of the file in {diagnostic:?}"
        );
        let position = file.line_column(span.start);
        assert!(position.line >= 1 && position.column >= 1);
        assert!((position.line as usize) <= file.line_count());
    }
}

/// Formatting anything that parses must be idempotent.
fn assert_formatting_stable(text: &str) {
    if let Ok(once) = format_source("input.flow", text) {
        let twice = format_source("again.flow", &once).expect("formatted output must parse");
        assert_eq!(once, twice, "formatting is not idempotent for {text:?}");
    }
}

fn check(text: &str) {
    let analysis = analyze(&MemoryWorld::single("input.flow", text));
    assert_locations_valid(&analysis);
    assert_formatting_stable(text);
}

const VOCABULARY: &[&str] = &[
    "import",
    "nim",
    "zone",
    "firewall",
    "host",
    "group",
    "service",
    "role",
    "allow",
    "deny",
    "expect",
    "lint",
    "is",
    "if",
    "else",
    "for",
    "in",
    "self",
    "any",
    "tcp",
    "udp",
    "icmp",
    "from",
    "zones",
    "allowed",
    "denied",
    "a",
    "b",
    "nim.master",
    "ssh",
    "=",
    ",",
    ":",
    ".",
    "..",
    "->",
    "<->",
    "{",
    "}",
    "(",
    ")",
    "|",
    "@allow",
    "+",
    "*",
    "!",
    "==",
    "22",
    "70000",
    "1..2",
    "10.0.0.1",
    "10.0.0.0/33",
    "fd00::1",
    "\"why\"",
    "\"open",
    "# note\n",
    "/// doc\n",
    "\n",
    "$",
    "é",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        check(&text);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup_never_panics(words in proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..60)) {
        check(&words.join(" "));
    }
}

/// Every prefix of every test file: what an editor sends while someone types.
#[test]
fn every_prefix_of_the_test_data_is_handled() {
    let mut prefixes = 0;
    for path in data_files("ok").into_iter().chain(data_files("err")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|index| text.is_char_boundary(*index))
            .collect();
        for (count, &end) in boundaries.iter().enumerate() {
            let prefix = &text[..end];
            let parsed = parse_file(FileId(0), prefix);
            for diagnostic in &parsed.diagnostics {
                assert!(
                    diagnostic.span().end as usize <= prefix.len(),
                    "{}: {diagnostic:?}",
                    data_name(&path)
                );
            }
            // The whole pipeline on a sample of prefixes keeps the test quick.
            if count % 23 == 0 {
                check(prefix);
            }
            prefixes += 1;
        }
    }
    assert!(prefixes > 5000, "only {prefixes} prefixes were tried");
}

/// Blocks left open at the end of a file, or before the next item, are closed there with one
/// syntax error. Recovery used to parse an open block once more for every block around it, so
/// these took time exponential in the depth; at this depth that would never finish.
#[test]
fn open_blocks_are_closed_once_not_reparsed_per_level() {
    let depth = 50;
    let cases = [
        format!("role r {{\n{}", "if a {\n".repeat(depth)),
        format!("role r {{\n{}", "for i in 1..2 {\n".repeat(depth)),
        format!("role r {{\n{}", "if a {} else {\n".repeat(depth)),
        format!("role r {{\n{}", "if a {} else if b {\n".repeat(depth)),
        format!(
            "role r {{\n{}host h = 198.18.0.1\n",
            "if a { x x\n".repeat(depth)
        ),
        format!(
            "role r {{\n{}{}",
            "if a {".repeat(depth),
            "} else !".repeat(depth)
        ),
        format!(
            "role r {{\n{}{}",
            "for i in 1..2 {".repeat(depth),
            "} !".repeat(depth)
        ),
    ];
    for text in cases {
        let analysis = analyze(&MemoryWorld::single("open.flow", &text));
        assert!(
            analysis.diagnostics.iter().any(|d| d.code == "E0003"),
            "no syntax error for {text:?}"
        );
        assert_locations_valid(&analysis);
    }
    // One report where every open block ends, not one per block.
    let text = format!("role r {{\n{}", "if a {\n".repeat(depth));
    let analysis = analyze(&MemoryWorld::single("open.flow", &text));
    assert_eq!(analysis.diagnostics.len(), 1, "{:?}", analysis.diagnostics);
}

/// Pathological nesting is capped before parsing, so nothing recurses without bound.
#[test]
fn extreme_nesting_is_reported_not_a_crash() {
    let depth = 100_000;
    let cases = [
        format!(
            "service s = tcp {}1{}",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        format!("role r {{{}{}}}", "if a {".repeat(depth), "}".repeat(depth)),
        format!("service s = tcp 1{}", "+1".repeat(depth)),
        format!("service s = tcp {}1", "!".repeat(depth)),
        format!("role r {{{}{{}}}}", "if a {} else ".repeat(depth)),
        format!("service s = tcp {}", "{".repeat(depth)),
    ];
    for text in cases {
        let analysis = analyze(&MemoryWorld::single("deep.flow", &text));
        let nesting: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code == "E0011")
            .collect();
        assert_eq!(
            nesting.len(),
            1,
            "one E0011 per over-deep run in {}",
            &text[..40]
        );
        assert_locations_valid(&analysis);
    }
}
