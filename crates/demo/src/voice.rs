//! Synthetic feedback for the demo register: about a hundred responses per service
//! over the two years up to a given day, more for bigger services, answered around
//! a quality that follows each service's current rating. About one in seven tells a
//! story; moderators have published most of them and providers answered many. A few
//! services deteriorate over their last months and a few fall silent.
//!
//! Every service draws from its own seeded generator, so the feedback is the same
//! for the same register, seed and day however it is cut into batches.

use std::collections::HashMap;

use candour_domain::voice::{
    Answer, ChangeClaim, Channel, Contact, Criticality, Feedback, Helper, Level, Overall, Progress, Respondent,
};
use candour_domain::{LocationId, ProviderId, Rating, RatingRecord, ServiceKind, UserId};
use candour_store::{FeedbackStatus, HistoricFeedback, ImportPlan, NewFeedback, NewReply, ReplyStatus};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use fastrand::Rng;

use crate::pick::{self, chance, chance_per_mille, date_between, days_before, one};
use crate::stories::{self, INVENTED_NAMES, Setting, Story, Tone, Writer};

/// How far back feedback goes.
const HISTORY_DAYS: u64 = 730;
/// Responses per registered service over those two years, on average.
const MEAN_RESPONSES: u64 = 100;
/// A silent service has had no feedback for at least this long.
pub const SILENT_DAYS: u64 = 183;
/// How far a deteriorating service's quality falls, on the 0–1 scale, by the last day.
const DETERIORATION: f64 = 0.4;
/// Keeps the feedback's draws apart from the register's, made with the same seed.
const STREAM: u64 = 0x766f_6963_6521;

/// Who signs the moderation and replies of the synthetic past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceAuthors {
    /// Moderated every past story and wrote the replies of every provider but the demo's.
    pub history: UserId,
    /// The demo provider and the account that wrote its replies.
    pub demo_provider: Option<(ProviderId, UserId)>,
}

/// How a service's feedback moves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Steady,
    /// Quality falls steadily from this day on.
    Deteriorating {
        since: NaiveDate,
    },
    /// No feedback from this day on.
    Silent {
        since: NaiveDate,
    },
}

/// One service's feedback, before it is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceVoice {
    pub location_id: LocationId,
    pub provider_id: ProviderId,
    pub responses: u32,
    /// How well the service does by people, 0–1, from its current rating with some noise.
    pub quality: f64,
    pub trend: Trend,
    setting: Setting,
    /// The first and last days with feedback.
    first: NaiveDate,
    last: NaiveDate,
    /// Responses of the services before this one: its references are numbered from here.
    offset: u64,
    seed: u64,
}

impl ServiceVoice {
    fn quality_on(&self, day: NaiveDate, today: NaiveDate) -> f64 {
        match self.trend {
            Trend::Deteriorating { since } if day > since => {
                let fallen = (day - since).num_days() as f64 / (today - since).num_days().max(1) as f64;
                (self.quality - DETERIORATION * fallen).max(0.05)
            }
            _ => self.quality,
        }
    }
}

/// The feedback of a whole register, drawn service by service.
#[derive(Debug, Clone)]
pub struct VoicePlan {
    services: Vec<ServiceVoice>,
    today: NaiveDate,
    authors: VoiceAuthors,
}

impl VoicePlan {
    /// Plans the feedback of the registered services of `register` for the two
    /// years before `today` (feedback stops at the day's start).
    pub fn new(register: &ImportPlan, seed: u64, today: NaiveDate, authors: VoiceAuthors) -> Self {
        let mut rng = Rng::with_seed(seed ^ STREAM);
        let ratings = current_ratings(&register.ratings);
        let start = days_before(today, HISTORY_DAYS);
        let mut services = Vec::new();
        let mut weights = Vec::new();
        for location in register.locations.iter().filter(|l| l.is_registered()) {
            let first = location.registration.registered_on.unwrap_or(start).max(start);
            let last = days_before(today, 1);
            let rating = ratings.get(&location.id).copied();
            let quality = (base_quality(rating) + noise(&mut rng, 0.06)).clamp(0.1, 0.95);
            let kinds = location.service_kinds();
            let window = (last - first).num_days() + 1;
            let activity = 0.5 + rng.f64() + if chance(&mut rng, 10) { 1.0 } else { 0.0 };
            weights.push(size(location.beds, &kinds) * activity * window.max(0) as f64 / HISTORY_DAYS as f64);
            services.push(ServiceVoice {
                location_id: location.id.clone(),
                provider_id: location.provider_id.clone(),
                responses: 0,
                quality,
                trend: Trend::Steady,
                setting: if location.care_home { Setting::Home } else { Setting::Visiting },
                first,
                last,
                offset: 0,
                seed: rng.u64(..),
            });
        }
        let per_weight = (MEAN_RESPONSES * services.len() as u64) as f64 / weights.iter().sum::<f64>().max(1.0);
        for (service, weight) in services.iter_mut().zip(&weights) {
            service.responses = (weight * per_weight).round() as u32;
        }
        mark_trends(&mut rng, &mut services, today, authors.demo_provider.as_ref().map(|(p, _)| p));
        let mut offset = 0;
        for service in &mut services {
            service.offset = offset;
            offset += u64::from(service.responses);
        }
        Self { services, today, authors }
    }

