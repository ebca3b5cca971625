use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{LocationId, ParseError};

/// The four ratings, best first, so that `Ord` ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Outstanding, Rating::Good, Rating::RequiresImprovement, Rating::Inadequate];

    pub fn name(self) -> &'static str {
        match self {
            Rating::Outstanding => "Outstanding",
            Rating::Good => "Good",
            Rating::RequiresImprovement => "Requires improvement",
            Rating::Inadequate => "Inadequate",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Rating::Outstanding => "outstanding",
            Rating::Good => "good",
            Rating::RequiresImprovement => "requires_improvement",
            Rating::Inadequate => "inadequate",
        }
    }

    /// Reads a rating as the regulator or our API writes it, in any capitalisation.
    /// Values that mean "no rating" ("Not rated", "Insufficient evidence to rate",
    /// "No published rating", blanks and "-") give `Ok(None)`.
    pub fn parse_optional(value: &str) -> Result<Option<Self>, ParseError> {
        let key = value.trim().to_lowercase().replace(['_', '-'], " ");
        let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Some(match key.as_str() {
            "outstanding" => Rating::Outstanding,
            "good" => Rating::Good,
            "requires improvement" => Rating::RequiresImprovement,
            "inadequate" => Rating::Inadequate,
            "" | "not rated" | "insufficient evidence to rate" | "no published rating" | "not yet rated" => {
                return Ok(None);
            }
            _ => {
                return Err(ParseError::new(
                    "rating",
                    value,
                    "expected Outstanding, Good, Requires improvement or Inadequate",
                ));
            }
        }))
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::parse_optional(value)?.ok_or_else(|| {
            ParseError::new("rating", value, "expected Outstanding, Good, Requires improvement or Inadequate")
        })
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The regulator's five key questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyQuestion {
    Safe,
    Effective,
    Caring,
    Responsive,
    WellLed,
}

impl KeyQuestion {
    pub const ALL: [KeyQuestion; 5] =
        [KeyQuestion::Safe, KeyQuestion::Effective, KeyQuestion::Caring, KeyQuestion::Responsive, KeyQuestion::WellLed];

    pub fn name(self) -> &'static str {
        match self {
            KeyQuestion::Safe => "Safe",
            KeyQuestion::Effective => "Effective",
            KeyQuestion::Caring => "Caring",
            KeyQuestion::Responsive => "Responsive",
            KeyQuestion::WellLed => "Well-led",
        }
    }

    /// Matches by name ("Well-led", "well led", "WELL_LED"), never by position.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let key: String = value.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
        Ok(match key.as_str() {
            "safe" => KeyQuestion::Safe,
            "effective" => KeyQuestion::Effective,
            "caring" => KeyQuestion::Caring,
            "responsive" => KeyQuestion::Responsive,
            "wellled" => KeyQuestion::WellLed,
            _ => {
                return Err(ParseError::new(
                    "key question",
                    value,
                    "expected Safe, Effective, Caring, Responsive or Well-led",
                ));
            }
        })
    }
}

impl fmt::Display for KeyQuestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rating for each key question, where one was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyQuestionRatings {
    pub safe: Option<Rating>,
    pub effective: Option<Rating>,
    pub caring: Option<Rating>,
    pub responsive: Option<Rating>,
    pub well_led: Option<Rating>,
}

impl KeyQuestionRatings {
    pub fn get(&self, kq: KeyQuestion) -> Option<Rating> {
        match kq {
            KeyQuestion::Safe => self.safe,
            KeyQuestion::Effective => self.effective,
            KeyQuestion::Caring => self.caring,
            KeyQuestion::Responsive => self.responsive,
            KeyQuestion::WellLed => self.well_led,
        }
    }

    pub fn set(&mut self, kq: KeyQuestion, rating: Option<Rating>) {
        let slot = match kq {
            KeyQuestion::Safe => &mut self.safe,
            KeyQuestion::Effective => &mut self.effective,
            KeyQuestion::Caring => &mut self.caring,
            KeyQuestion::Responsive => &mut self.responsive,
            KeyQuestion::WellLed => &mut self.well_led,
        };
        *slot = rating;
    }

    pub fn iter(&self) -> impl Iterator<Item = (KeyQuestion, Option<Rating>)> + '_ {
        KeyQuestion::ALL.into_iter().map(|kq| (kq, self.get(kq)))
    }

    pub fn is_empty(&self) -> bool {
        self.iter().all(|(_, r)| r.is_none())
    }
}

/// Who produced a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// Imported from the regulator's published data.
    Cqc,
    /// Produced by an assessment in Candour.
    Candour,
}

