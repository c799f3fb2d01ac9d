//! One AIX filter rule as genfilt defines it, and the first-match evaluation of a table.
//!
//! Sources (IBM, AIX 7.1/7.2 documentation; each flag interpreted below cites its entry):
//! - "genfilt Command", <https://www.ibm.com/support/knowledgecenter/en/ssw_aix_72/g_commands/genfilt.html>
//!   (also <http://www-01.ibm.com/support/knowledgecenter/ssw_aix_71/g_commands/genfilt.html>
//!   and the AIX 5.1 text at
//!   <http://ps-2.kev009.com/wisclibrary/aix51/usr/share/man/info/en_US/a_doc_lib/cmds/aixcmds2/genfilt.htm>):
//!   `-v` 4|6; `-a` D (deny) | P (permit) | I (IF) | L (ELSE) | E (ENDIF) | H | S;
//!   `-s`/`-m`, `-d`/`-M` "compared against the source (destination) address of the IP
//!   packets" with the subnet mask; `-c` udp, icmp, icmpv6, tcp, tcp/ack ("TCP packets with
//!   the ACK flag set"), ospf, ipip, esp, ah, all, or a number 1-252; `-o`/`-p` "source port
//!   or ICMP type operation" and value, `-O`/`-P` "destination port or ICMP code"; operators
//!   lt, le, gt, ge, eq, neq, any; `-r` R (forwarded packets) | L (local) | B (both); `-w`
//!   I (inbound) | O (outbound) | B (both); `-l` Y|N (logging); `-f` fragmentation control
//!   Y (all packets) | N (unfragmented only) | O (fragments and fragment headers only) |
//!   H (fragment headers and unfragmented only); `-g` Y|N "apply to source routing";
//!   `-t` tunnel id; `-i` interface ("all" or a name such as en0, lo0); `-D` description.
//! - "IP security filter configuration", <https://www.ibm.com/docs/en/aix/7.3.0?topic=security-ip-filter-configuration>:
//!   the `-w` flag says whether a rule is used in input or output processing, and "at least
//!   one rule determines the fate of any network packet"; rules are searched in order, the
//!   first that matches decides.
//! - "Stateful filter rules", <https://www.ibm.com/docs/ssw_aix_72/security/intrusion_stateful_filter_rules.html>:
//!   "the rules in the ELSE block are always examined until the IF rule is satisfied. After
//!   the IF rule or condition is satisfied, the rules in the IF block are used until the
//!   filter rules are reactivated with the mkfilt -u command" — an IF is a state of the
//!   table, not a per-packet condition; see [`Table::verdict`].
//! - "mkfilt Command", <https://ibm.com/docs/en/ssw_aix_71/com.ibm.aix.cmds3/mkfilt.html>:
//!   `-z P|D` sets the default rule, "the last rule in the filter rule table that will apply
//!   to traffic that does not apply to any other filter rules"; `-u` activates the table.
//! - "rmfilt Command" and "mvfilt Command" (AIX 4.3 and 7.1,
//!   <https://sites.ualberta.ca/dept/chemeng/AIX-43/share/man/info/C/a_doc_lib/cmds/aixcmds4/rmfilt.htm>,
//!   <http://www-01.ibm.com/support/knowledgecenter/ssw_aix_71/m_commands/mvfilt.html>): IPv4
//!   rule 1 is reserved, and neither removed by `rmfilt -n all` nor moved. Its content,
//!   `permit … udp eq 4001 eq 4001 both both`, is from an `lsfilt -v4 -O` listing of a fresh
//!   AIX system (<https://cnblogs.com/dieangel/p/5990404.html>), which also shows the
//!   default rule as permit until `mkfilt -z D`.

use std::net::IpAddr;

/// A packet as the filter sees it.
#[derive(Clone, Copy, Debug)]
pub struct Packet {
    pub source: IpAddr,
    pub destination: IpAddr,
    pub protocol: u8,
    /// TCP's ACK flag.
    pub ack: bool,
    /// Source port, or ICMP type.
    pub source_port: u16,
    /// Destination port, or ICMP code.
    pub port: u16,
    pub inbound: bool,
    /// Forwarded by this machine (`-r R`) rather than to or from it (`-r L`).
    pub routed: bool,
    pub interface: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Permit,
    Deny,
    If,
    Else,
    EndIf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Neq,
    Any,
}

