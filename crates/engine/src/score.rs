//! Scores, exact percentages, rounding and the bands that turn a percentage into a
//! rating. Percentages are kept as exact fractions so that 20/32 is exactly 62.5 %
//! and the rounding policy alone decides which band it falls in.

use std::fmt;

use candour_domain::Rating;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A score from 1 (significant shortfalls) to 4 (exceptional standard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

/// A number that is not a score.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0} is not a score: expected a whole number from 1 (significant shortfalls) to 4 (exceptional standard)")]
pub struct ScoreError(pub i64);

impl Score {
    pub const LOWEST: Score = Score(1);
    pub const HIGHEST: Score = Score(4);

    pub fn new(value: i64) -> Result<Score, ScoreError> {
        match u8::try_from(value) {
            Ok(v @ 1..=4) => Ok(Score(v)),
            _ => Err(ScoreError(value)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The score one step better, unless it is already 4.
    pub fn raised(self) -> Option<Score> {
        (self.0 < 4).then_some(Score(self.0 + 1))
    }

    /// The score that stands for a rating when a percentage is mapped back to 1–4.
    pub fn of_rating(rating: Rating) -> Score {
        match rating {
            Rating::Outstanding => Score(4),
            Rating::Good => Score(3),
            Rating::RequiresImprovement => Score(2),
            Rating::Inadequate => Score(1),
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl utoipa::PartialSchema for Score {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(4))
            .description(Some("A score: 1 significant shortfalls, 2 some shortfalls, 3 good, 4 exceptional"))
            .into()
    }
}

impl utoipa::ToSchema for Score {}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScoreVisitor)
    }
}

/// Reads a score from a whole number; shared with the statement reader, which
/// also accepts an object of category scores in the same place.
pub(crate) struct ScoreVisitor;

impl<'de> Visitor<'de> for ScoreVisitor {
    type Value = Score;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a score: a whole number from 1 to 4")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Score, E> {
        Score::new(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Score, E> {
        Score::new(i64::try_from(v).unwrap_or(i64::MAX)).map_err(E::custom)
    }
}

/// How a percentage is rounded before it is banded. The regulator does not publish
/// its rounding, so this is policy; the unrounded value is always kept too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// To a whole percentage, halves upwards: 62.5 → 63.
    #[default]
    HalfUp,
    /// To a whole percentage, halves to the even neighbour: 62.5 → 62, 87.5 → 88.
    HalfEven,
    /// Down to a whole percentage: 62.9 → 62.
    Floor,
    /// Not rounded: the exact value is banded, so 62.5 is below 63.
    None,
}

impl Rounding {
    pub fn code(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Floor => "floor",
            Rounding::None => "none",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Rounding::HalfUp => "rounded half up",
            Rounding::HalfEven => "rounded half to even",
            Rounding::Floor => "rounded down",
            Rounding::None => "not rounded",
        }
    }
}

/// The lowest percentage of each rating band; below `requires_improvement` is
/// Inadequate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    pub outstanding: u32,
    pub good: u32,
    pub requires_improvement: u32,
}

impl Default for Bands {
    fn default() -> Self {
        Bands::KEY_QUESTION
    }
}

impl Bands {
    /// The regulator's published key question bands: 88–100 Outstanding, 63–87 Good,
    /// 39–62 Requires improvement, 25–38 Inadequate.
    pub const KEY_QUESTION: Bands = Bands { outstanding: 88, good: 63, requires_improvement: 39 };

    /// Bands must rise strictly and fit between 25 % (every score 1) and 100 %.
    pub fn check(&self) -> Result<(), String> {
        let ordered = 25 < self.requires_improvement
            && self.requires_improvement < self.good
            && self.good < self.outstanding
            && self.outstanding <= 100;
        if ordered {
            Ok(())
        } else {
            Err(format!(
                "bands must rise strictly between 25 and 100 (requires_improvement < good < outstanding), not {}/{}/{}",
                self.requires_improvement, self.good, self.outstanding
            ))
        }
    }

    /// The lowest percentage of a band.
    pub fn floor_of(&self, rating: Rating) -> u32 {
        match rating {
            Rating::Outstanding => self.outstanding,
            Rating::Good => self.good,
            Rating::RequiresImprovement => self.requires_improvement,
            Rating::Inadequate => 25,
        }
    }

    /// A band as people read it, like "63–87 %".
    pub fn range(&self, rating: Rating) -> String {
        let top = match rating {
            Rating::Outstanding => 100,
            Rating::Good => self.outstanding - 1,
            Rating::RequiresImprovement => self.good - 1,
            Rating::Inadequate => self.requires_improvement - 1,
        };
        format!("{}–{} %", self.floor_of(rating), top)
    }
}

/// A sum of scores and how many there were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreTotal {
    pub sum: u32,
    pub count: u32,
}

impl ScoreTotal {
    pub fn of(scores: impl IntoIterator<Item = Score>) -> ScoreTotal {
        scores.into_iter().fold(ScoreTotal { sum: 0, count: 0 }, |t, s| ScoreTotal {
            sum: t.sum + u32::from(s.get()),
            count: t.count + 1,
        })
    }

