use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_app::voice::VoiceError;
use candour_domain::{KeyQuestion, Location, RatingRecord, RatingSource, RegistrationStatus, RelationshipKind};
use candour_engine::AssessmentResult;
use candour_store::{AssessmentRecord, AssessmentStatus, LocationDetail, RelatedLocation};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::ids::parse_location_id;
use super::people::PeopleSection;
use crate::error::{PageError, WebError, render};
use crate::manager::ManagerStatus;
use crate::pages::feedback::public::{MAX_PAGE, STORIES_PER_PAGE, VoiceSection, voice_section, whole_number};
use crate::pdf::{Block, Report};
use crate::state::AppState;
use crate::views::{
    RatingTag, Row, beds_text, count_of, location_href, long_date, optional_date, provider_href, safe_website,
    service_names, tel_href, yes_no_unknown,
};

#[derive(Template)]
#[template(path = "register/location.html")]
struct LocationPage {
    title: String,
    id: String,
    name: String,
    deregistered: Option<String>,
    overall_label: &'static str,
    overall: RatingTag,
    overall_published: Option<String>,
    details: Vec<Row>,
    provider_name: String,
    provider_href: String,
    provider_others: String,
    current: CurrentRatings,
    history: Vec<HistoryRow>,
    related: Vec<RelatedView>,
    explanations: Vec<crate::pages::assessments::trace::Trace>,
    voice: VoiceSection,
    /// Improvement plans the provider chose to publish, newest first.
    plans: Vec<crate::pages::improvement::public::PublicPlan>,
    /// What people say against similar services; `None` before the first monitoring
    /// snapshot, or for a service that is not monitored (deregistered).
    people: Option<PeopleSection>,
    /// Published visits by experts by experience, newest first.
    visits: Vec<crate::pages::visits::VisitSummary>,
}

/// Current ratings as a table: a row per key question (and overall), a column per service group.
struct CurrentRatings {
    groups: Vec<GroupHeader>,
    rows: Vec<QuestionRow>,
}

struct GroupHeader {
    name: String,
    published: String,
    source: &'static str,
}

struct QuestionRow {
    question: &'static str,
    ratings: Vec<RatingCell>,
}

/// A rating in the current-ratings table, with its percentage when Candour assessed it.
struct RatingCell {
    tag: RatingTag,
    percent: Option<String>,
}

struct HistoryRow {
    published: String,
    /// The service group (when not the whole service) and the source.
    about: String,
    overall: RatingTag,
    key_questions: Vec<RatingTag>,
}

