use thiserror::Error;

/// Why a piece of outside text is not a valid domain value. The message is written
/// for the person who supplied the value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} {value:?} is not valid: {expected}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl ParseError {
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        let mut value = value.to_string();
        if value.len() > 80 {
            let cut = (0..=80).rev().find(|i| value.is_char_boundary(*i)).unwrap_or(0);
            value.truncate(cut);
            value.push('…');
        }
        Self { what, value, expected }
    }
}
