//! Name resolution: one namespace per site across its files, stdlib modules reached as
//! `module.name` after `import`, and the `net` prelude in scope everywhere.
//!
//! The output is a table of definitions and a list of references (every resolved name use with
//! its span), which the language server uses for definition, references and rename.

mod definitions;
mod references;
mod suggest;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::FileAst;
use foldhash::fast::FixedState;
use std::collections::{BTreeMap, HashMap};

pub use suggest::did_you_mean;

crate::declare_codes! {
    /// `import` names a module the standard library does not have.
    ///
    /// The modules are `net` (the prelude, always in scope), `nim`, `xcat`, `hmc`, `itm` and
    /// `ipmi`; `flowc doc` lists what each holds.
    UNKNOWN_MODULE = "E0101", "unknown module";
    /// A name that is defined nowhere in the site, its imports or the prelude.
    ///
    /// The message suggests the closest name of the right kind when there is one; the quick fix
    /// replaces the name with it.
    UNKNOWN_NAME = "E0102", "unknown name";
    /// Two definitions with the same name in one site (all its files share one namespace), or
    /// two parameters of one role with the same name.
    ///
    /// Both places are shown. Rename one of them.
    DUPLICATE_DEFINITION = "E0103", "duplicate definition";
    /// A qualified name such as `nim.master` whose module is not imported.
    ///
    /// Add `import nim` to any file of the site; the quick fix does that.
    MODULE_NOT_IMPORTED = "E0104", "module not imported";
    /// A name of the wrong kind for its place: a service where a zone is expected, a host where
    /// a role is expected, and so on.
    WRONG_KIND = "E0105", "name of the wrong kind";
    /// A lint name in `lint NAME = …` or `@allow(NAME, "…")` that does not exist, or a lint option
    /// that the lint does not have.
    ///
    /// `flowc explain` with no argument lists every lint.
    UNKNOWN_LINT = "E0106", "unknown lint";
    /// `self` outside a role body, where there is no machine holding a role to stand for.
    SELF_OUTSIDE_ROLE = "E0107", "`self` outside a role";
}

/// Which module a name lives in: the user's site, or one stdlib module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ModuleId(pub u32);

impl ModuleId {
    pub const SITE: ModuleId = ModuleId(0);
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct DefinitionId(pub u32);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum DefinitionKind {
    Zone,
    Firewall,
    Host,
    Group,
    Service,
    Role,
}

impl DefinitionKind {
    pub fn noun(self) -> &'static str {
        match self {
            DefinitionKind::Zone => "zone",
            DefinitionKind::Firewall => "firewall",
            DefinitionKind::Host => "host",
            DefinitionKind::Group => "group",
            DefinitionKind::Service => "service",
            DefinitionKind::Role => "role",
        }
    }
}

/// One named item of the site or the stdlib.
#[derive(Clone, Debug)]
pub struct Definition {
    pub name: String,
    pub kind: DefinitionKind,
    pub module: ModuleId,
    /// The span of the defining name.
    pub name_span: Span,
    /// The span of the whole item.
    pub item_span: Span,
    /// Index of the item in its file's `items`.
    pub item_index: usize,
}

/// A resolved use of a name.
#[derive(Clone, Debug)]
pub struct Reference {
    pub span: Span,
    pub target: DefinitionId,
}

/// One module's scope: its definitions and the modules it imported.
#[derive(Clone, Debug, Default)]
pub struct ModuleScope {
    pub name: String,
    pub definitions: BTreeMap<String, DefinitionId>,
    /// The same definitions hashed, for lookups: a site of thousands of hosts resolves a name
    /// per endpoint, and walking the ordered map compares a dozen strings each time.
    pub(crate) index: HashMap<String, DefinitionId, FixedState>,
    /// Imported module names with the span of (one of) their `import` items.
    pub imports: BTreeMap<String, Span>,
    /// Names declared by items with syntax errors: their uses are not reported again.
    pub(crate) broken: std::collections::HashSet<String>,
}

/// The result of resolution over every file of one compilation.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    pub modules: Vec<ModuleScope>,
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every resolved name by its span, sorted by span (of several at one span, the last
    /// resolved). Later stages look up each name of each rule: they ask in the order of the
    /// files, which resolution recorded them in, so neighbouring questions search the same part
    /// of the table, where a hash table sent each one to a random place in memory.
    reference_at: Vec<(Span, DefinitionId)>,
}

impl Resolution {
    pub fn definition(&self, id: DefinitionId) -> &Definition {
        &self.definitions[id.0 as usize]
    }

    pub fn module_named(&self, name: &str) -> Option<ModuleId> {
        self.modules
            .iter()
            .position(|module| module.name == name)
            .map(|index| ModuleId(index as u32))
    }

    pub fn lookup(&self, module: ModuleId, name: &str) -> Option<DefinitionId> {
        self.modules[module.0 as usize].index.get(name).copied()
    }

    /// The definition a name at this span resolved to.
    pub fn resolved(&self, span: Span) -> Option<DefinitionId> {
        let position = (self.reference_at)
            .binary_search_by_key(&span, |(span, _)| *span)
            .ok()?;
        Some(self.reference_at[position].1)
    }
}

/// The references sorted by span; of several at one span (a name resolved twice), the last.
fn references_by_span(references: &[Reference]) -> Vec<(Span, DefinitionId)> {
    let mut sorted: Vec<(Span, DefinitionId)> = (references.iter())
        .map(|reference| (reference.span, reference.target))
        .collect();
    // Stable, so that equal spans keep the order they were resolved in.
    sorted.sort_by_key(|(span, _)| *span);
    let mut kept: Vec<(Span, DefinitionId)> = Vec::with_capacity(sorted.len());
    for pair in sorted {
        match kept.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => kept.push(pair),
        }
    }
    kept
}

/// A parsed file together with the module it belongs to.
pub struct ModuleFile<'a> {
    pub module: ModuleId,
    pub file: FileId,
    pub ast: &'a FileAst,
}

/// Resolves every name in `files`. `module_names[i]` names `ModuleId(i)`; index 0 is the site.
pub fn resolve(module_names: &[&str], files: &[ModuleFile<'_>]) -> Resolution {
    let mut resolution = Resolution {
        modules: module_names
            .iter()
            .map(|name| ModuleScope {
                name: name.to_string(),
                ..ModuleScope::default()
            })
            .collect(),
        ..Resolution::default()
    };
    definitions::collect(&mut resolution, files);
    references::resolve_references(&mut resolution, files);
    resolution.reference_at = references_by_span(&resolution.references);
    resolution
}
