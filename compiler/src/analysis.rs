//! Analysis: every file of the site read and parsed (reusing an editor's parse cache), the
//! standard library loaded, and names resolved. What the semantic stages start from.

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::resolve::{self, ModuleFile, ModuleId, Resolution};
use crate::source::{FileId, Origin, SourceFile, SourceMap, Span, World};
use crate::syntax::{self, ParsedFile};
use crate::{codes, stdlib};
use std::sync::{Arc, OnceLock};

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

    pub fn definition(&self, id: resolve::DefinitionId) -> &resolve::Definition {
        self.resolution.definition(id)
    }

    /// The item that made a definition.
    pub fn item(&self, id: resolve::DefinitionId) -> &syntax::ast::Item {
        let definition = self.resolution.definition(id);
        let file = self
            .file(definition.item_span.file)
            .expect("definitions come from analysed files");
        &file.parsed.ast.items[definition.item_index]
    }

    /// `module.name` for stdlib definitions, `name` for the site's.
    pub fn qualified_name(&self, id: resolve::DefinitionId) -> String {
        let definition = self.definition(id);
        if definition.module == ModuleId::SITE {
            definition.name.clone()
        } else {
            format!(
                "{}.{}",
                self.resolution.modules[definition.module.0 as usize].name, definition.name
            )
        }
    }

    /// Every site definition of one kind, in declaration order.
    pub fn site_definitions(
        &self,
        kind: resolve::DefinitionKind,
    ) -> impl Iterator<Item = resolve::DefinitionId> + '_ {
        let definitions = &self.resolution.definitions;
        (0..definitions.len())
            .map(|index| resolve::DefinitionId(index as u32))
            .filter(move |id| {
                let definition = &definitions[id.0 as usize];
                definition.kind == kind && definition.module == ModuleId::SITE
            })
    }

    pub fn file(&self, id: FileId) -> Option<&AnalyzedFile> {
        // Files join the source map and this list in the same order, so a file's id is its
        // place here: every definition lookup asks, and a site has thousands of files. The
        // search is for any other arrangement.
        match self.files.get(id.0 as usize) {
            Some(file) if file.file == id => Some(file),
            _ => self.files.iter().find(|file| file.file == id),
        }
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

/// Parsed files kept between analyses, so an editor's edit re-parses only the file it changed.
/// A file is reused when its id and text are exactly those of the cached parse.
#[derive(Default)]
pub struct ParseCache {
    files: std::collections::HashMap<FileId, (Arc<str>, Arc<ParsedFile>)>,
}

/// Reads the site's files from `world`, loads the stdlib, and runs every stage.
pub fn analyze(world: &dyn World) -> Analysis {
    analyze_cached(world, &mut ParseCache::default())
}

/// `analyze`, reusing and refreshing `cache`.
pub fn analyze_cached(world: &dyn World, cache: &mut ParseCache) -> Analysis {
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
    // Site files are read here in order, then those not in the cache are parsed on every core.
    let mut site_files: Vec<(FileId, String, Option<Arc<ParsedFile>>)> = Vec::new();
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
        let cached = match cache.files.get(&file) {
            Some((cached_text, parsed)) if **cached_text == *text => Some(Arc::clone(parsed)),
            _ => None,
        };
        site_files.push((file, text, cached));
    }
    let to_parse: Vec<(FileId, &str)> = (site_files.iter())
        .filter(|(_, _, cached)| cached.is_none())
        .map(|(file, text, _)| (*file, text.as_str()))
        .collect();
    let mut parsed_now = syntax::parse_files(&to_parse).into_iter();
    for (file, text, cached) in site_files {
        let parsed = match cached {
            Some(parsed) => parsed,
            None => {
                let parsed = Arc::new(
                    parsed_now
                        .next()
                        .unwrap_or_else(|| syntax::parse_file(file, &text)),
                );
                cache
                    .files
                    .insert(file, (Arc::from(text.as_str()), Arc::clone(&parsed)));
                parsed
            }
        };
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
    diagnostic::limit_errors_per_file(&mut diagnostics);
    Analysis {
        sources,
        files,
        resolution,
        diagnostics,
    }
}
