//! The text emitters share: where a rule came from (file, line, role, statement, `@allow`
//! reasons), cut to what a ruleset keeps, and made safe inside quotes.

use super::{push_comment_lines, Input};
use crate::model::{FlowOrigin, Policy};
use crate::source::{Origin, SourceMap};
use std::fmt::Write;

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

/// How rulesets name the site's files: relative to the site's root, the deepest directory that
/// holds every site file. The command line names files relative to the working directory (so
/// that diagnostics can be followed from the terminal), but an output must not depend on how
/// the site's path was typed: `flowc emit .` inside the site and `flowc emit site` beside it
/// write the same bytes. Standard-library files keep their `stdlib/` names.
#[derive(Clone, Copy, Debug)]
pub struct FileNames<'a> {
    pub sources: &'a SourceMap,
    /// What every site file's name starts with: empty, or a directory ending in `/`.
    root: &'a str,
}

impl<'a> FileNames<'a> {
    pub fn new(sources: &'a SourceMap, root: &'a str) -> FileNames<'a> {
        FileNames { sources, root }
    }

    /// The name of a file as rulesets print it.
    pub fn name(&self, file: crate::FileId) -> &'a str {
        let file = self.sources.get(file);
        match file.origin {
            Origin::Site => file.name.strip_prefix(self.root).unwrap_or(&file.name),
            Origin::Stdlib => &file.name,
        }
    }

    /// `site.flow:17`: the file and 1-based line of a span.
    pub fn location(&self, span: crate::Span) -> String {
        let line = self.sources.get(span.file).line_number(span.start);
        format!("{}:{line}", self.name(span.file))
    }
}

/// The deepest directory (with its `/`) that holds every site file of `sources`, or an empty
/// string when some file's name has no directory. Directories are compared whole, so
/// `site/a.flow` and `site2/b.flow` have no root.
pub fn site_root(sources: &SourceMap) -> String {
    let mut root: Option<&str> = None;
    for (_, file) in sources.iter() {
        if file.origin != Origin::Site {
            continue;
        }
        let directory = file.name.rfind('/').map_or("", |end| &file.name[..=end]);
        root = Some(match root {
            None => directory,
            Some(known) => {
                // The longest common prefix of the two that ends just after a `/`.
                let common = (known.bytes().zip(directory.bytes()))
                    .take_while(|(a, b)| a == b)
                    .count();
                // Bytes, not characters: a `/` is one byte and always ends a character.
                (known.as_bytes()[..common].iter())
                    .rposition(|&byte| byte == b'/')
                    .map_or("", |end| &known[..=end])
            }
        });
    }
    root.unwrap_or("").to_string()
}

/// Appends [`FileNames::location`]. Each flow's origin is printed once per run (`Input` keeps
/// it), so this is no hot path and needs no printer of its own.
fn push_location(out: &mut OneLine<'_>, names: FileNames<'_>, span: crate::Span) {
    out.push(&names.location(span));
}

/// `site.flow:17 nim.master stdlib/nim.flow:97 allow(broad-range): reason`: where one flow came
/// from, in one line.
pub fn origin_text(names: FileNames<'_>, origin: &FlowOrigin) -> String {
    let mut text = String::new();
    push_origin_text(&mut text, names, origin);
    text
}

/// Appends [`origin_text`] to `out`, building no intermediate strings.
pub(super) fn push_origin_text(out: &mut String, names: FileNames<'_>, origin: &FlowOrigin) {
    let mut line = OneLine::new(out);
    push_location(&mut line, names, origin.item);
    if let Some(role) = &origin.role {
        line.push(" ");
        line.push(role);
    }
    if let Some(statement) = origin.statement {
        line.push(" ");
        push_location(&mut line, names, statement);
    }
    for (lint, reason) in &origin.allowed_lints {
        line.push(" allow(");
        line.push(lint);
        line.push("): ");
        line.push(reason);
    }
}

/// The in-ruleset comment of a rule: every origin joined by `; `, cut to `limit` bytes at an
/// origin boundary with ` +N more` (the `#` lines above a rule list them all).
pub fn rule_comment(input: &Input<'_>, origins: &[&FlowOrigin], limit: usize) -> String {
    let mut comment = String::with_capacity(limit);
    push_rule_comment(&mut comment, input, origins, limit);
    comment
}

