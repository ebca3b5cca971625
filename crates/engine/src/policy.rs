//! The choices the regulator does not publish word for word. Each has the default
//! the quality framework document gives, and every result names the policy that
//! produced it.

use candour_domain::Rating;
use serde::{Deserialize, Serialize};

use crate::score::{Bands, Rounding};

/// How to resolve the one case the published principles leave open: exactly one
/// key question Inadequate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OneInadequate {
    #[default]
    RequiresImprovement,
    Inadequate,
}

impl OneInadequate {
    pub fn rating(self) -> Rating {
        match self {
            OneInadequate::RequiresImprovement => Rating::RequiresImprovement,
            OneInadequate::Inadequate => Rating::Inadequate,
        }
    }
}

/// The rules that combine five key question ratings into an overall rating, tried
/// in order; the first that matches decides, and "otherwise Good" comes last. The
/// breach cap is applied to the result of these rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverallRule {
    /// Two or more key questions Inadequate give Inadequate.
    TwoInadequate,
    /// Two or more key questions Requires improvement give Requires improvement.
    TwoRequiresImprovement,
    /// Exactly one key question Inadequate gives the `one_inadequate` rating.
    OneInadequate,
    /// Two or more Outstanding and the rest Good give Outstanding.
    Outstanding,
}

impl OverallRule {
    pub const ALL: [OverallRule; 4] = [
        OverallRule::TwoInadequate,
        OverallRule::TwoRequiresImprovement,
        OverallRule::OneInadequate,
        OverallRule::Outstanding,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OverallRule::TwoInadequate => "two_inadequate",
            OverallRule::TwoRequiresImprovement => "two_requires_improvement",
            OverallRule::OneInadequate => "one_inadequate",
            OverallRule::Outstanding => "outstanding",
        }
    }

    /// The rating the rule gives when it matches.
    pub fn gives(self, policy: &Policy) -> Rating {
        match self {
            OverallRule::TwoInadequate => Rating::Inadequate,
            OverallRule::TwoRequiresImprovement => Rating::RequiresImprovement,
            OverallRule::OneInadequate => policy.one_inadequate.rating(),
            OverallRule::Outstanding => Rating::Outstanding,
        }
    }
}

fn yes() -> bool {
    true
}

/// Every configurable choice of the rating engine, with the framework document's
/// defaults. Unknown keys are refused so that a misspelt option is never ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// How percentages are rounded before banding (default `half_up`).
    #[serde(default)]
    pub rounding: Rounding,
    /// Limiters inside a key question (default on): Good with any statement scored 1
    /// becomes Requires improvement; Outstanding with any statement scored 1 or 2
    /// becomes Good.
    #[serde(default = "yes")]
    pub limiters: bool,
    /// The overall rating when exactly one key question is Inadequate.
    #[serde(default)]
    pub one_inadequate: OneInadequate,
    /// Cap Well-led at Requires improvement when there is no registered manager and
    /// no recruitment under way, or statutory notifications were not sent (default on).
    #[serde(default = "yes")]
    pub well_led_caps: bool,
    /// The bands that map evidence-category totals back to a statement score 1–4
    /// (default: the key question bands).
    #[serde(default)]
    pub category_bands: Bands,
    /// The order the overall rules are tried in. Absent: most severe first, in the
    /// framework document's order among rules that give the same rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_order: Option<Vec<OverallRule>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rounding: Rounding::default(),
            limiters: true,
            one_inadequate: OneInadequate::default(),
            well_led_caps: true,
            category_bands: Bands::default(),
            overall_order: None,
        }
    }
}

impl Policy {
    /// Whether every option has its default value.
    pub fn is_default(&self) -> bool {
        *self == Policy::default()
    }

    /// Checks the options that serde cannot: the bands and the rule order.
    /// The error names the option.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        self.category_bands.check().map_err(|m| ("category_bands", m))?;
        if let Some(order) = &self.overall_order {
            let each_once = OverallRule::ALL.iter().all(|r| order.iter().filter(|o| *o == r).count() == 1);
            if !each_once || order.len() != OverallRule::ALL.len() {
                let names: Vec<_> = OverallRule::ALL.iter().map(|r| r.code()).collect();
                return Err(("overall_order", format!("must list each of {} exactly once", names.join(", "))));
            }
        }
        Ok(())
    }

    /// The order the overall rules are tried in under this policy.
    pub fn rule_order(&self) -> Vec<OverallRule> {
        if let Some(order) = &self.overall_order {
            return order.clone();
        }
        let mut order = OverallRule::ALL.to_vec();
        // Stable: rules giving the same rating keep the document's order. Rating
        // orders best first, so the most severe rating sorts last: reverse the key.
        order.sort_by_key(|r| std::cmp::Reverse(r.gives(self)));
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documents() {
        let p: Policy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Policy::default());
        assert!(p.is_default());
        assert_eq!(p.rounding, Rounding::HalfUp);
        assert!(p.limiters && p.well_led_caps);
        assert_eq!(p.one_inadequate, OneInadequate::RequiresImprovement);
        assert_eq!(p.category_bands, Bands::KEY_QUESTION);
        assert_eq!(
            p.rule_order(),
            vec![
                OverallRule::TwoInadequate,
                OverallRule::TwoRequiresImprovement,
                OverallRule::OneInadequate,
                OverallRule::Outstanding
            ]
        );
    }

    #[test]
    fn a_harsher_one_inadequate_moves_ahead_of_two_requires_improvement() {
        let p = Policy { one_inadequate: OneInadequate::Inadequate, ..Policy::default() };
        assert_eq!(p.rule_order()[..2], [OverallRule::TwoInadequate, OverallRule::OneInadequate]);
    }

    #[test]
    fn unknown_options_and_bad_orders_are_refused() {
        assert!(serde_json::from_str::<Policy>(r#"{"rounding": "up"}"#).is_err());
        assert!(serde_json::from_str::<Policy>(r#"{"limiter": true}"#).is_err());
        let p: Policy = serde_json::from_str(r#"{"overall_order": ["outstanding", "two_inadequate"]}"#).unwrap();
        assert_eq!(p.check().unwrap_err().0, "overall_order");
    }
}
