//! Incremental text synchronisation: an editor's `didChange` deltas applied to the text the
//! server holds, in the protocol's units (0-based lines, UTF-16 columns).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol says and as every editor shows them.
//! A position past the end of its line means the end of that line, and a line past the end of
//! the text means the end of the text (editors send both while a document is being cut), so
//! no change is ever refused.

use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};

/// Applies one change: a range replaced by new text, or (without a range) the whole text.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let start = byte_offset(text, range.start);
            let end = byte_offset(text, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// The byte offset of a protocol position in `text`, clamped as the module comment says.
pub fn byte_offset(text: &str, position: Position) -> usize {
    let bytes = text.as_bytes();
    let mut line_start = 0;
    let mut line = 0;
    while line < position.line {
        match next_line_start(bytes, line_start) {
            Some(next) => line_start = next,
            None => return text.len(),
        }
        line += 1;
    }
    let line_end = line_end(bytes, line_start);
    let mut units = 0;
    for (index, character) in text[line_start..line_end].char_indices() {
        if units >= position.character {
            return line_start + index;
        }
        units += character.len_utf16() as u32;
    }
    line_end
}

/// Where the line after the one starting at `start` begins, if there is one.
fn next_line_start(bytes: &[u8], start: usize) -> Option<usize> {
    let end = line_end(bytes, start);
    match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => Some(end + 2),
        Some(_) => Some(end + 1),
        None => None,
    }
}

/// The offset of the line break ending the line that starts at `start` (or the text's end).
fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&byte| byte == b'\n' || byte == b'\r')
        .map_or(bytes.len(), |position| start + position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tower_lsp_server::ls_types::Range;

    fn position(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    fn change(start: Position, end: Position, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range { start, end }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn columns_count_utf16_units_and_every_line_break_ends_a_line() {
        let text = "a\u{1F600}b\r\nc\rd\ne";
        assert_eq!(byte_offset(text, position(0, 3)), 5);
        assert_eq!(byte_offset(text, position(0, 99)), 6);
        assert_eq!(byte_offset(text, position(1, 0)), 8);
        assert_eq!(byte_offset(text, position(2, 0)), 10);
        assert_eq!(byte_offset(text, position(3, 1)), 13);
        assert_eq!(byte_offset(text, position(9, 0)), 13);
    }

    #[test]
    fn a_lone_carriage_return_is_a_line_break() {
        let mut text = "allow a -> b : any # note\rdeny a -> b : any".to_string();
        apply_change(&mut text, change(position(1, 0), position(1, 4), "allow"));
        assert_eq!(text, "allow a -> b : any # note\rallow a -> b : any");
    }

    /// The position of byte `offset` in `text`, as an editor would count it.
    fn position_of(text: &str, offset: usize) -> Position {
        let mut line = 0;
        let mut line_start = 0;
        let bytes = text.as_bytes();
        let mut index = 0;
        while index < offset {
            match bytes[index] {
                b'\r' if bytes.get(index + 1) == Some(&b'\n') && index + 1 < offset => {
                    index += 2;
                    line += 1;
                    line_start = index;
                    continue;
                }
                b'\n' | b'\r' => {
                    line += 1;
                    line_start = index + 1;
                }
                _ => {}
            }
            index += 1;
        }
        let character = text[line_start..offset].encode_utf16().count() as u32;
        position(line, character)
    }

    fn boundary(text: &str, mut offset: usize) -> usize {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // A position cannot point between the two bytes of a CRLF.
        if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
            offset -= 1;
        }
        offset
    }

    proptest! {
        /// Random edits sent as deltas give exactly the text a full sync would send.
        #[test]
        fn incremental_edits_give_the_text_of_full_sync(
            initial in "[a-z\u{e9}\u{1F600} \n\r]{0,40}",
            edits in proptest::collection::vec((0usize..60, 0usize..60, "[a-z\u{1F600}\n\r ]{0,6}"), 1..12),
        ) {
            let mut expected = initial.clone();
            let mut synced = initial;
            for (from, length, inserted) in edits {
                let start = boundary(&expected, from);
                let end = boundary(&expected, start + length).max(start);
                let delta = change(position_of(&expected, start), position_of(&expected, end), &inserted);
                expected.replace_range(start..end, &inserted);
                apply_change(&mut synced, delta);
                prop_assert_eq!(&synced, &expected);
            }
        }
    }
}
