//! `no-path`: found while routing flows through the topology (`topology.rs`).

crate::declare_codes! {
    /// A flow between two zones that no chain of firewalls joins (default: error).
    ///
    /// Zones are nodes of the topology and each firewall joins the zones it lists. A flow from
    /// one zone to another crosses the firewalls on the shortest path between them; when there
    /// is no path, the flow cannot be delivered and no firewall would carry its rule.
    ///
    /// ```text
    /// zone lan = 10.0.0.0/8
    /// zone dmz = 192.0.2.0/24
    /// firewall fw1 { zones lan }
    /// allow lan -> dmz : https   # error: no firewall joins zone `lan` to zone `dmz`
    /// ```
    ///
    /// Add the zone to a firewall's `zones` list, or chain firewalls through a shared zone.
    /// Addresses outside every zone are not placed anywhere and cross no firewall; declare
    /// `zone internet = any` to route them.
    NO_PATH = "no-path", "no firewall path between zones";
}
