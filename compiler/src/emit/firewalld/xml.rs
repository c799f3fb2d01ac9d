//! Text from the site inside firewalld's XML: names, labels, file names and `@allow` reasons
//! reach comments and `<short>`/`<description>` elements, and none of it may make a file that
//! firewalld refuses to parse.
//!
//! XML 1.0 forbids most control characters everywhere, even as character references (`&#1;`
//! is an error), so they are written as visible escapes (`\x1b`); a comment may not contain
//! `--` nor end with `-` (markup characters are plain text there); element text escapes `&`,
//! `<` and `>`. Lengths are capped: firewalld
//! reads any length, but a 100 kB reason on one line helps no reader of the file.

/// The most bytes of text in one comment line; longer text is cut at a character boundary and
/// ends in `...`.
pub const COMMENT_LIMIT: usize = 1024;

/// The most bytes of text in a `<short>` element, which `firewall-cmd --info-*` prints as a
/// title.
pub const SHORT_LIMIT: usize = 128;

/// The most bytes of text in a `<description>` element.
pub const DESCRIPTION_LIMIT: usize = 1024;

/// `<!-- text -->` and a newline, indented by two spaces.
pub fn comment(text: &str) -> String {
    let mut safe = visible(text);
    cap(&mut safe, COMMENT_LIMIT);
    // `--` is the one sequence a comment may not hold: split each pair.
    while safe.contains("--") {
        safe = safe.replace("--", "- -");
    }
    if safe.ends_with('-') {
        safe.push(' ');
    }
    format!("  <!-- {safe} -->\n")
}

/// Text for an element's content, cut to `limit` bytes.
pub fn element_text(text: &str, limit: usize) -> String {
    let mut safe = visible(text);
    cap(&mut safe, limit);
    safe.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` with every control character (C0, DEL, C1: line breaks and tabs included, since every
/// text here is one line) and the two non-characters XML refuses written as `\xNN` or `\u{NNNN}`.
fn visible(text: &str) -> String {
    let plain = text.bytes().all(|byte| (b' '..b'\x7f').contains(&byte));
    if plain {
        return text.to_string();
    }
    let mut safe = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => {
                safe.push_str(&format!("\\x{:02x}", u32::from(character)))
            }
            '\u{fffe}' | '\u{ffff}' => safe.push_str(&format!("\\u{{{:x}}}", u32::from(character))),
            character => safe.push(character),
        }
    }
    safe
}

/// Cuts `text` to at most `limit` bytes at a character boundary, ending in `...` when cut.
fn cap(text: &mut String, limit: usize) {
    if text.len() <= limit {
        return;
    }
    let mut end = limit.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str("...");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_markup_never_reach_the_xml() {
        let hostile = "a\u{0}b\u{1}c\u{1b}[31m\u{7f}\u{85}\u{fffe} -- <x> & y -";
        let text = comment(hostile);
        assert_eq!(
            text,
            "  <!-- a\\x00b\\x01c\\x1b[31m\\x7f\\x85\\u{fffe} - - <x> & y -  -->\n"
        );
        assert!(!text[6..text.len() - 5].contains("--"));
        assert_eq!(element_text("a<b>&\u{1}c", 100), "a&lt;b&gt;&amp;\\x01c");
        // Dashes that only meet after another pair is split.
        assert!(!comment("---")[6..]
            .trim_end_matches(" -->\n")
            .contains("--"));
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let long = "é".repeat(2000);
        let text = comment(&long);
        assert!(text.len() <= COMMENT_LIMIT + 20, "{}", text.len());
        assert!(text.ends_with("... -->\n"));
        let short = element_text(&"x".repeat(500), SHORT_LIMIT);
        assert_eq!(short.len(), SHORT_LIMIT);
    }
}
