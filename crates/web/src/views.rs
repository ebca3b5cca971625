//! Small pieces of presentation shared by the pages: how a rating, a date, a
//! link or a list is written. Templates get ready-made text so they stay simple.

use candour_domain::people::PeopleStanding;
use candour_domain::{Rating, Region, ServiceKind};
use candour_store::LocationSummary;
use chrono::NaiveDate;

/// A rating as a labelled tag. The words carry the meaning; the colour (chosen
/// by `modifier` in the stylesheet) only repeats it.
#[derive(Debug, Clone)]
pub struct RatingTag {
    pub label: &'static str,
    pub modifier: &'static str,
}

impl RatingTag {
    pub fn of(rating: Option<Rating>) -> Self {
        match rating {
            Some(r) => RatingTag { label: r.name(), modifier: r.code() },
            None => RatingTag { label: "Not yet rated", modifier: "not_rated" },
        }
    }

    /// For a key question without a rating, where "Not yet rated" would mislead.
    pub fn of_key_question(rating: Option<Rating>) -> Self {
        match rating {
            Some(r) => RatingTag::of(Some(r)),
            None => RatingTag { label: "No rating", modifier: "not_rated" },
        }
    }
}

/// A date as people in the UK write it: "3 March 2024".
/// Today (UTC): what deadlines, due dates and months are judged against.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// "November 2026".
pub fn month_name(month: candour_domain::returns::Month) -> String {
    month.first_day().format("%B %Y").to_string()
}

pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

pub fn optional_date(date: Option<NaiveDate>) -> String {
    date.map(long_date).unwrap_or_else(|| "Not known".to_string())
}

pub fn yes_no_unknown(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known",
    }
}

pub fn location_href(id: &str) -> String {
    format!("/locations/{id}")
}

pub fn provider_href(id: &str) -> String {
    format!("/providers/{id}")
}

pub fn service_names(kinds: &[ServiceKind]) -> String {
    if kinds.is_empty() {
        return "Not known".to_string();
    }
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// "1 location" / "24 locations".
pub fn count_of(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 { format!("1 {singular}") } else { format!("{} {plural}", thousands(n)) }
}

/// 30000 → "30,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A website from the register as a safe link target: only http(s), and a bare
/// domain gets `https://`. Anything else is shown as text, never linked.
pub fn safe_website(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let lower = trimmed.to_lowercase();
    let url = if lower.starts_with("https://") || lower.starts_with("http://") {
        trimmed.to_string()
    } else if lower.contains("://") || lower.contains(':') {
        return None;
    } else {
        format!("https://{trimmed}")
    };
    let host = url.split("://").nth(1).unwrap_or("").split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = host.contains('.') && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let no_spaces = !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    (host_ok && no_spaces).then_some(url)
}

/// A phone number as a `tel:` link, keeping only digits and a leading `+`.
pub fn tel_href(raw: &str) -> Option<String> {
    let digits: String = raw
        .trim()
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect();
    (digits.len() >= 6).then(|| format!("tel:{digits}"))
}

/// One line of a summary list: a label, its value and, where useful, a link.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: &'static str,
    pub value: String,
    pub href: Option<String>,
}

impl Row {
    pub fn text(key: &'static str, value: impl Into<String>) -> Self {
        Row { key, value: value.into(), href: None }
    }

    pub fn link(key: &'static str, value: impl Into<String>, href: Option<String>) -> Self {
        Row { key, value: value.into(), href }
    }
}

/// A location as a line of a list or table.
#[derive(Debug, Clone)]
pub struct SummaryView {
    pub id: String,
    pub href: String,
    pub name: String,
    pub place: String,
    pub services: String,
    /// Only care homes have beds.
    pub beds: Option<String>,
    pub rating: RatingTag,
    pub rated_on: String,
    pub provider_name: String,
    pub provider_href: String,
    pub registered: bool,
    /// What people say, when the search had the people's standings.
    pub people: Option<PeopleTag>,
    /// "2.4 miles away", when the search had a place.
    pub miles: Option<String>,
}

