//! How one service compares with similar services, indicator by indicator
//! (`/monitoring/locations/{id}`): its place on the watchlist and why, the peer
//! group chosen (England, as the watchlist compares, or the service's region or
//! local authority), every indicator against that group with its funnel plot,
//! its trend and CUSUM chart and the same figures as tables, and the choices
//! behind them so that any figure can be recomputed (fair-comparison notes §8).
//!
//! Only the funnel of one indicator is drawn at a time: a national group holds
//! thousands of services, and thirteen funnels of them would make the page heavy.

mod indicators;
mod watch;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::LocationId;
use candour_domain::percent::percent_of_share;
use candour_engine::monitoring::{Benchmark, CATALOGUE, Indicator, MonitoringPolicy, Status, benchmark};
use candour_engine::stats::{PeerGroup, PeerScope};
use candour_monitor::{ServiceFacts, Snapshot, Watched, peer_group};
use serde::Deserialize;

use super::{VOICE_LEFT_OUT, snapshot};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, FormErrors, RadioGroup, SelectField};
use crate::manager::ManagerStatus;
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;
use crate::views::{Row, SelectOption, beds_text, count_of, long_date, month_name, optional_date};
use candour_app::monitoring::{Seen, indicators_seen, may_see, sees_voice};

/// The indicators a service's complaint log replaces its returns' figures for.
const COUNTED_FROM_THE_LOG: [Indicator; 3] =
    [Indicator::Complaints, Indicator::ComplaintsUpheld, Indicator::ComplaintsOnTime];

use indicators::{IndicatorView, window_label};
use watch::WatchView;

#[derive(Template)]
#[template(path = "monitoring/benchmark.html")]
struct BenchmarkPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    name: String,
    details: Vec<Row>,
    watch: WatchView,
    action: String,
    scope: RadioGroup,
    indicator: SelectField,
    /// `None` while a choice in the form is refused.
    compared: Option<Compared>,
    /// Why the voice indicators are not shown, when they are not.
    voice_left_out: Option<&'static str>,
}

/// The service against the chosen group.
struct Compared {
    group_label: String,
    group_key: String,
    group_count: String,
    /// The group holds no other service: the figures compare the service with itself.
    alone: bool,
    /// The comparison's result in a sentence, for the page's summary.
    headline: String,
    caption: String,
    indicators: Vec<IndicatorView>,
    method: Vec<Row>,
}

/// The query string, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct Choices {
    scope: Option<String>,
    indicator: Option<String>,
}

/// How far afield the peers are drawn from; the watchlist compares England-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    England,
    Region,
    LocalAuthority,
}

impl Scope {
    const ALL: [Scope; 3] = [Scope::England, Scope::Region, Scope::LocalAuthority];

    fn code(self) -> &'static str {
        match self {
            Scope::England => "england",
            Scope::Region => "region",
            Scope::LocalAuthority => "local_authority",
        }
    }

    /// The scope around this service; `None` when its region or authority is not known.
    fn around(self, facts: &ServiceFacts) -> Option<PeerScope> {
        match self {
            Scope::England => Some(PeerScope::England),
            Scope::Region => facts.region.map(PeerScope::Region),
            Scope::LocalAuthority => facts
                .local_authority
                .as_deref()
                .map(str::trim)
                .filter(|la| !la.is_empty())
                .map(|la| PeerScope::LocalAuthority(la.to_string())),
        }
    }
}

/// `GET /monitoring/locations/{id}`
pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<Choices>, QueryRejection>,
) -> Result<Response, PageError> {
    let snapshot = snapshot(&state)?;
    let id = LocationId::parse(&raw_id).map_err(|_| who.not_found())?;
    if let Some(left_out) = snapshot.not_computed(&id) {
        return not_computed(&who, left_out);
    }
    let target = snapshot.facts.iter().position(|f| f.id == id).ok_or_else(|| who.not_found())?;
    let watched = snapshot.at(target);
    if !may_see(who.principal(), watched.facts) {
        return Err(who.not_found().into());
    }
    who.caller.record(&state, "read", &format!("location:{id}"), Some("benchmark")).await?;
    let manager = manager_text(&state, &id).await?;
    let voice = sees_voice(who.principal(), watched.facts);
    let mut errors = FormErrors::default();
    let choices = query.map(|q| q.0).unwrap_or_else(|_| {
        errors.add("scope", "The choices in the address could not be read: choose again below");
        Choices::default()
    });
    let name = &watched.facts.name;
    let workspace = Crumb::new(name, format!("/manage/locations/{id}"));
    let chrome = Chrome::with(&who, vec![Crumb::new("Manage", "/manage"), workspace], "How it compares");
    // A national peer group is thousands of services: worked out off the request threads.
    let answer = tokio::task::spawn_blocking(move || {
        let page = benchmark_page(chrome, &snapshot, (target, voice), &choices, errors, manager)?;
        let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
        Ok::<_, WebError>(render(status, &page))
    });
    Ok(answer.await.map_err(|_| WebError::Internal)??)
}