struct RelatedView {
    relation: &'static str,
    name: String,
    id: String,
    href: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
pub struct LocationParams {
    /// The page of published stories.
    stories: Option<String>,
}

/// `GET /locations/{id}`: everything the register knows about one location, and
/// what people say about it. The four reads run at once.
pub async fn location(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    params: Result<Query<LocationParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let stories = params.ok().and_then(|Query(p)| p.stories);
    let stories_page = whole_number("Stories page", stories.as_deref(), 1, MAX_PAGE)?;
    Ok(render(StatusCode::OK, &build(&state, &raw_id, stories_page).await?))
}

/// `GET /locations/{id}/report.pdf`: the service page as a report to print or keep.
pub async fn report(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let page = build(&state, &raw_id, 1).await?;
    let made = Utc::now().format("%-d %B %Y").to_string();
    Ok(crate::pdf::response(&page.report(&made), &format!("{}-report.pdf", page.id)))
}

async fn build(state: &AppState, raw_id: &str, stories_page: u32) -> Result<LocationPage, PageError> {
    let id = parse_location_id(raw_id)?;
    let missing = || format!("There is no location with ID {id} in the register.");
    let (detail, assessments, summary, stories) = tokio::try_join!(
        async { state.store.location(&id).await.map_err(|e| WebError::from_store(e, missing)) },
        async { state.store.assessments_of(&id).await.map_err(|e| WebError::from_store(e, String::new)) },
        async {
            state.app.voice.summary(&id, Utc::now()).await.map_err(|e| match e {
                VoiceError::Store(e) => WebError::from_store(e, missing),
                _ => WebError::not_found(missing()),
            })
        },
        async {
            let page = state.store.published_stories(&id, stories_page, STORIES_PER_PAGE).await;
            page.map_err(|e| WebError::from_store(e, missing))
        },
    )?;
    let published = published_results(&assessments);
    let voice = voice_section(&id, &summary, &stories);
    let manager = ManagerStatus::load(state.store.as_ref(), &detail.location)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    let mut page = page(&detail, &published, voice, &manager);
    page.plans = crate::pages::improvement::public::published_plans(state, &id).await?;
    page.people = state.monitor.current().and_then(|snapshot| PeopleSection::of(&snapshot, &id));
    let visits = state.app.visits.published(&id).await.map_err(|e| WebError::from_store(e, String::new))?;
    page.visits = visits.iter().map(crate::pages::visits::VisitSummary::of).collect();
    Ok(page)
}

impl LocationPage {
    /// The page as a printable report: who runs it, its ratings and their history,
    /// what people say against similar services, and what experts by experience found.
    fn report(&self, made: &str) -> Report {
        let published = self.overall_published.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
        let mut blocks = vec![Block::Paragraph(format!("{}: {}{published}.", self.overall_label, self.overall.label))];
        if let Some(d) = &self.deregistered {
            blocks.push(Block::Paragraph(d.clone()));
        }
        blocks.push(Block::Heading("About this service".into()));
        blocks.push(Block::Table {
            caption: format!("Run by {}", self.provider_name),
            header: vec!["".into(), "".into()],
            rows: self.details.iter().map(|r| vec![r.key.to_string(), r.value.clone()]).collect(),
        });
        if !self.current.groups.is_empty() {
            blocks.push(Block::Heading("Current ratings".into()));
            let header = std::iter::once("Key question".to_string())
                .chain(self.current.groups.iter().map(|g| format!("{} ({})", g.name, g.published)))
                .collect();
            let rows = self
                .current
                .rows
                .iter()
                .map(|r| {
                    std::iter::once(r.question.to_string())
                        .chain(r.ratings.iter().map(|c| c.tag.label.to_string()))
                        .collect()
                })
                .collect();
            blocks.push(Block::Table {
                caption: "The latest rating of each key question, by service".into(),
                header,
                rows,
            });
        }
        if !self.history.is_empty() {
            blocks.push(Block::Heading("Rating history".into()));
            blocks.push(Block::Table {
                caption: "Every overall rating recorded, newest first".into(),
                header: vec!["Published".into(), "Rating".into(), "By".into()],
                rows: self
                    .history
                    .iter()
                    .map(|h| vec![h.published.clone(), h.overall.label.to_string(), h.about.clone()])
                    .collect(),
            });
        }
        if let Some(people) = &self.people {
            blocks.push(Block::Heading("What people say".into()));
            blocks.push(Block::Paragraph(format!(
                "What people say: {}. This is not the regulator's rating.",
                people.headline
            )));
            if people.enough {
                blocks.push(Block::Table {
                    caption: format!("Against {}", people.similar_services),
                    header: ["Measure", "n", "Value", "95% interval", "Similar services"].map(String::from).to_vec(),
                    rows: people
                        .rows
                        .iter()
                        .map(|m| {
                            vec![
                                m.name.to_string(),
                                m.n.clone(),
                                m.value.clone(),
                                m.interval.clone(),
                                m.peer_mean.clone(),
                            ]
                        })
                        .collect(),
                });
            }
        }
        if !self.visits.is_empty() {
            blocks.push(Block::Heading("What people with lived experience found".into()));
            for v in &self.visits {
                blocks.push(Block::Paragraph(format!(
                    "Visit on {}: the experts spoke with {}. {}",
                    v.visited, v.spoken_with, v.summary
                )));
            }
        }
        Report {
            title: self.name.clone(),
            subtitle: format!(
                "Location {}. Made by Candour on {made}. Register data from the Care Quality Commission, Open Government Licence v3.0.",
                self.id
            ),
            blocks,
        }
    }
}

/// The engine results of the location's published assessments, with the date and
/// service group each was published for, newest first.
fn published_results(assessments: &[AssessmentRecord]) -> Vec<(NaiveDate, String, AssessmentResult)> {
    assessments
        .iter()
        .filter(|a| a.status == AssessmentStatus::Published)
        .filter_map(|a| {
            let result = serde_json::from_str(a.result.as_deref()?).ok()?;
            Some((a.published_on?, a.service_group.clone(), result))
        })
        .collect()
}

/// The published result behind a Candour rating record.
fn result_for<'a>(
    record: &RatingRecord,
    published: &'a [(NaiveDate, String, AssessmentResult)],
) -> Option<&'a AssessmentResult> {
    if record.source != RatingSource::Candour {
        return None;
    }
    let covers = |group: &str| group == record.service_group || record.service_group == RatingRecord::LOCATION_GROUP;
    published.iter().find(|(on, group, _)| *on == record.published && covers(group)).map(|(_, _, r)| r)
}

