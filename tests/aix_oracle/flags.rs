//! The flags of one genfilt command, each read as IBM's "genfilt Command" defines it (see
//! `filter.rs` for the sources): a flag the oracle does not know, a value outside the
//! documented ones, or a combination it does not model is an error.

use super::filter::{Action, Operator, Protocol, Rule};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The flags of one genfilt command after `-v N`.
pub fn genfilt(flags: &[String], version: u8, number: usize) -> Result<Rule, String> {
    let mut values: BTreeMap<&str, &str> = BTreeMap::new();
    for pair in flags.chunks(2) {
        let [flag, value] = pair else {
            return Err(format!("line {number}: flag {} has no value", pair[0]));
        };
        let known = [
            "-a", "-s", "-m", "-d", "-M", "-c", "-o", "-p", "-O", "-P", "-r", "-w", "-l", "-f",
            "-i", "-D", "-g", "-t",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!(
                "line {number}: flag {flag} is not one the oracle knows"
            ));
        }
        if values.insert(flag, value).is_some() {
            return Err(format!("line {number}: {flag} given twice"));
        }
    }
    let get = |flag: &str, default: &'static str| values.get(flag).copied().unwrap_or(default);
    let fail = |what: &str| format!("line {number}: {what}");
    let action = match get("-a", "D") {
        "P" => Action::Permit,
        "D" => Action::Deny,
        "I" => Action::If,
        "L" => Action::Else,
        "E" => Action::EndIf,
        other => {
            return Err(fail(&format!(
                "action {other} (SHUN rules are not modelled)"
            )))
        }
    };
    let address = |flag: &str, mask_flag: &str| -> Result<(IpAddr, IpAddr), String> {
        let address: IpAddr = (values.get(flag))
            .ok_or_else(|| fail(&format!("no {flag}")))?
            .parse()
            .map_err(|_| {
                fail(&format!(
                    "{flag} is not an address (host names are not resolved)"
                ))
            })?;
        let mask: IpAddr = get(mask_flag, if version == 4 { "0.0.0.0" } else { "::" })
            .parse()
            .map_err(|_| fail(&format!("{mask_flag} is not a mask in address form")))?;
        if address.is_ipv4() != (version == 4) || mask.is_ipv4() != (version == 4) {
            return Err(fail("address of the other family"));
        }
        let bits = match mask {
            IpAddr::V4(m) => u128::from(u32::from(m)) << 96,
            IpAddr::V6(m) => u128::from(m),
        };
        if bits.leading_ones() + bits.trailing_zeros() != 128 && bits != 0 {
            return Err(fail("a mask that is not a prefix"));
        }
        Ok((address, mask))
    };
    let protocol = match get("-c", "all") {
        "all" => Protocol::All,
        "tcp" => Protocol::Number(6),
        "tcp/ack" => Protocol::TcpAck,
        "udp" => Protocol::Number(17),
        "icmp" => Protocol::Number(1),
        "icmpv6" => Protocol::Number(58),
        "ospf" => Protocol::Number(89),
        "ipip" => Protocol::Number(4),
        "esp" => Protocol::Number(50),
        "ah" => Protocol::Number(51),
        number => match number.parse::<u8>() {
            Ok(value @ 1..=252) => Protocol::Number(value),
            _ => return Err(fail(&format!("protocol {number}"))),
        },
    };
    let port = |operator: &str, value: &str| -> Result<(Operator, u16), String> {
        let op = Operator::parse(get(operator, "any")).ok_or_else(|| fail("operator"))?;
        let value: u16 = get(value, "0").parse().map_err(|_| fail("port value"))?;
        Ok((op, value))
    };
    let (source_port, destination_port) = (port("-o", "-p")?, port("-O", "-P")?);
    let ports_meaningful = matches!(
        protocol,
        Protocol::Number(1 | 6 | 17 | 58) | Protocol::TcpAck
    );
    if !ports_meaningful && (source_port.0 != Operator::Any || destination_port.0 != Operator::Any)
    {
        return Err(fail("port comparison on a protocol without ports"));
    }
    let pair = |flag: &str, default, letters: [&str; 3]| -> Result<(bool, bool), String> {
        match get(flag, default) {
            value if value == letters[0] => Ok((true, false)),
            value if value == letters[1] => Ok((false, true)),
            value if value == letters[2] => Ok((true, true)),
            other => Err(fail(&format!("{flag} {other}"))),
        }
    };
    let fragments = match get("-f", "Y") {
        "Y" => (true, true, true),
        "N" => (true, false, false),
        "O" => (false, true, true),
        "H" => (true, false, true),
        other => return Err(fail(&format!("-f {other}"))),
    };
    if !matches!(get("-l", "N"), "Y" | "N") || !matches!(get("-g", "Y"), "Y" | "N") {
        return Err(fail("-l or -g"));
    }
    if get("-t", "0") != "0" {
        return Err(fail("tunnel rules are not modelled"));
    }
    let rule = Rule {
        action,
        source: address("-s", "-m")?,
        destination: address("-d", "-M")?,
        protocol,
        source_port,
        port: destination_port,
        routing: pair("-r", "B", ["R", "L", "B"])?,
        direction: pair("-w", "B", ["I", "O", "B"])?,
        fragments,
        interface: get("-i", "all").to_string(),
    };
    Ok(rule)
}
