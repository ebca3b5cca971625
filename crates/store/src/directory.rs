//! The directory held in memory: every location's summary, kept sorted by name,
//! with its filter keys packed apart (a few bytes per location, and the names and
//! postcodes each joined into one text) so that a search reads little more than a
//! megabyte, not every summary. A backend answers directory queries from an index
//! it keeps in step with the register (replacing the rows of the locations a
//! change journal names), and the database is not scanned per request.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use candour_domain::people::{PeopleStanding, Verdict};
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use memchr::memmem;

use crate::{
    AreaCount, LocationQuery, LocationSort, LocationSummary, NameCount, Page, Place, RatingFilter, RegisterStats,
    StoreError, StoreResult,
};

/// What a backend loads for each location to build the index.
#[derive(Clone)]
pub struct DirectoryRow {
    pub summary: LocationSummary,
    pub also_known_as: Option<String>,
    pub specialisms: Vec<String>,
    /// Latitude and longitude, from the register.
    pub coordinates: Option<(f64, f64)>,
}

#[derive(Clone)]
struct Entry {
    summary: LocationSummary,
    /// Lower-cased name and also-known-as.
    search_text: String,
    local_authority_key: Option<String>,
    specialisms: Vec<String>,
    /// `specialisms` lower-cased, in the same order.
    specialism_keys: Vec<String>,
    coordinates: Option<(f64, f64)>,
}

/// What a search compares of each entry, packed: local authorities and providers
/// by the numbers the index gives them, service kinds as bits.
#[derive(Clone, Copy)]
struct Keys {
    registered: bool,
    region: Option<Region>,
    overall: Option<Rating>,
    /// One bit per [`ServiceKind`], in the order of `ServiceKind::ALL`.
    kinds: u8,
    local_authority: Option<u32>,
    provider: u32,
}

#[derive(Clone)]
pub struct DirectoryIndex {
    /// Sorted by name (ignoring case), then ID: the default order.
    entries: Vec<Entry>,
    /// In the order of `entries`.
    keys: Vec<Keys>,
    /// Each entry's lower-cased name and also-known-as.
    names: TextColumn,
    postcodes: TextColumn,
    local_authority_numbers: HashMap<String, u32>,
    provider_numbers: HashMap<ProviderId, u32>,
    /// Lower-cased specialisms.
    specialism_numbers: HashMap<String, u32>,
    /// The positions of the entries with each key, in order: a search with exact
    /// filters looks only at the entries of its shortest list.
    postings: HashMap<Posting, Vec<u32>>,
    // Summaries of the whole register, worked out once per build: they are asked
    // for on every directory page.
    local_authorities: Vec<AreaCount>,
    specialisms: Vec<NameCount>,
    stats: RegisterStats,
}

