//! Follows the quoting of CSV bytes as they are read. The `csv` parser takes the
//! end of the input inside a quoted value as that value's end, so a download cut
//! short reads as complete, its last row holding half a value; every CSV reader
//! here feeds its bytes through [`QuoteTracker`] and refuses input that ends
//! inside quotes.

/// Where the bytes fed so far leave a field, by the rules the parser reads with
/// (comma-separated, quotes doubled inside a quoted value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted value: its end, or the first of a doubled quote.
    QuoteInQuoted,
}

impl State {
    fn next(self, byte: u8) -> State {
        match (self, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart | State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',' | b'\n' | b'\r') => State::FieldStart,
            _ => State::Unquoted,
        }
    }
}

/// Tracks whether CSV input, fed in order, is inside a quoted value.
#[derive(Debug, Clone, Default)]
pub struct QuoteTracker {
    state: State,
    fed: u64,
    /// The offset of the quote opening the value being read.
    opened_at: u64,
    last_byte: Option<u8>,
}

impl QuoteTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Follows the next bytes of the input.
    pub fn feed(&mut self, bytes: &[u8]) {
        for (i, &byte) in bytes.iter().enumerate() {
            let next = self.state.next(byte);
            if self.state == State::FieldStart && next == State::Quoted {
                self.opened_at = self.fed + i as u64;
            }
            self.state = next;
        }
        self.fed += bytes.len() as u64;
        self.last_byte = bytes.last().copied().or(self.last_byte);
    }

    /// The byte offset of the opening quote of a value never closed, if the input
    /// so far ends inside one.
    pub fn unclosed_quote(&self) -> Option<u64> {
        (self.state == State::Quoted).then_some(self.opened_at)
    }

    /// Whether the input so far ends part-way through a line.
    pub fn ends_mid_line(&self) -> bool {
        self.last_byte.is_some_and(|b| b != b'\n' && b != b'\r')
    }
}

/// The message for input that ends inside a quoted value.
pub const CUT_SHORT: &str = "a quoted value opens on this line and is never closed: the file ends part-way through, so it is probably cut short";

#[cfg(test)]
mod tests {
    use super::*;

    fn unclosed(text: &str) -> Option<u64> {
        let mut tracker = QuoteTracker::new();
        // Fed in two pieces, as a reader's buffer would, to show the state carries over.
        let (a, b) = text.as_bytes().split_at(text.len() / 2);
        tracker.feed(a);
        tracker.feed(b);
        tracker.unclosed_quote()
    }

    #[test]
    fn finds_a_quoted_value_left_open() {
        assert_eq!(unclosed("a,b\n1,\"Unit 4, Mill"), Some(6));
        assert_eq!(unclosed("a,b\n1,\"said \"\"hi\"\"\n"), Some(6));
    }

    #[test]
    fn closed_doubled_and_stray_quotes_are_fine() {
        assert_eq!(unclosed("a,b\n1,\"Unit 4, Mill\"\n"), None);
        assert_eq!(unclosed("a,b\n1,\"said \"\"hi\"\"\""), None);
        assert_eq!(unclosed("a,b\n1,5\" screen\n"), None);
        assert_eq!(unclosed("\"a\nb\",c\r\n"), None);
        assert_eq!(unclosed(""), None);
    }

    #[test]
    fn notes_input_ending_mid_line() {
        let mut tracker = QuoteTracker::new();
        tracker.feed(b"a,b\n1,2");
        assert!(tracker.ends_mid_line());
        tracker.feed(b"\r\n");
        assert!(!tracker.ends_mid_line());
    }
}
