//! flowc's compiler: `.flow` source in, checked model and diagnostics out, with no IO of its own.
//!
//! The pipeline is staged, with plain data between stages: source → tokens ([`syntax::lexer`]) →
//! syntax tree ([`syntax::parser`]) → resolved names ([`resolve`]) → … Every stage reports
//! through the one [`Diagnostic`] type. See `ARCHITECTURE.md` for the whole map.

pub mod answer;
pub mod checks;
pub mod codes;
pub mod coverage;
pub mod diagnostic;
pub mod doc;
pub mod emit;
pub mod escape;
pub mod expand;
pub mod format;
pub mod lints;
pub mod lower;
pub mod model;
mod parallel;
pub mod query;
pub mod report;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod topology;

pub(crate) use parallel::joined;

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

/// A site after every stage: the analysis with all diagnostics, and the policy for emitters.
#[derive(Debug)]
pub struct Checked {
    pub analysis: Analysis,
    pub policy: model::Policy,
    /// The lowered site, when the semantic stages ran: `None` when the site has syntax or name
    /// errors, and then `policy` is empty.
    pub model: Option<lower::Model>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.analysis.has_errors()
    }

    /// Whether the semantic stages ran (see [`Checked::model`]).
    pub fn lowered(&self) -> bool {
        self.model.is_some()
    }

    /// The lowered site with its analysis, when the semantic stages ran.
    pub fn site(&self) -> Option<lower::Site<'_>> {
        Some(lower::Site::new(&self.analysis, self.model.as_ref()?))
    }
}

/// Runs the whole pipeline: analysis, lowering, expansion, topology, checks and lint levels.
/// Semantic stages run only on a site without syntax or name errors, so they never see holes.
pub fn check(world: &dyn World) -> Checked {
    check_with(world).0
}

/// `check`, also returning the expectations and topology for `flowc query`.
/// `check`, reusing parsed files from `cache` (the language server keeps one).
pub fn check_cached(world: &dyn World, cache: &mut ParseCache) -> Checked {
    check_with_cache(world, cache).0
}

fn check_with(world: &dyn World) -> (Checked, Option<Semantics>) {
    check_with_cache(world, &mut ParseCache::default())
}

fn check_with_cache(world: &dyn World, cache: &mut ParseCache) -> (Checked, Option<Semantics>) {
    let mut analysis = analyze_cached(world, cache);
    if analysis.has_errors() {
        return (
            Checked {
                analysis,
                policy: model::Policy::default(),
                model: None,
            },
            None,
        );
    }
    let model = lower::lower(&analysis);
    let mut semantics = semantics(lower::Site::new(&analysis, &model));
    analysis.diagnostics.append(&mut semantics.diagnostics);
    diagnostic::sort_diagnostics(&mut analysis.diagnostics);
    analysis.diagnostics.dedup();
    diagnostic::limit_errors_per_file(&mut analysis.diagnostics);
    let policy = std::mem::take(&mut semantics.policy);
    let checked = Checked {
        analysis,
        policy,
        model: Some(model),
    };
    (checked, Some(semantics))
}

/// What the semantic stages produce besides the analysis.
struct Semantics {
    policy: model::Policy,
    diagnostics: Vec<Diagnostic>,
    expects: Vec<expand::ExpectCase>,
    topology: topology::Topology,
}

/// Everything after lowering.
fn semantics(site: lower::Site<'_>) -> Semantics {
    let analysis = site.analysis;
    let mut expansion = expand::expand(site);
    let flows = &expansion.flows;
    // The checks that read only the flows start now on other cores, while this thread routes
    // the flows and runs the checks that read the site.
    let (topology, routes, settings, mut diagnostics) = std::thread::scope(|scope| {
        let coverage = scope.spawn(move || checks::coverage(flows));
        let mut topology = topology::Topology::new(&site);
        let (routes, route_diagnostics) = topology.routes(flows);
        let settings = checks::levels::Settings::from_analysis(analysis);
        let context = checks::Context {
            site: &site,
            flows,
            routes: &routes,
            topology: &topology,
            expects: &expansion.expects,
            unread_arguments: &expansion.unread_arguments,
            settings: &settings,
        };
        let mut diagnostics = checks::run(&context, || joined(coverage.join()));
        diagnostics.extend(route_diagnostics);
        (topology, routes, settings, diagnostics)
    });
    diagnostics.extend(site.diagnostics.iter().cloned());
    diagnostics.append(&mut expansion.diagnostics);
    let diagnostics = settings.apply(diagnostics);
    // Role names per machine in one pass over the instances, not one pass per machine.
    let mut roles_of: Vec<Vec<String>> = vec![Vec::new(); site.machines.len()];
    for instance in &site.instances {
        roles_of[instance.machine].push(instance.role_name.clone());
    }
    let machines = site
        .machines
        .iter()
        .zip(roles_of)
        .map(|(machine, roles)| model::policy::Machine {
            name: machine.name.clone(),
            kind: if machine.is_group {
                model::policy::MachineKind::Group
            } else {
                model::policy::MachineKind::Host
            },
            addresses: machine.addresses.clone(),
            roles,
            span: machine.span,
        })
        .collect();
    let policy = model::Policy {
        zones: topology.zones.clone(),
        firewalls: topology.firewalls.clone(),
        machines,
        flows: expansion.flows,
        routes,
        machine_flows_cache: OnceLock::new(),
        origin_ranks_cache: OnceLock::new(),
    };
    Semantics {
        policy,
        diagnostics,
        expects: expansion.expects,
        topology,
    }
}

/// The name of the synthetic file that holds a `flowc query` question.
pub const QUERY_FILE: &str = "<query>";

/// A site seen with one extra file: the question of `flowc query`, written as an `expect`.
struct QueryWorld<'a> {
    site: &'a dyn World,
    question: String,
}

impl World for QueryWorld<'_> {
    fn site_files(&self) -> Vec<String> {
        let mut files = self.site.site_files();
        files.push(QUERY_FILE.to_string());
        files
    }

    fn read(&self, name: &str) -> Result<String, String> {
        if name == QUERY_FILE {
            Ok(self.question.clone())
        } else {
            self.site.read(name)
        }
    }
}

/// Answers "is this traffic allowed?" over a site. On errors (in the site or in the question,
/// which is reported as the file `<query>`), returns the checked site to report them.
pub fn ask(
    world: &dyn World,
    source: &str,
    destination: &str,
    port_spec: &str,
) -> Result<answer::Answer, Box<Checked>> {
    let question = format!("expect {source} -> {destination} : {port_spec} allowed\n");
    let (mut checked, semantics) = check_with(&QueryWorld {
        site: world,
        question,
    });
    let query_file = checked.analysis.sources.find(QUERY_FILE);
    // The question is not a real expectation: its failing is the answer, not an error.
    checked.analysis.diagnostics.retain(|diagnostic| {
        !(Some(diagnostic.span().file) == query_file && diagnostic.code == lints::EXPECT_FAILED)
    });
    match semantics {
        Some(mut semantics) if !checked.has_errors() => {
            let cases: Vec<&expand::ExpectCase> = semantics
                .expects
                .iter()
                .filter(|case| Some(case.item.file) == query_file)
                .collect();
            Ok(answer::answer(&checked, &mut semantics.topology, &cases))
        }
        _ => Err(Box::new(checked)),
    }
}
