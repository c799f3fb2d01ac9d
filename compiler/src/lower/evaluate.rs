//! Evaluation of expressions: role arguments, defaults, conditions and computed ports.

use super::types::Value;
use crate::model::{AddressSet, PortSet};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, Path};
use crate::syntax::literals::parse_address;

/// Why an expression could not be evaluated: where, and a sentence saying what is wrong.
pub type EvaluationError = (Span, String);

/// Evaluates `expression`; `lookup` gives the value of a name (parameter, loop variable, host),
/// and a single name it does not know evaluates to a word (`nimsh` in `protocol == nimsh`).
pub fn evaluate(
    expression: &Expr,
    lookup: &dyn Fn(&Path) -> Option<Value>,
) -> Result<Value, EvaluationError> {
    match expression {
        Expr::Int(int) => match int.value.and_then(|value| i64::try_from(value).ok()) {
            Some(value) => Ok(Value::Int(value)),
            None => Err((int.span, format!("`{}` is too large", int.text))),
        },
        Expr::Bool(value, _) => Ok(Value::Bool(*value)),
        Expr::Name(path) => match lookup(path) {
            Some(value) => Ok(value),
            None if !path.is_qualified() => Ok(Value::Word(path.segments[0].name.clone())),
            None => Err((path.span, format!("`{}` has no value here", path.text()))),
        },
        Expr::Address(address) => parse_address(&address.text)
            .map(|network| Value::Addresses(AddressSet::from_network(network)))
            .map_err(|_| {
                (
                    address.span,
                    format!("`{}` is not a valid address", address.text),
                )
            }),
        Expr::Paren(inner, _) => evaluate(inner, lookup),
        Expr::Not(inner, span) => match evaluate(inner, lookup)? {
            Value::Bool(value) => Ok(Value::Bool(!value)),
            other => Err((
                *span,
                format!("`!` needs a boolean, found {}", other.describe()),
            )),
        },
        Expr::Range { start, end, span } => {
            let (start, end) = (port(start, lookup)?, port(end, lookup)?);
            if start > end {
                return Err((*span, format!("range {start}..{end} is empty")));
            }
            Ok(Value::Ports(PortSet::range(start, end)))
        }
        Expr::Set(elements, span) => {
            let mut ports = PortSet::empty();
            let mut addresses = AddressSet::empty();
            for element in elements {
                let value = match &element.end {
                    Some(end) => evaluate(
                        &Expr::Range {
                            start: Box::new(element.start.clone()),
                            end: Box::new(end.clone()),
                            span: element.span,
                        },
                        lookup,
                    )?,
                    None => evaluate(&element.start, lookup)?,
                };
                match value {
                    Value::Int(_) | Value::Ports(_) => {
                        ports = ports.union(&as_ports(&value, element.span)?)
                    }
                    Value::Addresses(set) => addresses = addresses.union(&set),
                    other => {
                        return Err((
                            element.span,
                            format!("a set holds ports or addresses, not {}", other.describe()),
                        ))
                    }
                }
            }
            match (ports.is_empty(), addresses.is_empty()) {
                (_, true) => Ok(Value::Ports(ports)),
                (true, false) => Ok(Value::Addresses(addresses)),
                (false, false) => Err((*span, "a set cannot mix ports and addresses".to_string())),
            }
        }
        Expr::Binary { op, lhs, rhs, span } => {
            binary(*op, evaluate(lhs, lookup)?, evaluate(rhs, lookup)?, *span)
        }
    }
}

fn binary(op: BinaryOp, lhs: Value, rhs: Value, span: Span) -> Result<Value, EvaluationError> {
    use BinaryOp::*;
    let overflow = || {
        (
            span,
            "the result does not fit in a 64-bit integer".to_string(),
        )
    };
    match (op, &lhs, &rhs) {
        (Add, Value::Int(a), Value::Int(b)) => {
            a.checked_add(*b).map(Value::Int).ok_or_else(overflow)
        }
        (Subtract, Value::Int(a), Value::Int(b)) => {
            a.checked_sub(*b).map(Value::Int).ok_or_else(overflow)
        }
        (Multiply, Value::Int(a), Value::Int(b)) => {
            a.checked_mul(*b).map(Value::Int).ok_or_else(overflow)
        }
        (Less, Value::Int(a), Value::Int(b)) => Ok(Value::Bool(a < b)),
        (LessEqual, Value::Int(a), Value::Int(b)) => Ok(Value::Bool(a <= b)),
        (Greater, Value::Int(a), Value::Int(b)) => Ok(Value::Bool(a > b)),
        (GreaterEqual, Value::Int(a), Value::Int(b)) => Ok(Value::Bool(a >= b)),
        (And, Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(*a && *b)),
        (Or, Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(*a || *b)),
        (Equal | NotEqual, _, _) => {
            let equal = match (&lhs, &rhs) {
                // Enumerations of numbers hold words such as "3"; compare them as text.
                (Value::Word(word), Value::Int(number))
                | (Value::Int(number), Value::Word(word)) => *word == number.to_string(),
                (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => a == b,
                (a, b) => {
                    return Err((
                        span,
                        format!("cannot compare {} with {}", a.describe(), b.describe()),
                    ));
                }
            };
            Ok(Value::Bool(equal == (op == Equal)))
        }
        _ => Err((
            span,
            format!(
                "`{}` cannot combine {} and {}",
                op.text(),
                lhs.describe(),
                rhs.describe()
            ),
        )),
    }
}

/// Evaluates a port: a number in 0..65535.
pub fn port(
    expression: &Expr,
    lookup: &dyn Fn(&Path) -> Option<Value>,
) -> Result<u16, EvaluationError> {
    match evaluate(expression, lookup)? {
        Value::Int(value) => u16::try_from(value).map_err(|_| {
            (
                expression.span(),
                format!("port {value} is out of range: ports are 0..65535"),
            )
        }),
        other => Err((
            expression.span(),
            format!("a port must be a number, found {}", other.describe()),
        )),
    }
}

/// A value used where ports are expected: a number or a port set.
pub fn as_ports(value: &Value, span: Span) -> Result<PortSet, EvaluationError> {
    match value {
        Value::Int(number) => u16::try_from(*number).map(PortSet::single).map_err(|_| {
            (
                span,
                format!("port {number} is out of range: ports are 0..65535"),
            )
        }),
        Value::Ports(set) => Ok(set.clone()),
        other => Err((span, format!("expected ports, found {}", other.describe()))),
    }
}
