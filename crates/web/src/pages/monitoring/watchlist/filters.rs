//! The watchlist's query string: filters, sort and page. It is read from the raw
//! query (a band may be given several times), checked against what the caller can
//! see, applied to the watchlist's rows, and written back for links that keep it.
//!
//! Unknown parameters are ignored, so shared links with extra parameters still
//! work; a known parameter with a value that cannot be right is refused, with a
//! message for its field.

use std::collections::BTreeMap;

use candour_domain::{ParseError, Region, ServiceKind, non_blank};
use candour_monitor::Watched;

use crate::forms::FormErrors;

/// Rows per page.
pub const PER_PAGE: usize = 50;
/// Longest name search accepted; longer input is a mistake or abuse.
const MAX_TEXT_LEN: usize = 100;
const MAX_PAGE: u32 = 100_000;
/// Bands run from 1 (look first) to 6.
pub const BANDS: std::ops::RangeInclusive<u8> = 1..=6;

/// The orders the watchlist can be read in; each runs one way only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Band 1 first, then the highest score: the watchlist's own order.
    #[default]
    Band,
    /// Highest score first.
    Score,
    /// By the service's name, A to Z.
    Name,
    /// The longest since inspection first; never inspected before all.
    Inspection,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Band, Sort::Score, Sort::Name, Sort::Inspection];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Band => "band",
            Sort::Score => "score",
            Sort::Name => "name",
            Sort::Inspection => "inspection",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Band => "Band, band 1 first",
            Sort::Score => "Score, highest first",
            Sort::Name => "Name, A to Z",
            Sort::Inspection => "Last inspection, oldest first",
        }
    }

    /// The direction of the order, as `aria-sort` names it.
    pub fn direction(self) -> &'static str {
        match self {
            Sort::Score => "descending",
            Sort::Band | Sort::Name | Sort::Inspection => "ascending",
        }
    }

    fn parse(value: &str) -> Result<Sort, String> {
        let key = value.trim().to_lowercase();
        Sort::ALL
            .into_iter()
            .find(|s| s.code() == key)
            .ok_or_else(|| format!("Sort {value:?} is not valid: expected band, score, name or inspection"))
    }
}

/// What narrows the watchlist. Names are held as the register spells them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub name: Option<String>,
    pub local_authority: Option<String>,
    pub region: Option<Region>,
    pub service: Option<ServiceKind>,
    pub specialism: Option<String>,
    /// Empty: every band. Sorted, each once.
    pub bands: Vec<u8>,
}

impl Filters {
    pub fn admits(&self, row: &Watched<'_>) -> bool {
        let facts = row.facts;
        let same = |wanted: &Option<String>, value: Option<&str>| {
            wanted.as_ref().is_none_or(|w| value.is_some_and(|v| v.eq_ignore_ascii_case(w)))
        };
        same(&self.local_authority, facts.local_authority.as_deref())
            && self.region.is_none_or(|r| facts.region == Some(r))
            && self.service.is_none_or(|k| facts.kind == k)
            && (self.bands.is_empty() || self.bands.contains(&row.entry.band))
            && self.specialism.as_ref().is_none_or(|s| facts.specialisms.iter().any(|x| x.eq_ignore_ascii_case(s)))
            && self.name.as_ref().is_none_or(|n| facts.name.to_lowercase().contains(&n.to_lowercase()))
    }
}

/// A checked query.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchQuery {
    pub filters: Filters,
    pub sort: Sort,
    pub page: u32,
}

impl Default for WatchQuery {
    fn default() -> Self {
        WatchQuery { filters: Filters::default(), sort: Sort::default(), page: 1 }
    }
}

