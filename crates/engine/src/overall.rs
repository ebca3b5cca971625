//! The overall rating of a service from its five key question ratings, by the
//! published principles in the policy's order, then the breach cap, then any
//! assessor judgement.

use candour_domain::{KeyQuestion, KeyQuestionRatings, Rating};

use crate::assessment::Judgement;
use crate::policy::{OverallRule, Policy};
use crate::result::{OverallResult, RatingCounts, Rule, Step};

/// The overall rating, or the reason there is none (a key question without a rating).
pub fn overall_rating(
    ratings: &KeyQuestionRatings,
    breach: bool,
    judgement: Option<&Judgement>,
    policy: &Policy,
) -> Result<OverallResult, String> {
    let unrated: Vec<&str> = ratings.iter().filter(|(_, r)| r.is_none()).map(|(kq, _)| kq.name()).collect();
    if !unrated.is_empty() {
        return Err(format!(
            "No overall rating: {} {} neither statement scores nor a standing rating.",
            join_names(&unrated),
            if unrated.len() == 1 { "has" } else { "have" }
        ));
    }
    let counts = RatingCounts::of(ratings.iter().filter_map(|(_, r)| r));
    let order = policy.rule_order();
    let (mut rating, mut rule, first_step) = apply_rules(ratings, &counts, &order, policy);
    let mut steps = vec![first_step];
    if breach {
        let step = breach_cap(rating);
        if rating < Rating::RequiresImprovement {
            rating = Rating::RequiresImprovement;
            rule = Rule::BreachCap;
        }
        steps.push(step);
    }
    let computed_rating = rating;
    if let Some(judgement) = judgement {
        steps.push(judgement_step(computed_rating, judgement));
        if judgement.rating() != computed_rating {
            rating = judgement.rating();
            rule = Rule::Judgement;
        }
    }
    let explanation = steps.iter().rev().find(|s| s.rule == rule).map(|s| s.text.clone()).unwrap_or_default();
    Ok(OverallResult {
        rating,
        rule,
        explanation,
        computed_rating,
        judgement: judgement.cloned(),
        counts,
        rule_order: order,
        steps,
    })
}

/// Tries the rules in order; the first that matches decides, else Good.
fn apply_rules(
    ratings: &KeyQuestionRatings,
    counts: &RatingCounts,
    order: &[OverallRule],
    policy: &Policy,
) -> (Rating, Rule, Step) {
    for &rule in order {
        if matches(rule, counts) {
            let rating = rule.gives(policy);
            let text = rule_sentence(rule, ratings, rating);
            return (rating, rule.into(), Step { rule: rule.into(), text });
        }
    }
    let text = format!(
        "None of the rules for Inadequate, Requires improvement or Outstanding applies (Outstanding {}, Good {}, Requires improvement {}, Inadequate {}), so the overall rating is Good.",
        counts.outstanding, counts.good, counts.requires_improvement, counts.inadequate
    );
    (Rating::Good, Rule::OtherwiseGood, Step { rule: Rule::OtherwiseGood, text })
}

fn matches(rule: OverallRule, counts: &RatingCounts) -> bool {
    match rule {
        OverallRule::TwoInadequate => counts.inadequate >= 2,
        OverallRule::TwoRequiresImprovement => counts.requires_improvement >= 2,
        OverallRule::OneInadequate => counts.inadequate == 1,
        OverallRule::Outstanding => {
            counts.outstanding >= 2 && counts.requires_improvement == 0 && counts.inadequate == 0
        }
    }
}

fn rule_sentence(rule: OverallRule, ratings: &KeyQuestionRatings, gives: Rating) -> String {
    let with = |r: Rating| join_names(&names_rated(ratings, r));
    match rule {
        OverallRule::TwoInadequate => format!(
            "Two or more key questions are Inadequate ({}), so the overall rating is Inadequate.",
            with(Rating::Inadequate)
        ),
        OverallRule::TwoRequiresImprovement => format!(
            "Two or more key questions are Requires improvement ({}), so the overall rating is Requires improvement.",
            with(Rating::RequiresImprovement)
        ),
        OverallRule::OneInadequate => format!(
            "Exactly one key question is Inadequate ({}); this policy rates that {}.",
            with(Rating::Inadequate),
            gives
        ),
        OverallRule::Outstanding => format!(
            "Two or more key questions are Outstanding ({}) and the rest are Good, so the overall rating is Outstanding.",
            with(Rating::Outstanding)
        ),
    }
}

fn breach_cap(rating: Rating) -> Step {
    let text = if rating < Rating::RequiresImprovement {
        format!(
            "A breach of regulations caps the overall rating at Requires improvement; the key questions alone give {rating}."
        )
    } else {
        format!("A breach of regulations caps the overall rating at Requires improvement; it is already {rating}.")
    };
    Step { rule: Rule::BreachCap, text }
}

/// The sentence for an assessor's judgement against the computed rating.
pub(crate) fn judgement_step(computed: Rating, judgement: &Judgement) -> Step {
    let text = if judgement.rating() == computed {
        format!("The assessor's judgement agrees with the computed {computed}: {}", judgement.reason())
    } else {
        format!(
            "The assessor's judgement is {} in place of the computed {computed}, because: {}",
            judgement.rating(),
            judgement.reason()
        )
    };
    Step { rule: Rule::Judgement, text }
}

fn names_rated(ratings: &KeyQuestionRatings, rating: Rating) -> Vec<&'static str> {
    ratings.iter().filter(|(_, r)| *r == Some(rating)).map(|(kq, _)| KeyQuestion::name(kq)).collect()
}

/// "Safe", "Safe and Caring", "Safe, Caring and Well-led".
pub(crate) fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_as_in_a_sentence() {
        assert_eq!(join_names(&["Safe"]), "Safe");
        assert_eq!(join_names(&["Safe", "Caring"]), "Safe and Caring");
        assert_eq!(join_names(&["Safe", "Caring", "Well-led"]), "Safe, Caring and Well-led");
    }
}
