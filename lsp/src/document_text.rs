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

/// The protocol position of byte `offset` in `text` (the inverse of [`byte_offset`]); an
/// offset inside a character or past the end counts from the character or the end before it.
pub fn position_of(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let bytes = text.as_bytes();
    let (mut line, mut line_start, mut index) = (0, 0, 0);
    while let Some(found) = bytes[index..offset]
        .iter()
        .position(|&byte| byte == b'\n' || byte == b'\r')
    {
        index += found;
        // The two bytes of a CRLF end one line; a position between them is still on it.
        if bytes[index] == b'\r' && bytes.get(index + 1) == Some(&b'\n') {
            if index + 1 >= offset {
                offset = index;
                break;
            }
            index += 1;
        }
        index += 1;
        line += 1;
        line_start = index;
    }
    let character = text[line_start..offset].encode_utf16().count() as u32;
    Position { line, character }
}

/// Where a text differs from an older one: a single region between their longest common
/// beginning and end. Offsets outside it map between the two texts, so an answer computed on
/// the older text (the last analysis) can be placed in the newer (the editor's) while the
/// analysis of the newer one is still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditedRegion {
    /// Bytes before the region, the same in both texts.
    same_before: usize,
    /// Where the common end starts, in the old and in the new text.
    old_after: usize,
    new_after: usize,
}

impl EditedRegion {
    pub fn between(old: &str, new: &str) -> EditedRegion {
        let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
        let mut before = old_bytes
            .iter()
            .zip(new_bytes)
            .take_while(|(a, b)| a == b)
            .count();
        while !(old.is_char_boundary(before) && new.is_char_boundary(before)) {
            before -= 1;
        }
        let longest_after = old.len().min(new.len()) - before;
        let mut after = (old_bytes.iter().rev())
            .zip(new_bytes.iter().rev())
            .take(longest_after)
            .take_while(|(a, b)| a == b)
            .count();
        while !(old.is_char_boundary(old.len() - after) && new.is_char_boundary(new.len() - after))
        {
            after -= 1;
        }
        EditedRegion {
            same_before: before,
            old_after: old.len() - after,
            new_after: new.len() - after,
        }
    }

    /// The old offset of a new one that lies strictly outside the region.
    pub fn old_offset(&self, new: usize) -> Option<usize> {
        if new < self.same_before {
            Some(new)
        } else if new > self.new_after {
            Some(new - self.new_after + self.old_after)
        } else {
            None
        }
    }

    /// The new place of an old range that lies strictly outside the region: the bytes on
    /// both sides of it are unchanged too, so a word there is still that whole word.
    pub fn new_range(&self, old_start: usize, old_end: usize) -> Option<(usize, usize)> {
        if old_end < self.same_before {
            Some((old_start, old_end))
        } else if old_start > self.old_after {
            let shift = |offset: usize| offset - self.old_after + self.new_after;
            Some((shift(old_start), shift(old_end)))
        } else {
            None
        }
    }
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

    #[test]
    fn positions_of_offsets_count_every_line_break() {
        let text = "a\u{1F600}b\r\nc\rd\ne";
        assert_eq!(position_of(text, 5), position(0, 3));
        assert_eq!(position_of(text, 6), position(0, 4));
        assert_eq!(position_of(text, 7), position(0, 4), "between CR and LF");
        assert_eq!(position_of(text, 8), position(1, 0));
        assert_eq!(position_of(text, 10), position(2, 0));
        assert_eq!(position_of(text, 13), position(3, 1));
        assert_eq!(position_of(text, 99), position(3, 1));
    }

    #[test]
    fn the_edited_region_maps_what_is_outside_it() {
        let old = "allow h1 -> h2 : ssh\nallow h3 -> h4 : ssh\n";
        let new = "allow h1 -> h2 : ssh\nallow h3 -> h47 : ssh\n";
        let region = EditedRegion::between(old, new);
        assert_eq!(region.old_offset(6), Some(6), "h1, before the edit");
        assert_eq!(region.new_range(6, 8), Some((6, 8)));
        // `h4` became `h47`: the word touches the edit and is not mapped.
        assert_eq!(region.new_range(33, 35), None);
        assert_eq!(region.old_offset(35), None);
        assert_eq!(region.old_offset(38), Some(37), "`ssh` after the edit");
        assert_eq!(region.new_range(38, 41), Some((39, 42)));
        let same = EditedRegion::between(old, old);
        assert_eq!(same.old_offset(3), Some(3));
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
        /// `position_of` is the inverse of `byte_offset` at every character boundary.
        #[test]
        fn position_of_inverts_byte_offset(text in "[a-z\u{e9}\u{1F600} \n\r]{0,40}", at in 0usize..60) {
            let offset = boundary(&text, at);
            prop_assert_eq!(byte_offset(&text, position_of(&text, offset)), offset);
        }

        /// Outside the edited region, old and new text agree byte for byte around every
        /// mapped offset.
        #[test]
        fn the_edited_region_maps_only_unchanged_text(
            old in "[ab\u{e9} \n]{0,30}",
            new in "[ab\u{e9} \n]{0,30}",
            at in 0usize..40,
        ) {
            let region = EditedRegion::between(&old, &new);
            let at = boundary(&new, at);
            if let Some(mapped) = region.old_offset(at) {
                prop_assert!(old.is_char_boundary(mapped));
                let width = new[at..].chars().next().map_or(0, char::len_utf8);
                prop_assert_eq!(&old[mapped..(mapped + width).min(old.len())], &new[at..at + width]);
                if let Some((start, end)) = region.new_range(mapped, mapped + width) {
                    prop_assert_eq!((start, end), (at, at + width));
                }
            }
        }
    }
}