fn page(
    detail: &LocationDetail,
    published: &[(NaiveDate, String, AssessmentResult)],
    voice: VoiceSection,
    manager: &ManagerStatus,
) -> LocationPage {
    let location = &detail.location;
    let overall = detail.headline_rating.as_ref();
    LocationPage {
        title: location.name.clone(),
        id: location.id.as_str().to_string(),
        name: location.name.clone(),
        deregistered: deregistered_notice(location),
        overall_label: if location.is_registered() { "Overall rating" } else { "Last overall rating" },
        overall: RatingTag::of(overall.and_then(|r| r.overall)),
        overall_published: overall.map(headline_source),
        details: detail_rows(location, manager),
        provider_name: detail.provider.name.clone(),
        provider_href: provider_href(detail.provider.id.as_str()),
        provider_others: count_of(detail.provider_location_count, "other location", "other locations"),
        current: current_ratings(&detail.current_ratings, published),
        explanations: explanations(&detail.current_ratings, published),
        history: detail.rating_history.iter().map(history_row).collect(),
        related: detail.related.iter().map(related_view).collect(),
        voice,
        plans: Vec::new(),
        visits: Vec::new(),
        people: None,
    }
}

/// Who made the headline rating and when, and of which service when not the whole.
fn headline_source(r: &RatingRecord) -> String {
    let of = if r.service_group == RatingRecord::LOCATION_GROUP {
        String::new()
    } else {
        format!(" for {}", r.service_group)
    };
    format!("Published {} by {}{of}", long_date(r.published), r.source.body())
}

fn deregistered_notice(location: &Location) -> Option<String> {
    (location.registration.status == RegistrationStatus::Deregistered).then(|| {
        match location.registration.deregistered_on {
            Some(date) => {
                format!("This location is deregistered: it stopped providing this service on {}.", long_date(date))
            }
            None => "This location is deregistered: it no longer provides this service.".to_string(),
        }
    })
}

fn detail_rows(l: &Location, manager: &ManagerStatus) -> Vec<Row> {
    let mut rows = Vec::new();
    if let Some(aka) = &l.also_known_as {
        rows.push(Row::text("Also known as", aka));
    }
    let address = l.address.one_line();
    rows.push(Row::text("Address", if address.is_empty() { "Not known".to_string() } else { address }));
    rows.push(match &l.phone {
        Some(phone) => Row::link("Phone", phone, tel_href(phone)),
        None => Row::text("Phone", "Not known"),
    });
    rows.push(match &l.website {
        Some(site) => Row::link("Website", site, safe_website(site)),
        None => Row::text("Website", "Not known"),
    });
    rows.push(Row::text("Type of service", service_names(&l.service_kinds())));
    if !l.service_types.is_empty() {
        rows.push(Row::text("Registered service types", l.service_types.join(", ")));
    }
    rows.push(Row::text(
        "Care home",
        if l.care_home { format!("Yes, {}", beds_text(l.beds)) } else { "No".to_string() },
    ));
    rows.push(Row::text(
        "Specialisms",
        if l.specialisms.is_empty() { "None listed".to_string() } else { l.specialisms.join(", ") },
    ));
    rows.extend(registration_rows(l, manager));
    rows.push(Row::text("Local authority", l.local_authority.clone().unwrap_or_else(|| "Not known".to_string())));
    rows.push(Row::text("Region", l.region.map_or("Not known", |r| r.name())));
    rows.push(Row::text("Last inspection", optional_date(l.last_inspection)));
    rows.push(Row::text("Location ID", l.id.as_str()));
    rows
}

