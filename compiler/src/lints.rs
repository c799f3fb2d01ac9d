//! The lint table: stable names, default levels and explanations of the site checks.
//!
//! `lint NAME = level` and `@allow(NAME, "reason")` are resolved against this table.

use crate::syntax::ast::LintLevel;

crate::declare_codes! {
    /// A flow between two zones that no chain of firewalls joins.
    ///
    /// Every flow between zones must cross the firewalls on a path between them. If the zones
    /// are not connected in the topology (no `firewall` lists both, directly or through other
    /// zones), the flow cannot be delivered. Add the zone to a firewall's `zones` list.
    NO_PATH = "no-path", "no firewall path between zones";
    /// A role reference that binds to no holder, or to several holders ambiguously.
    ///
    /// Inside a role, another role's name means the holders bound to this one. When the
    /// binding parameter is omitted and several holders exist, name the one you mean.
    UNBOUND_PEER = "unbound-peer", "role reference binds to nothing or is ambiguous";
    /// An `allow` that `deny` rules fully cover, alone or together: it can never open anything.
    SHADOWED = "shadowed", "allow fully covered by denies";
    /// An `allow` fully covered by other allows, alone or together: removing it changes nothing.
    REDUNDANT = "redundant", "allow fully covered by other allows";
    /// One opening wider than `lint broad-range.max` ports (default 1024).
    ///
    /// Typical causes are NFS mountd and TFTP data ports (32768..65535). Pin mountd to a fixed
    /// port in /etc/services, use NFSv4 (only 111 and 2049/tcp), or let the firewall track TFTP
    /// with nf_conntrack_tftp.
    BROAD_RANGE = "broad-range", "opening wider than the configured maximum";
    /// A flow from `any`, or from a zone of `any`, to a service that is not meant to be public.
    ANY_SOURCE = "any-source", "non-public service open to any source";
    /// rsh, rlogin, telnet, tftp, NFSv3 or SNMPv1/2 crossing a firewall, or NFS/TFTP served by a
    /// firewall host (seed 000, "Firewall Considerations").
    INSECURE_SERVICE = "insecure-service", "insecure protocol crosses a firewall";
    /// Two services that listen on the same protocol and port on one host (xCAT: `shell` and
    /// `rsyslogd` both 514/tcp).
    PORT_COLLISION = "port-collision", "two services listen on the same port";
    /// A host whose BMC shares its NIC and that runs services binding ports 623 or 664 (rsh's
    /// 513..1023 source range, NIS); the BMC steals those packets (seed 002).
    BMC_PORT_CONFLICT = "bmc-port-conflict", "OS service collides with a shared-NIC BMC";
    /// A service, group or import that nothing uses.
    UNUSED = "unused", "defined but never used";
    /// An `expect` that does not hold.
    EXPECT_FAILED = "expect-failed", "expectation does not hold";
}

/// The default level of each lint, as the language brief gives it.
pub fn default_level(name: &str) -> Option<LintLevel> {
    match name {
        "no-path" | "unbound-peer" | "expect-failed" => Some(LintLevel::Error),
        "shadowed" | "redundant" | "broad-range" | "any-source" | "insecure-service"
        | "port-collision" | "bmc-port-conflict" | "unused" => Some(LintLevel::Warn),
        _ => None,
    }
}

/// The options a lint accepts in `lint NAME.OPTION = N`.
pub fn options(name: &str) -> &'static [&'static str] {
    match name {
        "broad-range" => &["max"],
        _ => &[],
    }
}

pub fn names() -> impl Iterator<Item = &'static str> {
    CODES.iter().map(|info| info.code)
}
