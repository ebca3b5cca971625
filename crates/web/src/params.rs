//! The directory's query string, turned into a [`LocationQuery`] at the edge. The
//! HTML page and the JSON API share this one parser so they accept exactly the
//! same filters and refuse exactly the same mistakes.
//!
//! Unknown query parameters are ignored rather than refused: links shared with
//! tracking or future parameters attached should still work. A known parameter
//! with a malformed value is always refused with a message naming the field.

use candour_domain::people::Verdict;
use candour_domain::{ParseError, Postcode, ProviderId, Rating, Region, ServiceKind, non_blank};
use candour_store::{LocationQuery, LocationSort, RatingFilter};
use serde::{Deserialize, Serialize};

/// Longest text accepted in a free-text filter; longer input is a mistake or abuse.
const MAX_TEXT_LEN: usize = 100;
/// Highest page number accepted, which keeps the store's offsets well inside `u32`.
const MAX_PAGE: u32 = 1_000_000;
/// The rating filter value that asks for locations without a current overall rating.
pub const NOT_RATED: &str = "not_rated";

/// The raw query string of the directory, exactly as typed. Every field is text so
/// that any value can be shown back to the person alongside its error.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Part of the service's or its provider's name.
    pub name: Option<String>,
    /// A postcode or the start of one.
    pub postcode: Option<String>,
    /// A local authority, as the register names it.
    pub local_authority: Option<String>,
    /// A region of England, like `london` or `north_east`.
    pub region: Option<String>,
    /// A kind of service, like `care_home`, `nursing_home` or `home_care`.
    pub service: Option<String>,
    /// The overall rating: `outstanding`, `good`, `requires_improvement`, `inadequate` or `not_rated`.
    pub rating: Option<String>,
    /// A specialism, like `dementia`.
    pub specialism: Option<String>,
    /// A provider ID.
    pub provider: Option<String>,
    /// What people say against similar services: `better`, `about_the_same`, `worse` or `not_enough_responses`.
    pub people_verdict: Option<String>,
    /// A postcode, the start of one or a town, to measure distances from.
    pub near: Option<String>,
    /// `true` to include services no longer registered.
    pub include_deregistered: Option<String>,
    /// `name`, `rating_best`, `rating_worst`, `beds`, `recently_rated`, `people_rating` or `distance` (with `near`).
    pub sort: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
    /// Services a page, up to 100.
    pub per_page: Option<String>,
}

/// One refused value: which parameter, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Every refused value in a query, in the order the form shows the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub(crate) fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl DirectoryParams {
    /// Checks every parameter and builds the store query, or lists every problem.
    /// Empty parameters (`?name=&region=`) mean "no filter".
    pub fn validate(self) -> Result<LocationQuery, FieldErrors> {
        let mut errors = FieldErrors::default();
        let defaults = LocationQuery::default();
        let query = LocationQuery {
            name: field(&mut errors, "name", &self.name, |v| free_text("Name", v)),
            postcode: field(&mut errors, "postcode", &self.postcode, postcode_prefix),
            local_authority: field(&mut errors, "local_authority", &self.local_authority, |v| {
                free_text("Local authority", v)
            }),
            region: field(&mut errors, "region", &self.region, |v| Region::parse(v).map_err(explain)),
            service: field(&mut errors, "service", &self.service, |v| ServiceKind::parse(v).map_err(explain)),
            rating: field(&mut errors, "rating", &self.rating, rating_filter),
            specialism: field(&mut errors, "specialism", &self.specialism, |v| free_text("Specialism", v)),
            provider: field(&mut errors, "provider", &self.provider, |v| ProviderId::parse(v).map_err(explain)),
            people_verdict: field(&mut errors, "people_verdict", &self.people_verdict, people_verdict),
            standings: None,
            near: None,
            include_deregistered: field(&mut errors, "include_deregistered", &self.include_deregistered, yes_no)
                .unwrap_or(false),
            sort: field(&mut errors, "sort", &self.sort, sort).unwrap_or(defaults.sort),
            page: field(&mut errors, "page", &self.page, page_number).unwrap_or(defaults.page),
            per_page: field(&mut errors, "per_page", &self.per_page, per_page).unwrap_or(defaults.per_page),
        };
        if errors.is_empty() { Ok(query) } else { Err(errors) }
    }

    /// The query string of a validated query, without empty or default values, for
    /// links that keep the filters (pagination, "browse by region").
    pub fn canonical(query: &LocationQuery) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut pair = |key: &str, value: Option<&str>| {
            if let Some(v) = value {
                out.append_pair(key, v);
            }
        };
        pair("name", query.name.as_deref());
        pair("postcode", query.postcode.as_deref());
        pair("local_authority", query.local_authority.as_deref());
        pair("region", query.region.map(Region::code));
        pair("service", query.service.map(ServiceKind::code));
        pair("rating", query.rating.map(rating_code));
        pair("specialism", query.specialism.as_deref());
        pair("provider", query.provider.as_ref().map(ProviderId::as_str));
        pair("people_verdict", query.people_verdict.map(Verdict::code));
        pair("near", query.near.as_ref().map(|p| p.name.as_str()));
        pair("include_deregistered", query.include_deregistered.then_some("yes"));
        let defaults = LocationQuery::default();
        pair("sort", (query.sort != defaults.sort).then(|| query.sort.code()));
        let per_page = query.per_page.to_string();
        pair("per_page", (query.per_page != defaults.per_page).then_some(per_page.as_str()));
        out.finish()
    }
}

/// The code a rating filter has in URLs.
pub fn rating_code(filter: RatingFilter) -> &'static str {
    match filter {
        RatingFilter::Rated(r) => r.code(),
        RatingFilter::NotRated => NOT_RATED,
    }
}

