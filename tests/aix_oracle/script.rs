//! Reads the emitted script the way ksh and the AIX filter commands would run it, and builds
//! the tables `mkfilt -u` activates. Every line must be one the oracle understands: a
//! comment, a blank line, or one of the commands below with exactly the words it knows; any
//! other line, word or shell character is an error, never a skip.
//!
//! Commands (IBM AIX documentation, see `filter.rs` for the addresses): `mkdev -l ipsec_v4|6`
//! loads the IP security device the filter commands need; `rmfilt -v 4|6 -n all` removes
//! every manual rule ("rmfilt Command"); `genfilt` adds a rule at the end of the table
//! ("genfilt Command": without `-n` "the new rule will be added to the end of the filter
//! rule table"); `mkfilt -v 4|6 -z P|D` sets the default rule and `mkfilt -v 4|6 -u`
//! activates the table ("mkfilt Command"; changes do not affect filtering "until the mkfilt
//! command is executed", "rmfilt Command"); `lsfilt -v 4|6 -a` lists the active rules.

use super::filter::{Action, Operator, Protocol, Rule, Table};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The activated tables, by IP version.
#[derive(Debug, Default)]
pub struct Activated {
    pub v4: Option<Table>,
    pub v6: Option<Table>,
}

/// Splits one line into words: plain words and double-quoted strings. Characters the shell
/// would interpret (`$`, backquote, backslash, `;`, `&`, `|`, `<`, `>`, `(`, `)`, glob
/// characters) are errors, except in the few redirections the script uses, which the
/// caller matches word for word.
fn words(line: &str, number: usize) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&character) = chars.peek() {
        if character == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if character == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) if "$`\\".contains(c) => {
                        return Err(format!("line {number}: `{c}` inside double quotes"))
                    }
                    Some(c) if c.is_control() => {
                        return Err(format!("line {number}: control character in quotes"))
                    }
                    Some(c) => word.push(c),
                    None => return Err(format!("line {number}: unclosed quote")),
                }
            }
            words.push(word);
            continue;
        }
        while let Some(&c) = chars.peek() {
            if c == ' ' {
                break;
            }
            if c.is_control() || "\"'$`\\;&()*?[]{}~#".contains(c) {
                return Err(format!("line {number}: shell character `{c:?}` in a word"));
            }
            word.push(c);
            chars.next();
        }
        if word.contains(['|', '<', '>'])
            && !["||", ">/dev/null", "2>/dev/null"].contains(&word.as_str())
        {
            return Err(format!("line {number}: redirection or pipe in `{word}`"));
        }
        words.push(word);
    }
    Ok(words)
}

fn version(words: &[String], at: usize, number: usize) -> Result<u8, String> {
    match (
        words.get(at).map(String::as_str),
        words.get(at + 1).map(String::as_str),
    ) {
        (Some("-v"), Some("4")) => Ok(4),
        (Some("-v"), Some("6")) => Ok(6),
        _ => Err(format!("line {number}: expected `-v 4` or `-v 6`")),
    }
}

#[derive(Default)]
struct Family {
    device: bool,
    rules: Vec<Rule>,
    default_permits: Option<bool>,
    activated: Option<Table>,
}

/// Runs the script; returns the activated tables or the first line it cannot understand.
pub fn run(script: &str) -> Result<Activated, String> {
    let mut families: BTreeMap<u8, Family> = BTreeMap::new();
    // `str::lines` would take a carriage return before a newline as part of the line end;
    // ksh does not, and reads it as part of the last word.
    if script.contains('\r') {
        return Err("a carriage return".into());
    }
    for (index, line) in script.split_terminator('\n').enumerate() {
        let number = index + 1;
        if line.contains('\r') || line.contains('\0') {
            return Err(format!("line {number}: carriage return or NUL"));
        }
        let trimmed = line.trim_start();
        if number == 1 {
            if line != "#!/bin/ksh" {
                return Err("line 1: not `#!/bin/ksh`".into());
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            if trimmed.chars().any(char::is_control) {
                return Err(format!("line {number}: control character in a comment"));
            }
            continue;
        }
        let words = words(line, number)?;
        let text: Vec<&str> = words.iter().map(String::as_str).collect();
        match text.as_slice() {
            ["set", "-e"] => {}
            ["mkdev", "-l", device, ">/dev/null"] => {
                let version = match *device {
                    "ipsec_v4" => 4,
                    "ipsec_v6" => 6,
                    _ => return Err(format!("line {number}: unknown device {device}")),
                };
                families.entry(version).or_default().device = true;
            }
            ["rmfilt", "-v", _, "-n", "all", "2>/dev/null", "||", "true"] => {
                families
                    .entry(version(&words, 1, number)?)
                    .or_default()
                    .rules
                    .clear();
            }
            ["genfilt", ..] => {
                let version = version(&words, 1, number)?;
                let rule = genfilt(&words[3..], version, number)?;
                families.entry(version).or_default().rules.push(rule);
            }
            ["mkfilt", "-v", _, "-z", action] => {
                let permit = match *action {
                    "P" => true,
                    "D" => false,
                    _ => return Err(format!("line {number}: -z {action}")),
                };
                families
                    .entry(version(&words, 1, number)?)
                    .or_default()
                    .default_permits = Some(permit);
            }
            ["mkfilt", "-v", _, "-u"] => {
                let version = version(&words, 1, number)?;
                let family = families.entry(version).or_default();
                if !family.device {
                    return Err(format!(
                        "line {number}: mkfilt before mkdev ipsec_v{version}"
                    ));
                }
                family.activated = Some(Table {
                    rules: family.rules.clone(),
                    default_permits: family.default_permits.unwrap_or(true),
                    reserved_rule: version == 4,
                });
            }
            ["lsfilt", "-v", _, "-a"] => {
                version(&words, 1, number)?;
            }
            _ => return Err(format!("line {number}: not understood: {line}")),
        }
    }
    let mut take = |version| families.get_mut(&version).and_then(|f| f.activated.take());
    Ok(Activated {
        v4: take(4),
        v6: take(6),
    })
}

/// The flags of one genfilt command after `-v N`.
fn genfilt(flags: &[String], version: u8, number: usize) -> Result<Rule, String> {
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
