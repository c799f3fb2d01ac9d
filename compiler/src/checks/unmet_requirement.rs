//! `unmet-requirement`: arguments that break a rule the role's source document states.
//!
//! A role states such a rule in its doc comment as `requires: A != B` (two parameters whose
//! port sets must not share a port), followed by the citation that says so.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::lower::Value;
use crate::model::flow::describe_ports;

crate::explain_lints! {
    /// Arguments of a role use that break a rule the role's vendor document states, written
    /// in the role's doc comment as `requires: A != B` (default: error).
    ///
    /// xCAT's Note 1: "The mountd TCP and UDP ports must be different." With
    /// `xcat.node(mountd_tcp = 20048, mountd_udp = 20048)` rpc.mountd cannot be pinned as
    /// given, so the rules would follow a port that mountd does not use. Pin two different
    /// ports in the master's /etc/services and give both. Arguments that have no effect (see
    /// `ineffective-argument`) are not checked.
    UNMET_REQUIREMENT, "arguments break a requirement of the role";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, instance) in context.site.instances.iter().enumerate() {
        let docs = &context.site.item(instance.role).docs;
        for (line, doc) in docs.iter().enumerate() {
            let Some(rule) = doc.text.trim().strip_prefix("requires:") else {
                continue;
            };
            let Some((left, right)) = rule.split_once("!=") else {
                continue;
            };
            let (left, right) = (left.trim(), right.trim());
            let unread = |name: &str| {
                (context.unread_arguments.iter())
                    .any(|(other, unread)| *other == index && unread == name)
            };
            // Only what the administrator wrote, in a branch that reads it.
            let (Some(Value::Ports(a)), Some(Value::Ports(b))) =
                (instance.arguments.get(left), instance.arguments.get(right))
            else {
                continue;
            };
            if unread(left) || unread(right) || !a.intersects(b) {
                continue;
            }
            let span = super::ineffective_argument::argument_span(context, instance, right)
                .unwrap_or(instance.use_span);
            let mut diagnostic = Diagnostic::error(
                UNMET_REQUIREMENT,
                span,
                format!(
                    "`{left}` ({}) and `{right}` ({}) must be different ports for `{}`",
                    describe_ports(a),
                    describe_ports(b),
                    instance.role_name
                ),
            )
            .with_primary_message(format!("shares a port with `{left}`"))
            .with_label(doc.span, "the role requires this");
            if let Some(source) = docs[line + 1..]
                .iter()
                .map(|doc| doc.text.trim())
                .take_while(|text| text.starts_with("seed "))
                .next()
            {
                diagnostic = diagnostic.with_note(format!("the source says so: {source}"));
            }
            diagnostics.push(diagnostic);
        }
    }
    diagnostics
}
