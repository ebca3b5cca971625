//! The people's rating on small hand-made peer groups.

use candour_domain::returns::Month;

use super::*;
use crate::monitoring::VoiceMonth;
use crate::stats::Z_95;

fn month(year: i32, m: u32) -> Month {
    Month::new(year, m).unwrap()
}

/// The rating month: answers from March 2025 to February 2026 count.
fn now() -> Month {
    month(2026, 3)
}

/// One month of people's answers: outcome scores, the overall answers positive of those
/// rated, and dignity, safety and progress as (positive, answered).
#[derive(Clone, Copy, Default)]
struct Answers<'a> {
    scores: &'a [f64],
    positive: (u32, u32),
    dignity: (u32, u32),
    safe: (u32, u32),
    progress: (u32, u32),
    entered: u32,
}

fn voice(a: Answers) -> VoiceMonth {
    VoiceMonth {
        responses: a.scores.len() as u32,
        positive: a.positive.0,
        rated: a.positive.1,
        outcome_n: a.scores.len() as u32,
        outcome_sum: a.scores.iter().sum(),
        outcome_sum_sq: a.scores.iter().map(|s| s * s).sum(),
        dignity_positive: a.dignity.0,
        dignity_n: a.dignity.1,
        safe_positive: a.safe.0,
        safe_n: a.safe.1,
        progress_better: a.progress.0,
        progress_n: a.progress.1,
        entered: a.entered,
        ..VoiceMonth::default()
    }
}

fn service(id: &str, peer_group: &str, months: Vec<(Month, VoiceMonth)>) -> Service {
    let months = months.into_iter().map(|(month, voice)| ServiceMonth { month, voice, return_: None }).collect();
    Service {
        id: id.into(),
        peer_group: peer_group.into(),
        dependent: false,
        last_severe_alert: None,
        overdue_complaints: None,
        complaint_log_since: None,
        policy_reads: None,
        burst_reviews: Vec::new(),
        months,
    }
}

/// Twelve months of the same answers, March 2025 to February 2026.
fn year_of(id: &str, peer_group: &str, answers: Answers) -> Service {
    let months = (1..=12).map(|back| (now().minus(back).unwrap(), voice(answers))).collect();
    service(id, peer_group, months)
}

/// Twelve peers whose mean outcome score runs from about 1.8 to 2.2, two answers a month each.
fn peers(group: &str) -> Vec<Service> {
    (0..12)
        .map(|i| {
            let centre = 1.8 + 0.4 * f64::from(i) / 11.0;
            let scores = [centre - 0.5, centre + 0.5];
            let answers =
                Answers { scores: &scores, positive: (1, 2), dignity: (1, 2), safe: (2, 2), ..Answers::default() };
            year_of(&format!("{group}-peer-{i}"), group, answers)
        })
        .collect()
}

fn rated(services: &[Service]) -> Vec<PeopleRating> {
    rate_people(services, now(), &PeoplePolicy::default()).unwrap()
}

#[test]
fn the_verdict_follows_the_adjusted_z_of_the_outcome_score() {
    let mut services = peers("homes");
    let high = [2.9, 2.8, 3.0];
    let low = [0.9, 1.1, 1.0];
    let middle = [1.9, 2.1, 2.0];
    for (id, scores) in [("high", &high), ("low", &low), ("middle", &middle)] {
        services.push(year_of(id, "homes", Answers { scores, positive: (2, 3), ..Answers::default() }));
    }
    let ratings = rated(&services);
    let verdicts: Vec<Verdict> = ratings[12..].iter().map(|r| r.verdict).collect();
    assert_eq!(verdicts, [Verdict::Better, Verdict::Worse, Verdict::AboutTheSame]);
    for rating in &ratings[12..] {
        let z = rating.measure(PeopleMeasureKind::OutcomeScore).unwrap().z_adj.unwrap();
        let expected = match rating.verdict {
            Verdict::Better => z > Z_95,
            Verdict::Worse => z < -Z_95,
            _ => z.abs() <= Z_95,
        };
        assert!(expected, "{:?} with z {z}", rating.verdict);
        assert_eq!(rating.n, Some(36));
        assert_eq!((rating.from, rating.to), (month(2025, 3), month(2026, 2)));
    }
}

#[test]
fn a_stricter_policy_needs_a_larger_difference() {
    let mut services = peers("homes");
    let scores = [2.5, 2.6, 2.4];
    services.push(year_of("fairly-high", "homes", Answers { scores: &scores, ..Answers::default() }));
    let z = rated(&services)[12].measure(PeopleMeasureKind::OutcomeScore).unwrap().z_adj.unwrap();
    let just_above = PeoplePolicy { verdict_z: z + 0.01, ..PeoplePolicy::default() };
    let just_below = PeoplePolicy { verdict_z: z - 0.01, ..PeoplePolicy::default() };
    assert_eq!(rate_people(&services, now(), &just_above).unwrap()[12].verdict, Verdict::AboutTheSame);
    assert_eq!(rate_people(&services, now(), &just_below).unwrap()[12].verdict, Verdict::Better);
}

