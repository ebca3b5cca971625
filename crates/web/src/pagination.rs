//! Page links for a paged list, the same on every page that has one (the
//! directory, the watchlist): previous and next, the first and last pages and those
//! either side of the current one, the rest skipped with a gap marked.

pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
    /// Some page numbers were skipped before this one.
    pub gap_before: bool,
}

/// The address of page `number` of `path`, keeping the rest of the query (`base`).
pub fn page_href(path: &str, base: &str, number: u32) -> String {
    match (base.is_empty(), number) {
        (true, 1) => path.to_string(),
        (true, n) => format!("{path}?page={n}"),
        (false, 1) => format!("{path}?{base}"),
        (false, n) => format!("{path}?{base}&page={n}"),
    }
}

pub fn pagination(path: &str, base: &str, current: u32, pages: u32) -> Pagination {
    let previous = (current > 1).then(|| page_href(path, base, (current - 1).min(pages)));
    let next = (current < pages).then(|| page_href(path, base, current + 1));
    let shown = |n: u32| n == 1 || n == pages || n.abs_diff(current) <= 1;
    let mut links = Vec::new();
    let mut last_shown = 0;
    if pages > 1 {
        for n in (1..=pages).filter(|n| shown(*n)) {
            links.push(PageLink {
                number: n,
                href: page_href(path, base, n),
                current: n == current,
                gap_before: n > last_shown + 1,
            });
            last_shown = n;
        }
    }
    Pagination { previous, next, links }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pagination) -> Vec<(u32, bool)> {
        p.links.iter().map(|l| (l.number, l.gap_before)).collect()
    }

    #[test]
    fn pagination_shows_ends_and_neighbours() {
        let p = pagination("/locations", "region=london", 5, 10);
        assert_eq!(numbers(&p), [(1, false), (4, true), (5, false), (6, false), (10, true)]);
        assert_eq!(p.previous.as_deref(), Some("/locations?region=london&page=4"));
        assert_eq!(p.next.as_deref(), Some("/locations?region=london&page=6"));
        assert!(p.links.iter().find(|l| l.current).is_some_and(|l| l.number == 5));
    }

    #[test]
    fn pagination_at_the_edges() {
        let first = pagination("/locations", "", 1, 3);
        assert_eq!(first.previous, None);
        assert_eq!(first.links[0].href, "/locations");
        assert_eq!(numbers(&first), [(1, false), (2, false), (3, false)]);
        let last = pagination("/locations", "", 3, 3);
        assert_eq!(last.next, None);
        let single = pagination("/locations", "", 1, 1);
        assert!(single.links.is_empty() && single.previous.is_none() && single.next.is_none());
        let beyond = pagination("/locations", "", 9, 3);
        assert_eq!(beyond.previous.as_deref(), Some("/locations?page=3"));
        assert_eq!(beyond.next, None);
    }
}