    pub fn services(&self) -> &[ServiceVoice] {
        &self.services
    }

    /// How many responses the plan draws.
    pub fn total(&self) -> u64 {
        self.services.iter().map(|s| u64::from(s.responses)).sum()
    }

    /// The responses in batches of about `size` (whole services at a time), so that
    /// memory stays bounded however big the register.
    pub fn into_batches(self, size: usize) -> impl Iterator<Item = Vec<HistoricFeedback>> + Send {
        let mut writer = Writer::default();
        let mut next = 0;
        std::iter::from_fn(move || {
            let mut batch = Vec::with_capacity(size + 1000);
            while batch.len() < size && next < self.services.len() {
                self.draw_service(&self.services[next], &mut writer, &mut batch);
                next += 1;
            }
            (!batch.is_empty()).then_some(batch)
        })
    }

    fn draw_service(&self, service: &ServiceVoice, writer: &mut Writer, out: &mut Vec<HistoricFeedback>) {
        let mut rng = Rng::with_seed(service.seed);
        for n in 0..u64::from(service.responses) {
            out.push(self.draw_response(&mut rng, service, service.offset + n, writer));
        }
    }

    fn draw_response(&self, rng: &mut Rng, service: &ServiceVoice, n: u64, writer: &mut Writer) -> HistoricFeedback {
        let day = date_between(rng, service.first, service.last);
        let received_at = at(day, pick::from_buckets(rng, &[(7, 9, 2), (10, 16, 6), (17, 21, 4), (22, 23, 1)]), rng);
        let p = (service.quality_on(day, self.today) + noise(rng, 0.12)).clamp(0.0, 1.0);
        let respondent = *pick::weighted(
            rng,
            &[
                (Respondent::Person, 55),
                (Respondent::Family, 25),
                (Respondent::Advocate, 5),
                (Respondent::Staff, 10),
                (Respondent::Partner, 5),
            ],
        );
        let (channel, helper) = channel(rng, respondent, service.setting);
        let overall = overall(rng, p);
        let answers =
            respondent.questions().iter().map(|q| Answer { question: q.code, level: level(rng, p) }).collect();
        let outcomes = if respondent.has_personal_outcomes() && chance(rng, 12) {
            stories::personal_outcomes(rng)
        } else {
            Vec::new()
        };
        let tone = tone(overall);
        let story_percent = match tone {
            Tone::Good => 12,
            Tone::Mixed => 18,
            Tone::Poor => 30,
        };
        let story = chance(rng, story_percent).then(|| writer.story(rng, respondent, service.setting, tone));
        let (anonymous, contact) = contact(rng, n);
        let feedback = Feedback {
            respondent,
            channel,
            helper,
            overall,
            answers,
            personal_outcomes: outcomes.iter().map(|o| o.to_string()).collect(),
            story: story.as_ref().map(|s| s.original.clone()).unwrap_or_default(),
            anonymous,
            contact,
        };
        let new = NewFeedback {
            location_id: service.location_id.clone(),
            key_hash: key_hash(n),
            reference: reference(n),
            received_at,
            entered_by: None,
            prescreen: writer.prescreen(story.as_ref(), &outcomes),
            alert: None,
            status: FeedbackStatus::on_arrival(&feedback),
            feedback,
        };
        let mut historic = HistoricFeedback {
            new,
            status: FeedbackStatus::Published,
            published_text: None,
            criticality: None,
            moderated_by: None,
            moderated_at: None,
            replies: Vec::new(),
            progress: Vec::new(),
        };
        if story.is_some() || !outcomes.is_empty() {
            self.moderate(rng, service, &mut historic, story.as_ref(), tone);
        }
        historic
    }

