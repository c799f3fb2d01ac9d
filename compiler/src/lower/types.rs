//! Parameter types and the values role arguments and expressions evaluate to.

use crate::analysis::Analysis;
use crate::model::{AddressSet, PortSet};
use crate::resolve::DefinitionId;
use crate::syntax::ast::{Param, ParamType, TypeWord};

/// The type of a role parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// An enumeration of words or numbers, as written.
    Words(Vec<String>),
    Int,
    Port,
    Ports,
    Bool,
    Addresses,
    /// A machine holding one of these roles.
    Host(Vec<DefinitionId>),
}

impl ParamKind {
    pub fn of(analysis: &Analysis, param: &Param) -> ParamKind {
        match &param.ty {
            ParamType::Host { roles, .. } => ParamKind::Host(
                roles
                    .iter()
                    .filter_map(|path| analysis.resolution.resolved(path.span))
                    .collect(),
            ),
            ParamType::Words { words, .. } => {
                let texts: Vec<String> = words
                    .iter()
                    .map(|word| match word {
                        TypeWord::Word(ident) => ident.name.clone(),
                        TypeWord::Number(int) => int.text.clone(),
                    })
                    .collect();
                match texts.as_slice() {
                    [single] if single == "int" => ParamKind::Int,
                    [single] if single == "port" => ParamKind::Port,
                    [single] if single == "ports" => ParamKind::Ports,
                    [single] if single == "bool" => ParamKind::Bool,
                    [single] if single == "addresses" => ParamKind::Addresses,
                    _ => ParamKind::Words(texts),
                }
            }
        }
    }

    /// How the type reads in messages.
    pub fn describe(&self, analysis: &Analysis) -> String {
        match self {
            ParamKind::Words(words) => words.join(" | "),
            ParamKind::Int => "int".into(),
            ParamKind::Port => "port".into(),
            ParamKind::Ports => "ports".into(),
            ParamKind::Bool => "bool".into(),
            ParamKind::Addresses => "addresses".into(),
            ParamKind::Host(roles) => {
                let names: Vec<String> = roles
                    .iter()
                    .map(|role| analysis.qualified_name(*role))
                    .collect();
                format!("host is {}", names.join(" | "))
            }
        }
    }
}

/// A value during role expansion.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Bool(bool),
    /// An enumeration word (numbers of an enumeration are words too: `"3"`).
    Word(String),
    Ports(PortSet),
    Addresses(AddressSet),
    /// A machine, by index into `Site::machines`.
    Machine(usize),
}

impl Value {
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Int(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Word(_) => "a word",
            Value::Ports(_) => "a port set",
            Value::Addresses(_) => "an address set",
            Value::Machine(_) => "a host",
        }
    }
}