/// Parses one optional parameter, recording its error. Blank means absent.
fn field<T>(
    errors: &mut FieldErrors,
    name: &'static str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let value = raw.as_deref().and_then(non_blank)?;
    parse(value).map_err(|message| errors.push(name, message)).ok()
}

/// Turns a domain parse error into a sentence for the person who typed the value.
fn explain(err: ParseError) -> String {
    let text = err.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn free_text(label: &str, value: &str) -> Result<String, String> {
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(format!("{label} must be {MAX_TEXT_LEN} characters or fewer"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{label} must not contain control characters"));
    }
    Ok(value.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn postcode_prefix(value: &str) -> Result<String, String> {
    Postcode::normalise_prefix(value).ok_or_else(|| {
        format!("Postcode {value:?} is not valid: enter a postcode or the start of one, using only letters and numbers, like LS1 or LS1 4AP")
    })
}

fn rating_filter(value: &str) -> Result<RatingFilter, String> {
    if value.trim().eq_ignore_ascii_case(NOT_RATED) {
        return Ok(RatingFilter::NotRated);
    }
    Rating::parse(value).map(RatingFilter::Rated).map_err(|_| {
        format!(
            "Rating {value:?} is not valid: expected outstanding, good, requires_improvement, inadequate or {NOT_RATED}"
        )
    })
}

fn yes_no(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Ok(true),
        "no" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("Include deregistered {value:?} is not valid: expected yes or no")),
    }
}

fn sort(value: &str) -> Result<LocationSort, String> {
    LocationSort::parse(value).ok_or_else(|| {
        let codes: Vec<&str> = LocationSort::ALL.iter().map(|s| s.code()).collect();
        format!("Sort {value:?} is not valid: expected one of {}", codes.join(", "))
    })
}

fn people_verdict(value: &str) -> Result<Verdict, String> {
    Verdict::parse(value).ok_or_else(|| {
        let codes: Vec<&str> = Verdict::ALL.iter().map(|v| v.code()).collect();
        format!("What people say {value:?} is not valid: expected one of {}", codes.join(", "))
    })
}

fn page_number(value: &str) -> Result<u32, String> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(format!("Page {value:?} is not valid: enter a whole number from 1 to {MAX_PAGE}")),
    }
}

fn per_page(value: &str) -> Result<u32, String> {
    let max = LocationQuery::MAX_PER_PAGE;
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("Results per page {value:?} is not valid: enter a whole number from 1 to {max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> DirectoryParams {
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        parse_query(&query)
    }

    fn parse_query(query: &str) -> DirectoryParams {
        serde_urlencoded::from_str(query).expect("all fields are optional strings")
    }

    #[test]
    fn empty_values_mean_no_filter() {
        let q = params(&[("name", ""), ("region", " "), ("page", "")]).validate().unwrap();
        assert_eq!(q, LocationQuery::default());
    }

    #[test]
    fn values_become_domain_types() {
        let q = params(&[
            ("name", "  Rose   Court "),
            ("postcode", "ls1 4ap"),
            ("region", "North West"),
            ("service", "homecare"),
            ("rating", "requires_improvement"),
            ("sort", "beds"),
            ("page", "3"),
            ("per_page", "100"),
            ("include_deregistered", "yes"),
        ])
        .validate()
        .unwrap();
        assert_eq!(q.name.as_deref(), Some("Rose Court"));
        assert_eq!(q.postcode.as_deref(), Some("LS1 4AP"));
        assert_eq!(q.region, Some(Region::NorthWest));
        assert_eq!(q.service, Some(ServiceKind::Homecare));
        assert_eq!(q.rating, Some(RatingFilter::Rated(Rating::RequiresImprovement)));
        assert_eq!(q.sort, LocationSort::Beds);
        assert_eq!((q.page, q.per_page), (3, 100));
        assert!(q.include_deregistered);
        assert_eq!(params(&[("rating", "not_rated")]).validate().unwrap().rating, Some(RatingFilter::NotRated));
    }

    #[test]
    fn every_bad_value_is_reported_against_its_field() {
        let errors = params(&[
            ("region", "wales"),
            ("page", "0"),
            ("per_page", "1000"),
            ("sort", "cheapest"),
            ("postcode", "LS1 %$"),
            ("rating", "fine"),
            ("service", "hospital"),
            ("provider", "abc"),
        ])
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["postcode", "region", "service", "rating", "provider", "sort", "page", "per_page"]);
        assert!(errors.for_field("region").unwrap().contains("\"wales\""));
        assert!(errors.for_field("page").unwrap().contains("whole number"));
        assert!(errors.for_field("sort").unwrap().contains("rating_best"));
    }

    #[test]
    fn numbers_must_be_whole_and_in_range() {
        for bad in ["abc", "-1", "1.5", "0", "1000001"] {
            assert!(params(&[("page", bad)]).validate().is_err(), "page={bad}");
        }
        for bad in ["0", "101", "x"] {
            assert!(params(&[("per_page", bad)]).validate().is_err(), "per_page={bad}");
        }
    }

    #[test]
    fn overlong_text_is_refused() {
        let long = "a".repeat(101);
        let errors = params(&[("name", &long)]).validate().unwrap_err();
        assert_eq!(errors.first().unwrap().field, "name");
    }

    #[test]
    fn canonical_query_round_trips_and_omits_defaults() {
        let q = params(&[("name", "Rose & Crown"), ("region", "london"), ("rating", "not_rated"), ("page", "2")])
            .validate()
            .unwrap();
        let canonical = DirectoryParams::canonical(&q);
        assert_eq!(canonical, "name=Rose+%26+Crown&region=london&rating=not_rated");
        let again = parse_query(&canonical).validate().unwrap();
        assert_eq!(again, LocationQuery { page: 1, ..q });
    }
}