/// The people's verdict as a tag, styled apart from the regulator's ratings.
#[derive(Debug, Clone)]
pub struct PeopleTag {
    pub label: &'static str,
    pub modifier: &'static str,
    /// "n = 42", when there were enough answers.
    pub n: Option<String>,
}

impl PeopleTag {
    pub fn of(standing: &PeopleStanding) -> Self {
        PeopleTag {
            label: standing.verdict.label(),
            modifier: crate::pages::register::people_modifier(standing.verdict),
            n: standing.n.map(|n| format!("n = {n}")),
        }
    }
}

impl SummaryView {
    pub fn of(s: &LocationSummary) -> Self {
        let place = [s.town.as_deref(), s.postcode.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
        SummaryView {
            id: s.id.as_str().to_string(),
            href: location_href(s.id.as_str()),
            name: s.name.clone(),
            place: if place.is_empty() { "Not known".to_string() } else { place },
            services: service_names(&s.service_kinds),
            beds: s.care_home.then(|| beds_text(s.beds)),
            rating: RatingTag::of(s.overall),
            rated_on: s.rated_on.map(long_date).unwrap_or_default(),
            provider_name: s.provider_name.clone(),
            provider_href: provider_href(s.provider_id.as_str()),
            registered: s.registered,
            people: s.people.as_ref().map(PeopleTag::of),
            miles: s.miles.map(miles_away),
        }
    }
}

/// "0.4 miles away", "12 miles away".
pub fn miles_away(miles: f64) -> String {
    if miles < 10.0 { format!("{miles:.1} miles away") } else { format!("{miles:.0} miles away") }
}

pub fn beds_text(beds: Option<u32>) -> String {
    match beds {
        Some(n) => count_of(u64::from(n), "bed", "beds"),
        None => "Number of beds not known".to_string(),
    }
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectOption {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: Option<&str>) -> Self {
        let value = value.into();
        let selected = current.is_some_and(|c| c.trim().eq_ignore_ascii_case(&value));
        SelectOption { value, label: label.into(), selected }
    }
}

/// "Any …" first, then the given options.
pub fn select(
    any_label: &str,
    options: impl IntoIterator<Item = (String, String)>,
    current: Option<&str>,
) -> Vec<SelectOption> {
    let current = current.map(str::trim).filter(|c| !c.is_empty());
    let any = SelectOption { value: String::new(), label: any_label.to_string(), selected: current.is_none() };
    std::iter::once(any)
        .chain(options.into_iter().map(|(value, label)| SelectOption::new(value, label, current)))
        .collect()
}

pub fn region_options(current: Option<&str>) -> Vec<SelectOption> {
    let current_code = current.and_then(|c| Region::parse(c).ok()).map(Region::code).or(current);
    select("Any region", Region::ALL.map(|r| (r.code().to_string(), r.name().to_string())), current_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_linked_only_when_safe() {
        assert_eq!(safe_website("www.example.org").as_deref(), Some("https://www.example.org"));
        assert_eq!(safe_website("http://example.org/care").as_deref(), Some("http://example.org/care"));
        assert_eq!(safe_website("javascript:alert(1)"), None);
        assert_eq!(safe_website("data:text/html,x"), None);
        assert_eq!(safe_website("not a website"), None);
        assert_eq!(safe_website("https://exa mple.org"), None);
    }

    #[test]
    fn phone_links_keep_digits() {
        assert_eq!(tel_href("0113 496 0000").as_deref(), Some("tel:01134960000"));
        assert_eq!(tel_href("+44 (0)113 496 0000").as_deref(), Some("tel:+4401134960000"));
        assert_eq!(tel_href("n/a"), None);
    }

    #[test]
    fn numbers_and_dates_read_naturally() {
        assert_eq!(thousands(30000), "30,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(count_of(1, "bed", "beds"), "1 bed");
        assert_eq!(count_of(2500, "bed", "beds"), "2,500 beds");
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2024, 3, 3).unwrap()), "3 March 2024");
    }

    #[test]
    fn selects_mark_the_current_value() {
        let options = region_options(Some("North West"));
        assert!(!options[0].selected);
        assert!(options.iter().any(|o| o.selected && o.value == "north_west"));
        assert!(region_options(None)[0].selected);
    }
}
