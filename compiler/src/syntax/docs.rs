//! Attaches `///` doc comments to the item or role statement that directly follows them.
//!
//! The parser never sees comments; a doc comment belongs to a node when only whitespace and
//! other doc lines stand between it and the node's first token, and it begins its line: a
//! `///` after code on the same line (`zone z = 10.0.0.0/8 /// d`) documents nothing.

use crate::syntax::ast::{
    Block, DocLine, ElseBranch, FileAst, IfStatement, ItemKind, StatementKind,
};
use crate::syntax::lexer::Comment;

pub fn attach_doc_comments(ast: &mut FileAst, comments: &[Comment], text: &str) {
    let attach = |start: u32| docs_before(start, comments, text);
    for item in &mut ast.items {
        item.docs = attach(item.span.start);
        if let ItemKind::Role(role) = &mut item.kind {
            if let Some(body) = &mut role.body {
                attach_in_block(body, &attach);
            }
        }
    }
}

fn attach_in_block(block: &mut Block, attach: &impl Fn(u32) -> Vec<DocLine>) {
    for statement in &mut block.statements {
        statement.docs = attach(statement.span.start);
        match &mut statement.kind {
            StatementKind::If(if_statement) => attach_in_if(if_statement, attach),
            StatementKind::For(for_statement) => attach_in_block(&mut for_statement.body, attach),
            StatementKind::Flow(_) | StatementKind::Error => {}
        }
    }
}

fn attach_in_if(if_statement: &mut IfStatement, attach: &impl Fn(u32) -> Vec<DocLine>) {
    attach_in_block(&mut if_statement.then_block, attach);
    match &mut if_statement.else_branch {
        Some(ElseBranch::Block(block)) => attach_in_block(block, attach),
        Some(ElseBranch::If(nested, _)) => attach_in_if(nested, attach),
        None => {}
    }
}

/// The run of doc lines ending right before `start`, in source order.
fn docs_before(start: u32, comments: &[Comment], text: &str) -> Vec<DocLine> {
    let mut index = comments.partition_point(|comment| comment.span.end <= start);
    let mut boundary = start as usize;
    let mut docs = Vec::new();
    while index > 0 {
        let comment = &comments[index - 1];
        let between = text.get(comment.span.end as usize..boundary).unwrap_or("x");
        if !comment.is_doc || !between.trim().is_empty() || !begins_its_line(comment, text) {
            break;
        }
        // Trailing blanks (and the `\r` of a CRLF line) carry no meaning; the formatter drops them.
        let body = comment.text.trim_start_matches("///").trim_end();
        docs.push(DocLine {
            text: body.strip_prefix(' ').unwrap_or(body).to_string(),
            span: comment.span,
        });
        boundary = comment.span.start as usize;
        index -= 1;
    }
    docs.reverse();
    docs
}

/// Whether only blanks stand between the start of the comment's line and the comment.
fn begins_its_line(comment: &Comment, text: &str) -> bool {
    let before = text.get(..comment.span.start as usize).unwrap_or("");
    let line_start = before.rfind(['\n', '\r']).map_or(0, |index| index + 1);
    before[line_start..]
        .chars()
        .all(|c| c == ' ' || c == '\t' || c == '\u{feff}')
}