/// Appends [`rule_comment`] to `out`, which a ruleset's text grows by without a string of its
/// own per rule.
pub fn push_rule_comment(
    out: &mut String,
    input: &Input<'_>,
    origins: &[&FlowOrigin],
    limit: usize,
) {
    let start = out.len();
    let count = origins.len();
    let more_length = |rest: usize| {
        if rest == 0 {
            0
        } else {
            // The digits of `rest`, counted without printing it: this runs for every origin.
            " +".len() + rest.ilog10() as usize + 1 + " more".len()
        }
    };
    for (index, origin) in origins.iter().enumerate() {
        let separator = if index == 0 { "" } else { "; " };
        let rest = count - index - 1;
        let fits = input.with_origin_text(origin, |text| {
            let text = text.quoted;
            let length = out.len() - start;
            if length + separator.len() + text.len() + more_length(rest) <= limit {
                out.push_str(separator);
                out.push_str(text);
                return true;
            }
            if index == 0 {
                out.push_str(&shorten(text, limit.saturating_sub(more_length(rest))));
                if rest > 0 {
                    let _ = write!(out, " +{rest} more");
                }
            }
            false
        });
        if !fits {
            if index > 0 {
                let _ = write!(out, " +{} more", count - index);
            }
            break;
        }
    }
    let end = start + boundary_at_most(&out[start..], limit);
    out.truncate(end);
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

/// The `#` comment lines above a rule: one per origin, with its citation, escaped and folded
/// to lines every loader reads whole ([`push_comment_lines`]).
pub fn origin_lines(input: &Input<'_>, origins: &[&FlowOrigin], prefix: &str) -> String {
    let mut lines = String::new();
    push_origin_lines(&mut lines, input, origins, prefix);
    lines
}

/// Appends [`origin_lines`] to `out`.
pub fn push_origin_lines(
    out: &mut String,
    input: &Input<'_>,
    origins: &[&FlowOrigin],
    prefix: &str,
) {
    for origin in origins {
        input.with_origin_text(origin, |text| push_comment_lines(out, prefix, text.line));
    }
}

/// Appends what an origin's `#` line adds to its [`origin_text`]: the citation.
pub(super) fn push_origin_line(out: &mut String, origin: &FlowOrigin) {
    if let Some(citation) = &origin.citation {
        out.push_str(" — ");
        OneLine::new(out).push(citation);
    }
}

/// Collapses whitespace runs (newlines included) to one space.
pub fn one_line(text: &str) -> String {
    let mut line = String::new();
    OneLine::new(&mut line).push(text);
    line
}

/// Appends text with its whitespace runs collapsed to one space and none at either end, as
/// `split_whitespace` and `join(" ")` would, across any number of pieces.
struct OneLine<'a> {
    out: &'a mut String,
    /// Whether a word was written, so that whitespace after it becomes one space.
    started: bool,
    /// Whether whitespace came after the last word: a space is owed before the next one.
    space_owed: bool,
}

impl<'a> OneLine<'a> {
    fn new(out: &'a mut String) -> Self {
        OneLine {
            out,
            started: false,
            space_owed: false,
        }
    }

    fn push(&mut self, mut text: &str) {
        // File names, numbers and role names are almost always one plain word.
        if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_graphic()) {
            if self.space_owed {
                self.out.push(' ');
                self.space_owed = false;
            }
            self.out.push_str(text);
            self.started = true;
            return;
        }
        loop {
            let word_start = text.trim_start();
            if word_start.len() != text.len() {
                self.space_owed = self.started;
            }
            if word_start.is_empty() {
                return;
            }
            let end = word_start
                .find(char::is_whitespace)
                .unwrap_or(word_start.len());
            if self.space_owed {
                self.out.push(' ');
                self.space_owed = false;
            }
            self.out.push_str(&word_start[..end]);
            self.started = true;
            text = &word_start[end..];
        }
    }
}

/// Text safe inside a double-quoted string of nft, iptables-restore and sh: no quotes, no
/// backslashes, no `$` or backquotes, no control characters.
pub fn quotable(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    push_quotable(&mut safe, text);
    safe
}

pub(super) fn push_quotable(out: &mut String, text: &str) {
    // Most texts are printable ASCII without a character to replace: copied as they are.
    let plain = text
        .bytes()
        .all(|byte| (b' '..b'\x7f').contains(&byte) && !b"\"`\\$".contains(&byte));
    if plain {
        out.push_str(text);
        return;
    }
    out.extend(text.chars().map(|character| match character {
        '"' | '`' => '\'',
        '\\' => '/',
        '$' => 'S',
        character if character.is_control() => ' ',
        character => character,
    }));
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary.
pub fn truncate(text: &str, limit: usize) -> String {
    text[..boundary_at_most(text, limit)].to_string()
}

/// The largest character boundary of `text` at most `limit`.
fn boundary_at_most(text: &str, limit: usize) -> usize {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}
