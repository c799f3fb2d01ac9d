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

use super::filter::{Rule, Table};
use super::flags::genfilt;
use std::collections::BTreeMap;

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
