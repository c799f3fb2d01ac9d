//! Text from the site inside the script, made unable to break it: comment lines with control
//! characters escaped and folded to a length ksh reads as one line, `-D` descriptions in
//! printable ASCII without a character the shell interprets inside double quotes, and file
//! names a file system takes.

/// The longest line flowc writes: well under LINE_MAX (2048 on AIX), which `read` and
/// line-oriented tools are only required to handle.
pub const LINE_LIMIT: usize = 1000;

/// The longest file name stem: NAME_MAX is 255 bytes on AIX's JFS2 and Linux's ext4, and
/// the temporary name adds a prefix and suffix.
const STEM_LIMIT: usize = 180;

/// `text` with every control character written as an escape (`\x1b`, `\u{85}`), so that
/// NUL, ESC, a carriage return or a line separator cannot end or hide a line.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{{{:x}}}", character as u32)),
            character if character.is_control() && (character as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", character as u32))
            }
            character if character.is_control() => {
                out.push_str(&format!("\\u{{{:x}}}", character as u32))
            }
            character => out.push(character),
        }
    }
    out
}

/// Appends `text` as `#` comment lines: escaped, and folded at character boundaries so that
/// no line is longer than [`LINE_LIMIT`] bytes.
pub fn push_comment(out: &mut String, prefix: &str, text: &str) {
    let text = escaped(text);
    let room = LINE_LIMIT - prefix.len() - "#   ".len();
    let mut rest = text.as_str();
    let mut first = true;
    loop {
        let mut end = rest.len().min(room);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(if first { "# " } else { "#   " });
        out.push_str(prefix);
        out.push_str(&rest[..end]);
        out.push('\n');
        rest = &rest[end..];
        first = false;
        if rest.is_empty() {
            break;
        }
    }
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

/// The file name stem of a target: its name, or when that is too long for a file name, its
/// beginning and a hash of the whole (deterministic, so reruns rewrite the same file).
pub fn file_stem(name: &str) -> String {
    let plain = name.len() <= STEM_LIMIT
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte));
    if plain {
        return name.to_string();
    }
    // FNV-1a, 64 bits: stable across platforms and Rust versions, unlike `DefaultHasher`.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let start: String = name
        .chars()
        .filter(|character| character.is_ascii_alphanumeric() || "-_".contains(*character))
        .take(STEM_LIMIT - 17)
        .collect();
    format!("{start}-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_comments_folded() {
        assert_eq!(escaped("a\0b\x1b[31m\nc\\"), "a\\x00b\\x1b[31m\\x0ac\\\\");
        let mut out = String::new();
        push_comment(&mut out, "", &"é".repeat(3000));
        assert!(out.lines().count() >= 6);
        assert!(out
            .lines()
            .all(|line| line.len() <= LINE_LIMIT && line.starts_with('#')));
        assert_eq!(description("a\"$`\\\u{1b}é", 80), "a'S'/??");
        assert_eq!(file_stem("nim01"), "nim01");
        let long = file_stem(&"x".repeat(260));
        assert!(long.len() <= STEM_LIMIT, "{long}");
        assert_ne!(long, file_stem(&"x".repeat(261)));
    }
}
