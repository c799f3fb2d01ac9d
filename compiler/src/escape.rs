//! Text from the site and its file names made safe to print or write on one line: control
//! characters as visible escapes. Every report for people and every backend's comment goes
//! through it, so that a file named with ESC cannot drive the reader's terminal.

use std::borrow::Cow;

/// `text` with every control character written as an escape (`\x1b`, `\u{85}`) and `\` as
/// `\\`, so that NUL, ESC, a carriage return or a line separator can neither end nor hide a
/// line, and an escape in the output always stands for one character of the input.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|byte| (b' '..b'\x7f').contains(&byte) && byte != b'\\')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
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
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_backslashes_are_escaped() {
        assert_eq!(escaped("plain/site.flow"), "plain/site.flow");
        assert_eq!(
            escaped("a\u{1b}[2Jb\0\\c\n\u{85}\u{2028}é"),
            "a\\x1b[2Jb\\x00\\\\c\\x0a\\x85\\u{2028}é"
        );
    }
}