#[test]
fn under_five_answers_there_is_no_figure_at_all() {
    let mut services = peers("homes");
    let four = [3.0, 3.0, 3.0, 3.0];
    let months = vec![(month(2026, 1), voice(Answers { scores: &four, positive: (4, 4), ..Answers::default() }))];
    services.push(service("four", "homes", months));
    let rating = &rated(&services)[12];
    assert_eq!(rating.verdict, Verdict::NotEnoughResponses);
    assert_eq!((rating.n, rating.responses, rating.entered), (None, None, None));
    assert!(rating.measures.is_empty());
}

#[test]
fn only_the_twelve_complete_months_before_this_one_count() {
    let mut services = peers("homes");
    let three = [3.0, 3.0, 3.0];
    let answers = voice(Answers { scores: &three, ..Answers::default() });
    // Three answers in each of: this month (not complete), thirteen months back (too old),
    // and the two ends of the window.
    let months =
        vec![(month(2025, 2), answers), (month(2025, 3), answers), (month(2026, 2), answers), (now(), answers)];
    services.push(service("edges", "homes", months));
    assert_eq!(rated(&services)[12].n, Some(6));
}

#[test]
fn a_measure_with_too_few_answers_has_no_figures_while_the_others_do() {
    let mut services = peers("homes");
    let scores = [2.0, 2.5, 3.0];
    let answers =
        Answers { scores: &scores, positive: (3, 3), dignity: (2, 3), safe: (3, 3), progress: (1, 4), entered: 1 };
    let months =
        vec![(month(2025, 6), voice(answers)), (month(2025, 7), voice(Answers { progress: (0, 0), ..answers }))];
    services.push(service("few-outcomes", "homes", months));
    let rating = &rated(&services)[12];
    assert_eq!((rating.responses, rating.entered), (Some(6), Some(2)));
    let better = rating.measure(PeopleMeasureKind::OutcomesBetter).unwrap();
    assert_eq!((better.n, better.value, better.z_adj, better.shrunk), (4, None, None, None));
    let dignity = rating.measure(PeopleMeasureKind::Dignity).unwrap();
    assert_eq!((dignity.n, dignity.value), (6, Some(4.0 / 6.0)));
    let (lo, hi) = crate::stats::wilson(4, 6, Z_95);
    assert_eq!((dignity.lo95, dignity.hi95), (Some(lo), Some(hi)));
}

#[test]
fn few_answers_are_pulled_towards_the_peers_and_many_barely_move() {
    let mut services = peers("homes");
    let five = [3.0; 5];
    let many = [3.0; 20];
    let small = vec![(month(2025, 9), voice(Answers { scores: &five, positive: (5, 5), ..Answers::default() }))];
    services.push(service("small", "homes", small));
    services.push(year_of("large", "homes", Answers { scores: &many, positive: (19, 20), ..Answers::default() }));
    let ratings = rated(&services);
    let share = |r: &PeopleRating| *r.measure(PeopleMeasureKind::PositiveOverall).unwrap();
    let (small, large) = (share(&ratings[12]), share(&ratings[13]));
    let peer_mean = small.peer_mean.unwrap();
    assert!(peer_mean < small.shrunk.unwrap() && small.shrunk.unwrap() < 1.0, "{small:?}");
    assert!((large.value.unwrap() - large.shrunk.unwrap()).abs() < 0.02, "{large:?}");
    // Shrinkage is the beta-binomial of the group's services with enough answers.
    let counts: Vec<(u32, u32)> = services
        .iter()
        .map(|s| {
            let months: Vec<&ServiceMonth> =
                s.window(crate::monitoring::month_index(month(2026, 2)), 12).iter().collect();
            let m = PeopleMeasureKind::PositiveOverall.measure(&months);
            match m {
                Measure::Proportion { x, n } => (x, n),
                _ => unreachable!(),
            }
        })
        .collect();
    let prior = crate::stats::beta_prior(&counts, 5);
    assert!((small.shrunk.unwrap() - prior.shrunk(5, 5)).abs() < 1e-12);
    let outcome = ratings[12].measure(PeopleMeasureKind::OutcomeScore).unwrap();
    assert!(outcome.shrunk.unwrap() < 3.0 && outcome.shrunk.unwrap() > outcome.peer_mean.unwrap());
}

