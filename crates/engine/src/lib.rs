//! Candour's rating engine: the regulator's quality framework as data, and the
//! pure rules that turn an assessment's scores into ratings, each with a trace of
//! how it was reached. No I/O, no database, no async: the caller supplies the
//! assessment (from a JSON file, a form or the database) and shows the result.
//!
//! ```
//! use candour_engine::{Assessment, Framework, rate};
//!
//! let framework = Framework::current()?;
//! let assessment = Assessment::from_json(r#"{"service_groups": [{"name": "Homecare agencies",
//!     "key_questions": {"safe": {"S1": 3}, "effective": {"E1": 3}, "caring": {"C1": 4},
//!                       "responsive": {"R1": 3}, "well_led": {"W1": 3}}}]}"#)?;
//! let result = rate(framework, &assessment)?;
//! assert_eq!(result.location_overall.map(|o| o.rating), Some(candour_domain::Rating::Good));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assessment;
mod framework;
pub mod monitoring;
mod overall;
pub mod people;
mod policy;
pub mod prescreen;
mod rate;
mod result;
mod score;
pub mod stats;
pub mod voice;

pub use assessment::{
    Assessment, AssessmentError, Evidence, Judgement, Judgements, KeyQuestionAssessment, KeyQuestionAssessments,
    MissingReason, ServiceGroupAssessment, StandingRating, StatementAssessment,
};
pub use framework::{
    CategoryInfo, EvidenceCategory, Framework, FrameworkError, FrameworkVersion, KeyQuestionInfo, ServiceTypeInfo,
    Statement, StatementId, StatementIdError,
};
pub use overall::overall_rating;
pub use policy::{OneInadequate, OverallRule, Policy};
pub use rate::{rate, rate_service_group};
pub use result::{
    AssessmentResult, CategoryWorking, Facts, KeyQuestionResult, KeyQuestionResults, OverallResult, RatingCounts, Rule,
    ServiceGroupResult, StatementResult, Step,
};
pub use score::{Bands, Percent, Rounding, Score, ScoreError, ScoreTotal};
