//! Read-your-writes when reads may go to replicas. A backend with replicas says
//! where the primary's history stands after a write ([`JournalStore::write_position`](crate::JournalStore::write_position));
//! whoever serves the writer's next request runs it inside [`reading_after`], and
//! the backend then reads only from a replica that has replayed at least that far
//! (or from the primary). Without a position, any replica close enough will do.

use std::fmt;
use std::future::Future;

tokio::task_local! {
    static READ_AFTER: WritePosition;
}

/// A point in the primary's history (PostgreSQL: a WAL position), opaque to callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WritePosition(pub u64);

impl WritePosition {
    /// The form [`Display`](fmt::Display) writes (16 hexadecimal digits), as a
    /// cookie brings it back; `None` for anything else.
    pub fn parse(text: &str) -> Option<WritePosition> {
        (!text.is_empty() && text.len() <= 16).then(|| u64::from_str_radix(text, 16).ok().map(WritePosition))?
    }
}

impl fmt::Display for WritePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Runs `work` so that the store's reads within it see at least `position`.
pub async fn reading_after<F: Future>(position: Option<WritePosition>, work: F) -> F::Output {
    match position {
        Some(position) => READ_AFTER.scope(position, work).await,
        None => work.await,
    }
}

/// The position the current task's reads must have reached, if any.
pub fn read_after() -> Option<WritePosition> {
    READ_AFTER.try_with(|p| *p).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_as_text_and_nothing_else_parses() {
        let position = WritePosition(0x1_6B37_4D48);
        assert_eq!(WritePosition::parse(&position.to_string()), Some(position));
        for bad in ["", "zz", "-1", "12345678901234567", "1/2"] {
            assert_eq!(WritePosition::parse(bad), None, "{bad:?}");
        }
    }
}
