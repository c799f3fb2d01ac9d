//! The first resolution pass: every module's definitions and imports, and duplicate names.

use super::{
    Definition, DefinitionId, DefinitionKind, ModuleFile, Resolution, DUPLICATE_DEFINITION,
    UNKNOWN_MODULE,
};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::ItemKind;

pub(super) fn collect(resolution: &mut Resolution, files: &[ModuleFile<'_>]) {
    for file in files {
        let scope = &mut resolution.modules[file.module.0 as usize];
        (scope.broken).extend(file.ast.broken_names.iter().map(|name| name.name.clone()));
        for (item_index, item) in file.ast.items.iter().enumerate() {
            if let ItemKind::Import(import) = &item.kind {
                import_module(resolution, file, &import.module);
                continue;
            }
            let Some((name, kind)) = definition_of(&item.kind) else {
                continue;
            };
            let id = DefinitionId(resolution.definitions.len() as u32);
            let scope = &mut resolution.modules[file.module.0 as usize];
            if let Some(&existing) = scope.index.get(&name.name) {
                let previous = &resolution.definitions[existing.0 as usize];
                resolution.diagnostics.push(
                    Diagnostic::error(
                        DUPLICATE_DEFINITION,
                        name.span,
                        format!("`{}` is defined twice", name.name),
                    )
                    .with_primary_message(format!("this {} reuses the name", kind.noun()))
                    .with_label(
                        previous.name_span,
                        format!("first defined here as a {}", previous.kind.noun()),
                    )
                    .with_note("every file of a site shares one namespace"),
                );
                continue;
            }
            scope.definitions.insert(name.name.clone(), id);
            scope.index.insert(name.name.clone(), id);
            resolution.definitions.push(Definition {
                name: name.name.clone(),
                kind,
                module: file.module,
                name_span: name.span,
                item_span: item.span,
                item_index,
            });
        }
    }
}

fn definition_of(kind: &ItemKind) -> Option<(&crate::syntax::ast::Ident, DefinitionKind)> {
    let definition_kind = match kind {
        ItemKind::Zone(_) => DefinitionKind::Zone,
        ItemKind::Firewall(_) => DefinitionKind::Firewall,
        ItemKind::Host(_) => DefinitionKind::Host,
        ItemKind::Group(_) => DefinitionKind::Group,
        ItemKind::Service(_) => DefinitionKind::Service,
        ItemKind::Role(_) => DefinitionKind::Role,
        _ => return None,
    };
    Some((kind.defined_name()?, definition_kind))
}

fn import_module(
    resolution: &mut Resolution,
    file: &ModuleFile<'_>,
    module: &crate::syntax::ast::Ident,
) {
    let known: Vec<&str> = crate::stdlib::module_names().collect();
    if !known.contains(&module.name.as_str()) {
        let mut diagnostic = Diagnostic::error(
            UNKNOWN_MODULE,
            module.span,
            format!("there is no module `{}`", module.name),
        )
        .with_primary_message("not a stdlib module")
        .with_note(format!("the stdlib modules are {}", known.join(", ")));
        if let Some(suggestion) = super::did_you_mean(&module.name, known.iter().copied()) {
            diagnostic = diagnostic
                .with_primary_message(format!("did you mean `{suggestion}`?"))
                .with_fix(format!("import `{suggestion}`"), module.span, suggestion);
        }
        resolution.diagnostics.push(diagnostic);
        return;
    }
    resolution.modules[file.module.0 as usize]
        .imports
        .entry(module.name.clone())
        .or_insert(module.span);
}