/// The page of the service at `target`, with its voice indicators when `voice`.
fn benchmark_page(
    chrome: Chrome,
    snapshot: &Snapshot,
    (target, voice): (usize, bool),
    choices: &Choices,
    mut errors: FormErrors,
    manager: String,
) -> Result<BenchmarkPage, WebError> {
    let seen = Seen::of(snapshot.at(target), voice, &snapshot.policy);
    let watched = seen.watched();
    let facts = watched.facts;
    let scope = read_scope(choices.scope.as_deref(), facts).map_err(|message| errors.add("scope", message)).ok();
    let chosen = read_indicator(choices.indicator.as_deref(), voice).map_err(|m| errors.add("indicator", m)).ok();
    let compared = match (scope, chosen) {
        (Some((scope, around)), Some(chosen)) if errors.is_empty() => {
            let group = peer_group(facts, around);
            let indicator = chosen.unwrap_or_else(|| most_serious(&watched, voice));
            Some(compare(snapshot, (target, voice), &group, scope, indicator)?)
        }
        _ => None,
    };
    // The form shows what was asked for; the funnel's default is the most serious indicator.
    let scope_value = choices.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("england");
    let indicator_value = match (&compared, choices.indicator.as_deref().map(str::trim)) {
        (_, Some(raw)) if !raw.is_empty() => raw.to_string(),
        (Some(c), _) => c.indicators.iter().find(|i| i.funnel.is_some()).map_or("", |i| i.code).to_string(),
        _ => String::new(),
    };
    let name = facts.name.clone();
    Ok(BenchmarkPage {
        title: errors.title(&format!("How {name} compares")),
        chrome,
        errors: errors.links(),
        details: details(snapshot, facts, manager),
        watch: WatchView::of(watched.entry),
        action: format!("/monitoring/locations/{}", facts.id),
        scope: scope_choices(facts, scope_value, &errors),
        indicator: indicator_choices(&indicator_value, &errors, voice),
        compared,
        voice_left_out: (!voice).then_some(VOICE_LEFT_OUT),
        name,
    })
}

/// The scope asked for, England when none was.
fn read_scope(raw: Option<&str>, facts: &ServiceFacts) -> Result<(Scope, PeerScope), String> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(Scope::England.code());
    let Some(scope) = Scope::ALL.into_iter().find(|s| s.code() == raw) else {
        return Err("Choose England, the service's region or its local authority".to_string());
    };
    let unknown = match scope {
        Scope::LocalAuthority => "This service's local authority is not known: choose England or its region",
        _ => "This service's region is not known: choose England or its local authority",
    };
    let around = scope.around(facts).ok_or(unknown)?;
    Ok((scope, around))
}

/// The indicator whose funnel to draw, of those shown; `None` when none was asked for.
fn read_indicator(raw: Option<&str>, voice: bool) -> Result<Option<Indicator>, String> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(code) => indicators_seen(voice)
            .find(|i| i.info().code == code)
            .map(Some)
            .ok_or_else(|| "Choose an indicator from the list".to_string()),
    }
}

/// The first of the service's indicators in the most serious state, for the funnel shown first.
fn most_serious(watched: &Watched, voice: bool) -> Indicator {
    let worst = watched.results.indicators.iter().max_by_key(|r| (r.status, std::cmp::Reverse(r.indicator)));
    let first = indicators_seen(voice).next().unwrap_or(CATALOGUE[0].indicator);
    worst.filter(|r| r.status > Status::NoEvidenceOfRisk).map_or(first, |r| r.indicator)
}

