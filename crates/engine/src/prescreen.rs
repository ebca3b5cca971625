//! The automated pre-screen of what people write: a transparent list of words
//! and phrases, each with the criticality it suggests. It only suggests a level
//! and points at the words; a moderator reads the story and decides.
//!
//! Matching is by whole words, ignoring case, and a word matches its simple
//! plural or singular ("bruise" finds "bruises", "punched" does not find "punch").

use std::collections::HashMap;
use std::sync::LazyLock;

use candour_domain::voice::Criticality;

/// The terms, by the level they suggest. Phrases match word for word.
pub const TERMS: &[(u8, &[&str])] = &[
    (
        5,
        &[
            "hit me",
            "hit him",
            "hit her",
            "hit us",
            "hitting",
            "punched",
            "kicked",
            "slapped",
            "beaten",
            "sexual",
            "sexually",
            "rape",
            "raped",
            "touched me inappropriately",
            "locked in",
            "locked me in",
            "tied me",
            "tied him",
            "tied her",
            "no food",
            "no water",
            "starving",
            "left on the floor",
            "left lying",
            "bruise",
            "abuse",
            "abused",
            "abusive",
            "afraid of staff",
            "scared of staff",
            "frightened of staff",
            "threatened",
            "want to die",
            "kill myself",
        ],
    ),
    (
        4,
        &[
            "neglect",
            "neglected",
            "unsafe",
            "not safe",
            "dangerous",
            "had a fall",
            "fell over",
            "fell out of bed",
            "pressure sore",
            "bed sore",
            "soiled",
            "left wet",
            "left dirty",
            "dehydrated",
            "hungry",
            "thirsty",
            "restrained",
            "shouted at",
            "screamed at",
            "bullied",
            "bullying",
            "humiliated",
            "wrong medication",
            "missed medication",
            "no medication",
            "overdose",
            "stole",
            "stolen",
            "theft",
            "money missing",
            "scared",
            "afraid",
            "frightened",
            "injury",
            "injured",
            "bleeding",
            "left alone for hours",
        ],
    ),
    (
        3,
        &[
            "rude",
            "ignored",
            "late",
            "cold meal",
            "cold food",
            "missed visit",
            "missed call",
            "did not turn up",
            "didn't turn up",
            "nobody came",
            "no one came",
            "waited hours",
            "unkind",
            "disrespectful",
            "shouted",
            "upset",
            "smelly",
            "not listened to",
            "lonely",
            "uncomfortable",
        ],
    ),
    (2, &["could be better", "slow", "noisy", "disappointed", "disappointing", "bland", "boring"]),
];

/// What the pre-screen made of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// The highest level among the terms found; none when nothing was found.
    pub suggested: Criticality,
    /// The words found, as written in the text, each once (ignoring case), in the order they appear.
    pub words: Vec<String>,
}

/// Screens a text: the suggested level and the words that suggest it.
pub fn screen(text: &str) -> Screen {
    let found = matches(text);
    let level = found.iter().map(|m| m.level).max().unwrap_or(0);
    let mut words: Vec<String> = Vec::new();
    for m in &found {
        let word = &text[m.start..m.end];
        if !words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            words.push(word.to_string());
        }
    }
    Screen { suggested: Criticality::new(level).expect("levels in TERMS are 0 to 5"), words }
}

/// The text cut into pieces, each marked whether the pre-screen flags it, so that
/// a page can highlight the flagged words in place.
pub fn marked(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for m in matches(text) {
        if m.start > at {
            pieces.push((&text[at..m.start], false));
        }
        pieces.push((&text[m.start..m.end], true));
        at = m.end;
    }
    if at < text.len() {
        pieces.push((&text[at..], false));
    }
    pieces
}

/// One term found: where in the text (bytes) and its level.
struct Match {
    start: usize,
    end: usize,
    level: u8,
}

/// A term split into words, with its level.
struct Term {
    level: u8,
    words: Vec<&'static str>,
}

/// The terms by every form of their first word that [`same_word`] accepts, so
/// that each word of a text is looked up once rather than compared with every term.
static BY_FIRST_WORD: LazyLock<HashMap<String, Vec<Term>>> = LazyLock::new(|| {
    let mut index: HashMap<String, Vec<Term>> = HashMap::new();
    for (level, terms) in TERMS {
        for term in *terms {
            let words: Vec<&'static str> = term.split(' ').collect();
            let first = words[0];
            let shorter = [first.strip_suffix("es"), first.strip_suffix('s')];
            let mut forms: Vec<String> = [first.to_string(), format!("{first}s"), format!("{first}es")]
                .into_iter()
                .chain(shorter.into_iter().flatten().map(str::to_string))
                .collect();
            forms.sort();
            forms.dedup();
            for form in forms {
                index.entry(form).or_default().push(Term { level: *level, words: words.clone() });
            }
        }
    }
    index
});

/// Every term found, left to right without overlaps; where several start at the
/// same word, the longest wins.
fn matches(text: &str) -> Vec<Match> {
    let tokens = tokens(text);
    let mut found: Vec<Match> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if found.last().is_some_and(|m| token.start < m.end) {
            continue;
        }
        let Some(terms) = BY_FIRST_WORD.get(&token.word) else { continue };
        let best = terms
            .iter()
            .filter_map(|term| {
                let run = tokens.get(i..i + term.words.len())?;
                run.iter().zip(&term.words).all(|(token, word)| same_word(&token.word, word)).then(|| Match {
                    start: run[0].start,
                    end: run[run.len() - 1].end,
                    level: term.level,
                })
            })
            .max_by_key(|m| (m.end, m.level));
        found.extend(best);
    }
    found
}

