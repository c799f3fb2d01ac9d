//! The one `Diagnostic` type every stage reports with, shared by the command line and the language server.

use crate::source::Span;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A span with an optional message, drawn under the source.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One text replacement; a [`Fix`] is a list of them applied together.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A machine-applicable repair, offered as a quick fix in editors.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A problem found in a site, with a stable code (`E0102`, `shadowed`) that `flowc explain` knows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, span, message)
    }

    pub fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }

    /// Sets the text drawn under the primary span.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_fix(
        mut self,
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Diagnostic {
        self.fix = Some(Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        });
        self
    }

    pub fn span(&self) -> Span {
        self.primary.span
    }
}

/// Sorts diagnostics by file, position and code so every output is deterministic.
/// The most errors a file reports; the rest are counted in one note.
pub const MAX_ERRORS_PER_FILE: usize = 100;

/// Keeps the first [`MAX_ERRORS_PER_FILE`] errors of each file of a sorted list, and puts one
/// note where the first dropped error was, saying how many more there are. A file of garbage
/// (ten thousand unknown characters) reports a page, not ten thousand errors, to every consumer:
/// the terminal, JSON, SARIF and the editor.
pub fn limit_errors_per_file(diagnostics: &mut Vec<Diagnostic>) {
    /// The file being read: its errors so far, and its note (place in `kept`, count) once made.
    struct File {
        id: crate::source::FileId,
        errors: usize,
        note: Option<(usize, usize)>,
    }
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut current: Option<File> = None;
    let mut notes: Vec<(usize, usize)> = Vec::new();
    for diagnostic in diagnostics.drain(..) {
        let id = diagnostic.span().file;
        if current.as_ref().is_none_or(|file| file.id != id) {
            notes.extend(current.take().and_then(|file| file.note));
        }
        let file = current.get_or_insert(File {
            id,
            errors: 0,
            note: None,
        });
        if diagnostic.severity == Severity::Error {
            file.errors += 1;
            if file.errors > MAX_ERRORS_PER_FILE {
                match &mut file.note {
                    Some((_, count)) => *count += 1,
                    None => {
                        file.note = Some((kept.len(), 1));
                        kept.push(Diagnostic::new(
                            crate::codes::TOO_MANY_ERRORS,
                            Severity::Note,
                            diagnostic.span(),
                            String::new(),
                        ));
                    }
                }
                continue;
            }
        }
        kept.push(diagnostic);
    }
    notes.extend(current.and_then(|file| file.note));
    for (place, count) in notes {
        kept[place].message = format!(
            "{count} more error{} in this file {} not listed (flowc lists the first {MAX_ERRORS_PER_FILE})",
            if count == 1 { "" } else { "s" },
            if count == 1 { "is" } else { "are" }
        );
    }
    *diagnostics = kept;
}

pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (
            a.span().file,
            a.span().start,
            a.span().end,
            a.code,
            &a.message,
        )
            .cmp(&(
                b.span().file,
                b.span().start,
                b.span().end,
                b.code,
                &b.message,
            ))
    });
}