    /// What happened to a response with something to read: moderated a few hours
    /// to days after it came (still pending if that is not yet), then answered and
    /// rated on.
    fn moderate(
        &self,
        rng: &mut Rng,
        service: &ServiceVoice,
        historic: &mut HistoricFeedback,
        story: Option<&Story>,
        tone: Tone,
    ) {
        let cutoff = midnight(self.today);
        let moderated_at = historic.new.received_at + TimeDelta::hours(rng.i64(4..=120));
        if moderated_at >= cutoff {
            historic.status = FeedbackStatus::Pending;
            return;
        }
        historic.moderated_by = Some(self.authors.history);
        historic.moderated_at = Some(moderated_at);
        historic.criticality = Some(story.map_or(Criticality::NONE, |s| s.criticality));
        if story.is_some() && chance_per_mille(rng, 10) {
            historic.status = FeedbackStatus::Rejected;
            return;
        }
        historic.published_text = story.map(|s| s.published.clone());
        if story.is_some() {
            historic.replies.extend(self.reply(rng, service, moderated_at, tone, cutoff));
        }
        self.rate_progress(rng, service, historic, cutoff);
    }

    /// Better-run services answer more of their stories, after a day to three weeks.
    fn reply(
        &self,
        rng: &mut Rng,
        service: &ServiceVoice,
        published_at: DateTime<Utc>,
        tone: Tone,
        cutoff: DateTime<Utc>,
    ) -> Option<NewReply> {
        if rng.f64() >= 0.35 + 0.4 * service.quality {
            return None;
        }
        let wait = rng.f64();
        let at = published_at + TimeDelta::hours(24 + (wait * wait * 480.0) as i64 + rng.i64(0..24));
        if at >= cutoff {
            return None;
        }
        let change = match (tone, rng.u32(0..100)) {
            (Tone::Good, _) => ChangeClaim::None,
            (_, 0..20) => ChangeClaim::Planned,
            (_, 20..35) => ChangeClaim::Made,
            _ => ChangeClaim::None,
        };
        let (text, change_what) = stories::reply(rng, service.setting, tone, change);
        // A change claim is checked before it shows; the latest are still waiting.
        let checked = change == ChangeClaim::None || at < cutoff - TimeDelta::days(7);
        let author = match &self.authors.demo_provider {
            Some((provider, author)) if *provider == service.provider_id => *author,
            _ => self.authors.history,
        };
        Some(NewReply {
            feedback_id: 0,
            author,
            text,
            change,
            change_what,
            at,
            status: if checked { ReplyStatus::Published } else { ReplyStatus::Pending },
        })
    }

    /// Half the people who named outcomes came back once or twice to rate progress.
    fn rate_progress(
        &self,
        rng: &mut Rng,
        service: &ServiceVoice,
        historic: &mut HistoricFeedback,
        cutoff: DateTime<Utc>,
    ) {
        let outcomes = historic.new.feedback.personal_outcomes.len();
        if outcomes == 0 || !chance(rng, 50) {
            return;
        }
        let mut rated_at = historic.new.received_at;
        for _ in 0..rng.usize(1..=2) {
            rated_at += TimeDelta::days(rng.i64(30..=120));
            if rated_at >= cutoff {
                break;
            }
            let p = service.quality_on(rated_at.date_naive(), self.today);
            for index in 0..outcomes {
                let progress = match p + noise(rng, 0.2) {
                    x if x >= 0.6 => Progress::Better,
                    x if x < 0.35 => Progress::Worse,
                    _ => Progress::Same,
                };
                historic.progress.push((index, rated_at, progress));
            }
        }
    }
}

/// Each location's current overall rating: its latest, own or inherited.
fn current_ratings(ratings: &[RatingRecord]) -> HashMap<&LocationId, Rating> {
    let mut latest: HashMap<&LocationId, &RatingRecord> = HashMap::new();
    for r in ratings.iter().filter(|r| r.service_group == RatingRecord::LOCATION_GROUP && r.overall.is_some()) {
        let entry = latest.entry(&r.location_id).or_insert(r);
        if r.published > entry.published {
            *entry = r;
        }
    }
    latest.into_iter().filter_map(|(id, r)| Some((id, r.overall?))).collect()
}

fn base_quality(rating: Option<Rating>) -> f64 {
    match rating {
        Some(Rating::Outstanding) => 0.84,
        Some(Rating::Good) => 0.70,
        Some(Rating::RequiresImprovement) => 0.53,
        Some(Rating::Inadequate) => 0.38,
        None => 0.66,
    }
}

