//! Text from the site inside the script, made unable to break it: comment lines with control
//! characters escaped and folded to a length ksh reads as one line, `-D` descriptions in
//! printable ASCII without a character the shell interprets inside double quotes, and file
//! names a file system takes.

pub use crate::emit::file_stem;
use crate::emit::push_comment_lines;

/// Appends `text` as `#` comment lines, escaped and folded (see [`push_comment_lines`]).
pub fn push_comment(out: &mut String, prefix: &str, text: &str) {
    push_comment_lines(out, &format!("# {prefix}"), text);
}

/// A `-D` description: printable ASCII only (genfilt stores it in the ODM, whose encoding
/// is the system's), no `"`, `` ` ``, `\` or `$`, at most `limit` bytes.
pub fn description(text: &str, limit: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|character| match character {
            '"' | '`' => '\'',
            '\\' => '/',
            '$' => 'S',
            ' '..='~' => character,
            _ => '?',
        })
        .collect();
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_comments_are_folded_and_descriptions_printable() {
        let mut out = String::new();
        push_comment(&mut out, "", &"é".repeat(3000));
        assert!(out.lines().count() >= 6);
        assert!(out
            .lines()
            .all(|line| line.len() <= crate::emit::COMMENT_LINE_LIMIT && line.starts_with('#')));
        assert_eq!(description("a\"$`\\\u{1b}é", 80), "a'S'/??");
    }
}