    /// The most the scores could have summed to.
    pub fn max(self) -> u32 {
        self.count * 4
    }

    /// sum / (count × 4) as a percentage; `None` when nothing was scored.
    pub fn percent(self) -> Option<Percent> {
        (self.count > 0).then(|| Percent { numerator: u64::from(self.sum) * 100, denominator: u64::from(self.max()) })
    }
}

/// An exact percentage: numerator / denominator per cent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent {
    numerator: u64,
    denominator: u64,
}

impl Percent {
    /// The value to two decimal places, halves upwards, for display.
    pub fn two_decimals(self) -> f64 {
        let hundredths = (self.numerator * 200 + self.denominator) / (self.denominator * 2);
        hundredths as f64 / 100.0
    }

    /// The whole percentage the rounding policy gives, or `None` when it keeps the
    /// exact value.
    pub fn rounded(self, rounding: Rounding) -> Option<u32> {
        let whole = self.numerator / self.denominator;
        let twice_rest = 2 * (self.numerator % self.denominator);
        let up = match rounding {
            Rounding::None => return None,
            Rounding::Floor => false,
            Rounding::HalfUp => twice_rest >= self.denominator,
            Rounding::HalfEven => twice_rest > self.denominator || (twice_rest == self.denominator && whole % 2 == 1),
        };
        u32::try_from(whole + u64::from(up)).ok()
    }

    /// The band this percentage falls in once rounded by the policy.
    pub fn band(self, rounding: Rounding, bands: &Bands) -> Rating {
        let reaches = |floor: u32| match self.rounded(rounding) {
            Some(whole) => whole >= floor,
            None => self.numerator >= u64::from(floor) * self.denominator,
        };
        [Rating::Outstanding, Rating::Good, Rating::RequiresImprovement]
            .into_iter()
            .find(|r| reaches(bands.floor_of(*r)))
            .unwrap_or(Rating::Inadequate)
    }

    /// "75 %", "66.67 %, rounded half up to 67 %" or "62.5 %, not rounded".
    pub fn describe(self, rounding: Rounding) -> String {
        if self.numerator.is_multiple_of(self.denominator) {
            return format!("{} %", self.numerator / self.denominator);
        }
        match self.rounded(rounding) {
            Some(whole) => format!("{} %, {} to {whole} %", self.two_decimals(), rounding.describe()),
            None => format!("{} %, {}", self.two_decimals(), rounding.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(sum: u32, count: u32) -> Percent {
        ScoreTotal { sum, count }.percent().unwrap()
    }

    #[test]
    fn scores_are_one_to_four_only() {
        assert!(Score::new(0).is_err());
        assert!(Score::new(5).is_err());
        assert!(Score::new(-1).is_err());
        assert_eq!(Score::new(4).unwrap(), Score::HIGHEST);
        assert_eq!(Score::HIGHEST.raised(), None);
        assert_eq!(Score::LOWEST.raised().map(Score::get), Some(2));
    }

    #[test]
    fn a_half_is_rounded_by_policy() {
        let half = pct(20, 8); // 62.5 %
        assert_eq!(half.rounded(Rounding::HalfUp), Some(63));
        assert_eq!(half.rounded(Rounding::HalfEven), Some(62));
        assert_eq!(half.rounded(Rounding::Floor), Some(62));
        assert_eq!(half.rounded(Rounding::None), None);
        assert_eq!(pct(35, 10).rounded(Rounding::HalfEven), Some(88)); // 87.5 %
        assert_eq!(pct(8, 3).rounded(Rounding::HalfUp), Some(67));
        assert_eq!(pct(8, 3).rounded(Rounding::Floor), Some(66));
        assert_eq!(pct(8, 3).two_decimals(), 66.67);
        assert_eq!(pct(21, 7).two_decimals(), 75.0);
    }

    #[test]
    fn bands_are_the_regulators() {
        let b = Bands::KEY_QUESTION;
        assert_eq!(pct(20, 8).band(Rounding::HalfUp, &b), Rating::Good);
        assert_eq!(pct(20, 8).band(Rounding::None, &b), Rating::RequiresImprovement);
        assert_eq!(pct(20, 8).band(Rounding::Floor, &b), Rating::RequiresImprovement);
        assert_eq!(pct(4, 4).band(Rounding::HalfUp, &b), Rating::Inadequate);
        assert_eq!(pct(16, 4).band(Rounding::None, &b), Rating::Outstanding);
        assert_eq!(b.range(Rating::Good), "63–87 %");
        assert_eq!(b.range(Rating::Inadequate), "25–38 %");
        assert!(b.check().is_ok());
        assert!(Bands { outstanding: 60, good: 63, requires_improvement: 39 }.check().is_err());
        assert!(Bands { outstanding: 101, good: 63, requires_improvement: 39 }.check().is_err());
    }
}
