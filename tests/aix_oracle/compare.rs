//! The differential comparison: every probe run through the oracle as the packets a real
//! exchange is made of (a TCP connection's SYN, SYN-ACK and ACK; a UDP datagram and its
//! reply; an ICMP query and its answer; a TFTP request, data and acknowledgement), and the
//! reply-shaped packets sent unasked, each compared with `Policy::decide`. A difference is
//! allowed only where the compiler's `aix-stateless` report names a packet set holding it.

use super::filter::{Packet, Verdict};
use super::script::Activated;
use flowc_compiler::emit::aix::{self, Approximation, Reason, Way};
use flowc_compiler::model::{AddressSet, Policy, Protocol};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// How the target's machine sees packets: its own addresses, or a firewall routing them.
pub struct Machine<'a> {
    pub tables: &'a Activated,
    pub own: &'a AddressSet,
    pub firewall: bool,
    pub approximations: &'a [Approximation],
}

/// One packet to test, as the probe describes it.
#[derive(Clone, Copy, Debug)]
pub struct Send {
    pub source: IpAddr,
    pub destination: IpAddr,
    pub protocol: u8,
    pub ack: bool,
    pub source_port: u16,
    pub port: u16,
}

impl Send {
    pub fn reversed(self, ack: bool) -> Send {
        Send {
            source: self.destination,
            destination: self.source,
            source_port: self.port,
            port: self.source_port,
            ack,
            ..self
        }
    }

    fn region(self) -> aix::Packet {
        aix::Packet {
            source: self.source,
            destination: self.destination,
            protocol: if self.protocol == 6 && self.ack {
                256
            } else {
                u16::from(self.protocol)
            },
            source_port: self.source_port,
            port: self.port,
        }
    }

    /// What the model says of this packet as the first of an exchange.
    pub fn model(self, policy: &Policy) -> bool {
        let protocol = match self.protocol {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::Icmpv6,
            other => Protocol::Ip(other),
        };
        let (port, source_port) = match protocol {
            Protocol::Icmp | Protocol::Icmpv6 => (self.source_port, 0),
            _ => (self.port, self.source_port),
        };
        policy.decide(self.source, self.destination, protocol, port, source_port)
    }
}

#[derive(Default, Debug)]
pub struct Tally {
    pub exchanges: usize,
    pub packets: usize,
    pub explained: BTreeMap<String, usize>,
    pub mismatches: Vec<String>,
}

