//! The formatter's safety net: two parses of the same file, compared without positions.
//!
//! The comparison is on the tree's `Debug` dump with spans removed (doc comments are part of
//! the tree, so a doc comment that moves to another item is a difference), and on the multiset
//! of comment texts (trailing blanks ignored): the formatter may move a plain comment to its
//! own line, but never drop, duplicate or change one.

use crate::source::{strip_spans, Span};
use crate::syntax::ast::Item;
use crate::syntax::ParsedFile;

/// Whether two parses have the same items, ignoring positions.
pub fn same_tree(before: &ParsedFile, after: &ParsedFile) -> bool {
    before.ast.items.len() == after.ast.items.len()
        && strip_spans(&format!("{:?}", before.ast.items))
            == strip_spans(&format!("{:?}", after.ast.items))
}

/// The span (in `before`) of the first item that differs, to point the refusal at.
pub fn first_difference(before: &ParsedFile, after: &ParsedFile) -> Option<Span> {
    let shape = |item: &Item| strip_spans(&format!("{item:?}"));
    before
        .ast
        .items
        .iter()
        .zip(
            after
                .ast
                .items
                .iter()
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
        .find(|(old, new)| new.is_none_or(|new| shape(old) != shape(new)))
        .map(|(old, _)| old.span)
}

/// Whether two parses have the same comments, in any order, ignoring trailing blanks.
pub fn same_comments(before: &ParsedFile, after: &ParsedFile) -> bool {
    comment_texts(before) == comment_texts(after)
}

fn comment_texts(parsed: &ParsedFile) -> Vec<(&str, bool)> {
    let mut texts: Vec<(&str, bool)> = parsed
        .comments
        .iter()
        .map(|comment| (comment.text.trim_end(), comment.is_doc))
        .collect();
    texts.sort_unstable();
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_file;
    use crate::FileId;

    #[test]
    fn positions_and_layout_do_not_count_but_comments_and_docs_do() {
        let parse = |text: &str| parse_file(FileId(0), text);
        let original = parse("host a = 10.0.0.1 # c\n");
        assert!(same_tree(&original, &parse("host   a=10.0.0.1\n# c\n")));
        assert!(same_comments(
            &original,
            &parse("\n\n# c\nhost a = 10.0.0.1\n")
        ));
        assert!(!same_comments(&original, &parse("host a = 10.0.0.1 # d\n")));
        assert!(!same_tree(&original, &parse("host a = 10.0.0.2\n")));
        assert!(!same_tree(&original, &parse("/// c\nhost a = 10.0.0.1\n")));
    }
}
