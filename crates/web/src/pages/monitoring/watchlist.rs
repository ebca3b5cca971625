//! The watchlist (`/monitoring/watchlist`, and as CSV) and a provider's warning
//! signs (`/manage/providers/{id}/warning-signs`). Both read the latest monitoring
//! snapshot narrowed to the services the signed-in person may see: an inspector
//! all of England, a commissioner their authorities, a provider its own services.
//! Nothing about any other service reaches the page, its counts, its filter
//! choices or the CSV.

mod filters;
pub(crate) mod views;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::{Principal, Region, ServiceKind};
use candour_engine::stats::PeerScope;
use candour_monitor::{Snapshot, Watched, peer_group, write_watchlist_csv};

use super::{VOICE_LEFT_OUT, snapshot};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, SelectField};
use crate::pages::chrome::{Chrome, Crumb, date_time};
use crate::pagination::{Pagination, page_href, pagination};
use crate::state::AppState;
use crate::views::{RatingTag, Row, SelectOption, count_of, month_name, select, thousands};
use candour_app::monitoring::{Seen, may_see, sees_voice, visible};
use candour_app::workspaces::Via;

use filters::{BANDS, Choices, PER_PAGE, Raw, Sort, WatchQuery};
use views::{BandBadge, ReasonView};

const PATH: &str = "/monitoring/watchlist";

/// How many services `principal` may watch, for the private home; `None` before
/// the first snapshot or when they may see none.
pub fn visible_count(state: &AppState, principal: &Principal) -> Option<usize> {
    let snapshot = state.monitor.current()?;
    let count = snapshot.ranked().filter(|row| may_see(principal, row.facts)).count();
    (count > 0).then_some(count)
}

// ---------------------------------------------------------------- the page

#[derive(Template)]
#[template(path = "monitoring/watchlist.html")]
struct WatchlistPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    heading: String,
    lead: String,
    computed: String,
    /// The services this account may see that were left out, each with why.
    not_computed: Vec<String>,
    policy: Vec<Row>,
    band_counts: Vec<BandCount>,
    form: FilterForm,
    results: Option<Results>,
}

struct BandCount {
    badge: BandBadge,
    count: String,
    href: String,
}

struct FilterForm {
    name: Field,
    selects: Vec<SelectField>,
    bands: Vec<BandBox>,
    band_error: Option<String>,
    sort: SelectField,
}

struct BandBox {
    /// The first box carries the group's id, so the error summary's link lands on it.
    id: String,
    value: u8,
    checked: bool,
}

struct Results {
    heading: String,
    caption: String,
    range: String,
    csv_href: String,
    headers: Vec<SortHeader>,
    rows: Vec<WatchRow>,
    pagination: Pagination,
    past_end: Option<PastEnd>,
    pages: usize,
}

/// A column the table can be sorted by, with its link and `aria-sort`.
struct SortHeader {
    label: &'static str,
    href: String,
    /// Read by screen readers after the label: how following the link sorts.
    how: &'static str,
    aria_sort: Option<&'static str>,
}

struct WatchRow {
    band: BandBadge,
    href: String,
    name: String,
    provider: String,
    place: String,
    score: String,
    score_note: String,
    top_reasons: Vec<ReasonView>,
    more_reasons: Vec<ReasonView>,
    no_reasons: &'static str,
    rating: RatingTag,
    inspected: String,
}

struct PastEnd {
    last_page: usize,
    href: String,
}

/// `GET /monitoring/watchlist`: filters, sort and page in the query string, so
/// any view can be linked to. Refused values re-render the form with a 400 and
/// the message beside the field.
pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let snapshot = snapshot(&state)?;
    let seen = visible(&snapshot, who.principal());
    let rows: Vec<Watched<'_>> = seen.iter().map(Seen::watched).collect();
    if rows.is_empty() {
        return Ok(nothing_to_watch(&who));
    }
    who.caller.record(&state, "read", "watchlist", None).await?;
    let raw = Raw::parse(query.as_deref());
    let choices = Choices::of(&rows);
    match raw.validate(&choices) {
        Ok(query) => {
            let form = filter_form(&raw, &FormErrors::default(), &choices);
            let results = results(&snapshot, &rows, &query);
            let title = match results.pages {
                pages if pages > 1 && query.page as usize <= pages => {
                    format!("Watchlist (page {} of {pages})", query.page)
                }
                _ => "Watchlist".to_string(),
            };
            let page = watchlist_page(&who, &snapshot, &rows, title, Vec::new(), form, Some(results));
            Ok(render(StatusCode::OK, &page))
        }
        Err(errors) => {
            let form = filter_form(&raw, &errors, &choices);
            let links = error_links(&errors);
            let page = watchlist_page(&who, &snapshot, &rows, errors.title("Watchlist"), links, form, None);
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
    }
}

