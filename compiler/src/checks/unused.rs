//! `unused`: services, groups, roles and imports of the site that nothing uses.

use super::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::resolve::{DefinitionKind, ModuleId};
use crate::syntax::ast::ItemKind;
use std::collections::BTreeSet;

crate::explain_lints! {
    /// A service, group, role or import of the site that nothing uses (default: warning).
    ///
    /// A group that holds roles is used by holding them. Unused definitions are usually left
    /// over from an edit, or a typo elsewhere. The quick fix removes an unused import.
    UNUSED, "defined but never used";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let analysis = context.site.analysis;
    let resolution = &analysis.resolution;
    let used: BTreeSet<_> = resolution
        .references
        .iter()
        .map(|reference| reference.target)
        .collect();
    let mut diagnostics = Vec::new();
    for kind in [
        DefinitionKind::Service,
        DefinitionKind::Group,
        DefinitionKind::Role,
    ] {
        for id in context.site.site_definitions(kind) {
            let definition = context.site.definition(id);
            let holds_roles = matches!(&context.site.item(id).kind, ItemKind::Group(group) if !group.roles.is_empty());
            if used.contains(&id) || holds_roles {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    UNUSED,
                    definition.name_span,
                    format!("{} `{}` is never used", kind.noun(), definition.name),
                )
                .with_note("remove it, or use it in a rule"),
            );
        }
    }
    // An import is used when a site reference points into its module.
    let used_modules: BTreeSet<ModuleId> = resolution
        .references
        .iter()
        .filter(|reference| {
            analysis
                .file(reference.span.file)
                .is_some_and(|file| file.module == ModuleId::SITE)
        })
        .map(|reference| resolution.definition(reference.target).module)
        .collect();
    for file in analysis.site_files() {
        for item in &file.parsed.ast.items {
            let ItemKind::Import(import) = &item.kind else {
                continue;
            };
            let Some(module) = resolution.module_named(&import.module.name) else {
                continue;
            };
            if used_modules.contains(&module) {
                continue;
            }
            let mut diagnostic = Diagnostic::warning(
                UNUSED,
                import.module.span,
                format!("module `{}` is imported but never used", import.module.name),
            );
            let text = &analysis.sources.get(file.file).text;
            let mut end = item.span.end as usize;
            if text[end..].starts_with('\n') {
                end += 1;
            }
            diagnostic.fix = Some(Fix {
                message: format!("remove `import {}`", import.module.name),
                edits: vec![Edit {
                    span: crate::Span {
                        end: end as u32,
                        ..item.span
                    },
                    replacement: String::new(),
                }],
            });
            diagnostics.push(diagnostic);
        }
    }
    diagnostics
}
