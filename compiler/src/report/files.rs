//! The site's files as codespan-reporting sees them: names, texts, and positions through the
//! source map's line index (a binary search over line starts; columns count characters).
//! codespan renders `--format short` through this; the other reports ask the same index.

use crate::source::{FileId, SourceMap};
use codespan_reporting::files::{Error, Files};

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = std::borrow::Cow<'a, str>;
    type Source = &'a str;

    /// The name as the report shows it: [`crate::escape::escaped`], as every report for people.
    fn name(&'a self, id: FileId) -> Result<Self::Name, Error> {
        Ok(crate::escape::escaped(
            &self.try_get(id).ok_or(Error::FileMissing)?.name,
        ))
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, Error> {
        Ok(&self.try_get(id).ok_or(Error::FileMissing)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, Error> {
        let file = self.try_get(id).ok_or(Error::FileMissing)?;
        Ok(file.line_index(byte_index.min(u32::MAX as usize) as u32))
    }

    fn column_number(
        &'a self,
        id: FileId,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let file = self.try_get(id).ok_or(Error::FileMissing)?;
        Ok(file
            .line_column(byte_index.min(u32::MAX as usize) as u32)
            .column as usize)
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, Error> {
        Ok(self
            .try_get(id)
            .ok_or(Error::FileMissing)?
            .line_range(line_index))
    }
}