fn watchlist_page(
    who: &SignedIn,
    snapshot: &Snapshot,
    rows: &[Watched<'_>],
    title: String,
    errors: Vec<ErrorLink>,
    form: FilterForm,
    results: Option<Results>,
) -> WatchlistPage {
    WatchlistPage {
        title,
        chrome: Chrome::manage(who, "Watchlist"),
        errors,
        heading: format!("Watchlist for {}", month_name(snapshot.month)),
        lead: format!(
            "{} you can see, from band 1 (look first) to band 6, with the reasons for each.",
            count_of(rows.len() as u64, "service", "services")
        ),
        computed: computed_text(snapshot),
        not_computed: not_computed_lines(snapshot, who.principal()),
        policy: views::policy_rows(&snapshot.policy, snapshot.month),
        band_counts: band_counts(rows),
        form,
        results,
    }
}

/// "Rose Court (1-123): could not be computed: stored month is not valid: …", for
/// each service left out that `principal` may see (one whose register row could
/// not be read is in the server's log and `candour recompute`'s report only).
fn not_computed_lines(snapshot: &Snapshot, principal: &Principal) -> Vec<String> {
    let visible = snapshot.not_computed.iter().filter_map(|n| Some((n, n.facts.as_ref()?)));
    visible
        .filter(|(_, facts)| may_see(principal, facts))
        .map(|(n, facts)| format!("{} ({}): could not be computed: {}", facts.name, n.location, n.reason))
        .collect()
}

/// "Worked out for November 2026 on 23 November 2026 at 01:50 UTC, from data since December 2024."
fn computed_text(snapshot: &Snapshot) -> String {
    format!(
        "Worked out for {} on {}, from data since {}.",
        month_name(snapshot.month),
        date_time(snapshot.computed_at),
        month_name(snapshot.from)
    )
}

fn band_counts(rows: &[Watched<'_>]) -> Vec<BandCount> {
    BANDS
        .map(|band| {
            let n = rows.iter().filter(|row| row.entry.band == band).count();
            BandCount {
                badge: BandBadge::of(band),
                count: count_of(n as u64, "service", "services"),
                href: format!("{PATH}?band={band}"),
            }
        })
        .collect()
}

/// Errors link to their field; a bad page number, which has none, to the form.
fn error_links(errors: &FormErrors) -> Vec<ErrorLink> {
    let mut links = errors.links();
    for link in &mut links {
        if link.href == "#page" {
            link.href = "#filters-heading".to_string();
        }
    }
    links
}

fn filter_form(raw: &Raw, errors: &FormErrors, choices: &Choices) -> FilterForm {
    let named = |names: &[String]| names.iter().map(|n| (n.clone(), n.clone())).collect::<Vec<_>>();
    let region_current = raw.chosen("region").map(|v| Region::parse(v).map_or(v, |r| r.code()));
    let selects = vec![
        SelectField::new(
            "local_authority",
            "Local authority",
            select("Any local authority", named(&choices.local_authorities), raw.chosen("local_authority")),
            errors,
        ),
        SelectField::new(
            "region",
            "Region",
            select("Any region", Region::ALL.map(|r| (r.code().to_string(), r.name().to_string())), region_current),
            errors,
        ),
        SelectField::new(
            "service",
            "Type of service",
            select(
                "Any type of service",
                ServiceKind::ALL.map(|k| (k.code().to_string(), k.name().to_string())),
                raw.chosen("service"),
            ),
            errors,
        ),
        SelectField::new(
            "specialism",
            "Specialism",
            select("Any specialism", named(&choices.specialisms), raw.chosen("specialism")),
            errors,
        ),
    ];
    let checked: Vec<&str> = raw.all("band").collect();
    let sort = raw.chosen("sort").unwrap_or(Sort::default().code());
    FilterForm {
        name: Field::new("name", "Name", "text", "off")
            .hint("All or part of the service's name")
            .value(raw.get("name"))
            .errors(errors),
        selects,
        bands: BANDS
            .map(|band| BandBox {
                id: if band == 1 { "band".to_string() } else { format!("band-{band}") },
                value: band,
                checked: checked.contains(&band.to_string().as_str()),
            })
            .collect(),
        band_error: errors.get("band"),
        sort: SelectField::new(
            "sort",
            "Sort by",
            Sort::ALL.iter().map(|s| SelectOption::new(s.code(), s.label(), Some(sort))).collect(),
            errors,
        ),
    }
}

fn results(snapshot: &Snapshot, rows: &[Watched<'_>], query: &WatchQuery) -> Results {
    let chosen = query.select(rows);
    let total = chosen.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let current = query.page as usize;
    let start = (current - 1).saturating_mul(PER_PAGE);
    let shown: Vec<WatchRow> =
        chosen.iter().skip(start).take(PER_PAGE).map(|row| watch_row(row, snapshot.today)).collect();
    let base = query.canonical();
    let range = match shown.len() {
        0 => String::new(),
        n => format!(
            "Showing {} to {} of {}",
            thousands(start as u64 + 1),
            thousands((start + n) as u64),
            thousands(total as u64)
        ),
    };
    Results {
        heading: match total {
            0 => "No services match".to_string(),
            n => format!("{} {}", count_of(n as u64, "service", "services"), if n == 1 { "matches" } else { "match" }),
        },
        range,
        caption: format!("The services that match, sorted by {}", query.sort.label().to_lowercase()),
        csv_href: with_query(&format!("{PATH}.csv"), &base),
        headers: sort_headers(query),
        past_end: (shown.is_empty() && total > 0)
            .then(|| PastEnd { last_page: pages, href: page_href(PATH, &base, pages as u32) }),
        rows: shown,
        pagination: pagination(PATH, &base, current as u32, pages as u32),
        pages,
    }
}

fn watch_row(row: &Watched<'_>, today: chrono::NaiveDate) -> WatchRow {
    let (facts, entry) = (row.facts, row.entry);
    let (top_reasons, more_reasons) = views::reasons(entry);
    let (rating, inspected) = views::inspection(row, today);
    WatchRow {
        band: BandBadge::of(entry.band),
        href: views::benchmark_href(row),
        name: facts.name.clone(),
        provider: facts.provider_name.clone(),
        place: views::place(facts),
        score: views::score_text(entry),
        score_note: views::score_note(entry),
        top_reasons,
        more_reasons,
        no_reasons: views::no_reasons(entry),
        rating,
        inspected,
    }
}

fn sort_headers(query: &WatchQuery) -> Vec<SortHeader> {
    let header = |label, sort: Sort, how| SortHeader {
        label,
        href: with_query(PATH, &query.canonical_with(sort)),
        how,
        aria_sort: (query.sort == sort).then(|| sort.direction()),
    };
    vec![
        header("Band", Sort::Band, "sort by band, band 1 first"),
        header("Service", Sort::Name, "sort by name, A to Z"),
        header("Score", Sort::Score, "sort by score, highest first"),
        header("Last inspected", Sort::Inspection, "sort by last inspection, oldest first"),
    ]
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }
}

// ---------------------------------------------------------------- nothing to watch

#[derive(Template)]
#[template(path = "monitoring/watchlist_none.html")]
struct NothingToWatch {
    title: &'static str,
    chrome: Chrome,
}

/// The answer to someone whose account lets them see no service at all.
fn nothing_to_watch(who: &SignedIn) -> Response {
    let page = NothingToWatch { title: "No services to watch", chrome: Chrome::manage(who, "Watchlist") };
    render(StatusCode::FORBIDDEN, &page)
}

// ---------------------------------------------------------------- CSV

/// `GET /monitoring/watchlist.csv`: the whole filtered list in the page's order,
/// with the same filters; each download is written to the audit log.
pub async fn csv(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let snapshot = snapshot(&state)?;
    let seen = visible(&snapshot, who.principal());
    let rows: Vec<Watched<'_>> = seen.iter().map(Seen::watched).collect();
    if rows.is_empty() {
        return Ok(nothing_to_watch(&who));
    }
    let query = Raw::parse(query.as_deref()).validate(&Choices::of(&rows)).map_err(|errors| {
        let first = errors.links().into_iter().next().map(|l| l.message).unwrap_or_default();
        WebError::bad_request(first)
    })?;
    let filters = query.canonical();
    let described = if filters.is_empty() { "all services" } else { filters.as_str() };
    who.caller.record(&state, "export", "watchlist", Some(described)).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    write_watchlist_csv(query.select(&rows).into_iter(), &mut out).map_err(csv_failed)?;
    let body = out.into_inner().map_err(|e| csv_failed(e.into_error().into()))?;
    Ok(crate::download::csv_file(&format!("watchlist-{}.csv", snapshot.month), body)?)
}

fn csv_failed(err: csv::Error) -> WebError {
    tracing::error!(error = %err, "the watchlist CSV could not be written");
    WebError::Internal
}

// ---------------------------------------------------------------- a provider's warning signs

#[derive(Template)]
#[template(path = "monitoring/warning_signs.html")]
struct WarningSignsPage {
    title: String,
    chrome: Chrome,
    name: String,
    summary: String,
    computed: String,
    services: Vec<ServiceSigns>,
    /// Why the voice indicators are not shown, when they are not.
    voice_left_out: Option<&'static str>,
}

struct ServiceSigns {
    anchor: String,
    href: String,
    name: String,
    place: String,
    band: BandBadge,
    details: Vec<Row>,
    flags: Vec<&'static str>,
    reasons: Vec<ReasonView>,
    no_reasons: &'static str,
}

/// `GET /manage/providers/{id}/warning-signs`: every one of the provider's
/// services the caller may see, in watchlist order, with its band, flags and
/// reasons. Whoever may not read the provider's workspace gets the normal 404.
pub async fn warning_signs(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let provider =
        state.app.workspaces.readable_provider(&who.actor(), &raw_id, Via::Page).await.map_err(|e| who.fail(e))?;
    let snapshot = snapshot(&state)?;
    let seen = visible(&snapshot, who.principal());
    let rows: Vec<Watched<'_>> =
        seen.iter().map(Seen::watched).filter(|row| row.facts.provider_id == provider.id).collect();
    let name = provider.name().to_string();
    let flagged = rows.iter().filter(|row| !row.results.flags.is_empty()).count();
    let look_first: Vec<&str> =
        rows.iter().filter(|row| row.entry.band <= 2).map(|row| row.facts.name.as_str()).collect();
    let page = WarningSignsPage {
        title: format!("Warning signs: {name}"),
        chrome: Chrome::with(
            &who,
            vec![
                Crumb::new("Manage", "/manage"),
                Crumb::new(name.clone(), format!("/manage/providers/{}", provider.id)),
            ],
            "Warning signs",
        ),
        summary: format!(
            "{} watched; {} with a warning flag; {}.",
            count_of(rows.len() as u64, "service", "services"),
            thousands(flagged as u64),
            match look_first.as_slice() {
                [] => "none in band 1 or 2, where an inspector would look first".to_string(),
                names => format!("in band 1 or 2, where an inspector would look first: {}", names.join(", ")),
            }
        ),
        computed: computed_text(&snapshot),
        services: rows.iter().map(|row| service_signs(row, snapshot.today)).collect(),
        voice_left_out: rows.iter().any(|row| !sees_voice(who.principal(), row.facts)).then_some(VOICE_LEFT_OUT),
        name,
    };
    Ok(render(StatusCode::OK, &page))
}

fn service_signs(row: &Watched<'_>, today: chrono::NaiveDate) -> ServiceSigns {
    let (facts, entry) = (row.facts, row.entry);
    let (rating, inspected) = views::inspection(row, today);
    let details = vec![
        Row::text("Score", format!("{} ({})", views::score_text(entry), views::score_note(entry))),
        Row::text("Overall rating", rating.label),
        Row::text("Last inspected", inspected),
        Row::text("Compared with", peer_group(facts, PeerScope::England).label()),
    ];
    ServiceSigns {
        anchor: format!("service-{}", facts.id),
        href: views::benchmark_href(row),
        name: facts.name.clone(),
        place: views::place(facts),
        band: BandBadge::of(entry.band),
        details,
        flags: row.results.flags.iter().map(|f| views::flag_name(f.kind)).collect(),
        reasons: entry.reasons.iter().map(ReasonView::of).collect(),
        no_reasons: views::no_reasons(entry),
    }
}