/// Every indicator of the service shown (with its voice ones when `voice`)
/// against every service in `group`.
fn compare(
    snapshot: &Snapshot,
    (target, voice): (usize, bool),
    group: &PeerGroup,
    scope: Scope,
    funnel: Indicator,
) -> Result<Compared, WebError> {
    let members: Vec<usize> = (0..snapshot.len())
        .filter(|&i| {
            let f = &snapshot.facts[i];
            i == target || group.contains(f.kind, f.beds, f.region, f.local_authority.as_deref())
        })
        .collect();
    let position = members.iter().position(|&i| i == target).ok_or(WebError::Internal)?;
    let services: Vec<_> = members.iter().map(|&i| snapshot.services[i].as_ref()).collect();
    let benchmarks = indicators_seen(voice)
        .map(|indicator| benchmark(&services, position, indicator, snapshot.month, &snapshot.policy))
        .collect::<Result<Vec<Benchmark>, _>>()
        .map_err(|error| {
            tracing::error!(%error, "a benchmark could not be computed");
            WebError::Internal
        })?;
    let href = |code: &str| {
        format!("/monitoring/locations/{}?scope={}&indicator={code}#{code}", snapshot.facts[target].id, scope.code())
    };
    let log_since = snapshot.services[target].complaint_log_since;
    let indicators = benchmarks
        .iter()
        .map(|bench| {
            let mut view =
                indicators::view(bench, &snapshot.policy, bench.indicator == funnel, href(bench.indicator.info().code));
            if let Some(since) = log_since.filter(|_| COUNTED_FROM_THE_LOG.contains(&bench.indicator)) {
                view.source = format!("Provider returns; Candour's complaint log from {}", month_name(since));
            }
            view
        })
        .collect::<Vec<IndicatorView>>();
    let window = window_label(snapshot.month, snapshot.policy.window_months);
    let headline = compared_headline(&group.label(), &indicators);
    Ok(Compared {
        headline,
        group_label: group.label(),
        group_key: group.key(),
        group_count: format!("{}, this one included", count_of(members.len() as u64, "service", "services")),
        alone: members.len() == 1,
        caption: format!(
            "Every indicator against similar services, {window} (staff turnover over {} months)",
            Indicator::StaffTurnover.months(snapshot.policy.window_months)
        ),
        indicators,
        method: method(snapshot, group),
    })
}

/// "Against care homes in Leeds: 2 of 9 indicators at risk, 3 without enough data."
fn compared_headline(group: &str, indicators: &[IndicatorView]) -> String {
    let with = |modifiers: &[&str]| indicators.iter().filter(|i| modifiers.contains(&i.status.modifier)).count();
    format!(
        "Against {group}: {} of {} at risk, {} without enough data.",
        with(&["risk", "elevated"]),
        count_of(indicators.len() as u64, "indicator", "indicators"),
        with(&["no-data"])
    )
}

/// Whether a registered manager is in post, from each source with its date.
async fn manager_text(state: &AppState, id: &LocationId) -> Result<String, WebError> {
    let failed = |e| WebError::from_store(e, String::new);
    let detail = state.store.location(id).await.map_err(failed)?;
    Ok(ManagerStatus::load(state.store.as_ref(), &detail.location).await.map_err(failed)?.text())
}

/// The service itself, as the register and monitoring know it.
fn details(snapshot: &Snapshot, facts: &ServiceFacts, manager: String) -> Vec<Row> {
    let rating = facts
        .rating
        .map_or("Not yet rated".to_string(), |(r, on)| format!("{}, published {}", r.name(), long_date(on)));
    vec![
        Row::text("Provider", facts.provider_name.clone()),
        Row::text("Type of service", facts.kind.name()),
        Row::text("Beds", if facts.beds.is_some() { beds_text(facts.beds) } else { "None or not known".to_string() }),
        Row::text("Local authority", facts.local_authority.clone().unwrap_or_else(|| "Not known".to_string())),
        Row::text("Region", facts.region.map_or("Not known", |r| r.name())),
        Row::text("Overall rating", rating),
        Row::text("Registered manager in post", manager),
        Row::text("Last inspection", optional_date(facts.last_inspection)),
        Row::text(
            "Data up to",
            format!("{} (worked out {})", window_label(snapshot.month, 1), long_date(snapshot.today)),
        ),
    ]
}

