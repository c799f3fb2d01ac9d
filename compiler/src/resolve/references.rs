//! The second resolution pass: every name use, checked for existence, kind and import.

use super::{
    did_you_mean, DefinitionId, DefinitionKind, ModuleFile, ModuleId, Reference, Resolution,
    MODULE_NOT_IMPORTED, SELF_OUTSIDE_ROLE, UNKNOWN_LINT, UNKNOWN_MODULE, UNKNOWN_NAME, WRONG_KIND,
};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;

use DefinitionKind::{
    Firewall as FirewallKind, Group as GroupKind, Host as HostKind, Role as RoleKind,
};
use DefinitionKind::{Service as ServiceKind, Zone as ZoneKind};

const ENDPOINT_KINDS: &[DefinitionKind] = &[HostKind, GroupKind, ZoneKind, RoleKind, FirewallKind];

pub(super) fn resolve_references(resolution: &mut Resolution, files: &[ModuleFile<'_>]) {
    let prelude = resolution.module_named(crate::stdlib::PRELUDE);
    for file in files {
        let mut resolver = Resolver {
            resolution,
            module: file.module,
            file: file.file,
            prelude,
            locals: None,
            missing_imports: Default::default(),
        };
        for item in &file.ast.items {
            resolver.item(item);
        }
    }
}

struct Resolver<'r> {
    resolution: &'r mut Resolution,
    module: ModuleId,
    file: FileId,
    prelude: Option<ModuleId>,
    /// Parameter and loop-variable names while inside a role; `None` outside roles.
    locals: Option<Vec<String>>,
    /// Modules used without an `import` in this file, already reported: the fix adds the
    /// import once, so it is one error however many uses there are.
    missing_imports: std::collections::HashSet<String>,
}

