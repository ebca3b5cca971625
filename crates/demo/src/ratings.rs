//! Rating histories: a current overall rating drawn from the published mix, earlier
//! ratings that improve or decline towards it, and key question ratings that the
//! regulator's aggregation principles would turn back into the same overall.

use candour_domain::{KeyQuestion, KeyQuestionRatings, LocationId, Rating, RatingRecord, RatingSource};
use chrono::NaiveDate;
use fastrand::Rng;

use crate::pick::{self, chance, days_before};

/// Ratings under the current framework were first published in October 2014.
pub const RATINGS_BEGAN: NaiveDate = match NaiveDate::from_ymd_opt(2014, 10, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// How a provider's services tend to fare: -1 struggling, 0 typical, 1 strong.
pub type Tilt = i8;

pub fn draw_tilt(rng: &mut Rng) -> Tilt {
    *pick::weighted(rng, &[(-1, 10), (0, 80), (1, 10)])
}

/// The current overall rating, from a mix in tenths of a percent (best first),
/// shifted by the provider's tilt.
fn current_rating(rng: &mut Rng, mix: [u32; 4], tilt: Tilt) -> Rating {
    let [outstanding, good, improve, inadequate] = mix;
    let weights = match tilt {
        t if t > 0 => [outstanding * 2, good, improve * 6 / 10, inadequate / 2],
        t if t < 0 => [outstanding / 2, good, improve * 16 / 10, inadequate * 2],
        _ => mix,
    };
    Rating::ALL[pick::weighted_index(rng, weights.map(u64::from))]
}

/// The rating a location most likely had before the given one. Read forwards in
/// time this gives services that improve, decline or hold steady.
fn previous_rating(rng: &mut Rng, next: Rating) -> Rating {
    use Rating::*;
    let choices: &[(Rating, u32)] = match next {
        Outstanding => &[(Outstanding, 30), (Good, 70)],
        Good => &[(Outstanding, 3), (Good, 72), (RequiresImprovement, 22), (Inadequate, 3)],
        RequiresImprovement => &[(Good, 45), (RequiresImprovement, 40), (Inadequate, 15)],
        Inadequate => &[(Good, 35), (RequiresImprovement, 55), (Inadequate, 10)],
    };
    *pick::weighted(rng, choices)
}

/// Days until the next inspection after a rating: poor ratings are followed up sooner.
fn days_until_next(rng: &mut Rng, rating: Rating) -> u64 {
    match rating {
        Rating::Inadequate => rng.u64(120..=300),
        Rating::RequiresImprovement => rng.u64(200..=540),
        _ => rng.u64(450..=1200),
    }
}

/// How long ago, before `latest`, the current rating was published.
fn age_of_current(rng: &mut Rng, rating: Rating) -> u64 {
    match rating {
        Rating::Inadequate => rng.u64(10..=400),
        Rating::RequiresImprovement => rng.u64(20..=1000),
        _ => rng.u64(30..=2400),
    }
}

/// A location's published overall ratings between two dates, oldest first: the
/// current one and up to four earlier ones, as many as fit after `earliest`.
pub fn history(
    rng: &mut Rng,
    mix: [u32; 4],
    tilt: Tilt,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Vec<(NaiveDate, Rating)> {
    if earliest > latest {
        return Vec::new();
    }
    let current = current_rating(rng, mix, tilt);
    let mut published = days_before(latest, age_of_current(rng, current));
    if published < earliest {
        published = pick::date_between(rng, earliest, latest);
    }
    let mut ratings = vec![(published, current)];
    let earlier = *pick::weighted(rng, &[(1usize, 35), (2, 35), (3, 20), (4, 10)]);
    for _ in 0..earlier {
        let (next_date, next) = ratings[ratings.len() - 1];
        let before = previous_rating(rng, next);
        let date = days_before(next_date, days_until_next(rng, before));
        if date < earliest {
            break;
        }
        ratings.push((date, before));
    }
    ratings.reverse();
    ratings
}

/// The regulator's records for a history, each with consistent key question ratings.
pub fn records(rng: &mut Rng, location: &LocationId, history: &[(NaiveDate, Rating)]) -> Vec<RatingRecord> {
    history
        .iter()
        .map(|&(published, overall)| RatingRecord {
            location_id: location.clone(),
            service_group: RatingRecord::LOCATION_GROUP.to_string(),
            published,
            source: RatingSource::Cqc,
            overall: Some(overall),
            key_questions: key_questions(rng, overall),
            report_type: Some("Location".to_string()),
            inherited: false,
        })
        .collect()
}

use KeyQuestion::{Caring, Effective, Responsive, Safe, WellLed};

/// Which key questions tend to fall short (Safe and Well-led most often) or excel.
const SHORTFALL: [(KeyQuestion, u32); 5] = [(Safe, 10), (WellLed, 9), (Effective, 6), (Responsive, 4), (Caring, 2)];
const FAILURE: [(KeyQuestion, u32); 5] = [(Safe, 12), (WellLed, 12), (Effective, 4), (Responsive, 3), (Caring, 1)];
const EXCELLENCE: [(KeyQuestion, u32); 5] = [(Caring, 5), (Responsive, 4), (WellLed, 4), (Effective, 2), (Safe, 1)];

/// Key question ratings that aggregate to `overall` under the published principles:
/// Outstanding needs two or more Outstanding and the rest Good; Good allows at most
/// one Requires improvement and no Inadequate; Requires improvement has two or more
/// Requires improvement or exactly one Inadequate; Inadequate has two or more Inadequate.
pub fn key_questions(rng: &mut Rng, overall: Rating) -> KeyQuestionRatings {
    let mut ratings = KeyQuestionRatings::default();
    for kq in KeyQuestion::ALL {
        ratings.set(kq, Some(Rating::Good));
    }
    match overall {
        Rating::Outstanding => {
            let count = *pick::weighted(rng, &[(2usize, 60), (3, 30), (4, 8), (5, 2)]);
            set_all(&mut ratings, &choose(rng, &EXCELLENCE, count), Rating::Outstanding);
        }
        Rating::Good => {
            let short = if chance(rng, 25) { choose(rng, &SHORTFALL, 1) } else { Vec::new() };
            set_all(&mut ratings, &short, Rating::RequiresImprovement);
            if chance(rng, 12) {
                let open: Vec<_> = EXCELLENCE.into_iter().filter(|(kq, _)| !short.contains(kq)).collect();
                set_all(&mut ratings, &choose(rng, &open, 1), Rating::Outstanding);
            }
        }
        Rating::RequiresImprovement => {
            let count = *pick::weighted(rng, &[(2usize, 45), (3, 30), (4, 20), (5, 5)]);
            let short = choose(rng, &SHORTFALL, count);
            set_all(&mut ratings, &short, Rating::RequiresImprovement);
            if chance(rng, 15) {
                set_all(&mut ratings, &short[..1], Rating::Inadequate);
            }
        }
        Rating::Inadequate => {
            let count = *pick::weighted(rng, &[(2usize, 75), (3, 20), (4, 5)]);
            let failed = choose(rng, &FAILURE, count);
            set_all(&mut ratings, &failed, Rating::Inadequate);
            for kq in KeyQuestion::ALL.into_iter().filter(|kq| !failed.contains(kq)) {
                if chance(rng, 70) {
                    ratings.set(kq, Some(Rating::RequiresImprovement));
                }
            }
        }
    }
    ratings
}

fn set_all(ratings: &mut KeyQuestionRatings, which: &[KeyQuestion], rating: Rating) {
    for kq in which {
        ratings.set(*kq, Some(rating));
    }
}

/// `count` different key questions, each drawn by weight from those left.
fn choose(rng: &mut Rng, weights: &[(KeyQuestion, u32)], count: usize) -> Vec<KeyQuestion> {
    let mut left = weights.to_vec();
    let mut chosen = Vec::with_capacity(count);
    while chosen.len() < count && !left.is_empty() {
        let i = pick::weighted_index(rng, left.iter().map(|(_, w)| u64::from(*w)));
        chosen.push(left.remove(i).0);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default evaluation order of the published principles, without a breach cap.
    fn aggregate(kq: &KeyQuestionRatings) -> Rating {
        let count = |r: Rating| kq.iter().filter(|(_, x)| *x == Some(r)).count();
        if count(Rating::Inadequate) >= 2 {
            Rating::Inadequate
        } else if count(Rating::RequiresImprovement) >= 2 || count(Rating::Inadequate) == 1 {
            Rating::RequiresImprovement
        } else if count(Rating::Outstanding) >= 2 && count(Rating::Good) + count(Rating::Outstanding) == 5 {
            Rating::Outstanding
        } else {
            Rating::Good
        }
    }

    #[test]
    fn key_questions_aggregate_back_to_the_overall() {
        let mut rng = Rng::with_seed(11);
        for overall in Rating::ALL {
            for _ in 0..2000 {
                let kq = key_questions(&mut rng, overall);
                assert!(kq.iter().all(|(_, r)| r.is_some()));
                assert_eq!(aggregate(&kq), overall, "{kq:?}");
            }
        }
    }

    #[test]
    fn histories_are_in_order_and_inside_their_window() {
        let mut rng = Rng::with_seed(12);
        let earliest = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let latest = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut with_history = 0;
        for _ in 0..2000 {
            let h = history(&mut rng, [50, 780, 150, 20], 0, earliest, latest);
            assert!((1..=5).contains(&h.len()));
            assert!(h.windows(2).all(|w| w[0].0 < w[1].0), "{h:?}");
            assert!(h.iter().all(|(d, _)| *d >= earliest && *d <= latest));
            with_history += usize::from(h.len() > 1);
        }
        assert!(with_history > 1600, "{with_history}");
        assert!(history(&mut rng, [50, 780, 150, 20], 0, latest, earliest).is_empty());
    }

    #[test]
    fn a_strong_provider_fares_better_than_a_struggling_one() {
        let mut rng = Rng::with_seed(13);
        let poor = |rng: &mut Rng, tilt| {
            (0..5000).filter(|_| current_rating(rng, [50, 780, 150, 20], tilt) >= Rating::RequiresImprovement).count()
        };
        assert!(poor(&mut rng, 1) < poor(&mut rng, -1));
    }
}
