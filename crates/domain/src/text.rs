//! The one rule for text from outside, used at every edge (forms, the JSON API,
//! the regulator's files, the command line): no control characters. A NUL or an
//! escape code in a stored name or story breaks what is built on it (a NUL in an
//! authority's name once dropped its services out of its commissioners' scope),
//! so they are refused where the text comes in, never cleaned up later.

use std::fmt;

/// A control character found in text, with where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlCharacter {
    pub character: char,
    /// Its position, counted in characters from 1.
    pub position: usize,
}

impl fmt::Display for ControlCharacter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "contains a control character (U+{:04X}) at character {}, which cannot be stored; remove it",
            u32::from(self.character),
            self.position
        )
    }
}

/// The first control character in `text`, if any. Tab, line feed and carriage
/// return are allowed: they are how multi-line text (stories, notes) is typed,
/// and one-line values reject line breaks in their own parsing.
pub fn check_text(text: &str) -> Result<(), ControlCharacter> {
    match text.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        Some((i, character)) => Err(ControlCharacter { character, position: i + 1 }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_with_their_position() {
        assert_eq!(check_text("Leeds\0"), Err(ControlCharacter { character: '\0', position: 6 }));
        assert_eq!(check_text("a\u{1b}[31m").map_err(|e| e.character), Err('\u{1b}'));
        assert_eq!(check_text("del\u{7f}").map_err(|e| e.position), Err(4));
        assert_eq!(check_text("c1 \u{85}").map_err(|e| e.character), Err('\u{85}'));
        let message = check_text("x\0").unwrap_err().to_string();
        assert_eq!(message, "contains a control character (U+0000) at character 2, which cannot be stored; remove it");
    }

    #[test]
    fn ordinary_text_with_line_breaks_and_tabs_passes() {
        for text in ["", "Rose Court", "Line one\r\nLine two\tindented", "Café — “quoted” 😊"] {
            assert_eq!(check_text(text), Ok(()), "{text:?}");
        }
    }
}