impl WatchQuery {
    /// The rows that pass the filters, in the chosen order. `rows` come in
    /// watchlist order, which breaks every tie.
    pub fn select<'a>(&self, rows: &[Watched<'a>]) -> Vec<Watched<'a>> {
        let mut chosen: Vec<Watched<'a>> = rows.iter().filter(|row| self.filters.admits(row)).copied().collect();
        match self.sort {
            Sort::Band => {}
            Sort::Score => chosen.sort_by(|a, b| score(b).total_cmp(&score(a))),
            Sort::Name => chosen.sort_by_cached_key(|row| row.facts.name.to_lowercase()),
            // `None` (never inspected) sorts before every date.
            Sort::Inspection => chosen.sort_by_key(|row| row.facts.last_inspection),
        }
        chosen
    }

    /// The query string of the filters and sort, without defaults or the page.
    pub fn canonical(&self) -> String {
        self.canonical_with(self.sort)
    }

    /// The same filters in another order (the table's sort links).
    pub fn canonical_with(&self, sort: Sort) -> String {
        let f = &self.filters;
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut pair = |key: &str, value: Option<&str>| {
            if let Some(v) = value {
                out.append_pair(key, v);
            }
        };
        pair("name", f.name.as_deref());
        pair("local_authority", f.local_authority.as_deref());
        pair("region", f.region.map(Region::code));
        pair("service", f.service.map(ServiceKind::code));
        pair("specialism", f.specialism.as_deref());
        for band in &f.bands {
            pair("band", Some(&band.to_string()));
        }
        pair("sort", (sort != Sort::default()).then(|| sort.code()));
        out.finish()
    }
}

/// Scores sort with "no data" below every score.
fn score(row: &Watched<'_>) -> f64 {
    row.entry.score.unwrap_or(-1.0)
}

/// What the filters may choose from, drawn only from the services the caller can
/// see, so that no list names another tenant's place or service.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub local_authorities: Vec<String>,
    pub specialisms: Vec<String>,
}

impl Choices {
    pub fn of(rows: &[Watched<'_>]) -> Choices {
        let mut local_authorities = BTreeMap::new();
        let mut specialisms = BTreeMap::new();
        for facts in rows.iter().map(|row| row.facts) {
            if let Some(la) = &facts.local_authority {
                local_authorities.entry(la.to_lowercase()).or_insert_with(|| la.clone());
            }
            for s in &facts.specialisms {
                specialisms.entry(s.to_lowercase()).or_insert_with(|| s.clone());
            }
        }
        Choices {
            local_authorities: local_authorities.into_values().collect(),
            specialisms: specialisms.into_values().collect(),
        }
    }
}

/// The query as typed, every value kept to show back in the form.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    pairs: Vec<(String, String)>,
}

impl Raw {
    pub fn parse(query: Option<&str>) -> Raw {
        Raw { pairs: crate::forms::pairs(query.unwrap_or("").as_bytes()) }
    }

    /// The first value given for `key`, trimmed; empty when absent.
    pub fn get(&self, key: &str) -> &str {
        crate::forms::value(&self.pairs, key)
    }

    /// The first value given for `key`, unless it is blank.
    pub fn chosen(&self, key: &str) -> Option<&str> {
        non_blank(self.get(key))
    }

    /// Every non-blank value given for `key`.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().filter(move |(k, _)| k == key).filter_map(|(_, v)| non_blank(v))
    }

    /// Checks every parameter, or lists every problem against its field in the
    /// order the form shows them. Blank values mean "no filter".
    pub fn validate(&self, choices: &Choices) -> Result<WatchQuery, FormErrors> {
        let mut errors = FormErrors::default();
        let filters = Filters {
            name: self.field(&mut errors, "name", name_search),
            local_authority: self.field(&mut errors, "local_authority", |v| {
                one_of(&choices.local_authorities, v).ok_or_else(|| {
                    format!("Local authority {v:?} is not one whose services you can see: choose one from the list")
                })
            }),
            region: self.field(&mut errors, "region", |v| Region::parse(v).map_err(sentence)),
            service: self.field(&mut errors, "service", |v| ServiceKind::parse(v).map_err(sentence)),
            specialism: self.field(&mut errors, "specialism", |v| {
                one_of(&choices.specialisms, v).ok_or_else(|| {
                    format!("Specialism {v:?} is not one of the services you can see: choose one from the list")
                })
            }),
            bands: self.bands(&mut errors),
        };
        let sort = self.field(&mut errors, "sort", Sort::parse).unwrap_or_default();
        let page = self.field(&mut errors, "page", page_number).unwrap_or(1);
        if errors.is_empty() { Ok(WatchQuery { filters, sort, page }) } else { Err(errors) }
    }

    fn field<T>(
        &self,
        errors: &mut FormErrors,
        key: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.chosen(key)?;
        parse(value).map_err(|message| errors.add(key, message)).ok()
    }

    fn bands(&self, errors: &mut FormErrors) -> Vec<u8> {
        let mut bands = Vec::new();
        for value in self.all("band") {
            match value.parse::<u8>() {
                Ok(band) if BANDS.contains(&band) => bands.push(band),
                _ => {
                    errors.add("band", format!("Band {value:?} is not valid: choose bands from 1 to 6"));
                    return Vec::new();
                }
            }
        }
        bands.sort_unstable();
        bands.dedup();
        bands
    }
}

