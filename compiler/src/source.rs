//! Source files, the spans that point into them, and the `World` trait through which files arrive.
//!
//! The compiler does no IO of its own: the command line reads the disk, the language server
//! overlays open editor buffers, and tests hold files in memory. All of them implement [`World`].

use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct FileId(pub u32);

/// A byte range in one file. Every AST node, flow and graph node keeps one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// The smallest span covering both; both must be in the same file.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn contains_offset(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

// Spans print compactly so that `--dump ast` stays readable and tests can strip them.
impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{}:{}..{}", self.file.0, self.start, self.end)
    }
}

/// Removes what [`Span`]'s `Debug` writes (`@file:start..end`) from a `Debug` dump, so two
/// trees can be compared by shape: the formatter's tests and fuzz target use it.
pub fn strip_spans(debug: &str) -> String {
    let mut output = String::with_capacity(debug.len());
    let mut characters = debug.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '@' && characters.peek().is_some_and(char::is_ascii_digit) {
            while characters
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
            {
                characters.next();
            }
        } else {
            output.push(character);
        }
    }
    output
}

/// Where a file came from: the user's site, or the standard library embedded in the binary.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    Site,
    Stdlib,
}

/// One loaded file with its line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown to users: a path relative to where flowc was pointed, or `stdlib/nim.flow`.
    pub name: String,
    pub text: Arc<str>,
    pub origin: Origin,
    line_starts: Vec<u32>,
    /// Whether every character is one byte: then a column is a subtraction, not a count, so
    /// a thousand diagnostics on one long line cost nothing more than one.
    ascii: bool,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>, origin: Origin) -> SourceFile {
        let text: Arc<str> = text.into();
        let line_starts = line_starts(&text);
        let ascii = text.is_ascii();
        SourceFile {
            name: name.into(),
            text,
            origin,
            line_starts,
            ascii,
        }
    }

    /// 0-based line index and the byte offset where that line starts.
    fn line_of(&self, offset: u32) -> (usize, u32) {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        (line, self.line_starts[line])
    }

    /// 1-based line of a byte offset (clamped to the file): a binary search, no counting.
    pub fn line_number(&self, offset: u32) -> u32 {
        self.line_of(offset).0 as u32 + 1
    }

    /// 1-based line and character column of a byte offset (clamped to the file). A byte-order
    /// mark at the start of the file is not a column: editors do not show it.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let (line, line_start) = self.line_of(offset);
        let line_start = self.after_byte_order_mark(line, line_start);
        let offset = self.floor_char_boundary(offset).max(line_start);
        let column = self.characters_between(line_start, offset) as u32;
        LineColumn {
            line: line as u32 + 1,
            column: column + 1,
        }
    }

    /// Where the text of a line begins: its start, or past a byte-order mark on the first line
    /// (editors drop the mark, so it is no column).
    fn after_byte_order_mark(&self, line: usize, line_start: u32) -> u32 {
        if line == 0 && self.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8() as u32
        } else {
            line_start
        }
    }

    /// 0-based line and UTF-16 column, the unit the Language Server Protocol counts in.
    pub fn line_utf16_column(&self, offset: u32) -> (u32, u32) {
        let (line, line_start) = self.line_of(offset);
        let line_start = self.after_byte_order_mark(line, line_start);
        let offset = self.floor_char_boundary(offset).max(line_start);
        let column: usize = if self.ascii {
            (offset - line_start) as usize
        } else {
            self.text[line_start as usize..offset as usize]
                .chars()
                .map(char::len_utf16)
                .sum()
        };
        (line as u32, column as u32)
    }

    /// The characters (not bytes) between two offsets on char boundaries.
    fn characters_between(&self, start: u32, end: u32) -> usize {
        if self.ascii {
            (end - start) as usize
        } else {
            self.text[start as usize..end as usize].chars().count()
        }
    }

    /// The character offset of a byte offset (clamped to the file), for renderers that count
    /// characters.
    pub fn char_offset(&self, offset: u32) -> usize {
        self.characters_between(0, self.floor_char_boundary(offset))
    }

    /// 0-based line index of a byte offset (clamped to the file).
    pub fn line_index(&self, offset: u32) -> usize {
        self.line_of(offset).0
    }

    /// The byte range of a 0-based line, with its line break; the end of the text past the last.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let end_of_text = self.text.len();
        let start = self
            .line_starts
            .get(line)
            .map_or(end_of_text, |&start| start as usize);
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(end_of_text, |&end| end as usize);
        start..end
    }

    /// The byte offset of a 0-based line and UTF-16 column, clamped to the line.
    pub fn offset_of_utf16(&self, line: u32, column: u32) -> u32 {
        let Some(&line_start) = self.line_starts.get(line as usize) else {
            return self.text.len() as u32;
        };
        let line_start = self.after_byte_order_mark(line as usize, line_start);
        let next_line_start = self
            .line_starts
            .get(line as usize + 1)
            .map_or(self.text.len(), |&start| start as usize);
        let with_break = &self.text[line_start as usize..next_line_start];
        let line_end = line_start + with_break.trim_end_matches(['\r', '\n']).len() as u32;
        let mut units = 0;
        for (index, ch) in self.text[line_start as usize..line_end as usize].char_indices() {
            if units >= column {
                return line_start + index as u32;
            }
            units += ch.len_utf16() as u32;
        }
        line_end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    fn floor_char_boundary(&self, offset: u32) -> u32 {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset as u32
    }

    pub fn slice(&self, span: Span) -> &str {
        let start = self.floor_char_boundary(span.start) as usize;
        let end = self.floor_char_boundary(span.end) as usize;
        &self.text[start..end.max(start)]
    }
}

