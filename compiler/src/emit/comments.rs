//! The text emitters share: where a rule came from (file, line, role, statement, `@allow`
//! reasons), cut to what a ruleset keeps, and made safe inside quotes.

use crate::model::{FlowOrigin, Policy};
use crate::source::SourceMap;

/// The names of the hosts and groups a flow endpoint stands for, or its label as written
/// (`internet`, `10.0.0.1`) when it stands for none.
pub fn endpoint_names(policy: &Policy, holders: &[usize], label: &str) -> Vec<String> {
    let names: Vec<String> = holders
        .iter()
        .filter_map(|&index| policy.machines.get(index))
        .map(|m| m.name.clone())
        .collect();
    if names.is_empty() {
        vec![label.to_string()]
    } else {
        names
    }
}

/// `site.flow:17`: the file and 1-based line of a span.
pub fn location(sources: &SourceMap, span: crate::Span) -> String {
    let file = sources.get(span.file);
    format!("{}:{}", file.name, file.line_number(span.start))
}

/// `site.flow:17 nim.master stdlib/nim.flow:97 allow(broad-range): reason`: where one flow came
/// from, in one line.
pub fn origin_text(sources: &SourceMap, origin: &FlowOrigin) -> String {
    let mut text = location(sources, origin.item);
    if let Some(role) = &origin.role {
        text.push(' ');
        text.push_str(role);
    }
    if let Some(statement) = origin.statement {
        text.push(' ');
        text.push_str(&location(sources, statement));
    }
    for (lint, reason) in &origin.allowed_lints {
        text.push_str(&format!(" allow({lint}): {reason}"));
    }
    one_line(&text)
}

/// The in-ruleset comment of a rule: every origin joined by `; `, cut to `limit` bytes at an
/// origin boundary with ` +N more` (the `#` lines above a rule list them all).
pub fn rule_comment(sources: &SourceMap, origins: &[FlowOrigin], limit: usize) -> String {
    // Each origin's text is made only when the comment gets that far: a rule merged from
    // hundreds of flows keeps a few of them.
    let count = origins.len();
    let mut comment = String::new();
    for (index, origin) in origins.iter().enumerate() {
        let text = quotable(&origin_text(sources, origin));
        let separator = if index == 0 { "" } else { "; " };
        let rest = count - index - 1;
        let suffix = if rest == 0 {
            String::new()
        } else {
            format!(" +{rest} more")
        };
        if comment.len() + separator.len() + text.len() + suffix.len() <= limit {
            comment.push_str(separator);
            comment.push_str(&text);
            continue;
        }
        let more = format!(" +{rest} more");
        if index == 0 {
            comment = shorten(
                &text,
                limit.saturating_sub(if rest == 0 { 0 } else { more.len() }),
            );
            if rest > 0 {
                comment.push_str(&more);
            }
        } else {
            comment.push_str(&format!(" +{} more", count - index));
        }
        break;
    }
    truncate(&comment, limit)
}

/// `text` cut to at most `limit` bytes at a word boundary, ending in `...` when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let room = truncate(text, limit.saturating_sub(4));
    let cut = room.rfind(' ').map_or(room.as_str(), |end| &room[..end]);
    format!("{cut} ...")
}

/// The `#` comment lines above a rule: one per origin, with its citation.
pub fn origin_lines(sources: &SourceMap, origins: &[FlowOrigin], prefix: &str) -> String {
    let mut lines = String::new();
    for origin in origins {
        lines.push_str(prefix);
        lines.push_str(&origin_text(sources, origin));
        if let Some(citation) = &origin.citation {
            lines.push_str(" — ");
            lines.push_str(&one_line(citation));
        }
        lines.push('\n');
    }
    lines
}

/// Collapses whitespace runs (newlines included) to one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a double-quoted string of nft, iptables-restore and sh: no quotes, no
/// backslashes, no `$` or backquotes, no control characters.
pub fn quotable(text: &str) -> String {
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

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary.
pub fn truncate(text: &str, limit: usize) -> String {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