impl Operator {
    pub fn parse(word: &str) -> Option<Operator> {
        Some(match word {
            "lt" => Operator::Lt,
            "le" => Operator::Le,
            "gt" => Operator::Gt,
            "ge" => Operator::Ge,
            "eq" => Operator::Eq,
            "neq" => Operator::Neq,
            "any" => Operator::Any,
            _ => return None,
        })
    }

    fn holds(self, packet: u16, rule: u16) -> bool {
        match self {
            Operator::Lt => packet < rule,
            Operator::Le => packet <= rule,
            Operator::Gt => packet > rule,
            Operator::Ge => packet >= rule,
            Operator::Eq => packet == rule,
            Operator::Neq => packet != rule,
            Operator::Any => true,
        }
    }
}

/// `-c`: a protocol number, TCP with ACK only, or every protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Number(u8),
    TcpAck,
    All,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub action: Action,
    pub source: (IpAddr, IpAddr),
    pub destination: (IpAddr, IpAddr),
    pub protocol: Protocol,
    pub source_port: (Operator, u16),
    pub port: (Operator, u16),
    /// `-r`: (routed, local).
    pub routing: (bool, bool),
    /// `-w`: (inbound, outbound).
    pub direction: (bool, bool),
    /// `-f`: (unfragmented packets, fragments, fragment headers).
    pub fragments: (bool, bool, bool),
    pub interface: String,
}

fn masked(address: IpAddr, mask: IpAddr) -> Option<u128> {
    match (address, mask) {
        (IpAddr::V4(a), IpAddr::V4(m)) => Some(u128::from(u32::from(a) & u32::from(m))),
        (IpAddr::V6(a), IpAddr::V6(m)) => Some(u128::from(a) & u128::from(m)),
        _ => None,
    }
}

impl Rule {
    pub fn matches(&self, packet: &Packet) -> bool {
        let address = |(rule, mask): (IpAddr, IpAddr), actual: IpAddr| {
            masked(rule, mask).is_some() && masked(rule, mask) == masked(actual, mask)
        };
        let protocol = match self.protocol {
            Protocol::All => true,
            Protocol::TcpAck => packet.protocol == 6 && packet.ack,
            Protocol::Number(number) => packet.protocol == number,
        };
        let routing = if packet.routed {
            self.routing.0
        } else {
            self.routing.1
        };
        let direction = if packet.inbound {
            self.direction.0
        } else {
            self.direction.1
        };
        let interface = self.interface == "all" || self.interface == packet.interface;
        // Every probe is an unfragmented packet.
        address(self.source, packet.source)
            && address(self.destination, packet.destination)
            && protocol
            && self
                .source_port
                .0
                .holds(packet.source_port, self.source_port.1)
            && self.port.0.holds(packet.port, self.port.1)
            && routing
            && direction
            && self.fragments.0
            && interface
    }
}

/// An activated table: AIX's reserved rule 1 (IPv4), the manual rules, the default rule.
#[derive(Clone, Debug)]
pub struct Table {
    pub rules: Vec<Rule>,
    pub default_permits: bool,
    pub reserved_rule: bool,
}

/// What the table does with a packet; `Depends` when the answer depends on whether an IF
/// rule was satisfied by an earlier packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Permit,
    Deny,
    Depends,
}

impl Table {
    pub fn verdict(&self, packet: &Packet) -> Verdict {
        if self.reserved_rule
            && packet.protocol == 17
            && packet.source_port == 4001
            && packet.port == 4001
        {
            return Verdict::Permit;
        }
        // Before any IF is satisfied, and after every IF is.
        let fresh = self.first_match(packet, false);
        let satisfied = self.first_match(packet, true);
        match (fresh, satisfied) {
            (a, b) if a == b => {
                if a {
                    Verdict::Permit
                } else {
                    Verdict::Deny
                }
            }
            _ => Verdict::Depends,
        }
    }

    fn first_match(&self, packet: &Packet, satisfied: bool) -> bool {
        // Each open IF: whether its block (true) or its ELSE block (false) is in force.
        let mut blocks: Vec<bool> = Vec::new();
        for rule in &self.rules {
            let live = blocks.iter().all(|&on| on);
            match rule.action {
                Action::If => blocks.push(live && (satisfied || rule.matches(packet))),
                Action::Else => {
                    let top = blocks.last_mut().expect("ELSE inside IF");
                    *top = !*top;
                }
                Action::EndIf => {
                    blocks.pop().expect("ENDIF closes an IF");
                }
                Action::Permit | Action::Deny if live && rule.matches(packet) => {
                    return rule.action == Action::Permit;
                }
                Action::Permit | Action::Deny => {}
            }
        }
        self.default_permits
    }
}
