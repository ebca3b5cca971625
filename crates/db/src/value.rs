//! One stored value on its way between databases, and its canonical form.
//!
//! Each column has a [`Kind`]: what its values mean, whichever way a backend
//! stores them (SQLite keeps times, dates and booleans as text and integers).
//! A value read from either side is converted to its column's kind; the
//! checksums hash that form, so that both sides of a copy hash the same bytes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
    Bytes,
    Bool,
    Date,
    Timestamp,
    /// A SQLite column without a declared type: its values as stored.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
}

impl Value {
    /// The value as a value of `kind`, or why it is not one.
    pub fn into_kind(self, kind: Kind) -> Result<Value, String> {
        use Value::*;
        let refused = |v: &Value| Err(format!("{v:?} is not a {kind:?} value"));
        Ok(match (self, kind) {
            (Null, _) => Null,
            (v, Kind::Any) => v,
            (Int(i), Kind::Int) => Int(i),
            (Int(i), Kind::Real) => Real(i as f64),
            (Int(0), Kind::Bool) => Bool(false),
            (Int(1), Kind::Bool) => Bool(true),
            (Int(i), Kind::Text) => Text(i.to_string()),
            (Real(r), Kind::Real) => Real(r),
            (Real(r), Kind::Int) if r.fract() == 0.0 && r.abs() < 9.0e15 => Int(r as i64),
            (Real(r), Kind::Text) => Text(r.to_string()),
            (Bool(b), Kind::Bool) => Bool(b),
            (Bool(b), Kind::Int) => Int(i64::from(b)),
            (Date(d), Kind::Date) => Date(d),
            (Date(d), Kind::Text) => Text(date_text(d)),
            (Timestamp(t), Kind::Timestamp) => Timestamp(t),
            (Timestamp(t), Kind::Text) => Text(stamp(t)),
            (Bytes(b), Kind::Bytes) => Bytes(b),
            (Text(s), Kind::Text) => Text(s),
            (Text(s), Kind::Bytes) => Bytes(s.into_bytes()),
            (Text(s), kind) => parse_text(&s, kind).ok_or_else(|| format!("{s:?} is not a {kind:?} value"))?,
            (v, _) => return refused(&v),
        })
    }

    /// The canonical bytes the checksums hash: a tag, the length, the text.
    pub fn canonical(&self, out: &mut Vec<u8>) {
        let (tag, text) = match self {
            Value::Null => (b'N', String::new()),
            Value::Int(i) => (b'I', i.to_string()),
            Value::Real(r) => (b'R', format!("{r:?}")),
            Value::Text(s) => (b'T', s.clone()),
            Value::Bytes(b) => (b'B', hex::encode(b)),
            Value::Bool(b) => (b'b', u8::from(*b).to_string()),
            Value::Date(d) => (b'D', date_text(*d)),
            Value::Timestamp(t) => (b'S', stamp(*t)),
        };
        out.push(tag);
        out.extend_from_slice(&(text.len() as u64).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }

    /// The value in PostgreSQL's COPY text format.
    pub fn copy_text(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Real(r) if r.is_nan() => out.extend_from_slice(b"NaN"),
            Value::Real(r) if r.is_infinite() => {
                out.extend_from_slice(if *r > 0.0 { b"Infinity" } else { b"-Infinity" })
            }
            Value::Real(r) => out.extend_from_slice(format!("{r:?}").as_bytes()),
            Value::Text(s) => escape_copy(s, out),
            // bytea's text form \x..., its backslash escaped for COPY.
            Value::Bytes(b) => {
                out.extend_from_slice(b"\\\\x");
                out.extend_from_slice(hex::encode(b).as_bytes());
            }
            Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            Value::Date(d) => out.extend_from_slice(date_text(*d).as_bytes()),
            Value::Timestamp(t) => out.extend_from_slice(stamp(*t).as_bytes()),
        }
    }
}

/// COPY's text format: backslash, tab (the delimiter), newline and carriage return escaped.
fn escape_copy(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn parse_text(s: &str, kind: Kind) -> Option<Value> {
    match kind {
        Kind::Int => s.trim().parse().ok().map(Value::Int),
        Kind::Real => s.trim().parse().ok().map(Value::Real),
        Kind::Bool => match s.trim() {
            "0" | "f" | "false" => Some(Value::Bool(false)),
            "1" | "t" | "true" => Some(Value::Bool(true)),
            _ => None,
        },
        Kind::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Value::Date),
        Kind::Timestamp => parse_time(s).map(Value::Timestamp),
        Kind::Text | Kind::Bytes | Kind::Any => None,
    }
}

/// RFC 3339 (how the SQLite store writes times), or SQLite's own `YYYY-MM-DD HH:MM:SS` in UTC.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}

/// The SQLite store's fixed-width UTC form (its codec's `stamp`).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_text_becomes_times_dates_and_booleans() {
        let t = Value::Text("2026-03-01T10:20:30.123456Z".into()).into_kind(Kind::Timestamp).unwrap();
        let Value::Timestamp(at) = t else { panic!("{t:?}") };
        assert_eq!(stamp(at), "2026-03-01T10:20:30.123456Z");
        assert_eq!(Value::Text("2026-03-01".into()).into_kind(Kind::Date).unwrap().into_kind(Kind::Text).unwrap(), {
            Value::Text("2026-03-01".into())
        });
        assert_eq!(Value::Int(1).into_kind(Kind::Bool).unwrap(), Value::Bool(true));
        assert!(Value::Int(2).into_kind(Kind::Bool).is_err());
        assert!(Value::Text("2026-13".into()).into_kind(Kind::Date).is_err());
    }

    #[test]
    fn copy_text_escapes_what_the_format_reserves() {
        let mut out = Vec::new();
        Value::Text("a\tb\\c\nd".into()).copy_text(&mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd");
        out.clear();
        Value::Bytes(vec![0, 255]).copy_text(&mut out);
        assert_eq!(out, b"\\\\x00ff");
    }
}
