//! Text and names from the site, made to fit what each backend's loader reads: comment lines
//! folded under every loader's line buffer with control characters escaped, and identifiers
//! and file names cut to their limits with a hash of the whole, so they stay unique.
//!
//! Nothing the site's author writes may end a line, hide one or push text past a buffer:
//! `iptables-restore` reads 10,240 bytes a line and parses the rest of a longer comment as a
//! rule, nft refuses set names over 255 bytes, Graphviz strings over 16,384 bytes, and file
//! systems names over 255 bytes.

use std::borrow::Cow;

/// The longest comment line flowc writes in any backend, prefix included: a tenth of
/// `iptables-restore`'s 10,240-byte line buffer, under AIX's LINE_MAX (2048), and short
/// enough for any reader of the file.
pub const COMMENT_LINE_LIMIT: usize = 1000;

/// The longest file name stem: NAME_MAX is 255 bytes on ext4, XFS and AIX's JFS2, and the
/// temporary name of an atomic write adds a prefix and suffix.
const STEM_LIMIT: usize = 180;

pub use crate::escape::escaped;

/// Appends `text` as comment lines: [`escaped`], each line starting with `prefix` (`# `),
/// further lines of one text indented by two more spaces, folded at character boundaries so
/// that no line (prefix included, newline excluded) is longer than [`COMMENT_LINE_LIMIT`].
pub fn push_comment_lines(out: &mut String, prefix: &str, text: &str) {
    let text = escaped(text);
    // Nearly every text is one short line: written without making the continuation prefix.
    if prefix.len() + text.len() <= COMMENT_LINE_LIMIT {
        out.push_str(prefix);
        out.push_str(&text);
        out.push('\n');
        return;
    }
    let continuation = format!("{prefix}  ");
    let mut remaining: &str = &text;
    let mut line_prefix = prefix;
    loop {
        let room = COMMENT_LINE_LIMIT.saturating_sub(line_prefix.len()).max(4);
        let mut end = remaining.len().min(room);
        while !remaining.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(line_prefix);
        out.push_str(&remaining[..end]);
        out.push('\n');
        remaining = &remaining[end..];
        line_prefix = &continuation;
        if remaining.is_empty() {
            break;
        }
    }
}

/// `name` when it is at most `limit` bytes; otherwise its beginning, `separator` and a 64-bit
/// hash of the whole name in hex, `limit` bytes in all. Deterministic (reruns print the same
/// name) and distinct for distinct names but for a hash collision.
pub fn capped_name<'a>(name: &'a str, limit: usize, separator: char) -> Cow<'a, str> {
    if name.len() <= limit {
        return Cow::Borrowed(name);
    }
    let hash = format!("{separator}{:016x}", fnv1a(name.as_bytes()));
    let mut end = limit.saturating_sub(hash.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{hash}", &name[..end]))
}

/// The file name stem of a target: its name, or when that is too long for a file name or
/// holds a character other than letters, digits, `-`, `_` and `.`, its plain beginning and a
/// hash of the whole (deterministic, so reruns rewrite the same file).
pub fn file_stem(name: &str) -> String {
    let plain = name.len() <= STEM_LIMIT
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte));
    if plain {
        return name.to_string();
    }
    let start: String = name
        .chars()
        .filter(|character| character.is_ascii_alphanumeric() || "-_".contains(*character))
        .take(STEM_LIMIT - 17)
        .collect();
    format!("{start}-{:016x}", fnv1a(name.as_bytes()))
}

/// FNV-1a, 64 bits: stable across platforms and Rust versions, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_comments_folded() {
        assert_eq!(escaped("a\0b\x1b[31m\nc\\"), "a\\x00b\\x1b[31m\\x0ac\\\\");
        assert_eq!(escaped("\u{7f}\u{85}\u{2028}"), "\\x7f\\x85\\u{2028}");
        let mut out = String::new();
        push_comment_lines(&mut out, "\t\t# ", &"é".repeat(3000));
        assert!(out.lines().count() >= 6);
        assert!(out
            .lines()
            .all(|line| line.len() <= COMMENT_LINE_LIMIT && line.starts_with("\t\t#")));
        assert_eq!(
            out.lines()
                .map(|line| line.matches('é').count())
                .sum::<usize>(),
            3000
        );
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_whole() {
        assert_eq!(capped_name("lan_v4", 64, '_'), "lan_v4");
        let long = capped_name(&"a".repeat(300), 64, '_').into_owned();
        assert_eq!(long.len(), 64);
        assert_ne!(long, capped_name(&"a".repeat(301), 64, '_'));
        assert_eq!(capped_name(&"é".repeat(40), 20, '_').len(), 19);
        assert_eq!(file_stem("nim01"), "nim01");
        let stem = file_stem(&"x".repeat(260));
        assert!(stem.len() <= STEM_LIMIT, "{stem}");
        assert_ne!(stem, file_stem(&"x".repeat(261)));
    }
}
