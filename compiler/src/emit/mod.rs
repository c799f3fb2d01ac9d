//! Emitters: one module per backend behind the one [`Backend`] trait, and the helpers they share.
//!
//! Every backend prints [`Policy::rules_for`] (firewall and per-site backends read the policy
//! directly); none decides anything of its own. Output is a pure function of the policy and the
//! source map: sorted, no timestamps, byte-identical across runs. Adding a backend is adding a
//! module and one line to [`backends`].

pub mod aix;
mod comments;
pub mod dot;
mod families;
pub mod firewalld;
pub mod iptables;
pub mod matrix;
pub mod nftables;
mod origin_texts;
mod safe_text;
mod set_texts;

pub use comments::*;
pub use families::*;
pub use safe_text::*;

use crate::model::{AddressSet, FlowOrigin, Policy, Target};
use crate::source::SourceMap;
use origin_texts::{OriginText, OriginTexts};
use set_texts::SetTexts;
use std::sync::Arc;

/// What every backend reads: the checked policy and the files its spans point into, and the
/// printed origins of its flows and printed address sets, which every ruleset of one run
/// shares.
pub struct Input<'a> {
    pub policy: &'a Policy,
    pub sources: &'a SourceMap,
    origin_texts: OriginTexts,
    set_texts: SetTexts,
    /// The directory every site file's name starts with ([`site_root`]).
    site_root: String,
}

impl<'a> Input<'a> {
    pub fn new(policy: &'a Policy, sources: &'a SourceMap) -> Input<'a> {
        Input {
            policy,
            sources,
            origin_texts: OriginTexts::new(policy),
            set_texts: SetTexts::default(),
            site_root: site_root(sources),
        }
    }

    /// The site's files as rulesets name them: relative to the site's root.
    pub fn file_names(&self) -> FileNames<'_> {
        FileNames::new(self.sources, &self.site_root)
    }

    /// The text `render` prints for `set`, made once per run for each backend's `style` (a
    /// name for how it prints sets) and shared by every ruleset that prints the same set.
    fn set_text(
        &self,
        style: &'static str,
        set: &AddressSet,
        render: impl FnOnce(&AddressSet, &mut String),
    ) -> Arc<str> {
        self.set_texts.get(style, set, render)
    }

    /// Calls `use_text` with the printed form of `origin`, made once per run.
    fn with_origin_text<R>(
        &self,
        origin: &FlowOrigin,
        use_text: impl FnOnce(&OriginText<'_>) -> R,
    ) -> R {
        self.origin_texts
            .with(self.policy, self.file_names(), origin, use_text)
    }
}

/// How many files a backend writes with `-o DIR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ruleset per target (`DIR/NAME.ext`).
    PerTarget,
    /// One document for the whole site (`DIR/site.ext`); `--for` narrows it to one target.
    PerSite,
}

/// One output format.
pub trait Backend: Sync {
    /// The name given to `--target`.
    fn name(&self) -> &'static str;
    /// The extension of the files it writes, without the dot.
    fn extension(&self) -> &'static str;
    /// One line for `flowc emit --help` and the spec.
    fn summary(&self) -> &'static str;
    fn layout(&self) -> Layout;
    /// The targets written with `-o DIR` and no `--for` (per-target backends).
    fn targets(&self, policy: &Policy) -> Vec<Target> {
        policy.targets()
    }
    /// The output for one target; for a per-site backend, `None` is the whole site (a
    /// per-target backend prints nothing for `None`: the command line never asks it to).
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String;
    /// What the output of `target` cannot express exactly, as warnings located at the site's
    /// items (`flowc emit` prints them); none by default.
    fn warnings(&self, _input: &Input<'_>, _target: Target) -> Vec<crate::Diagnostic> {
        Vec::new()
    }
    /// What holds for the output of every target, printed once by `flowc emit` (a platform's
    /// fixed behaviour, say); none by default.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// The files written with `-o DIR`, as paths relative to `DIR`; one file by default,
    /// named after the target ([`file_stem`]: a name too long for a file system is cut).
    fn files(&self, input: &Input<'_>, target: Option<Target>) -> Vec<(String, String)> {
        let stem = target.map_or("site", |target| input.policy.target_name(target));
        vec![(
            format!("{}.{}", file_stem(stem), self.extension()),
            self.emit(input, target),
        )]
    }
}

/// Every backend, in the order `flowc emit --help` lists them.
pub fn backends() -> &'static [&'static dyn Backend] {
    &[
        &nftables::Nftables,
        &iptables::Iptables::V4,
        &iptables::Iptables::V6,
        &aix::Aix,
        &firewalld::Firewalld,
        &matrix::Matrix::Csv,
        &matrix::Matrix::Markdown,
        &dot::Dot,
    ]
}

/// The backend called `name`.
pub fn backend(name: &str) -> Option<&'static dyn Backend> {
    backends()
        .iter()
        .copied()
        .find(|backend| backend.name() == name)
}

/// One line describing a target, for the header of a ruleset.
pub fn target_description(policy: &Policy, target: Target) -> String {
    match target {
        Target::Firewall(index) => {
            format!(
                "firewall {}: forward rules for the flows it carries",
                policy.firewalls[index].name
            )
        }
        Target::Machine(index) => {
            let machine = &policy.machines[index];
            let kind = match machine.kind {
                crate::model::policy::MachineKind::Host => "host",
                crate::model::policy::MachineKind::Group => "group",
            };
            format!(
                "{kind} {}: input and output rules of its own traffic",
                machine.name
            )
        }
    }
}

/// TFTP's well-known port.
pub const TFTP_PORT: u16 = 69;

/// Whether an allow opens TFTP's request port (udp 69), so that a stateful backend must assign
/// the TFTP conntrack helper: kernels since 4.7 attach none by themselves, and without it the
/// data, sent from a new port, is a NEW flow that nothing allows.
pub fn tracks_tftp(rule: &crate::model::TargetRule<'_>) -> bool {
    rule.action == crate::model::Action::Allow
        && rule.opening.protocol == crate::model::Protocol::Udp
        && rule.opening.ports.contains(TFTP_PORT)
}