/// The byte offset where each line starts. A line ends at LF, at CRLF, or at a lone CR, as in
/// every editor (and in the lexer, where a comment ends at either character).
fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = vec![0];
    if !text.contains('\r') {
        // The usual file: a fast search for one byte.
        starts.extend(text.match_indices('\n').map(|(index, _)| index as u32 + 1));
        return starts;
    }
    let bytes = text.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(index as u32 + 1);
        }
    }
    starts
}

/// Every file of one compilation, indexed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    pub fn find(&self, name: &str) -> Option<FileId> {
        self.iter()
            .find(|(_, file)| file.name == name)
            .map(|(id, _)| id)
    }
}

/// The compiler's only window on the outside: the site's files and their text.
pub trait World {
    /// The names of the site's `.flow` files, in a stable (sorted) order.
    fn site_files(&self) -> Vec<String>;
    /// The text of one site file; an `Err` carries a message such as the OS error.
    fn read(&self, name: &str) -> Result<String, String>;
}

/// A `World` held in memory: tests, fuzzing and the language server's snapshots use it.
#[derive(Clone, Debug, Default)]
pub struct MemoryWorld {
    pub files: std::collections::BTreeMap<String, String>,
}

impl MemoryWorld {
    pub fn single(name: &str, text: &str) -> MemoryWorld {
        let mut world = MemoryWorld::default();
        world.files.insert(name.to_string(), text.to_string());
        world
    }
}

impl World for MemoryWorld {
    fn site_files(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read(&self, name: &str) -> Result<String, String> {
        self.files
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no file named {name}"))
    }
}

#[cfg(test)]
mod line_end_tests {
    use super::*;

    #[test]
    fn cr_lf_and_crlf_each_end_one_line() {
        let file = SourceFile::new("t", "a\rb\r\nc\nd", Origin::Site);
        assert_eq!(file.line_count(), 4);
        let d = file.text.find('d').unwrap() as u32;
        assert_eq!(file.line_column(d), LineColumn { line: 4, column: 1 });
        let b = file.text.find('b').unwrap() as u32;
        assert_eq!(file.line_utf16_column(b), (1, 0));
        assert_eq!(file.offset_of_utf16(1, 0), b);
        // The end of line 1 is before its CRLF, and of line 0 before its lone CR.
        assert_eq!(file.offset_of_utf16(1, 99), b + 1);
        assert_eq!(file.offset_of_utf16(0, 99), 1);
    }

    #[test]
    fn a_byte_order_mark_is_no_column() {
        let file = SourceFile::new("t", "\u{feff}host a", Origin::Site);
        assert_eq!(file.line_column(3), LineColumn { line: 1, column: 1 });
        assert_eq!(file.line_column(8), LineColumn { line: 1, column: 6 });
        assert_eq!(file.line_utf16_column(8), (0, 5));
        assert_eq!(file.offset_of_utf16(0, 0), 3);
        assert_eq!(file.offset_of_utf16(0, 5), 8);
    }
}
