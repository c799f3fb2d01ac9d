//! The topology: zones and firewalls as a petgraph graph. A flow between two zones crosses the
//! firewalls on the shortest path; a flow whose zones no chain of firewalls joins is `no-path`.
//!
//! Ties between equally short paths are broken by name: breadth-first search visits neighbours
//! in name order, so the path found first (and kept) is the lexicographically smallest one.

use crate::diagnostic::Diagnostic;
use crate::lower::Site;
use crate::model::policy::{FirewallInfo, Route, ZoneInfo};
use crate::model::{AddressSet, Flow};
use crate::resolve::DefinitionKind;
use crate::source::Span;
use crate::syntax::ast::{FirewallPartKind, ItemKind};
use crate::syntax::literals::parse_address;
use petgraph::graph::{NodeIndex, UnGraph};
use regions::ZoneRegions;
use std::collections::{BTreeSet, HashMap, VecDeque};

crate::explain_lints! {
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
    NO_PATH, "no firewall path between zones";
}

mod regions;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Zone(usize),
    Firewall(usize),
}

pub struct Topology {
    pub zones: Vec<ZoneInfo>,
    pub firewalls: Vec<FirewallInfo>,
    pub graph: UnGraph<Node, ()>,
    zone_nodes: Vec<NodeIndex>,
    /// Shortest firewall paths between zone pairs, found so far.
    paths: HashMap<(usize, usize), Option<Vec<usize>>>,
    /// The zones' regions, for [`Topology::split`].
    regions: ZoneRegions,
}

impl Topology {
    pub fn new(site: &Site<'_>) -> Topology {
        let zones: Vec<ZoneInfo> = site
            .zones
            .iter()
            .map(|zone| ZoneInfo {
                name: zone.name.clone(),
                region: zone.region.clone(),
                is_any: zone.is_any,
                span: site.definition(zone.definition).item_span,
            })
            .collect();
        let mut graph = UnGraph::new_undirected();
        let zone_nodes: Vec<NodeIndex> = (0..zones.len())
            .map(|index| graph.add_node(Node::Zone(index)))
            .collect();
        let mut firewalls = Vec::new();
        for id in site.site_definitions(DefinitionKind::Firewall) {
            let item = site.item(id);
            let ItemKind::Firewall(firewall) = &item.kind else {
                continue;
            };
            let mut info = FirewallInfo {
                name: firewall.name.name.clone(),
                zones: Vec::new(),
                addresses: AddressSet::empty(),
                span: item.span,
                docs: item.docs.iter().map(|line| line.text.clone()).collect(),
            };
            for part in &firewall.parts {
                match &part.kind {
                    FirewallPartKind::Zones(names) => {
                        for name in names {
                            let zone = site.resolved(name.span).and_then(|id| {
                                site.zones.iter().position(|zone| zone.definition == id)
                            });
                            if let Some(zone) = zone.filter(|zone| !info.zones.contains(zone)) {
                                info.zones.push(zone);
                            }
                        }
                    }
                    FirewallPartKind::Address(addresses) => {
                        let networks = addresses
                            .iter()
                            .filter_map(|address| parse_address(&address.text).ok());
                        info.addresses = info.addresses.union(&AddressSet::from_networks(networks));
                    }
                }
            }
            let node = graph.add_node(Node::Firewall(firewalls.len()));
            for &zone in &info.zones {
                graph.add_edge(zone_nodes[zone], node, ());
            }
            firewalls.push(info);
        }
        Topology {
            regions: ZoneRegions::new(&zones),
            zones,
            firewalls,
            graph,
            zone_nodes,
            paths: HashMap::new(),
        }
    }

    fn name(&self, node: Node) -> (u8, &str) {
        match node {
            Node::Zone(index) => (0, &self.zones[index].name),
            Node::Firewall(index) => (1, &self.firewalls[index].name),
        }
    }

