//! The meaning of a site: address and port sets, flows, the topology, and the checked policy.

pub mod addresses;
pub mod flow;
pub mod interval_tree;
pub mod intervals;
mod machine_flows;
mod merge;
pub(crate) mod origin_ranks;
pub mod policy;
pub mod targets;

pub use addresses::AddressSet;
pub use flow::{Action, Flow, FlowOrigin, Opening, PortSet, Protocol};
pub use intervals::IntervalSet;
pub use policy::{Direction, Policy, Target, TargetRule, TargetRules};