/// How many people a service has to hear from: beds in a care home, a typical
/// caseload for the others.
pub(crate) fn size(beds: Option<u32>, kinds: &[ServiceKind]) -> f64 {
    match kinds.first() {
        Some(ServiceKind::CareHomeNursing | ServiceKind::CareHome) => f64::from(beds.unwrap_or(20)),
        Some(ServiceKind::Homecare) => 45.0,
        Some(ServiceKind::ExtraCareHousing) => 35.0,
        Some(ServiceKind::SharedLives) => 20.0,
        _ => 15.0,
    }
}

/// A few services with enough feedback to show it deteriorate, and a few more
/// that fall silent; one of the demo provider's deteriorates, to be seen at once.
fn mark_trends(rng: &mut Rng, services: &mut [ServiceVoice], today: NaiveDate, demo: Option<&ProviderId>) {
    let mut eligible: Vec<usize> = (0..services.len())
        .filter(|&i| services[i].responses >= 40 && (services[i].last - services[i].first).num_days() >= 365)
        .collect();
    rng.shuffle(&mut eligible);
    let deteriorating = (eligible.len() / 100).max(2);
    let silent = (eligible.len() / 80).max(2);
    if let Some(demo) = demo
        && let Some(at) = eligible.iter().position(|&i| services[i].provider_id == *demo)
    {
        eligible.swap(0, at);
    }
    for (n, &i) in eligible.iter().take(deteriorating + silent).enumerate() {
        let service = &mut services[i];
        if n < deteriorating {
            service.trend = Trend::Deteriorating { since: days_before(today, rng.u64(183..=274)) };
        } else {
            let since = days_before(today, rng.u64(SILENT_DAYS..=300));
            let before = (service.last - service.first).num_days() + 1;
            service.last = days_before(since, 1);
            let after = (service.last - service.first).num_days() + 1;
            service.responses = (f64::from(service.responses) * after as f64 / before as f64).round() as u32;
            service.trend = Trend::Silent { since };
        }
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// A time on `day` in the given hour, at a random minute and second.
fn at(day: NaiveDate, hour: u32, rng: &mut Rng) -> DateTime<Utc> {
    midnight(day) + TimeDelta::seconds(i64::from(hour) * 3600 + rng.i64(0..3600))
}

/// About normal, mean 0, standard deviation `sd`: a sum of four uniform draws, in
/// plain arithmetic so that it is the same on every platform.
fn noise(rng: &mut Rng, sd: f64) -> f64 {
    let sum = rng.f64() + rng.f64() + rng.f64() + rng.f64();
    (sum - 2.0) * 3f64.sqrt() * sd
}

fn channel(rng: &mut Rng, respondent: Respondent, setting: Setting) -> (Channel, Option<Helper>) {
    let paper_percent = if setting == Setting::Home { 15 } else { 8 };
    let assisted_percent = match respondent {
        Respondent::Person => 15,
        Respondent::Advocate => 40,
        _ => 0,
    };
    if chance(rng, assisted_percent) {
        let helper = match respondent {
            Respondent::Advocate => Helper::Advocate,
            _ => *pick::weighted(
                rng,
                &[(Helper::Staff, 45), (Helper::Family, 30), (Helper::Advocate, 20), (Helper::Other, 5)],
            ),
        };
        return (Channel::Assisted, Some(helper));
    }
    let paper = match respondent {
        Respondent::Person => chance(rng, paper_percent),
        Respondent::Family | Respondent::Staff => chance(rng, 5),
        _ => false,
    };
    (if paper { Channel::Paper } else { Channel::Online }, None)
}

fn overall(rng: &mut Rng, p: f64) -> Overall {
    if chance(rng, 3) {
        return Overall::DontKnow;
    }
    match p + noise(rng, 0.15) {
        s if s >= 0.78 => Overall::VeryGood,
        s if s >= 0.55 => Overall::Good,
        s if s >= 0.42 => Overall::Neither,
        s if s >= 0.28 => Overall::Poor,
        _ => Overall::VeryPoor,
    }
}

/// An answer on the four levels, or "doesn't apply" now and then.
fn level(rng: &mut Rng, p: f64) -> Option<Level> {
    if chance(rng, 6) {
        return None;
    }
    Some(match p + noise(rng, 0.2) {
        s if s >= 0.72 => Level::JustAsIWant,
        s if s >= 0.5 => Level::GoodEnough,
        s if s >= 0.3 => Level::SomeNotEnough,
        _ => Level::NotAtAll,
    })
}

fn tone(overall: Overall) -> Tone {
    match overall {
        Overall::VeryGood | Overall::Good => Tone::Good,
        Overall::Neither | Overall::DontKnow => Tone::Mixed,
        Overall::Poor | Overall::VeryPoor => Tone::Poor,
    }
}

/// Most stay anonymous without contact details; some leave details for a private
/// reply, a few choose to be named. Invented names, example.com addresses and
/// phone numbers from the range set aside for drama.
fn contact(rng: &mut Rng, n: u64) -> (bool, Contact) {
    let roll = rng.u32(0..100);
    if roll < 88 {
        return (true, Contact::default());
    }
    let initial = char::from(b'A' + rng.u8(0..26));
    let first = one(rng, INVENTED_NAMES);
    let contact = Contact {
        name: format!("{first} {initial}."),
        email: format!("{}.{}{n}@example.com", first.to_lowercase(), initial.to_ascii_lowercase()),
        phone: if chance(rng, 50) { format!("07700 900{:03}", rng.u32(0..1000)) } else { String::new() },
    };
    (roll < 96, contact)
}

/// Nobody holds the submission key of a demo response, so a counter stands in for
/// its hash: in order, unlike a real hash, so that the store's index of them grows
/// at one end (random values made loading several times slower).
fn key_hash(n: u64) -> String {
    format!("{n:064x}")
}

/// The letters of live references (no 0/O, 1/I/L, U/V), in byte order, so that
/// demo references sort in the order they are numbered.
const REFERENCE_LETTERS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// Response `n`'s reference, like `K7QM-4TXD`, different for each of the first 40
/// million. Blocks of 4,096 consecutive responses take consecutive ranges of the
/// 29⁸ possible references, scattered inside their range: they look unrelated, and
/// the store's index of them still grows at one end. (A live submission that draws
/// one of them draws again.)
fn reference(n: u64) -> String {
    const BLOCK: u64 = 4096;
    /// 2¹⁴ ranges, the first few left out so that references do not start "2222-".
    const RANGE: u64 = 29u64.pow(8) >> 14;
    const FIRST_RANGE: u64 = 6_000;
    const STEP: u64 = RANGE / BLOCK;
    // Odd, so multiplying by it modulo 4,096 never maps two numbers to one.
    const SCATTER: u64 = 2731;
    let mut x = (FIRST_RANGE + n / BLOCK) * RANGE + (n % BLOCK * SCATTER % BLOCK) * STEP;
    let mut letters = [0u8; 8];
    for letter in letters.iter_mut().rev() {
        *letter = REFERENCE_LETTERS[(x % 29) as usize];
        x /= 29;
    }
    let text = String::from_utf8_lossy(&letters).into_owned();
    format!("{}-{}", &text[..4], &text[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_distinct_shaped_like_live_ones_and_in_order_by_block() {
        let refs: Vec<String> = (0..200_000).map(reference).collect();
        let unique: std::collections::HashSet<&String> = refs.iter().collect();
        assert_eq!(unique.len(), refs.len());
        let last = reference(40_000_000);
        assert!(!unique.contains(&last) && last > refs[refs.len() - 1]);
        let r = &refs[12_345];
        assert_eq!((r.len(), &r[4..5]), (9, "-"));
        assert!(r.bytes().filter(|&b| b != b'-').all(|b| REFERENCE_LETTERS.contains(&b)));
        assert!(!r.contains(['0', 'O', '1', 'I', 'L', 'U', 'V']));
        // Neighbours look unrelated; blocks come in order.
        assert_ne!(refs[0][5..], refs[1][5..]);
        assert!(refs[..4096].iter().all(|r| *r < refs[4096]));
        assert!(key_hash(1) < key_hash(2) && key_hash(2).len() == 64);
    }

    #[test]
    fn noise_is_centred_with_the_spread_asked_for() {
        let mut rng = Rng::with_seed(4);
        let draws: Vec<f64> = (0..100_000).map(|_| noise(&mut rng, 0.2)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64).sqrt();
        assert!(mean.abs() < 0.005, "{mean}");
        assert!((sd - 0.2).abs() < 0.005, "{sd}");
    }

    #[test]
    fn better_rated_services_are_answered_more_kindly() {
        let mut rng = Rng::with_seed(8);
        let positive = |rng: &mut Rng, rating| {
            let p = base_quality(Some(rating));
            (0..20_000)
                .filter(|_| {
                    let person = (p + noise(rng, 0.12)).clamp(0.0, 1.0);
                    overall(rng, person).positive() == Some(true)
                })
                .count()
        };
        let shares: Vec<usize> = Rating::ALL.iter().map(|&r| positive(&mut rng, r)).collect();
        assert!(shares.windows(2).all(|w| w[0] > w[1]), "{shares:?}");
        assert!(shares[0] > 17_000 && shares[3] < 6_000, "{shares:?}");
    }
}