/// The register's spelling of `value` among `options`, ignoring case.
fn one_of(options: &[String], value: &str) -> Option<String> {
    options.iter().find(|o| o.eq_ignore_ascii_case(value)).cloned()
}

fn name_search(value: &str) -> Result<String, String> {
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(format!("Name must be {MAX_TEXT_LEN} characters or fewer"));
    }
    if value.chars().any(char::is_control) {
        return Err("Name must not contain control characters".to_string());
    }
    Ok(value.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn page_number(value: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(format!("Page {value:?} is not valid: enter a whole number from 1 to {MAX_PAGE}")),
    }
}

/// A domain parse error as a sentence for the person who typed the value.
fn sentence(err: ParseError) -> String {
    let text = err.to_string();
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Choices {
        Choices {
            local_authorities: vec!["Leeds".into(), "Tower Hamlets".into()],
            specialisms: vec!["Dementia".into()],
        }
    }

    fn query(text: &str) -> Result<WatchQuery, FormErrors> {
        Raw::parse(Some(text)).validate(&choices())
    }

    #[test]
    fn blank_values_mean_no_filter() {
        assert_eq!(query("name=&region=+&band=&page=").unwrap(), WatchQuery::default());
        assert_eq!(Raw::parse(None).validate(&choices()).unwrap(), WatchQuery::default());
    }

    #[test]
    fn values_take_the_registers_spelling_and_bands_repeat() {
        let q = query(
            "local_authority=tower+hamlets&region=North+West&service=homecare&specialism=DEMENTIA\
                       &band=3&band=1&band=3&sort=inspection&page=2&name=+Rose++Court+",
        )
        .unwrap();
        assert_eq!(q.filters.local_authority.as_deref(), Some("Tower Hamlets"));
        assert_eq!(q.filters.region, Some(Region::NorthWest));
        assert_eq!(q.filters.service, Some(ServiceKind::Homecare));
        assert_eq!(q.filters.specialism.as_deref(), Some("Dementia"));
        assert_eq!(q.filters.bands, [1, 3]);
        assert_eq!(q.filters.name.as_deref(), Some("Rose Court"));
        assert_eq!((q.sort, q.page), (Sort::Inspection, 2));
        assert_eq!(
            q.canonical(),
            "name=Rose+Court&local_authority=Tower+Hamlets&region=north_west&service=homecare&specialism=Dementia\
             &band=1&band=3&sort=inspection"
        );
        assert_eq!(q.canonical_with(Sort::Band), q.canonical().replace("&sort=inspection", ""));
    }

    #[test]
    fn every_bad_value_is_reported_against_its_field() {
        let errors = query(
            "band=7&page=0&sort=cheapest&region=wales&service=hospital&local_authority=Camden\
                            &specialism=Gardening&name=a%07b",
        )
        .unwrap_err();
        let links: Vec<String> = errors.links().into_iter().map(|l| format!("{} {}", l.href, l.message)).collect();
        assert_eq!(
            links,
            [
                "#name Name must not contain control characters",
                "#local_authority Local authority \"Camden\" is not one whose services you can see: choose one from the list",
                "#region Region \"wales\" is not valid: expected one of England's nine regions, like \"North West\"",
                "#service Service type \"hospital\" is not valid: expected one of care_home_nursing, care_home, homecare, \
                 supported_living, extra_care_housing, shared_lives, other",
                "#specialism Specialism \"Gardening\" is not one of the services you can see: choose one from the list",
                "#band Band \"7\" is not valid: choose bands from 1 to 6",
                "#sort Sort \"cheapest\" is not valid: expected band, score, name or inspection",
                "#page Page \"0\" is not valid: enter a whole number from 1 to 100000",
            ]
        );
        for bad in ["band=0", "band=x", "band=1.5", "page=-1", "page=100001", "page=two"] {
            assert!(query(bad).is_err(), "{bad}");
        }
        assert!(query(&format!("name={}", "a".repeat(101))).is_err());
    }
}
