//! The text helpers every emitter's comments go through, against their plain definitions: they
//! write straight into the ruleset, and must still say exactly what the definitions say.

use flowc_compiler::emit::{one_line, quotable};
use proptest::prelude::*;

/// Whitespace runs collapsed to one space, none at either end.
fn one_line_by_definition(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Quotes and backquotes become `'`, backslashes `/`, `$` `S`, control characters spaces.
fn quotable_by_definition(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '"' | '`' => '\'',
            '\\' => '/',
            '$' => 'S',
            character if character.is_control() => ' ',
            character => character,
        })
        .collect()
}

/// Text that reaches a comment: file names, role names and `@allow` reasons as a user may
/// write them, with Unicode whitespace and control characters among plain words.
fn comment_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z0-9./:_-]{1,12}",
        Just(" ".to_string()),
        Just("  \t".to_string()),
        Just("\n".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{2003}".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{7f}".to_string()),
        Just("\"`\\$".to_string()),
        Just("é—ü".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn one_line_collapses_whitespace_as_split_and_join_would(text in comment_text()) {
        prop_assert_eq!(one_line(&text), one_line_by_definition(&text));
    }

    #[test]
    fn quotable_replaces_exactly_the_unsafe_characters(text in comment_text()) {
        prop_assert_eq!(quotable(&text), quotable_by_definition(&text));
    }
}

/// The site's root is the deepest directory holding every site file, compared directory by
/// directory; the standard library's files do not count.
#[test]
fn the_site_root_is_the_deepest_directory_holding_every_site_file() {
    use flowc_compiler::emit::site_root;
    use flowc_compiler::{check, MemoryWorld};
    let root = |names: &[&str]| {
        let mut world = MemoryWorld::default();
        for name in names {
            world
                .files
                .insert(name.to_string(), "zone z = 10.0.0.0/8\n".into());
        }
        site_root(&check(&world).analysis.sources)
    };
    assert_eq!(root(&["site/a.flow", "site/b/c.flow"]), "site/");
    assert_eq!(root(&["x/site/a.flow", "x/site/b.flow"]), "x/site/");
    assert_eq!(root(&["site/a.flow", "site2/b.flow"]), "");
    assert_eq!(root(&["a.flow", "site/b.flow"]), "");
    assert_eq!(
        root(&["/abs/site/a/x.flow", "/abs/site/b/y.flow"]),
        "/abs/site/"
    );
    // Names that share the first byte of a character but not the character.
    assert_eq!(root(&["s/é/a.flow", "s/è/b.flow"]), "s/");
    assert_eq!(root(&["s/é/a.flow"]), "s/é/");
}
