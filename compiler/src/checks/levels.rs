//! Lint levels: `lint NAME = error|warn|allow`, lint options, `@allow(NAME, "reason")` on one
//! item, and `--deny warnings` (applied by the command line).

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::ast::{ItemKind, LintLevel, LintValue};
use std::collections::BTreeMap;

/// The site's lint configuration.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub levels: BTreeMap<String, LintLevel>,
    pub options: BTreeMap<(String, String), u64>,
    /// Spans of items with `@allow(lint, …)`, per lint.
    pub allowed_items: Vec<(String, crate::Span)>,
}

impl Settings {
    pub fn from_analysis(analysis: &Analysis) -> Settings {
        let mut settings = Settings::default();
        for file in analysis.site_files() {
            for item in &file.parsed.ast.items {
                for attribute in &item.attributes {
                    settings
                        .allowed_items
                        .push((attribute.lint.name.clone(), item.span));
                }
                let ItemKind::Lint(setting) = &item.kind else {
                    continue;
                };
                match (&setting.option, &setting.value) {
                    (None, LintValue::Level(level, _)) => {
                        settings.levels.insert(setting.lint.name.clone(), *level);
                    }
                    (Some(option), LintValue::Number(number)) => {
                        if let Some(value) = number.value {
                            settings
                                .options
                                .insert((setting.lint.name.clone(), option.name.clone()), value);
                        }
                    }
                    // `lint x = 3` or `lint x.max = warn`: a level where a number belongs or the
                    // reverse; reported by resolution as an unknown option, or ignored here.
                    _ => {}
                }
            }
        }
        settings
    }

    pub fn option(&self, lint: &str, option: &str, default: u64) -> u64 {
        self.options
            .get(&(lint.to_string(), option.to_string()))
            .copied()
            .unwrap_or(default)
    }

    /// Applies levels and `@allow` to lint diagnostics; other diagnostics pass unchanged.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut diagnostic| {
                if !crate::lints::is_lint(diagnostic.code) {
                    return Some(diagnostic);
                }
                let span = diagnostic.span();
                let excused = self.allowed_items.iter().any(|(lint, item)| {
                    lint == diagnostic.code
                        && item.file == span.file
                        && item.start <= span.start
                        && span.end <= item.end
                });
                if excused {
                    return None;
                }
                // Without a `lint` item, a diagnostic keeps the severity its check chose.
                match self.levels.get(diagnostic.code) {
                    None => Some(diagnostic),
                    Some(LintLevel::Allow) => None,
                    Some(LintLevel::Error) => {
                        diagnostic.severity = Severity::Error;
                        Some(diagnostic)
                    }
                    Some(LintLevel::Warn) => {
                        diagnostic.severity = Severity::Warning;
                        Some(diagnostic)
                    }
                }
            })
            .collect()
    }
}
