//! What people say of a service against similar services (the people's rating), as
//! the service page shows it and as the API gives it: from the latest monitoring
//! snapshot, with the data and rules behind every figure.

use candour_domain::people::{PeopleStanding, Verdict};
use candour_domain::returns::Month;
use candour_domain::{LocationId, ProviderId};
use candour_engine::people::{Burst, PeopleMeasure, PeoplePolicy, PeopleRating};
use candour_engine::stats::PeerScope;
use candour_monitor::Snapshot;
use candour_store::MarketScope;
use serde::Serialize;

use crate::views::count_of;

/// `people_rating` in `GET /api/v1/locations/{id}`: the rating as the engine gives it
/// (measures with their code and name, shares as fractions, the outcome score 0–3,
/// figures null under the minimum of answers), with its peer group and policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeopleRatingJson {
    #[serde(flatten)]
    pub rating: PeopleRating,
    /// The group of similar services compared with.
    pub similar_services: String,
    pub policy: PeoplePolicy,
}

impl PeopleRatingJson {
    pub fn of(snapshot: &Snapshot, id: &LocationId) -> Option<Self> {
        let watched = snapshot.get(id)?;
        Some(PeopleRatingJson {
            rating: watched.people.clone(),
            similar_services: candour_monitor::peer_group(watched.facts, PeerScope::England).label(),
            policy: snapshot.policy.people,
        })
    }
}

/// "Dec 2025".
pub fn short_month(month: Month) -> String {
    month.first_day().format("%b %Y").to_string()
}

/// "better than similar services (n = 42, Dec 2025 – Nov 2026)".
pub fn headline(standing: &PeopleStanding) -> String {
    let period = format!("{} – {}", short_month(standing.from), short_month(standing.to));
    match standing.n {
        Some(n) => format!("{} (n = {n}, {period})", standing.verdict.phrase()),
        None => format!("{} ({period})", standing.verdict.phrase()),
    }
}

/// The class modifier that colours a verdict.
pub fn modifier(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "better",
        Verdict::AboutTheSame => "same",
        Verdict::Worse => "worse",
        Verdict::NotEnoughResponses => "none",
    }
}

/// The service page's section.
pub struct PeopleSection {
    pub headline: String,
    pub modifier: &'static str,
    pub enough: bool,
    pub rows: Vec<MeasureRow>,
    /// "3 of 42 responses (7 %) were typed in by the service's staff…"
    pub typed_in: Option<String>,
    pub similar_services: String,
    /// "32 answers from October 2026 are held out while a moderator checks them."
    pub bursts: Vec<String>,
    pub min_answers: u32,
    pub window_months: u32,
    pub period: String,
}

pub struct MeasureRow {
    pub name: &'static str,
    pub n: String,
    pub value: String,
    pub interval: String,
    pub shrunk: String,
    pub peer_mean: String,
    pub z: String,
}

impl PeopleSection {
    pub fn of(snapshot: &Snapshot, id: &LocationId) -> Option<Self> {
        let watched = snapshot.get(id)?;
        let rating: &PeopleRating = watched.people;
        let policy = &snapshot.policy.people;
        let typed_in = rating.responses.zip(rating.entered).filter(|&(_, e)| e > 0).map(|(all, entered)| {
            format!(
                "{} of {} ({}) were typed in by the service's own staff, from paper or with the person there. They \
                 count like any other.",
                entered,
                count_of(u64::from(all), "response", "responses"),
                percent(f64::from(entered) / f64::from(all)),
            )
        });
        Some(PeopleSection {
            headline: headline(&rating.standing()),
            modifier: modifier(rating.verdict),
            enough: rating.n.is_some(),
            rows: rating.measures.iter().map(|m| MeasureRow::of(m, policy)).collect(),
            typed_in,
            similar_services: candour_monitor::peer_group(watched.facts, PeerScope::England).label(),
            bursts: rating.bursts.iter().map(burst_text).collect(),
            min_answers: policy.min_answers,
            window_months: policy.window_months,
            period: format!("{} to {}", crate::views::month_name(rating.from), crate::views::month_name(rating.to)),
        })
    }
}

