//! The printer's state: output, indentation, and the comments still to be placed.

use crate::syntax::lexer::Comment;

pub(super) struct Printer<'a> {
    pub(super) text: &'a str,
    comments: &'a [Comment],
    next_comment: usize,
    pub(super) out: String,
    pub(super) indent: usize,
    /// Source offset up to which everything has been printed.
    cursor: u32,
}

impl<'a> Printer<'a> {
    pub(super) fn new(text: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            text,
            comments,
            next_comment: 0,
            out: String::new(),
            indent: 0,
            cursor: 0,
        }
    }

    /// Starts a line for a node beginning at `start`, placing the comments before it first.
    pub(super) fn begin_line(&mut self, start: u32) {
        while let Some(comment) = self
            .comments
            .get(self.next_comment)
            .filter(|comment| comment.span.start < start)
        {
            self.blank_line_if_gap(self.cursor, comment.span.start);
            self.write_indent();
            self.out.push_str(comment.text.trim_end());
            self.out.push('\n');
            self.cursor = self.cursor.max(comment.span.end);
            self.next_comment += 1;
        }
        self.blank_line_if_gap(self.cursor, start);
        self.write_indent();
    }

    /// Ends the line of a node ending at `end`: a comment on the same source line stays on it,
    /// and comments inside the node follow on their own lines.
    pub(super) fn end_line(&mut self, end: u32) {
        let first_inside = self.next_comment;
        let mut after = first_inside;
        while self
            .comments
            .get(after)
            .is_some_and(|comment| comment.span.start < end)
        {
            after += 1;
        }
        // Only punctuation may stand between the node and its trailing comment: when another
        // node follows on the same line (`host a = … host b = …  # c`), the comment is that
        // node's, and taking it here would move it before that node and change the layout of
        // the next run of formatting.
        let trailing = self.comments.get(after).filter(|comment| {
            comment.span.start >= end
                && self
                    .text
                    .get(end as usize..comment.span.start as usize)
                    .is_some_and(|gap| {
                        gap.chars()
                            .all(|c| matches!(c, ' ' | '\t' | ',' | '}' | ')' | ';'))
                    })
        });
        self.cursor = self.cursor.max(end);
        let trailing_index = trailing.map(|_| after);
        // A doc comment inside a node documents nothing. On a line of its own below the node it
        // would become the next node's doc; at the end of the node's line it stays a stray
        // (a doc comment documents only when it begins its line), so it takes that place.
        let stray_doc = (first_inside..after)
            .rev()
            .find(|&index| self.comments[index].is_doc);
        let at_end_of_line = stray_doc.or(trailing_index);
        if let Some(index) = at_end_of_line {
            self.out.push_str("  ");
            self.out.push_str(self.comments[index].text.trim_end());
        }
        if let Some(comment) = trailing {
            self.cursor = comment.span.end;
        }
        self.out.push('\n');
        let below = (first_inside..after).chain(trailing_index);
        for index in below.filter(|&index| Some(index) != at_end_of_line) {
            self.write_indent();
            self.out.push_str(self.comments[index].text.trim_end());
            self.out.push('\n');
        }
        self.next_comment = after + usize::from(trailing.is_some());
    }

    /// Places every remaining comment that starts before `offset`, e.g. before a closing brace.
    pub(super) fn flush_comments_before(&mut self, offset: u32) {
        let has_comment = self
            .comments
            .get(self.next_comment)
            .is_some_and(|comment| comment.span.start < offset);
        if has_comment {
            self.begin_line(offset);
            // begin_line wrote indentation for a node that is not printed here; take it back.
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
        }
    }

    /// The end of the comment that starts exactly at `offset`, if one does.
    pub(super) fn comment_starting_at(&self, offset: u32) -> Option<u32> {
        let index = self
            .comments
            .partition_point(|comment| comment.span.start < offset);
        self.comments
            .get(index)
            .filter(|comment| comment.span.start == offset)
            .map(|comment| comment.span.end)
    }

    /// Whether any comment, placed already or not, starts within `start..end`.
    pub(super) fn source_has_comment_in(&self, start: u32, end: u32) -> bool {
        let index = self
            .comments
            .partition_point(|comment| comment.span.start < start);
        self.comments
            .get(index)
            .is_some_and(|comment| comment.span.start < end)
    }

    /// Whether any comment still to be placed starts within `start..end`.
    pub(super) fn has_comment_in(&self, start: u32, end: u32) -> bool {
        self.comments[self.next_comment..]
            .iter()
            .any(|comment| comment.span.start >= start && comment.span.start < end)
    }

    /// Keeps one blank line where the source had at least one, except at the top of a block.
    fn blank_line_if_gap(&mut self, from: u32, to: u32) {
        let gap = self.text.get(from as usize..to as usize).unwrap_or("");
        let at_block_start =
            self.out.is_empty() || self.out.ends_with("{\n") || self.out.ends_with("(\n");
        if line_breaks(gap) >= 2 && !at_block_start && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    pub(super) fn gap_has_blank_line(&self, from: u32, to: u32) -> bool {
        line_breaks(self.text.get(from as usize..to as usize).unwrap_or("")) >= 2
    }

    pub(super) fn write_indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// Everything left: trailing comments at the end of the file, and a single final newline.
    pub(super) fn finish(mut self) -> String {
        self.flush_comments_before(u32::MAX);
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}

/// The line breaks in `text`: LF, CRLF and a lone CR count one each.
fn line_breaks(text: &str) -> usize {
    text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count()
}
