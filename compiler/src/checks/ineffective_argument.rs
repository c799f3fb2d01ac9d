//! `ineffective-argument`: an argument that the branches its role takes never read.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::lower::RoleInstance;
use crate::source::Span;
use crate::syntax::ast::ItemKind;

crate::explain_lints! {
    /// An argument of a role use that changes nothing, because the role reads it only in
    /// branches that its other arguments do not take (default: warning).
    ///
    /// `xcat.node(mountd_tcp = 20048)` on a Linux node that is not statelite opens no mountd
    /// port at all: only AIX and Linux statelite nodes mount from their master (seed 001,
    /// "required on linux statelite and AIX"). The administrator who pinned mountd believes a
    /// rule follows it; none does. Likewise `tftp_helper` on a node that is not network
    /// installed, or `proxy_port` on an HMC that does not call home through a proxy. Remove
    /// the argument, or change the one that selects the branch (`os`, `statelite`,
    /// `netboot`, `connectivity`); `flowc doc MODULE` says which parameters each one needs.
    ///
    /// An argument read by a condition whose branch opens nothing in this site counts as
    /// ineffective too: `ipmi.bmc(secure = true)` opens udp 664 only to `ipmi.manager`
    /// holders, and an xCAT management node is not one (xCAT's port table lists 623 only).
    INEFFECTIVE_ARGUMENT, "argument has no effect";
}

pub fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (instance_index, name) in context.unread_arguments {
        let instance = &context.site.instances[*instance_index];
        let span = argument_span(context, instance, name).unwrap_or(instance.use_span);
        diagnostics.push(
            Diagnostic::warning(
                INEFFECTIVE_ARGUMENT,
                span,
                format!(
                    "`{name}` has no effect: no flow of `{}` depends on it here",
                    instance.role_name
                ),
            )
            .with_primary_message("changes no rule")
            .with_note(format!(
                "`{}` reads it only in branches that the other arguments do not take, or in a branch that opens nothing in this site (no holder of the peer role): remove it, or change what selects the branch (see `flowc doc {}`)",
                instance.role_name,
                instance.role_name.split('.').next().unwrap_or_default()
            )),
        );
    }
    diagnostics
}

/// Where the argument `name` is written in an instance's role use.
pub(crate) fn argument_span(
    context: &Context<'_, '_>,
    instance: &RoleInstance,
    name: &str,
) -> Option<Span> {
    let machine = &context.site.machines[instance.machine];
    let role_uses = match &context.site.item(machine.definition).kind {
        ItemKind::Host(host) => &host.roles,
        ItemKind::Group(group) => &group.roles,
        _ => return None,
    };
    let role_use = role_uses
        .iter()
        .find(|role_use| role_use.span == instance.use_span)?;
    role_use
        .arguments
        .iter()
        .flatten()
        .find(|argument| argument.name.name == name)
        .map(|argument| argument.span)
}
