//! Atom feeds, so that anyone can follow a service or a local authority in a feed
//! reader: a service's new ratings, published stories with the provider's replies,
//! improvement plans and visits by experts by experience; the same of an area's
//! services, but for visits.

use std::fmt::Write;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use candour_domain::{LocationId, RatingRecord};
use candour_store::{LocationQuery, PlanPublication, PublishedStory, search_all};
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{PageError, WebError};
use crate::pages::chrome::path_segment;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/locations/{id}/feed.atom", get(location_feed))
        .route("/areas/{local_authority}/feed.atom", get(area_feed))
}

/// The most entries a feed carries, newest first.
const ENTRIES: usize = 50;

/// One entry of a feed.
struct Entry {
    /// Unique and stable: the same event always has the same ID.
    id: String,
    title: String,
    updated: DateTime<Utc>,
    href: String,
    summary: String,
}

/// Text as XML needs it inside elements and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

/// The feed as Atom, newest entries first (at most [`ENTRIES`]).
fn atom(base: &str, path: &str, title: &str, page: &str, mut entries: Vec<Entry>) -> Response {
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(ENTRIES);
    // With nothing new yet, the feed is as old as the oldest possible entry: stable for caches.
    let updated = entries.first().map_or(DateTime::<Utc>::UNIX_EPOCH, |e| e.updated);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(xml, "<id>{}</id>", escape(&format!("{base}{path}")));
    let _ = writeln!(xml, "<title>{}</title>", escape(title));
    let _ = writeln!(xml, "<updated>{}</updated>", updated.to_rfc3339());
    let _ = writeln!(xml, "<link rel=\"self\" href=\"{}\"/>", escape(&format!("{base}{path}")));
    let _ = writeln!(xml, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", escape(&format!("{base}{page}")));
    xml.push_str("<author><name>Candour</name></author>\n");
    for e in &entries {
        xml.push_str("<entry>\n");
        let _ = writeln!(xml, "  <id>{}</id>", escape(&format!("{base}{}", e.id)));
        let _ = writeln!(xml, "  <title>{}</title>", escape(&e.title));
        let _ = writeln!(xml, "  <updated>{}</updated>", e.updated.to_rfc3339());
        let _ = writeln!(xml, "  <link href=\"{}\"/>", escape(&format!("{base}{}", e.href)));
        let _ = writeln!(xml, "  <summary type=\"text\">{}</summary>", escape(&e.summary));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response()
}

fn rating_entry(r: &RatingRecord, name: &str) -> Entry {
    let rating = r.overall.map_or("not rated overall", |o| o.name());
    let what = if r.service_group == "Overall" { String::new() } else { format!(" ({})", r.service_group) };
    Entry {
        id: format!("/locations/{}#rating-{}-{}", r.location_id, path_segment(&r.service_group), r.published),
        title: format!("{name}{what} rated {rating}"),
        updated: noon(r.published),
        href: format!("/locations/{}#current-ratings", r.location_id),
        summary: format!("Rated {rating} by {}, published {}.", r.source.body(), r.published.format("%-d %B %Y")),
    }
}

fn plan_entry(id: &LocationId, name: &str, plan: i64, title: &str, publication: &PlanPublication) -> Entry {
    Entry {
        id: format!("/locations/{id}#plan-{plan}"),
        title: format!("{name} published its improvement plan: {title}"),
        updated: publication.published_at,
        href: format!("/locations/{id}#improvement"),
        summary: publication.summary.clone(),
    }
}

/// `GET /locations/{id}/feed.atom`
async fn location_feed(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let id = crate::pages::parse_location_id(&raw_id)?;
    let missing = || format!("There is no location with ID {id} in the register.");
    let detail = state.store.location(&id).await.map_err(|e| WebError::from_store(e, missing))?;
    let name = detail.location.name.clone();
    let mut entries: Vec<Entry> = detail.rating_history.iter().map(|r| rating_entry(r, &name)).collect();
    let stories = state
        .store
        .published_stories(&id, 1, ENTRIES as u32)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    entries.extend(stories.items.iter().flat_map(|s| story_entries(&id, None, s)));
    let plans =
        state.app.improvement.published(&id).await.map_err(|e| WebError::from_area(&e, || WebError::Internal))?;
    for p in plans {
        let Some(publication) = &p.plan.publication else { continue };
        entries.push(plan_entry(&id, &name, p.plan.id, &p.plan.title, publication));
    }
    let visits = state.app.visits.published(&id).await.map_err(|e| WebError::from_store(e, String::new))?;
    for v in visits {
        let Some(at) = v.published_at else { continue };
        entries.push(Entry {
            id: format!("/locations/{id}/visits/{}", v.id),
            title: format!("What people with lived experience found at {name}"),
            updated: at,
            href: format!("/locations/{id}/visits/{}", v.id),
            summary: v.report.summary.clone(),
        });
    }
    let title = format!("{name}: ratings, what people say and improvement");
    Ok(atom(
        state.config.public_url(),
        &format!("/locations/{id}/feed.atom"),
        &title,
        &format!("/locations/{id}"),
        entries,
    ))
}

/// A published story and the provider's published replies to it; `place` names the
/// service in an area's feed.
fn story_entries(id: &LocationId, place: Option<&str>, s: &PublishedStory) -> Vec<Entry> {
    let at = place.map(|name| format!(" at {name}")).unwrap_or_default();
    let story = Entry {
        id: format!("/locations/{id}#story-{}", s.feedback_id),
        title: format!("{}{at}: {}", s.respondent.described(), s.overall.label()),
        updated: s.published_at,
        href: format!("/locations/{id}#stories"),
        summary: s.text.clone(),
    };
    let replies = s.replies.iter().map(|r| Entry {
        id: format!("/locations/{id}#reply-{}", r.id),
        title: format!("{} replied to a story{at}", r.provider_name),
        updated: r.checked_at.unwrap_or(r.created_at),
        href: format!("/locations/{id}#stories"),
        summary: r.text.clone(),
    });
    std::iter::once(story).chain(replies).collect()
}

/// `GET /areas/{local authority}/feed.atom`: the newest ratings of the area's services,
/// their published stories with replies, and the improvement plans they publish.
async fn area_feed(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response, PageError> {
    let area = crate::pages::register::find_area(&state, &raw).await?;
    let query = LocationQuery { local_authority: Some(area.local_authority.clone()), ..LocationQuery::default() };
    let services = search_all(state.store.as_ref(), &query).await.map_err(|e| WebError::from_store(e, String::new))?;
    let mut entries: Vec<Entry> = services
        .iter()
        .filter_map(|l| {
            let (rating, day) = (l.overall?, l.rated_on?);
            Some(Entry {
                id: format!("/locations/{}#rating-{day}", l.id),
                title: format!("{} rated {}", l.name, rating.name()),
                updated: noon(day),
                href: format!("/locations/{}", l.id),
                summary: format!(
                    "{}, run by {}, was rated {} on {}.",
                    l.name,
                    l.provider_name,
                    rating.name(),
                    day.format("%-d %B %Y")
                ),
            })
        })
        .collect();
    let ids: Vec<LocationId> = services.iter().map(|l| l.id.clone()).collect();
    let plans = state.store.plans_in(&ids).await.map_err(|e| WebError::from_store(e, String::new))?;
    let names: std::collections::HashMap<&LocationId, &str> =
        services.iter().map(|l| (&l.id, l.name.as_str())).collect();
    for plan in &plans {
        let Some(publication) = &plan.publication else { continue };
        let name = names.get(&plan.location_id).copied().unwrap_or_default();
        entries.push(plan_entry(&plan.location_id, name, plan.id, &plan.title, publication));
    }
    let stories = state
        .store
        .published_stories_in(&ids, ENTRIES as u32)
        .await
        .map_err(|e| WebError::from_store(e, String::new))?;
    for (id, story) in &stories {
        entries.extend(story_entries(id, names.get(id).copied(), story));
    }
    let path = format!("/areas/{}/feed.atom", path_segment(&area.local_authority));
    let page = format!("/locations?local_authority={}", path_segment(&area.local_authority));
    Ok(atom(
        state.config.public_url(),
        &path,
        &format!("Care services in {}: ratings, what people say and improvement", area.local_authority),
        &page,
        entries,
    ))
}