/// A word of the text, lower-cased, with its place (bytes).
struct Token {
    word: String,
    start: usize,
    end: usize,
}

const APOSTROPHES: [char; 2] = ['\'', '’'];

/// Words are runs of letters, digits and apostrophes (straight or curly), without
/// the apostrophes that open or close a quotation.
fn tokens(text: &str) -> Vec<Token> {
    let is_word = |c: char| c.is_alphanumeric() || APOSTROPHES.contains(&c);
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let inner = text[s..i].trim_start_matches(APOSTROPHES);
                let begin = i - inner.len();
                let inner = inner.trim_end_matches(APOSTROPHES);
                if !inner.is_empty() {
                    let word = inner.to_lowercase().replace('’', "'");
                    tokens.push(Token { word, start: begin, end: begin + inner.len() });
                }
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

/// The same word, or its simple plural or singular.
fn same_word(token: &str, term: &str) -> bool {
    let plural_of =
        |long: &str, short: &str| long.strip_prefix(short).is_some_and(|suffix| suffix == "s" || suffix == "es");
    token == term || plural_of(token, term) || plural_of(term, token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(text: &str) -> u8 {
        screen(text).suggested.level()
    }

    #[test]
    fn severe_words_suggest_five_and_are_returned_as_written() {
        let s = screen("The night carer Punched him and I saw BRUISES on his arm. He was punched again.");
        assert_eq!(s.suggested, Criticality::SEVERE);
        assert_eq!(s.words, ["Punched", "BRUISES"]);
    }

    #[test]
    fn phrases_match_word_for_word_across_spaces_and_punctuation() {
        assert_eq!(level("She was left on the floor, all night."), 5);
        assert_eq!(level("Left  on the\nfloor"), 5);
        assert_eq!(level("They left the floor wet"), 0);
        assert_eq!(screen("I am afraid of staff at night").words, ["afraid of staff"]);
    }

    #[test]
    fn levels_follow_the_strongest_term() {
        assert_eq!(level("Staff were rude and the meals were cold food most days"), 3);
        assert_eq!(level("Carers are rude and I have been neglected"), 4);
        assert_eq!(level("The home is a bit noisy"), 2);
        assert_eq!(level("Lovely staff, thank you for everything"), 0);
        assert_eq!(level(""), 0);
    }

    #[test]
    fn only_whole_words_match() {
        // "late" is in "chocolate" and "plate", "rude" in "prudent", "hit me" in "white me".
        assert_eq!(level("Chocolate on a plate, a prudent choice"), 0);
        assert_eq!(level("Lately things improved"), 0);
        assert_eq!(level("abuses"), 5);
        assert_eq!(level("abusers"), 0);
    }

    #[test]
    fn simple_plurals_and_singulars_match_both_ways() {
        assert_eq!(screen("one bruise").words, ["bruise"]);
        assert_eq!(screen("two pressure sores").words, ["pressure sores"]);
        assert_eq!(screen("They hits me").words, ["hits me"]);
        assert_eq!(screen("cold meals again").words, ["cold meals"]);
    }

    #[test]
    fn apostrophes_curly_or_straight_are_part_of_the_word() {
        assert_eq!(screen("The carer didn’t turn up").words, ["didn’t turn up"]);
        assert_eq!(screen("She didn't turn up").suggested.level(), 3);
        // Quotation marks around a word are not part of it.
        assert_eq!(screen("he called it 'abuse'").words, ["abuse"]);
        assert_eq!(screen("‘rude’").words, ["rude"]);
    }

    #[test]
    fn marked_pieces_rebuild_the_text_with_the_words_flagged() {
        let text = "He was hit me, he said; then ignored.";
        let pieces = marked(text);
        assert_eq!(pieces.iter().map(|(p, _)| *p).collect::<String>(), text);
        let flagged: Vec<&str> = pieces.iter().filter(|(_, m)| *m).map(|(p, _)| *p).collect();
        assert_eq!(flagged, ["hit me", "ignored"]);
        assert_eq!(marked("all fine"), [("all fine", false)]);
    }

    #[test]
    fn the_longest_term_wins_where_terms_overlap() {
        // "scared" alone is strong (4); "scared of staff" is severe (5) and is one highlight.
        let s = screen("I am scared of staff");
        assert_eq!(s.suggested.level(), 5);
        assert_eq!(s.words, ["scared of staff"]);
        assert_eq!(marked("scared of staff").len(), 1);
    }

    #[test]
    fn every_term_is_lower_case_single_spaced_and_levelled_zero_to_five() {
        for (level, terms) in TERMS {
            assert!(*level <= 5);
            for term in *terms {
                assert_eq!(*term, term.to_lowercase());
                assert!(!term.contains("  ") && term.trim() == *term, "{term:?}");
                assert_eq!(screen(term).suggested.level(), *level, "{term:?} is found at its own level");
            }
        }
    }
}
