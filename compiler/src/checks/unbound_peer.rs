//! `unbound-peer`: found while expanding roles (`expand/endpoints.rs`).

crate::declare_codes! {
    /// A role's host parameter that is omitted and binds to nothing, or to several machines.
    ///
    /// A parameter typed `host is ROLE` may be left out when exactly one machine of the site
    /// holds that role: it binds to that one. With several candidates flowc will not guess,
    /// and reports an error naming them; pass the argument (`nim.client(master = nim01)`).
    /// With no candidate at all it is a warning: the flows that need the peer are left out,
    /// which opens nothing.
    ///
    /// A role's *name* used inside another role (`client -> self`) with no holders is not a
    /// problem: it simply stands for nobody.
    UNBOUND_PEER = "unbound-peer", "host parameter binds to nothing or is ambiguous";
}