    /// The firewalls between two zones, in order; `None` when no path joins them.
    pub fn path(&mut self, from: usize, to: usize) -> Option<Vec<usize>> {
        if let Some(known) = self.paths.get(&(from, to)) {
            return known.clone();
        }
        let start = self.zone_nodes[from];
        let goal = self.zone_nodes[to];
        let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut seen = BTreeSet::from([start]);
        while let Some(node) = queue.pop_front() {
            if node == goal {
                break;
            }
            let mut neighbours: Vec<NodeIndex> = self.graph.neighbors(node).collect();
            neighbours.sort_by(|a, b| self.name(self.graph[*a]).cmp(&self.name(self.graph[*b])));
            for neighbour in neighbours {
                if seen.insert(neighbour) {
                    previous.insert(neighbour, node);
                    queue.push_back(neighbour);
                }
            }
        }
        let path = seen.contains(&goal).then(|| {
            let mut firewalls = Vec::new();
            let mut node = goal;
            while let Some(&before) = previous.get(&node) {
                if let Node::Firewall(index) = self.graph[before] {
                    firewalls.push(index);
                }
                node = before;
            }
            firewalls.reverse();
            firewalls
        });
        self.paths.insert((from, to), path.clone());
        path
    }

    /// The zones an address set touches, with the part of the set inside each.
    pub fn split(&self, addresses: &AddressSet) -> Vec<(usize, AddressSet)> {
        self.regions.split(addresses, &self.zones)
    }

    /// Routes of every flow between different zones, and `no-path` for zone pairs nothing joins.
    /// Addresses outside every zone (when no zone is `any`) are not placed and cross nothing.
    pub fn routes(&mut self, flows: &[Flow]) -> (Vec<Route>, Vec<Diagnostic>) {
        // Most flows cross between one pair of zones or none. Growing the list by doubling
        // would copy it into a fresh block at every step (a route is large, and a site of
        // 100,000 flows has about 145,000 routes); reserved room that no route fills is never
        // touched, so it costs no memory.
        let mut routes = Vec::with_capacity(flows.len() + flows.len() / 2);
        let mut diagnostics = Vec::new();
        let mut reported: BTreeSet<(Span, usize, usize)> = BTreeSet::new();
        for (index, flow) in flows.iter().enumerate() {
            let sources = self.split(&flow.source);
            let destinations = self.split(&flow.destination);
            for (source_zone, source) in &sources {
                for (destination_zone, destination) in &destinations {
                    if source_zone == destination_zone {
                        continue;
                    }
                    match self.path(*source_zone, *destination_zone) {
                        Some(firewalls) => routes.push(Route {
                            flow: index,
                            source_zone: Some(*source_zone),
                            destination_zone: Some(*destination_zone),
                            firewalls,
                            source: source.clone(),
                            destination: destination.clone(),
                        }),
                        None if reported.insert((
                            flow.origin.item,
                            *source_zone,
                            *destination_zone,
                        )) =>
                        {
                            diagnostics.push(self.no_path(flow, *source_zone, *destination_zone));
                        }
                        None => {}
                    }
                }
            }
        }
        (routes, diagnostics)
    }

    fn no_path(&self, flow: &Flow, from: usize, to: usize) -> Diagnostic {
        let (from_name, to_name) = (&self.zones[from].name, &self.zones[to].name);
        let mut diagnostic = Diagnostic::error(
            NO_PATH,
            flow.origin.item,
            format!("no firewall joins zone `{from_name}` to zone `{to_name}`"),
        )
        .with_primary_message(format!(
            "{} -> {} : {}",
            flow.origin.source_label,
            flow.origin.destination_label,
            flow.opening.describe()
        ))
        .with_label(self.zones[from].span, format!("zone `{from_name}`"))
        .with_label(self.zones[to].span, format!("zone `{to_name}`"))
        .with_note(
            "list both zones in one firewall's `zones`, or chain firewalls through shared zones",
        );
        if let Some(statement) = flow.origin.statement {
            diagnostic = diagnostic.with_label(statement, "this flow of the role");
        }
        diagnostic
    }
}