/// The policy, the peer group and the data window: what a figure is recomputed from.
fn method(snapshot: &Snapshot, group: &PeerGroup) -> Vec<Row> {
    let p: &MonitoringPolicy = &snapshot.policy;
    let d = &p.dispersion;
    let cuts: Vec<String> = p.bands.cuts.iter().enumerate().map(|(i, c)| format!("band {} from {c}", i + 1)).collect();
    vec![
        Row::text(
            "Peer group",
            format!(
                "{}: services of the same type and size band ({}) in that area; key {}",
                group.label(),
                size_words(group),
                group.key()
            ),
        ),
        Row::text(
            "Data window",
            format!(
                "{} months ending {} ({} months for staff turnover; supervision and training from the latest return \
                 in the window); data read from {}",
                p.window_months,
                window_label(snapshot.month, 1),
                Indicator::StaffTurnover.months(p.window_months),
                window_label(snapshot.from, 1)
            ),
        ),
        Row::text(
            "History",
            format!("{} months, in steps of one window, for the trend and its CUSUM chart", p.history_months),
        ),
        Row::text(
            "Minimum n",
            format!("{}: below it a figure is not shown, not compared and counts for nothing", d.min_n.max(1)),
        ),
        Row::text(
            "Comparison",
            "Adjusted z = (value − θ0) / √(s² + τ²); limits θ0 ± z·√(s² + τ²) with z 1.96 (95%) and 3.09 (99.8%). \
             θ0 pools the services with enough data. Proportions: s = √(θ0(1 − θ0)/n); rates: s = √(θ0/exposure); \
             means: s = σ/√n, σ the pooled standard deviation of the answers",
        ),
        Row::text(
            "Over-dispersion (τ²)",
            format!(
                "z-scores winsorised at {trim} from each end; φ = mean z²; τ² = (Iφ − (I − 1)) / (Σw − Σw²/Σw), \
                 w = 1/s², or 0 when Iφ ≤ I − 1. With fewer than {min} services with enough data, τ² = {default}",
                trim = percent_of_share(d.trim),
                min = d.min_services,
                default = d.default_tau2
            ),
        ),
        Row::text(
            "Status",
            "Risk: adjusted z at least 1.96 on the side that is a warning sign, or a CUSUM signal; elevated risk: \
             at least 3.09",
        ),
        Row::text(
            "CUSUM",
            format!(
                "On the adjusted z, window by window, towards the side that is a warning sign (−z where low is, \
                 both sides where both are): C = max(0, C + z − k), k = {}; a signal when C reaches h = {}, then C \
                 starts again from 0",
                p.cusum_k, p.cusum_h
            ),
        ),
        Row::text(
            "Watchlist bands",
            format!(
                "Score = (risk + 2 × elevated) / (2 × indicators with data), compared with all of England: {}; \
                 band 6 below. A serious flag keeps a service in band {} or above, a concern in band {} or above, \
                 and an overriding flag puts it in band 1",
                cuts.join(", "),
                p.bands.serious_band,
                p.bands.concern_band
            ),
        ),
        Row::text("Worked out", crate::pages::chrome::date_time(snapshot.computed_at)),
    ]
}

fn size_words(group: &PeerGroup) -> &'static str {
    group.size.map_or("any size", |size| size.name())
}

fn scope_choices(facts: &ServiceFacts, current: &str, errors: &FormErrors) -> RadioGroup {
    let choices = Scope::ALL.into_iter().filter_map(|scope| {
        let around = scope.around(facts)?;
        let group = peer_group(facts, around);
        let label = match scope {
            Scope::England => "England".to_string(),
            Scope::Region => format!("The region: {}", facts.region.map_or("", |r| r.name())),
            Scope::LocalAuthority => format!("The local authority: {}", facts.local_authority.as_deref().unwrap_or("")),
        };
        let hint = match scope {
            Scope::England => format!("{}, as the watchlist compares", group.label()),
            _ => group.label(),
        };
        Some((scope.code().to_string(), label, Some(hint)))
    });
    RadioGroup::new("scope", "scope", "Compare with similar services in", choices, current, errors)
}

fn indicator_choices(current: &str, errors: &FormErrors, voice: bool) -> SelectField {
    let options =
        indicators_seen(voice).map(|i| SelectOption::new(i.info().code, i.info().name, Some(current))).collect();
    SelectField::new("indicator", "Funnel plot to show", options, errors)
}

#[cfg(test)]
mod tests;

/// A service left out of monitoring as its stored data could not be read: said so,
/// to those who may see it.
fn not_computed(who: &SignedIn, left_out: &candour_monitor::NotComputed) -> Result<Response, PageError> {
    let facts = left_out.facts.as_ref().filter(|f| may_see(who.principal(), f)).ok_or_else(|| who.not_found())?;
    let page = crate::pages::accounts::links::NoticePage {
        title: "Could not be computed",
        heading: "How it compares could not be worked out",
        paragraphs: vec![
            format!("{} ({}) could not be computed: {}", facts.name, left_out.location, left_out.reason),
            "Its stored data holds something monitoring cannot read, so it is left out; every other service \
             is worked out as usual. It joins again once its data is put right."
                .to_string(),
        ],
        link: None,
    };
    Ok(render(StatusCode::OK, &page))
}
