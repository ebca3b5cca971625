//! The people's own verdict on a service, in the words the rest of the system uses:
//! what the people who use it said against similar services (computed by the engine's
//! `people` module), and the short standing the directory filters and sorts by.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::LocationId;
use crate::returns::Month;

/// What the people's answers say of a service against similar services, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    AboutTheSame,
    Worse,
    NotEnoughResponses,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [Verdict::Better, Verdict::AboutTheSame, Verdict::Worse, Verdict::NotEnoughResponses];

    pub fn code(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::AboutTheSame => "about_the_same",
            Verdict::Worse => "worse",
            Verdict::NotEnoughResponses => "not_enough_responses",
        }
    }

    pub fn parse(code: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.code() == code.trim())
    }

    /// As it reads after "What people say:".
    pub fn phrase(self) -> &'static str {
        match self {
            Verdict::Better => "better than similar services",
            Verdict::AboutTheSame => "about the same as similar services",
            Verdict::Worse => "worse than similar services",
            Verdict::NotEnoughResponses => "not enough responses yet",
        }
    }

    /// A short label for filters and lists.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Better => "Better than similar services",
            Verdict::AboutTheSame => "About the same",
            Verdict::Worse => "Worse than similar services",
            Verdict::NotEnoughResponses => "Not enough responses yet",
        }
    }
}

/// A service's people's rating in brief: enough to list, filter and sort by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeopleStanding {
    pub verdict: Verdict,
    /// Answers the verdict rests on; `None` when there are not enough.
    pub n: Option<u32>,
    /// The outcome score shrunk towards similar services (0–3), for ranking.
    pub score: Option<f64>,
    /// The months of answers.
    pub from: Month,
    pub to: Month,
}

/// Every rated service's standing, by location.
pub type Standings = HashMap<LocationId, PeopleStanding>;
