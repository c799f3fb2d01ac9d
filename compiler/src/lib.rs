//! flowc's compiler: `.flow` source in, checked model and diagnostics out, with no IO of its own.
//!
//! The pipeline is staged, with plain data between stages: source → tokens ([`syntax::lexer`]) →
//! syntax tree ([`syntax::parser`]) → resolved names ([`resolve`]) → … Every stage reports
//! through the one [`Diagnostic`] type. See `ARCHITECTURE.md` for the whole map.

pub mod codes;
pub mod diagnostic;
pub mod emit;
pub mod format;
pub mod lints;
pub mod model;
pub mod report;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod syntax;

pub use diagnostic::{Diagnostic, Severity};
pub use source::{FileId, MemoryWorld, SourceMap, Span, World};

use resolve::{ModuleFile, ModuleId, Resolution};
use source::{Origin, SourceFile};
use std::sync::{Arc, OnceLock};
use syntax::ParsedFile;

/// One file of the compilation with its syntax and the module it belongs to.
#[derive(Debug)]
pub struct AnalyzedFile {
    pub file: FileId,
    pub module: ModuleId,
    pub parsed: Arc<ParsedFile>,
}

/// Everything the compiler knows about one site after analysis.
#[derive(Debug)]
pub struct Analysis {
    pub sources: SourceMap,
    pub files: Vec<AnalyzedFile>,
    pub resolution: Resolution,
    /// Every diagnostic of every stage, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
    }

    pub fn site_files(&self) -> impl Iterator<Item = &AnalyzedFile> {
        self.files
            .iter()
            .filter(|file| file.module == ModuleId::SITE)
    }

    pub fn file(&self, id: FileId) -> Option<&AnalyzedFile> {
        self.files.iter().find(|file| file.file == id)
    }
}

/// The stdlib parsed once per process; its files always take the first file ids.
fn parsed_stdlib() -> &'static [Arc<ParsedFile>] {
    static STDLIB: OnceLock<Vec<Arc<ParsedFile>>> = OnceLock::new();
    STDLIB.get_or_init(|| {
        stdlib::MODULES
            .iter()
            .enumerate()
            .map(|(index, (_, text))| Arc::new(syntax::parse_file(FileId(index as u32), text)))
            .collect()
    })
}

/// Reads the site's files from `world`, loads the stdlib, and runs every stage.
pub fn analyze(world: &dyn World) -> Analysis {
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    let mut module_names = vec![""];
    for (index, ((module, text), parsed)) in stdlib::MODULES.iter().zip(parsed_stdlib()).enumerate()
    {
        module_names.push(module);
        let file = sources.add(SourceFile::new(
            stdlib::file_name(module),
            *text,
            Origin::Stdlib,
        ));
        files.push(AnalyzedFile {
            file,
            module: ModuleId(index as u32 + 1),
            parsed: Arc::clone(parsed),
        });
    }
    for name in world.site_files() {
        let (text, read_error) = match world.read(&name) {
            Ok(text) => (text, None),
            Err(error) => (String::new(), Some(error)),
        };
        let file = sources.add(SourceFile::new(name.clone(), text.as_str(), Origin::Site));
        if let Some(error) = read_error {
            diagnostics.push(Diagnostic::error(
                codes::READ_FAILED,
                Span {
                    file,
                    start: 0,
                    end: 0,
                },
                format!("cannot read {name}: {error}"),
            ));
        }
        let parsed = Arc::new(syntax::parse_file(file, &text));
        files.push(AnalyzedFile {
            file,
            module: ModuleId::SITE,
            parsed,
        });
    }
    let module_files: Vec<ModuleFile<'_>> = files
        .iter()
        .map(|file| ModuleFile {
            module: file.module,
            file: file.file,
            ast: &file.parsed.ast,
        })
        .collect();
    let resolution = resolve::resolve(&module_names, &module_files);
    diagnostics.extend(
        files
            .iter()
            .flat_map(|file| file.parsed.diagnostics.iter().cloned()),
    );
    diagnostics.extend(resolution.diagnostics.iter().cloned());
    diagnostic::sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    Analysis {
        sources,
        files,
        resolution,
        diagnostics,
    }
}
