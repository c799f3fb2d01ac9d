//! The TFTP conntrack helper (issue 17 item 7): an allow of udp 69 opens nothing that makes
//! TFTP work unless the helper relates the data, which the server sends from a new port. The
//! nftables wiki ("Conntrack helpers", "Setting packet connection tracking metainformation")
//! declares a `ct helper` object and sets it from a chain whose priority is above conntrack's
//! (-200); a filter chain (priority 0) is, and it runs before the request is confirmed.

/// The TFTP conntrack helper, declared when an allow opens udp 69. Kernels since 4.7 attach no
/// helper by themselves (`nf_conntrack_helper = 0`), and without one the data, sent from a new
/// port, is a new flow that nothing allows.
pub(super) const TFTP_HELPER: &str = "\tct helper tftp {\n\t\ttype \"tftp\" protocol udp\n\t}\n";

/// Assigns the helper to every udp 69 request, in the filter chain (after conntrack, before the
/// request is confirmed). A request the chain then drops never reaches the helper, so no
/// expectation is made for traffic the site does not allow; one it accepts makes the data
/// RELATED, which the chain's first rule accepts.
pub(super) const TFTP_ASSIGNMENT: &str = "\t\tudp dport 69 ct helper set \"tftp\" comment \"TFTP: the conntrack helper relates the data sent from a new port\"\n";