impl MeasureRow {
    fn of(m: &PeopleMeasure, policy: &PeoplePolicy) -> Self {
        let figure = |v: f64| if m.kind.is_mean() { format!("{v:.2}") } else { percent(v) };
        let shown = |v: Option<f64>| v.map(figure).unwrap_or_else(|| "–".to_string());
        let n = count_of(u64::from(m.n), "answer", "answers");
        match (m.value, m.lo95, m.hi95) {
            (Some(value), Some(lo), Some(hi)) => MeasureRow {
                name: m.kind.name(),
                n,
                value: figure(value),
                interval: format!("{} to {}", figure(lo), figure(hi)),
                shrunk: shown(m.shrunk),
                peer_mean: shown(m.peer_mean),
                z: m.z_adj.map(|z| format!("{z:+.2}").replace('-', "−")).unwrap_or_else(|| "–".to_string()),
            },
            _ => MeasureRow {
                name: m.kind.name(),
                n,
                value: format!("Fewer than {} answers", policy.min_answers),
                interval: String::new(),
                shrunk: String::new(),
                peer_mean: String::new(),
                z: String::new(),
            },
        }
    }
}

fn burst_text(burst: &Burst) -> String {
    let answers = count_of(u64::from(burst.responses), "answer", "answers");
    let month = crate::views::month_name(burst.month);
    match burst.review {
        None => format!("{answers} from {month}, far more than usual, are left out while a moderator checks them."),
        Some(true) => format!("{answers} from {month}, far more than usual, were checked by a moderator and count."),
        Some(false) => {
            format!("{answers} from {month}, far more than usual, were checked by a moderator and are left out.")
        }
    }
}

fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// A provider's or an area's services by what people say of them: how many have
/// each verdict, each count linking to those services in the directory.
pub struct PeopleSummary {
    pub counts: Vec<(Verdict, usize, String)>,
    pub period: Option<String>,
}

impl PeopleSummary {
    /// The services of a provider.
    pub fn of_provider(snapshot: &Snapshot, provider: &ProviderId) -> PeopleSummary {
        let filter = format!("provider={}", provider.as_str());
        let positions = (0..snapshot.len()).filter(|&i| &snapshot.facts[i].provider_id == provider);
        PeopleSummary::of(snapshot, positions, &filter)
    }

    /// The services of a market: a local authority's (its name compared ignoring
    /// case), a region's or England's.
    pub fn of_market(snapshot: &Snapshot, market: &MarketScope) -> PeopleSummary {
        let mut filter = form_urlencoded::Serializer::new(String::new());
        match market {
            MarketScope::LocalAuthority(la) => {
                filter.append_pair("local_authority", la.trim());
                PeopleSummary::of(snapshot, snapshot.in_area(la).iter().copied(), &filter.finish())
            }
            MarketScope::Region(region) => {
                filter.append_pair("region", region.code());
                let positions = (0..snapshot.len()).filter(|&i| snapshot.facts[i].region == Some(*region));
                PeopleSummary::of(snapshot, positions, &filter.finish())
            }
            MarketScope::England => PeopleSummary::of(snapshot, 0..snapshot.len(), ""),
        }
    }

    /// The services at `positions` in the snapshot.
    fn of(snapshot: &Snapshot, positions: impl Iterator<Item = usize>, filter: &str) -> PeopleSummary {
        let mut counts = [0usize; 4];
        let mut last = None;
        for rating in positions.map(|i| &snapshot.people[i]) {
            counts[Verdict::ALL.iter().position(|v| *v == rating.verdict).unwrap_or(3)] += 1;
            last = Some(rating);
        }
        let period = last.map(|rating| format!("{} – {}", short_month(rating.from), short_month(rating.to)));
        let and = if filter.is_empty() { "" } else { "&" };
        let href = |v: Verdict| format!("/locations?{filter}{and}people_verdict={}", v.code());
        PeopleSummary {
            counts: Verdict::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(v, n)| (*v, n, href(*v))).collect(),
            period,
        }
    }
}