impl RatingSource {
    pub fn code(self) -> &'static str {
        match self {
            RatingSource::Cqc => "cqc",
            RatingSource::Candour => "candour",
        }
    }

    /// The body that made the rating, as the public reads it.
    pub fn body(self) -> &'static str {
        match self {
            RatingSource::Cqc => "the Care Quality Commission (CQC)",
            RatingSource::Candour => "Candour",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim().to_lowercase().as_str() {
            "cqc" => Ok(RatingSource::Cqc),
            "candour" => Ok(RatingSource::Candour),
            _ => Err(ParseError::new("rating source", value, "expected cqc or candour")),
        }
    }
}

/// One published rating of one service group at a location: the overall rating and
/// the key question ratings, as of a publication date. A location's history is the
/// list of these; its current rating per service group is the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingRecord {
    pub location_id: LocationId,
    /// "Overall" for the location as a whole, otherwise the service group's name
    /// (e.g. "Care home service with nursing").
    pub service_group: String,
    pub published: NaiveDate,
    pub source: RatingSource,
    pub overall: Option<Rating>,
    pub key_questions: KeyQuestionRatings,
    pub report_type: Option<String>,
    /// A rating carried over from a predecessor registration.
    pub inherited: bool,
}

impl RatingRecord {
    pub const LOCATION_GROUP: &'static str = "Overall";

    /// The headline rating among a location's ratings: the most recently published
    /// with an overall rating, whoever made it. A body's rating of one service group
    /// counts only when that body has no location-wide rating, so the regulator's
    /// later rating of one service does not displace its rating of the whole, but a
    /// Candour rating published after it does. Ties prefer the location-wide record,
    /// then Candour's. The store's denormalised current rating (the directory's)
    /// follows the same rule.
    pub fn headline(history: &[RatingRecord]) -> Option<&RatingRecord> {
        let location_wide = |r: &RatingRecord| r.service_group == RatingRecord::LOCATION_GROUP;
        let has_location_wide = |source: RatingSource| {
            history.iter().any(|r| r.source == source && location_wide(r) && r.overall.is_some())
        };
        history
            .iter()
            .filter(|r| r.overall.is_some() && (location_wide(r) || !has_location_wide(r.source)))
            .max_by_key(|r| (r.published, location_wide(r), r.source == RatingSource::Candour))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_parse_loosely_but_not_wrongly() {
        assert_eq!(Rating::parse("REQUIRES IMPROVEMENT").unwrap(), Rating::RequiresImprovement);
        assert_eq!(Rating::parse("requires_improvement").unwrap(), Rating::RequiresImprovement);
        assert_eq!(Rating::parse_optional("-").unwrap(), None);
        assert_eq!(Rating::parse_optional("Insufficient evidence to rate").unwrap(), None);
        assert!(Rating::parse("Fine").is_err());
        assert!(Rating::parse("").is_err());
        assert!(Rating::Outstanding < Rating::Inadequate);
    }

    #[test]
    fn the_headline_is_the_latest_rating_whoever_made_it() {
        let record = |group: &str, y: i32, source: RatingSource| RatingRecord {
            location_id: LocationId::parse("1-101").unwrap(),
            service_group: group.into(),
            published: NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
            source,
            overall: Some(Rating::Good),
            key_questions: KeyQuestionRatings::default(),
            report_type: None,
            inherited: false,
        };
        let cqc = record(RatingRecord::LOCATION_GROUP, 2021, RatingSource::Cqc);
        let candour = record("Care home service with nursing", 2026, RatingSource::Candour);
        assert_eq!(
            RatingRecord::headline(&[cqc.clone(), candour.clone()]),
            Some(&candour),
            "newer than the regulator's"
        );
        let same_day = record(RatingRecord::LOCATION_GROUP, 2026, RatingSource::Cqc);
        assert_eq!(RatingRecord::headline(&[candour.clone(), same_day.clone()]), Some(&same_day));
        let cqc_group = record("Care home service with nursing", 2024, RatingSource::Cqc);
        assert_eq!(RatingRecord::headline(&[cqc_group.clone(), cqc.clone()]), Some(&cqc), "the regulator's whole");
        assert_eq!(RatingRecord::headline(std::slice::from_ref(&cqc_group)), Some(&cqc_group));
        let unrated = RatingRecord { overall: None, ..record(RatingRecord::LOCATION_GROUP, 2027, RatingSource::Cqc) };
        assert_eq!(RatingRecord::headline(&[cqc.clone(), unrated]), Some(&cqc));
    }

    #[test]
    fn key_questions_match_by_name() {
        assert_eq!(KeyQuestion::parse("Well-led").unwrap(), KeyQuestion::WellLed);
        assert_eq!(KeyQuestion::parse("WELL LED").unwrap(), KeyQuestion::WellLed);
        assert!(KeyQuestion::parse("Overall").is_err());
    }
}
