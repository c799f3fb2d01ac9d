//! The answer of `flowc query`: allowed or not, the firewalls crossed in order, and the items
//! that decided it, each with its file and line.

use crate::expand::ExpectCase;
use crate::lints;
use crate::model::Action;
use crate::pipeline::{check_with, Checked};
use crate::query::Evaluator;
use crate::source::World;
use crate::topology::Topology;
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Because {
    /// `allow` or `deny`.
    pub action: &'static str,
    pub file: String,
    pub line: u32,
    /// The role whose expansion produced the flow, if any.
    pub role: Option<String>,
    pub opening: String,
    pub citation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub allowed: bool,
    pub denied: bool,
    pub firewalls: Vec<String>,
    pub because: Vec<Because>,
    pub source: String,
    pub destination: String,
}

pub(crate) fn answer(checked: &Checked, topology: &mut Topology, cases: &[&ExpectCase]) -> Answer {
    let policy = &checked.policy;
    let evaluator = Evaluator::new(&policy.flows);
    let mut allowed = !cases.is_empty();
    let mut denied = true;
    let mut deciding = Vec::new();
    let mut firewalls: Vec<String> = Vec::new();
    for case in cases {
        let verdict = evaluator.evaluate(
            &case.source,
            &case.destination,
            &case.openings,
            case.has_source_ports,
        );
        allowed &= verdict.allowed;
        denied &= verdict.denied;
        deciding.extend(verdict.allows);
        deciding.extend(verdict.denies);
        for (source_zone, _) in topology.split(&case.source) {
            for (destination_zone, _) in topology.split(&case.destination) {
                if source_zone == destination_zone {
                    continue;
                }
                for firewall in topology
                    .path(source_zone, destination_zone)
                    .unwrap_or_default()
                {
                    let name = &topology.firewalls[firewall].name;
                    if !firewalls.contains(name) {
                        firewalls.push(name.clone());
                    }
                }
            }
        }
    }
    deciding.sort_unstable();
    deciding.dedup();
    let sources = &checked.analysis.sources;
    let mut because: Vec<Because> = deciding
        .into_iter()
        .map(|index| {
            let flow = &policy.flows[index];
            let file = sources.get(flow.origin.item.file);
            Because {
                action: if flow.action == Action::Allow {
                    "allow"
                } else {
                    "deny"
                },
                file: file.name.clone(),
                line: file.line_column(flow.origin.item.start).line,
                role: flow.origin.role.clone(),
                opening: flow.opening.describe(),
                citation: flow.origin.citation.clone(),
            }
        })
        .collect();
    because.sort_by(|a, b| {
        (a.action != "deny", &a.file, a.line, &a.opening).cmp(&(
            b.action != "deny",
            &b.file,
            b.line,
            &b.opening,
        ))
    });
    because.dedup();
    let label = |pick: fn(&ExpectCase) -> &String| {
        cases
            .first()
            .map(|case| pick(case).clone())
            .unwrap_or_default()
    };
    Answer {
        allowed,
        denied,
        firewalls,
        because,
        source: label(|case| &case.source_label),
        destination: label(|case| &case.destination_label),
    }
}

impl Answer {
    /// One line saying the verdict, then the deciding items and the firewalls.
    pub fn render_human(&self, question: &str) -> String {
        let verdict = if self.allowed {
            "allowed"
        } else if self.denied {
            "denied"
        } else {
            "partly allowed"
        };
        let mut text = format!("{question}: {verdict}\n");
        if self.firewalls.is_empty() {
            text.push_str("  crosses no firewall\n");
        } else {
            text.push_str(&format!("  crosses {}\n", self.firewalls.join(" -> ")));
        }
        if self.because.is_empty() {
            text.push_str("  nothing opens it: default deny\n");
        }
        for because in &self.because {
            let role = because
                .role
                .as_ref()
                .map(|role| format!(" ({role})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "  {} {} at {}:{}{role}\n",
                because.action, because.opening, because.file, because.line
            ));
            if let Some(citation) = &because.citation {
                text.push_str(&format!("      {citation}\n"));
            }
        }
        text
    }

    pub fn to_json(&self) -> Value {
        let because: Vec<Value> = self
            .because
            .iter()
            .map(|because| {
                json!({
                    "action": because.action,
                    "file": because.file,
                    "line": because.line,
                    "role": because.role,
                    "opening": because.opening,
                    "citation": because.citation,
                })
            })
            .collect();
        json!({
            "allowed": self.allowed,
            "denied": self.denied,
            "partly_allowed": !self.allowed && !self.denied,
            "source": self.source,
            "destination": self.destination,
            "firewalls": self.firewalls,
            "because": because,
        })
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
) -> Result<Answer, Box<Checked>> {
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
            let cases: Vec<&ExpectCase> = semantics
                .expects
                .iter()
                .filter(|case| Some(case.item.file) == query_file)
                .collect();
            Ok(answer(&checked, &mut semantics.topology, &cases))
        }
        _ => Err(Box::new(checked)),
    }
}