impl Resolver<'_> {
    fn item(&mut self, item: &Item) {
        for attribute in &item.attributes {
            self.lint_name(&attribute.lint, None);
        }
        match &item.kind {
            ItemKind::Firewall(firewall) => {
                for part in &firewall.parts {
                    if let FirewallPartKind::Zones(zones) = &part.kind {
                        for zone in zones {
                            let path = Path {
                                segments: vec![zone.clone()],
                                span: zone.span,
                            };
                            self.path(&path, &[ZoneKind], "a zone");
                        }
                    }
                }
            }
            ItemKind::Host(host) => self.role_uses(&host.roles),
            ItemKind::Group(group) => {
                for member in &group.members {
                    if let Member::Name(path) = member {
                        self.path(path, &[HostKind, GroupKind], "a host or group");
                    }
                }
                self.role_uses(&group.roles);
            }
            ItemKind::Service(service) => {
                service.specs.iter().for_each(|spec| self.port_spec(spec))
            }
            ItemKind::Role(role) => self.role(role),
            ItemKind::Rule(rule) => self.flow(&rule.flow),
            ItemKind::Expect(expect) => self.flow(&expect.flow),
            ItemKind::Lint(setting) => self.lint_name(&setting.lint, setting.option.as_ref()),
            ItemKind::Import(_) | ItemKind::Zone(_) | ItemKind::Error => {}
        }
    }

    fn role_uses(&mut self, uses: &[RoleUse]) {
        for role_use in uses {
            self.path(&role_use.role, &[RoleKind], "a role");
            for argument in role_use.arguments.iter().flatten() {
                self.soft_reference(&argument.value);
            }
        }
    }

    /// Arguments may be hosts (for `host is ROLE` parameters) or enum words; only typing can
    /// tell. A name that resolves is recorded as a reference; one that does not is left to the
    /// argument checks, which know the parameter's type.
    fn soft_reference(&mut self, value: &Expr) {
        let Expr::Name(path) = value else { return };
        let [name] = path.segments.as_slice() else {
            return;
        };
        let found = self
            .resolution
            .lookup(self.module, &name.name)
            .filter(|id| matches!(self.resolution.definition(*id).kind, HostKind | GroupKind));
        if let Some(id) = found {
            self.resolution.references.push(Reference {
                span: path.span,
                target: id,
            });
        }
    }

    fn role(&mut self, role: &Role) {
        let mut locals: Vec<String> = Vec::new();
        for param in role.params.iter().flatten() {
            if locals.contains(&param.name.name) {
                self.resolution.diagnostics.push(
                    Diagnostic::error(
                        super::DUPLICATE_DEFINITION,
                        param.name.span,
                        format!("parameter `{}` is declared twice", param.name.name),
                    )
                    .with_primary_message("a parameter of this role already has this name"),
                );
            }
            locals.push(param.name.name.clone());
            if let ParamType::Host { roles, .. } = &param.ty {
                for path in roles {
                    self.path(path, &[RoleKind], "a role");
                }
            }
        }
        self.locals = Some(locals);
        if let Some(body) = &role.body {
            self.block(body);
        }
        self.locals = None;
    }

    fn block(&mut self, block: &Block) {
        for statement in &block.statements {
            match &statement.kind {
                StatementKind::Flow(flow) => self.flow(flow),
                StatementKind::If(if_statement) => self.if_statement(if_statement),
                StatementKind::For(for_statement) => {
                    self.port_expression(&for_statement.start);
                    self.port_expression(&for_statement.end);
                    if let Some(locals) = &mut self.locals {
                        locals.push(for_statement.variable.name.clone());
                    }
                    self.block(&for_statement.body);
                    if let Some(locals) = &mut self.locals {
                        locals.pop();
                    }
                }
                StatementKind::Error => {}
            }
        }
    }

    /// Conditions compare parameters with enum words, which only typing can tell apart from
    /// names; they are resolved when roles are expanded.
    fn if_statement(&mut self, if_statement: &IfStatement) {
        self.block(&if_statement.then_block);
        match &if_statement.else_branch {
            Some(ElseBranch::Block(block)) => self.block(block),
            Some(ElseBranch::If(nested, _)) => self.if_statement(nested),
            None => {}
        }
    }

    fn flow(&mut self, flow: &FlowSyntax) {
        for endpoint in flow.sources.iter().chain(&flow.destinations) {
            match endpoint {
                Endpoint::Name(path) if !self.is_local(path) => {
                    self.path(path, ENDPOINT_KINDS, "a host, group, zone or role");
                }
                Endpoint::SelfKw(span) if self.locals.is_none() => {
                    self.resolution.diagnostics.push(
                        Diagnostic::error(
                            SELF_OUTSIDE_ROLE,
                            *span,
                            "`self` is only meaningful inside a role",
                        )
                        .with_primary_message("not inside a role body")
                        .with_note("name the host or group instead"),
                    );
                }
                _ => {}
            }
        }
        flow.specs.iter().for_each(|spec| self.port_spec(spec));
    }

    fn port_spec(&mut self, spec: &PortSpec) {
        match spec {
            PortSpec::Named(path) if !self.is_local(path) => {
                self.path(path, &[ServiceKind], "a service");
            }
            PortSpec::Transport {
                ports,
                source_ports,
                ..
            } => {
                for range in ports
                    .ranges
                    .iter()
                    .chain(source_ports.iter().flat_map(|ports| &ports.ranges))
                {
                    self.port_expression(&range.start);
                    if let Some(end) = &range.end {
                        self.port_expression(end);
                    }
                }
            }
            _ => {}
        }
    }

    /// Names inside port numbers can only be role parameters or loop variables.
    fn port_expression(&mut self, expression: &Expr) {
        match expression {
            Expr::Name(path) if !self.is_local(path) => {
                let candidates: Vec<&str> =
                    self.locals.iter().flatten().map(String::as_str).collect();
                let mut diagnostic = Diagnostic::error(
                    UNKNOWN_NAME,
                    path.span,
                    format!("unknown name `{}`", path.text()),
                )
                .with_primary_message("not a parameter or loop variable");
                if self.locals.is_none() {
                    diagnostic = diagnostic
                        .with_note("outside a role, ports are numbers: `tcp 22`, `udp {67, 68}`");
                } else if let Some(suggestion) = did_you_mean(&path.text(), candidates) {
                    diagnostic =
                        diagnostic.with_fix(format!("use `{suggestion}`"), path.span, suggestion);
                }
                self.resolution.diagnostics.push(diagnostic);
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.port_expression(lhs);
                self.port_expression(rhs);
            }
            Expr::Not(inner, _) | Expr::Paren(inner, _) => self.port_expression(inner),
            _ => {}
        }
    }

    fn is_local(&self, path: &Path) -> bool {
        !path.is_qualified()
            && self
                .locals
                .as_ref()
                .is_some_and(|locals| locals.iter().any(|local| *local == path.segments[0].name))
    }

    fn lint_name(&mut self, lint: &Ident, option: Option<&Ident>) {
        if !crate::lints::is_lint(&lint.name) {
            let mut diagnostic = Diagnostic::error(
                UNKNOWN_LINT,
                lint.span,
                format!("there is no lint named `{}`", lint.name),
            )
            .with_primary_message("unknown lint")
            .with_note("`flowc explain` lists every lint");
            if let Some(suggestion) = did_you_mean(&lint.name, crate::lints::names()) {
                diagnostic =
                    diagnostic.with_fix(format!("use `{suggestion}`"), lint.span, suggestion);
            }
            self.resolution.diagnostics.push(diagnostic);
            return;
        }
        if let Some(option) = option {
            let options = crate::lints::options(&lint.name);
            if !options.contains(&option.name.as_str()) {
                let known = if options.is_empty() {
                    "none".to_string()
                } else {
                    options.join(", ")
                };
                self.resolution.diagnostics.push(
                    Diagnostic::error(
                        UNKNOWN_LINT,
                        option.span,
                        format!("lint `{}` has no option `{}`", lint.name, option.name),
                    )
                    .with_note(format!("its options: {known}")),
                );
            }
        }
    }

    /// Resolves a path to a definition of one of `kinds`, reporting what is wrong otherwise.
    fn path(
        &mut self,
        path: &Path,
        kinds: &[DefinitionKind],
        expected: &str,
    ) -> Option<DefinitionId> {
        let id = match path.segments.as_slice() {
            [name] => self.unqualified(name, kinds, expected)?,
            [module, name] => self.qualified(module, name, kinds, expected)?,
            _ => {
                self.resolution.diagnostics.push(
                    Diagnostic::error(
                        UNKNOWN_NAME,
                        path.span,
                        format!("`{}` is not a name", path.text()),
                    )
                    .with_note("names are `name` or `module.name`"),
                );
                return None;
            }
        };
        self.resolution.references.push(Reference {
            span: path.span,
            target: id,
        });
        // The definition is copied only for the diagnostic: most names are of the right kind.
        if !kinds.contains(&self.resolution.definition(id).kind) {
            let definition = self.resolution.definition(id).clone();
            self.resolution.diagnostics.push(
                Diagnostic::error(
                    WRONG_KIND,
                    path.span,
                    format!(
                        "`{}` is a {}, but {expected} is expected here",
                        path.text(),
                        definition.kind.noun()
                    ),
                )
                .with_label(
                    definition.name_span,
                    format!("`{}` is defined here", definition.name),
                ),
            );
            return None;
        }
        Some(id)
    }

    fn unqualified(
        &mut self,
        name: &Ident,
        kinds: &[DefinitionKind],
        expected: &str,
    ) -> Option<DefinitionId> {
        let found = self.resolution.lookup(self.module, &name.name).or_else(|| {
            self.prelude
                .and_then(|prelude| self.resolution.lookup(prelude, &name.name))
        });
        if found.is_some() {
            return found;
        }
        if self.is_broken(self.module, &name.name)
            || (self.prelude).is_some_and(|prelude| self.is_broken(prelude, &name.name))
        {
            // Declared by an item with a syntax error, which was reported: one mistake, one error.
            return None;
        }
        let mut scopes = vec![self.module];
        scopes.extend(self.prelude);
        let candidates = self.candidates(&scopes, kinds);
        let mut diagnostic = Diagnostic::error(
            UNKNOWN_NAME,
            name.span,
            format!("unknown name `{}`", name.name),
        )
        .with_primary_message(format!("not {expected} of this site"));
        if let Some(suggestion) = did_you_mean(&name.name, candidates.iter().map(String::as_str)) {
            diagnostic = diagnostic
                .with_primary_message(format!("did you mean `{suggestion}`?"))
                .with_fix(format!("use `{suggestion}`"), name.span, suggestion);
        }
        self.resolution.diagnostics.push(diagnostic);
        None
    }

    fn qualified(
        &mut self,
        module: &Ident,
        name: &Ident,
        kinds: &[DefinitionKind],
        expected: &str,
    ) -> Option<DefinitionId> {
        let Some(target_module) = self
            .resolution
            .module_named(&module.name)
            .filter(|id| *id != ModuleId::SITE)
        else {
            let known: Vec<&str> = crate::stdlib::module_names().collect();
            let mut diagnostic = Diagnostic::error(
                UNKNOWN_MODULE,
                module.span,
                format!("there is no module `{}`", module.name),
            )
            .with_primary_message("not a stdlib module");
            if let Some(suggestion) = did_you_mean(&module.name, known) {
                diagnostic = diagnostic
                    .with_primary_message(format!("did you mean `{suggestion}`?"))
                    .with_fix(format!("use `{suggestion}`"), module.span, suggestion);
            }
            self.resolution.diagnostics.push(diagnostic);
            return None;
        };
        let imported = Some(target_module) == self.prelude
            || target_module == self.module
            || self.resolution.modules[self.module.0 as usize]
                .imports
                .contains_key(&module.name);
        if !imported && self.missing_imports.insert(module.name.clone()) {
            let insert_at = Span {
                file: self.file,
                start: 0,
                end: 0,
            };
            let mut diagnostic = Diagnostic::error(
                MODULE_NOT_IMPORTED,
                module.span,
                format!("module `{}` is used but not imported", module.name),
            )
            .with_primary_message(format!("add `import {}`", module.name));
            diagnostic.fix = Some(Fix {
                message: format!("add `import {}`", module.name),
                edits: vec![Edit {
                    span: insert_at,
                    replacement: format!("import {}\n", module.name),
                }],
            });
            self.resolution.diagnostics.push(diagnostic);
        }
        if let Some(id) = self.resolution.lookup(target_module, &name.name) {
            return Some(id);
        }
        if self.is_broken(target_module, &name.name) {
            return None;
        }
        let candidates = self.candidates(&[target_module], kinds);
        let mut diagnostic = Diagnostic::error(
            UNKNOWN_NAME,
            name.span,
            format!(
                "module `{}` has no {} named `{}`",
                module.name,
                kinds_noun(kinds),
                name.name
            ),
        )
        .with_primary_message(format!("not {expected} in `{}`", module.name));
        if let Some(suggestion) = did_you_mean(&name.name, candidates.iter().map(String::as_str)) {
            diagnostic = diagnostic
                .with_primary_message(format!("did you mean `{}.{suggestion}`?", module.name))
                .with_fix(
                    format!("use `{}.{suggestion}`", module.name),
                    name.span,
                    suggestion,
                );
        }
        self.resolution.diagnostics.push(diagnostic);
        None
    }

    /// Whether `name` is declared in `module` by an item with a syntax error.
    fn is_broken(&self, module: ModuleId, name: &str) -> bool {
        self.resolution.modules[module.0 as usize]
            .broken
            .contains(name)
    }

    /// Names of the wanted kinds in the given modules, for suggestions.
    fn candidates(&self, modules: &[ModuleId], kinds: &[DefinitionKind]) -> Vec<String> {
        let mut names: Vec<String> = modules
            .iter()
            .flat_map(|module| {
                self.resolution.modules[module.0 as usize]
                    .definitions
                    .iter()
            })
            .filter(|(_, id)| kinds.contains(&self.resolution.definition(**id).kind))
            .map(|(name, _)| name.clone())
            .collect();
        names.extend(self.locals.iter().flatten().cloned());
        names.sort();
        names
    }
}

fn kinds_noun(kinds: &[DefinitionKind]) -> &'static str {
    match kinds {
        [single] => single.noun(),
        _ => "name",
    }
}