fn kind_bit(kind: ServiceKind) -> u8 {
    1 << ServiceKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Entry {
    fn of(row: DirectoryRow) -> Entry {
        let search_text = match &row.also_known_as {
            Some(aka) => format!("{} {}", row.summary.name, aka).to_lowercase(),
            None => row.summary.name.to_lowercase(),
        };
        Entry {
            local_authority_key: row.summary.local_authority.as_deref().map(str::to_lowercase),
            specialism_keys: row.specialisms.iter().map(|s| s.to_lowercase()).collect(),
            specialisms: row.specialisms,
            coordinates: row.coordinates,
            search_text,
            summary: row.summary,
        }
    }
}

impl DirectoryIndex {
    pub fn new(rows: Vec<DirectoryRow>) -> Self {
        let entries: Vec<Entry> = rows.into_iter().map(Entry::of).collect();
        let mut index = Self {
            entries,
            keys: Vec::new(),
            names: TextColumn::default(),
            postcodes: TextColumn::default(),
            local_authority_numbers: HashMap::new(),
            provider_numbers: HashMap::new(),
            specialism_numbers: HashMap::new(),
            postings: HashMap::new(),
            local_authorities: Vec::new(),
            specialisms: Vec::new(),
            stats: RegisterStats::default(),
        };
        index.sort_and_count();
        index
    }

    /// The rows of the locations `changed` replaced by `rows` (as they now stand; a
    /// location of `changed` without a row is no longer on the register and goes),
    /// then sorted and counted again. The other rows stay as they were.
    pub fn replace(&mut self, changed: &[LocationId], rows: Vec<DirectoryRow>) {
        let changed: std::collections::HashSet<LocationId> =
            changed.iter().chain(rows.iter().map(|r| &r.summary.id)).cloned().collect();
        self.entries.retain(|e| !changed.contains(&e.summary.id));
        self.entries.extend(rows.into_iter().map(Entry::of));
        self.sort_and_count();
    }

    fn sort_and_count(&mut self) {
        self.entries.sort_by_cached_key(|e| (e.summary.name.to_lowercase(), e.summary.id.clone()));
        self.pack();
        self.local_authorities = count_local_authorities(&self.entries);
        self.specialisms = count_specialisms(&self.entries);
        self.stats = count_locations(&self.entries);
    }

    /// The keys and text columns, from the entries in their order.
    fn pack(&mut self) {
        let (mut local_authorities, mut providers) = (HashMap::new(), HashMap::new());
        self.keys = self
            .entries
            .iter()
            .map(|e| {
                let s = &e.summary;
                Keys {
                    registered: s.registered,
                    region: s.region,
                    overall: s.overall,
                    kinds: s.service_kinds.iter().fold(0, |bits, k| bits | kind_bit(*k)),
                    local_authority: e.local_authority_key.as_ref().map(|la| number(&mut local_authorities, la)),
                    provider: number(&mut providers, &s.provider_id),
                }
            })
            .collect();
        self.names = TextColumn::new(self.entries.iter().map(|e| e.search_text.as_str()));
        self.postcodes = TextColumn::new(self.entries.iter().map(|e| e.summary.postcode.as_deref().unwrap_or("")));
        (self.local_authority_numbers, self.provider_numbers) = (local_authorities, providers);
        let mut specialisms = HashMap::new();
        self.postings = HashMap::new();
        for (i, (k, e)) in self.keys.iter().zip(&self.entries).enumerate() {
            let specialisms = e.specialism_keys.iter().map(|key| Posting::Specialism(number(&mut specialisms, key)));
            for posting in Posting::all_of(k).chain(specialisms) {
                let list = self.postings.entry(posting).or_default();
                // An entry listing one specialism twice is listed once.
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        self.specialism_numbers = specialisms;
    }

    /// The positions listed under `posting`; none for an unknown one.
    fn posting(&self, posting: Option<Posting>) -> &[u32] {
        posting.and_then(|p| self.postings.get(&p)).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn search(&self, q: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
        if q.page == 0 || q.per_page == 0 || q.per_page > LocationQuery::MAX_PER_PAGE {
            return Err(StoreError::Invalid(format!(
                "page must be 1 or more and per_page between 1 and {}",
                LocationQuery::MAX_PER_PAGE
            )));
        }
        let filter = Filter::new(q, self);
        // Standings are looked up for every hit only where they filter or sort.
        let by_people = q.people_verdict.is_some() || q.sort == LocationSort::PeopleRating;
        let standing = |e: &Entry| q.standings.as_ref().and_then(|s| s.get(&e.summary.id)).copied();
        let candidates: Box<dyn Iterator<Item = usize>> = match filter.shortest_list(self) {
            Some(positions) => Box::new(positions.iter().map(|&i| i as usize)),
            None => Box::new(0..self.entries.len()),
        };
        let mut hits: Vec<Hit> = candidates
            .filter(|&i| filter.matches(i, &self.keys[i]))
            .map(|i| &self.entries[i])
            .map(|e| Hit {
                entry: e,
                people: if by_people { standing(e) } else { None },
                miles: q.near.as_ref().and_then(|p| p.miles_to(e.coordinates)),
            })
            .collect();
        if let Some(verdict) = q.people_verdict {
            hits.retain(|h| h.people.map_or(Verdict::NotEnoughResponses, |s| s.verdict) == verdict);
        }
        sort(&mut hits, q.sort);
        let start = (q.page as usize - 1).saturating_mul(q.per_page as usize);
        let page = hits.iter().skip(start).take(q.per_page as usize);
        let items = page
            .map(|h| {
                let people = if by_people { h.people } else { standing(h.entry) };
                LocationSummary { people, miles: h.miles, ..h.entry.summary.clone() }
            })
            .collect();
        Ok(Page { items, total: hits.len() as u64, page: q.page, per_page: q.per_page })
    }

    /// Where a postcode, the start of one or a town is: the middle of the registered
    /// services there that have coordinates; `None` when there are none.
    pub fn place(&self, text: &str) -> Option<Place> {
        let typed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let postcode = candour_domain::Postcode::parse(&typed).ok().map(|p| p.as_str().to_string());
        let outward = format!("{} ", typed.to_uppercase());
        let at = |e: &&Entry| match (&postcode, &e.summary.postcode, &e.summary.town) {
            (Some(full), Some(code), _) => code.as_str() == full,
            (None, Some(code), _) if code.starts_with(&outward) => true,
            (None, _, Some(town)) => town.eq_ignore_ascii_case(&typed),
            _ => false,
        };
        let found: Vec<(f64, f64)> =
            self.entries.iter().filter(|e| e.summary.registered).filter(at).filter_map(|e| e.coordinates).collect();
        if found.is_empty() {
            return None;
        }
        let n = found.len() as f64;
        let (lat, lon) = found.iter().fold((0.0, 0.0), |(a, b), (la, lo)| (a + la / n, b + lo / n));
        Some(Place { name: postcode.unwrap_or(typed), latitude: lat, longitude: lon })
    }

    /// Location counts of the register; `providers` and `rating_records` are left
    /// for the backend to fill in.
    pub fn stats(&self) -> RegisterStats {
        self.stats.clone()
    }

    /// Local authorities of registered locations, names differing only in case merged.
    pub fn local_authorities(&self) -> Vec<AreaCount> {
        self.local_authorities.clone()
    }

    /// Specialisms of registered locations with counts, names differing only in case merged.
    pub fn specialisms(&self) -> Vec<NameCount> {
        self.specialisms.clone()
    }
}

fn count_locations(entries: &[Entry]) -> RegisterStats {
    let mut stats = RegisterStats::default();
    let mut by_rating: HashMap<Rating, u64> = HashMap::new();
    for s in entries.iter().map(|e| &e.summary) {
        if !s.registered {
            stats.deregistered_locations += 1;
            continue;
        }
        stats.registered_locations += 1;
        stats.care_homes += u64::from(s.care_home);
        if let Some(r) = s.overall {
            *by_rating.entry(r).or_default() += 1;
        }
    }
    stats.by_rating = Rating::ALL.iter().map(|r| (*r, by_rating.get(r).copied().unwrap_or(0))).collect();
    stats
}

fn count_local_authorities(entries: &[Entry]) -> Vec<AreaCount> {
    let mut areas: HashMap<&str, AreaCount> = HashMap::new();
    for e in entries.iter().filter(|e| e.summary.registered) {
        let (Some(key), Some(name)) = (&e.local_authority_key, &e.summary.local_authority) else {
            continue;
        };
        let area = areas.entry(key).or_insert_with(|| AreaCount {
            local_authority: name.clone(),
            region: e.summary.region,
            locations: 0,
        });
        area.locations += 1;
        area.region = area.region.or(e.summary.region);
    }
    let mut areas: Vec<AreaCount> = areas.into_values().collect();
    areas.sort_by_cached_key(|a| a.local_authority.to_lowercase());
    areas
}

fn count_specialisms(entries: &[Entry]) -> Vec<NameCount> {
    let mut counts: HashMap<&str, NameCount> = HashMap::new();
    for e in entries.iter().filter(|e| e.summary.registered) {
        for (key, name) in e.specialism_keys.iter().zip(&e.specialisms) {
            counts.entry(key).or_insert_with(|| NameCount { name: name.clone(), locations: 0 }).locations += 1;
        }
    }
    let mut names: Vec<NameCount> = counts.into_values().collect();
    names.sort_by_cached_key(|n| n.name.to_lowercase());
    names
}

/// A query with its text filters lower-cased once.
/// A key an entry is listed under in [`DirectoryIndex::postings`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Posting {
    LocalAuthority(u32),
    Provider(u32),
    Region(Region),
    Kind(u8),
    Rating(Rating),
    Specialism(u32),
}

impl Posting {
    fn all_of(k: &Keys) -> impl Iterator<Item = Posting> {
        let kinds = (0..8).map(|bit| 1u8 << bit).filter(|bit| k.kinds & bit != 0).map(Posting::Kind);
        let area = k.local_authority.map(Posting::LocalAuthority);
        let others =
            [area, Some(Posting::Provider(k.provider)), k.region.map(Posting::Region), k.overall.map(Posting::Rating)];
        kinds.chain(others.into_iter().flatten())
    }
}

/// A query resolved against an index: its names as the index numbers them (a
/// name the index does not know matches nothing), its text filters and
/// specialism as the positions of the entries that match.
struct Filter<'q, 'i> {
    q: &'q LocationQuery,
    /// Sorted lists of positions an entry must be in to match.
    lists: Vec<Cow<'i, [u32]>>,
    local_authority: Option<Option<u32>>,
    provider: Option<Option<u32>>,
    kind: Option<u8>,
}

impl<'q, 'i> Filter<'q, 'i> {
    fn new(q: &'q LocationQuery, index: &'i DirectoryIndex) -> Self {
        let local_authority = q.local_authority.as_deref().map(str::to_lowercase);
        let specialism = q.specialism.as_deref().map(|sp| {
            let posting = index.specialism_numbers.get(&sp.to_lowercase()).map(|&n| Posting::Specialism(n));
            Cow::Borrowed(index.posting(posting))
        });
        let names = q.name.as_deref().map(|n| Cow::Owned(index.names.containing(&n.to_lowercase())));
        let postcodes = q.postcode.as_deref().map(|p| Cow::Owned(index.postcodes.starting_with(p)));
        Self {
            q,
            lists: [names, postcodes, specialism].into_iter().flatten().collect(),
            local_authority: local_authority.map(|la| index.local_authority_numbers.get(&la).copied()),
            provider: q.provider.as_ref().map(|p| index.provider_numbers.get(p).copied()),
            kind: q.service.map(kind_bit),
        }
    }

    /// The shortest list of positions the query's filters allow (those of its exact
    /// filters, text filters and specialism); `None` when it has none of them.
    fn shortest_list(&self, index: &'i DirectoryIndex) -> Option<&[u32]> {
        let rating = match self.q.rating {
            Some(RatingFilter::Rated(r)) => Some(Some(Posting::Rating(r))),
            _ => None,
        };
        let wanted = [
            self.local_authority.map(|la| la.map(Posting::LocalAuthority)),
            self.provider.map(|p| p.map(Posting::Provider)),
            self.q.region.map(|r| Some(Posting::Region(r))),
            self.kind.map(|bit| Some(Posting::Kind(bit))),
            rating,
        ];
        let postings = wanted.into_iter().flatten().map(|posting| index.posting(posting));
        postings.chain(self.lists.iter().map(|list| &list[..])).min_by_key(|positions| positions.len())
    }

    /// Whether the entry at `i`, with its keys, matches: packed keys first, so that
    /// most entries are ruled out before a list is searched.
    fn matches(&self, i: usize, k: &Keys) -> bool {
        let q = self.q;
        (q.include_deregistered || k.registered)
            && q.region.is_none_or(|r| k.region == Some(r))
            && self.kind.is_none_or(|bit| k.kinds & bit != 0)
            && self.local_authority.is_none_or(|la| la.is_some() && k.local_authority == la)
            && self.provider.is_none_or(|p| p == Some(k.provider))
            && match q.rating {
                Some(RatingFilter::Rated(r)) => k.overall == Some(r),
                Some(RatingFilter::NotRated) => k.overall.is_none(),
                None => true,
            }
            && self.lists.iter().all(|list| list.binary_search(&(i as u32)).is_ok())
    }
}

/// One text per entry, joined in one string, each after a line break (which
/// the texts themselves never hold), so that a search scans one string once.
#[derive(Clone, Default)]
struct TextColumn {
    text: String,
    /// Where each entry's text starts in `text`.
    starts: Vec<usize>,
}

impl TextColumn {
    fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut column = TextColumn::default();
        for text in texts {
            column.text.push('\n');
            column.starts.push(column.text.len());
            column.text.extend(text.chars().map(|c| if c == '\n' { ' ' } else { c }));
        }
        column
    }

    /// The positions of the entries whose texts contain `needle`, in order.
    fn containing(&self, needle: &str) -> Vec<u32> {
        self.found(needle, 0)
    }

    /// The positions of the entries whose texts start with `prefix`, in order.
    fn starting_with(&self, prefix: &str) -> Vec<u32> {
        self.found(&format!("\n{prefix}"), 1)
    }

    /// The entry of every place `needle` is found, `skip` bytes into the needle.
    fn found(&self, needle: &str, skip: usize) -> Vec<u32> {
        let wanted = &needle[skip..];
        if wanted.is_empty() || wanted.contains('\n') {
            return if wanted.is_empty() { (0..self.starts.len() as u32).collect() } else { Vec::new() };
        }
        let mut found: Vec<u32> = Vec::new();
        for at in memmem::find_iter(self.text.as_bytes(), needle.as_bytes()) {
            // The entry whose text holds the match: the last to start at or before it.
            let entry = (self.starts.partition_point(|&start| start <= at + skip) - 1) as u32;
            if found.last() != Some(&entry) {
                found.push(entry);
            }
        }
        found
    }
}

/// The number `key` has in `numbers`, given the next one if it has none.
fn number<K: std::hash::Hash + Eq + Clone>(numbers: &mut HashMap<K, u32>, key: &K) -> u32 {
    let next = numbers.len() as u32;
    *numbers.entry(key.clone()).or_insert(next)
}

/// An entry found, with what the query adds to it.
struct Hit<'a> {
    entry: &'a Entry,
    people: Option<PeopleStanding>,
    miles: Option<f64>,
}

/// Sorts hits already in name order; stable sorts keep name order among ties,
/// and unrated or unknown values always go last.
fn sort(hits: &mut [Hit], sort: LocationSort) {
    match sort {
        LocationSort::Name => {}
        LocationSort::RatingBest => hits.sort_by_key(|h| (h.entry.summary.overall.is_none(), h.entry.summary.overall)),
        LocationSort::RatingWorst => hits.sort_by_key(|h| {
            let overall = h.entry.summary.overall;
            (overall.is_none(), std::cmp::Reverse(overall))
        }),
        LocationSort::Beds => {
            hits.sort_by_key(|h| (h.entry.summary.beds.is_none(), std::cmp::Reverse(h.entry.summary.beds)))
        }
        LocationSort::RecentlyRated => {
            hits.sort_by_key(|h| (h.entry.summary.rated_on.is_none(), std::cmp::Reverse(h.entry.summary.rated_on)))
        }
        LocationSort::PeopleRating => hits.sort_by(|a, b| people_order(&a.people, &b.people)),
        LocationSort::Distance => hits.sort_by(|a, b| {
            let miles = |h: &Hit| h.miles.unwrap_or(f64::INFINITY);
            miles(a).total_cmp(&miles(b))
        }),
    }
}

/// Better first, then about the same, worse and not enough responses (as services
/// without a standing); within a verdict the higher shrunk outcome score first.
fn people_order(a: &Option<PeopleStanding>, b: &Option<PeopleStanding>) -> Ordering {
    let verdict = |s: &Option<PeopleStanding>| s.map_or(Verdict::NotEnoughResponses, |s| s.verdict);
    let score = |s: &Option<PeopleStanding>| s.and_then(|s| s.score).unwrap_or(f64::NEG_INFINITY);
    verdict(a).cmp(&verdict(b)).then_with(|| score(b).total_cmp(&score(a)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use candour_domain::ProviderId;
    use candour_domain::people::Standings;
    use candour_domain::returns::Month;

    use super::*;

    fn row(id: &str, name: &str) -> DirectoryRow {
        let summary = LocationSummary {
            id: LocationId::parse(id).unwrap(),
            name: name.into(),
            provider_id: ProviderId::parse("1-1").unwrap(),
            provider_name: "Provider".into(),
            town: None,
            postcode: None,
            local_authority: None,
            region: None,
            service_kinds: vec![ServiceKind::CareHome],
            care_home: true,
            beds: Some(20),
            overall: None,
            rated_on: None,
            registered: true,
            registered_manager: None,
            registered_manager_absent_since: None,
            people: None,
            miles: None,
        };
        DirectoryRow { summary, also_known_as: None, specialisms: Vec::new(), coordinates: None }
    }

    /// A service in `town` at `postcode`, at latitude and longitude `at`.
    fn placed(id: &str, town: &str, postcode: &str, at: (f64, f64)) -> DirectoryRow {
        let mut row = row(id, &format!("Home {id}"));
        row.summary.town = Some(town.into());
        row.summary.postcode = Some(postcode.into());
        row.coordinates = Some(at);
        row
    }

    #[test]
    fn a_postcode_its_start_or_a_town_is_found_and_services_sorted_by_distance_from_it() {
        let index = DirectoryIndex::new(vec![
            placed("1-1", "Leeds", "LS1 4AP", (53.80, -1.55)),
            placed("1-2", "Leeds", "LS6 2AA", (53.90, -1.30)),
            placed("1-3", "York", "YO1 7HH", (53.96, -1.08)),
            row("1-4", "Nowhere known"),
        ]);
        let full = index.place("ls14ap").expect("a full postcode");
        assert_eq!((full.name.as_str(), full.latitude, full.longitude), ("LS1 4AP", 53.80, -1.55));
        assert_eq!(index.place("ls6").map(|p| p.latitude), Some(53.90), "the start of one");
        let leeds = index.place(" leeds ").expect("a town");
        assert!((leeds.latitude - 53.85).abs() < 1e-9, "the middle of its services: {leeds:?}");
        assert_eq!(index.place("Atlantis"), None);
        assert_eq!(index.place("LS9 9ZZ"), None, "a postcode with no service");

        let query = LocationQuery {
            near: Some(index.place("York").unwrap()),
            sort: LocationSort::Distance,
            ..LocationQuery::default()
        };
        let found = index.search(&query).unwrap();
        assert_eq!(ids(&found), ["1-3", "1-2", "1-1", "1-4"], "nearest first, unknown last");
        let miles: Vec<Option<f64>> = found.items.iter().map(|s| s.miles.map(|m| m.round())).collect();
        assert_eq!(miles, [Some(0.0), Some(10.0), Some(22.0), None], "York to Leeds is about 22 miles");
    }

    #[test]
    fn text_filters_match_within_one_entry_and_areas_ignore_case() {
        let mut rows = vec![
            placed("1-1", "Leeds", "LS1 4AP", (53.80, -1.55)),
            placed("1-2", "Leeds", "LS10 1AA", (53.78, -1.53)),
            placed("1-3", "York", "YO1 7HH", (53.96, -1.08)),
            row("1-4", "Nowhere known"),
        ];
        rows[0].summary.name = "Oak House".into();
        rows[1].summary.name = "Housemartins Court".into();
        rows[2].summary.name = "Hollyls1".into();
        rows[2].also_known_as = Some("The Old Vicarage".into());
        for (row, area) in rows.iter_mut().zip([Some("Leeds"), Some("LEEDS"), Some("York"), None]) {
            row.summary.local_authority = area.map(Into::into);
        }
        rows[3].summary.registered = false;
        rows[0].specialisms = vec!["Dementia".into(), "dementia".into()];
        rows[1].specialisms = vec!["Dementia".into(), "Physical disabilities".into()];
        rows[2].specialisms = vec!["Mental health conditions".into()];
        let index = DirectoryIndex::new(rows);
        let found = |query: LocationQuery| ids(&index.search(&query).unwrap()).join(" ");
        let named = |name: &str| found(LocationQuery { name: Some(name.into()), ..LocationQuery::default() });
        assert_eq!(named("HOUSE"), "1-2 1-1", "in any case, in name order");
        assert_eq!(named("vicarage"), "1-3", "also known as");
        assert_eq!(named("e\nh"), "", "never across two entries");
        assert_eq!(named("nowhere"), "", "deregistered services are left out");
        let postcode = |p: &str| found(LocationQuery { postcode: Some(p.into()), ..LocationQuery::default() });
        assert_eq!(postcode("LS1"), "1-2 1-1", "the start of a postcode, not the middle of a name");
        assert_eq!(postcode("LS1 4"), "1-1");
        assert_eq!(postcode("S1"), "", "only the start");
        let area = |la: &str| found(LocationQuery { local_authority: Some(la.into()), ..LocationQuery::default() });
        assert_eq!(area("leeds"), "1-2 1-1");
        assert_eq!(area("Atlantis"), "", "an area the register does not know");
        let provider = ProviderId::parse("1-1").unwrap();
        assert_eq!(found(LocationQuery { provider: Some(provider), ..LocationQuery::default() }), "1-3 1-2 1-1");
        let unknown = ProviderId::parse("1-999").unwrap();
        assert_eq!(found(LocationQuery { provider: Some(unknown), ..LocationQuery::default() }), "");
        let specialism = |sp: &str, name: Option<&str>| {
            found(LocationQuery { specialism: Some(sp.into()), name: name.map(Into::into), ..LocationQuery::default() })
        };
        assert_eq!(specialism("DEMENTIA", None), "1-2 1-1", "in any case, each service once");
        assert_eq!(specialism("dementia", Some("oak")), "1-1", "with a name too");
        assert_eq!(specialism("Sensory impairments", None), "", "a specialism nobody has");
    }

    fn standing(verdict: Verdict, score: Option<f64>) -> PeopleStanding {
        let month = Month::new(2026, 11).unwrap();
        PeopleStanding { verdict, n: score.map(|_| 10), score, from: month, to: month }
    }

    fn ids(page: &Page<LocationSummary>) -> Vec<&str> {
        page.items.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn people_verdicts_filter_and_sort_with_the_standings_given() {
        let names = [("1-1", "Alder"), ("1-2", "Birch"), ("1-3", "Cedar"), ("1-4", "Damson"), ("1-5", "Elm")];
        let index = DirectoryIndex::new(names.iter().map(|(id, name)| row(id, name)).collect());
        let mut standings = Standings::new();
        for (id, verdict, score) in [
            ("1-1", Verdict::AboutTheSame, Some(2.0)),
            ("1-2", Verdict::Better, Some(2.6)),
            ("1-3", Verdict::Worse, Some(1.2)),
            ("1-4", Verdict::AboutTheSame, Some(2.2)),
        ] {
            standings.insert(LocationId::parse(id).unwrap(), standing(verdict, score));
        }
        let query = LocationQuery {
            standings: Some(Arc::new(standings)),
            sort: LocationSort::PeopleRating,
            ..LocationQuery::default()
        };
        let sorted = index.search(&query).unwrap();
        assert_eq!(ids(&sorted), ["1-2", "1-4", "1-1", "1-3", "1-5"], "better, the two the same by score, worse, none");
        assert_eq!(sorted.items[0].people.map(|p| p.verdict), Some(Verdict::Better));
        assert_eq!(sorted.items[4].people, None);
        let same =
            LocationQuery { people_verdict: Some(Verdict::AboutTheSame), sort: LocationSort::Name, ..query.clone() };
        assert_eq!(ids(&index.search(&same).unwrap()), ["1-1", "1-4"]);
        let none = LocationQuery { people_verdict: Some(Verdict::NotEnoughResponses), ..query };
        assert_eq!(ids(&index.search(&none).unwrap()), ["1-5"], "no standing is not enough responses");
        let unknown = LocationQuery { people_verdict: Some(Verdict::Better), ..LocationQuery::default() };
        assert!(index.search(&unknown).unwrap().items.is_empty(), "without standings nobody is rated yet");
    }
}
