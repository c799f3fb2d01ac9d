//! Every difference the compiler reports must be real: its witness packet is treated by the
//! oracle unlike the model (opened, or for blocked replies, a permitted request that gets no
//! reply).

use super::compare::{Machine, Send, Tally};
use flowc_compiler::emit::aix::Reason;
use flowc_compiler::model::Policy;

impl Machine<'_> {
    /// Every reported approximation must be real: its witness is treated unlike the model.
    pub fn check_witnesses(&self, policy: &Policy, tally: &mut Tally) {
        for approximation in self.approximations {
            let w = approximation.witness;
            let send = Send {
                source: w.source,
                destination: w.destination,
                protocol: if w.protocol == 256 {
                    6
                } else {
                    w.protocol as u8
                },
                ack: w.protocol == 256,
                source_port: w.source_port,
                port: w.port,
            };
            let result = match approximation.reason {
                Reason::RepliesDenied => {
                    let reply = if matches!(send.protocol, 1 | 58) {
                        let answer = match send.source_port {
                            128 => 129,
                            8 => 0,
                            query => query + 1,
                        };
                        Send {
                            source_port: answer,
                            port: 0,
                            ..send.reversed(false)
                        }
                    } else {
                        send.reversed(false)
                    };
                    let works = self
                        .passes(&send, tally)
                        .and_then(|a| Ok(a && self.passes(&reply, tally)?));
                    match (send.model(policy), works) {
                        (true, Ok(false)) => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                }
                Reason::Unexpressible => Ok(()),
                _ => match (send.model(policy), self.passes(&send, tally)) {
                    (false, Ok(true)) => Ok(()),
                    other => Err(format!("{other:?}")),
                },
            };
            if let Err(why) = result {
                tally.mismatches.push(format!(
                    "reported {:?} is not real: witness {send:?} gives (model, oracle) {why}",
                    approximation.reason
                ));
            }
        }
    }
}