impl Machine<'_> {
    fn way(&self, send: &Send) -> Way {
        if self.firewall {
            Way::Both
        } else if self.own.contains(send.destination) {
            Way::In
        } else {
            Way::Out
        }
    }

    /// Whether the packet gets through this machine: its inbound or outbound check, or for
    /// a firewall both (a forwarded packet is filtered on the way in and on the way out).
    pub fn passes(&self, send: &Send, tally: &mut Tally) -> Result<bool, String> {
        tally.packets += 1;
        let table = if send.source.is_ipv4() {
            self.tables.v4.as_ref()
        } else {
            self.tables.v6.as_ref()
        }
        .ok_or("the script activates no table for this family")?;
        let checks: &[bool] = match self.way(send) {
            Way::Both => &[true, false],
            Way::In => &[true],
            Way::Out => &[false],
        };
        let mut passes = true;
        for &inbound in checks {
            let packet = Packet {
                source: send.source,
                destination: send.destination,
                protocol: send.protocol,
                ack: send.ack,
                source_port: send.source_port,
                port: send.port,
                inbound,
                routed: self.firewall,
                interface: "en0",
            };
            match table.verdict(&packet) {
                Verdict::Permit => {}
                Verdict::Deny => passes = false,
                Verdict::Depends => {
                    return Err(format!(
                        "{send:?}: the verdict depends on an IF rule's state"
                    ))
                }
            }
        }
        Ok(passes)
    }

    /// The approximation the compiler reported that holds this packet for one of `reasons`.
    fn explained(&self, send: &Send, reasons: &[Reason]) -> Option<Reason> {
        let way = self.way(send);
        let packet = send.region();
        self.approximations
            .iter()
            .find(|a| {
                reasons.contains(&a.reason)
                    && a.way.meets(way)
                    && a.packets.iter().any(|cell| cell.contains(&packet))
            })
            .map(|a| a.reason)
    }

    /// Runs an exchange: the first packet must pass exactly when the model allows it (or a
    /// reported opening holds it), and when allowed every later packet must pass (or a
    /// reported approximation says the flow cannot work on AIX).
    pub fn exchange(&self, policy: &Policy, packets: &[Send], tally: &mut Tally) {
        tally.exchanges += 1;
        let first = packets[0];
        let allowed = first.model(policy);
        let mut outcome = || -> Result<(), String> {
            let passes = self.passes(&first, tally)?;
            if !allowed && passes {
                const OPENINGS: [Reason; 4] = [
                    Reason::Replies,
                    Reason::TftpData,
                    Reason::Widened,
                    Reason::ReservedRule,
                ];
                return match self.explained(&first, &OPENINGS) {
                    Some(reason) => {
                        *tally.explained.entry(format!("{reason:?}")).or_default() += 1;
                        Ok(())
                    }
                    None => Err(format!(
                        "{first:?}: the model denies it, the AIX rules permit it"
                    )),
                };
            }
            if !allowed {
                return Ok(());
            }
            let mut works = passes;
            for later in &packets[1..] {
                works &= self.passes(later, tally)?;
            }
            if works {
                return Ok(());
            }
            match self.explained(&first, &[Reason::RepliesDenied, Reason::Unexpressible]) {
                Some(reason) => {
                    *tally.explained.entry(format!("{reason:?}")).or_default() += 1;
                    Ok(())
                }
                None => Err(format!(
                    "{packets:?}: the model allows it, the AIX rules break it"
                )),
            }
        };
        if let Err(mismatch) = outcome() {
            tally.mismatches.push(mismatch);
        }
    }

    /// The exchanges of one TCP or UDP probe, and of the packets shaped like its replies
    /// sent unasked.
    pub fn probe(&self, policy: &Policy, send: Send, tally: &mut Tally) {
        if send.protocol == 6 {
            let syn_ack = send.reversed(true);
            let ack = Send { ack: true, ..send };
            self.exchange(policy, &[send, syn_ack, ack], tally);
            self.exchange(
                policy,
                &[send.reversed(false), ack, send.reversed(true)],
                tally,
            );
        } else {
            self.exchange(policy, &[send, send.reversed(false)], tally);
            self.exchange(policy, &[send.reversed(false), send], tally);
        }
    }

    /// An ICMP echo exchange between two addresses, and the echo reply sent unasked.
    pub fn echo(&self, policy: &Policy, source: IpAddr, destination: IpAddr, tally: &mut Tally) {
        let (protocol, query, answer) = if source.is_ipv4() {
            (1, 8, 0)
        } else {
            (58, 128, 129)
        };
        let request = Send {
            source,
            destination,
            protocol,
            ack: false,
            source_port: query,
            port: 0,
        };
        let reply = Send {
            source: destination,
            destination: source,
            source_port: answer,
            ..request
        };
        self.exchange(policy, &[request, reply], tally);
        self.exchange(policy, &[reply], tally);
    }

    /// A TFTP transfer (RFC 1350): the request to port 69, then the server's data from a
    /// new port and the client's acknowledgement to it.
    pub fn tftp(&self, policy: &Policy, request: Send, tally: &mut Tally) {
        let data = Send {
            source: request.destination,
            destination: request.source,
            source_port: 40001,
            port: request.source_port,
            ..request
        };
        self.exchange(policy, &[request, data, data.reversed(false)], tally);
        self.exchange(policy, &[data], tally);
        self.exchange(policy, &[data.reversed(false)], tally);
    }
}