fn registration_rows(l: &Location, manager: &ManagerStatus) -> Vec<Row> {
    let status = match l.registration.status {
        RegistrationStatus::Registered => "Registered".to_string(),
        RegistrationStatus::Deregistered => match l.registration.deregistered_on {
            Some(date) => format!("Deregistered on {}", long_date(date)),
            None => "Deregistered".to_string(),
        },
    };
    vec![
        Row::text("Registration", status),
        Row::text("Registered since", optional_date(l.registration.registered_on)),
        Row::text("Dormant", yes_no_unknown(l.dormant)),
        Row::text("Registered manager in post", manager.text()),
    ]
}

fn source_name(source: RatingSource) -> &'static str {
    match source {
        RatingSource::Cqc => "CQC",
        RatingSource::Candour => "Candour",
    }
}

fn source_text(source: RatingSource) -> &'static str {
    match source {
        RatingSource::Cqc => "imported from the regulator",
        RatingSource::Candour => "assessed in Candour",
    }
}

/// How each current Candour rating was worked out, as published. Each has its own
/// anchor: `how-worked-out` for the first, then `how-worked-out-2` and so on.
fn explanations(
    records: &[RatingRecord],
    published: &[(NaiveDate, String, AssessmentResult)],
) -> Vec<crate::pages::assessments::trace::Trace> {
    let mut seen = Vec::new();
    records
        .iter()
        .filter_map(|r| result_for(r, published))
        .filter(|result| {
            let new = !seen.contains(result);
            seen.push(*result);
            new
        })
        .filter_map(crate::pages::assessments::trace::trace_of)
        .enumerate()
        .map(|(i, trace)| crate::pages::assessments::trace::Trace {
            anchor: if i == 0 { "how-worked-out".to_string() } else { format!("how-worked-out-{}", i + 1) },
            ..trace
        })
        .collect()
}

fn current_ratings(records: &[RatingRecord], published: &[(NaiveDate, String, AssessmentResult)]) -> CurrentRatings {
    let groups = records
        .iter()
        .map(|r| GroupHeader {
            name: group_name(&r.service_group),
            published: long_date(r.published),
            source: source_text(r.source),
        })
        .collect();
    let cell = |tag: RatingTag, percent: Option<String>| RatingCell { tag, percent };
    let overall = QuestionRow {
        question: "Overall",
        ratings: records.iter().map(|r| cell(RatingTag::of(r.overall), None)).collect(),
    };
    let questions = KeyQuestion::ALL.into_iter().map(|kq| QuestionRow {
        question: kq.name(),
        ratings: records
            .iter()
            .map(|r| {
                let percent =
                    result_for(r, published).and_then(|res| crate::pages::assessments::trace::percent_text(res, kq));
                cell(RatingTag::of_key_question(r.key_questions.get(kq)), percent)
            })
            .collect(),
    });
    CurrentRatings { groups, rows: std::iter::once(overall).chain(questions).collect() }
}

/// The location-wide group is called "Overall" in the data; in a table whose rows
/// include an "Overall" rating that would read twice, so it is named plainly.
fn group_name(group: &str) -> String {
    if group == RatingRecord::LOCATION_GROUP { "Whole service".to_string() } else { group.to_string() }
}

fn history_row(r: &RatingRecord) -> HistoryRow {
    let mut about = Vec::new();
    if r.service_group != RatingRecord::LOCATION_GROUP {
        about.push(r.service_group.clone());
    }
    about.push(format!("by {}", source_name(r.source)));
    if r.inherited {
        about.push("inherited from a previous registration".to_string());
    }
    HistoryRow {
        published: long_date(r.published),
        about: about.join(", "),
        overall: RatingTag::of(r.overall),
        key_questions: KeyQuestion::ALL.map(|kq| RatingTag::of_key_question(r.key_questions.get(kq))).to_vec(),
    }
}

fn related_view(r: &RelatedLocation) -> RelatedView {
    RelatedView {
        relation: match r.kind {
            RelationshipKind::Predecessor => "Predecessor",
            RelationshipKind::Successor => "Successor",
        },
        name: r.name.clone().unwrap_or_else(|| r.id.to_string()),
        id: r.id.to_string(),
        href: r.known.then(|| location_href(r.id.as_str())),
        reason: r.reason.clone(),
    }
}