#[test]
fn services_are_compared_only_with_their_own_peer_group() {
    let mut services = peers("homes");
    let alone = rated(&services);
    services.extend(peers("homecare").into_iter().map(|mut s| {
        s.months.iter_mut().for_each(|m| m.voice.outcome_sum -= 1.0);
        s
    }));
    let together = rated(&services);
    assert_eq!(alone[..], together[..12], "another group's services change nothing");
    let peer_mean = |r: &PeopleRating| r.measure(PeopleMeasureKind::OutcomeScore).unwrap().peer_mean.unwrap();
    assert!((peer_mean(&together[0]) - peer_mean(&together[12]) - 0.5).abs() < 1e-9);
}

#[test]
fn a_minimum_under_five_answers_is_refused() {
    let policy = PeoplePolicy { min_answers: 4, ..PeoplePolicy::default() };
    let error = rate_people(&peers("homes"), now(), &policy).unwrap_err();
    assert!(error.to_string().contains("at least 5"), "{error}");
    assert_eq!(Verdict::parse("about_the_same"), Some(Verdict::AboutTheSame));
    assert_eq!(Verdict::parse("fine"), None);
}

/// Ordinary peers, and a service that usually gets two answers a month, then 40 glowing
/// ones in October 2025.
fn with_a_burst(reviews: Vec<(Month, bool)>) -> Vec<Service> {
    let mut services = peers("homes");
    let usual = [1.0, 1.5];
    let glowing = [3.0; 40];
    let mut months: Vec<(Month, VoiceMonth)> = (1..=20)
        .map(|back| (now().minus(back).unwrap(), voice(Answers { scores: &usual, ..Answers::default() })))
        .collect();
    months.retain(|(m, _)| *m != month(2025, 10));
    months.push((month(2025, 10), voice(Answers { scores: &glowing, ..Answers::default() })));
    months.sort_by_key(|(m, _)| *m);
    let mut bursting = service("bursting", "homes", months);
    bursting.burst_reviews = reviews;
    services.push(bursting);
    services
}

#[test]
fn a_burst_far_beyond_the_usual_rate_is_held_out_until_a_moderator_counts_it() {
    let waiting = rated(&with_a_burst(Vec::new()))[12].clone();
    assert_eq!(waiting.bursts.len(), 1);
    let burst = waiting.bursts[0];
    assert_eq!((burst.month, burst.responses, burst.usual, burst.review), (month(2025, 10), 40, 2.0, None));
    assert_eq!(waiting.n, Some(22), "eleven ordinary months of two answers; the burst is held out");
    assert_eq!(waiting.verdict, Verdict::Worse, "{:?}", waiting.measure(PeopleMeasureKind::OutcomeScore));

    let kept_out = rated(&with_a_burst(vec![(month(2025, 10), false)]))[12].clone();
    assert_eq!((kept_out.n, kept_out.bursts[0].review), (Some(22), Some(false)));
    let counted = rated(&with_a_burst(vec![(month(2025, 10), true)]))[12].clone();
    assert_eq!(counted.n, Some(62), "counted once a moderator says it is genuine");
    assert_ne!(counted.verdict, Verdict::Worse);

    let ordinary = rated(&peers("homes"));
    assert!(ordinary.iter().all(|r| r.bursts.is_empty()), "two answers a month is no burst");
    let lenient = PeoplePolicy { burst_factor: 25.0, ..PeoplePolicy::default() };
    let rating = &rate_people(&with_a_burst(Vec::new()), now(), &lenient).unwrap()[12];
    assert!(rating.bursts.is_empty(), "20 times the usual rate is no burst under a factor of 25");
}

#[test]
fn a_rating_may_change_with_last_months_answers_or_a_burst_review_and_not_with_this_months() {
    let policy = PeoplePolicy::default();
    let three = [3.0, 3.0, 3.0];
    let answers = voice(Answers { scores: &three, ..Answers::default() });
    let before = service("home", "homes", vec![(month(2026, 2), answers)]);
    let with = |tweak: fn(&mut Service)| {
        let mut after = before.clone();
        tweak(&mut after);
        rating_may_change(&before, &after, now(), &policy)
    };
    assert!(!with(|_| {}));
    assert!(!with(|s| s.months.push(ServiceMonth { month: now(), voice: VoiceMonth::default(), return_: None })));
    assert!(with(|s| s.months[0].voice.responses += 1), "last month's answers");
    assert!(with(|s| s
        .months
        .insert(0, ServiceMonth { month: month(2025, 6), voice: VoiceMonth::default(), return_: None })));
    assert!(with(|s| s.burst_reviews.push((month(2026, 2), true))), "a burst counted");
}
