//! What the good-practice pages and the API both say: a statement's title, and the
//! search read from a query string.

use candour_app::practice::RawSearch;
use candour_domain::practice::QualityStatement;
use candour_engine::{Framework, StatementId};

use crate::forms::{pairs, value};

/// "S3 Safeguarding": a statement's ID and its title in the framework.
pub(crate) fn statement_label(s: QualityStatement) -> String {
    match statement_title(s) {
        Some(title) => format!("{} {title}", s.code()),
        None => s.code().to_string(),
    }
}

pub(crate) fn statement_title(s: QualityStatement) -> Option<String> {
    let id = StatementId::parse(s.code()).ok()?;
    Framework::current().ok()?.statement(id).map(|st| st.title.clone())
}

/// The search as asked in a query string (`q`, `theme`, `statement`, `page`).
pub(crate) fn read_search(query: Option<&str>) -> RawSearch {
    let pairs = pairs(query.unwrap_or_default().as_bytes());
    let get = |key: &str| value(&pairs, key).to_string();
    RawSearch { text: get("q"), theme: get("theme"), statement: get("statement"), page: get("page") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::practice::Theme;
    use candour_store::PracticeQuery;

    #[test]
    fn every_framework_statement_can_be_chosen_with_its_title() {
        let framework = Framework::current().expect("the framework");
        let codes: Vec<String> = framework.statements().map(|s| s.id.to_string()).collect();
        let ours: Vec<String> = QualityStatement::all().map(|s| s.code().to_string()).collect();
        assert_eq!(codes.len(), ours.len());
        for code in &codes {
            assert!(ours.contains(code), "{code} is missing from the domain's list");
        }
        assert_eq!(statement_label(QualityStatement::parse("S3").unwrap()), "S3 Safeguarding");
    }

    #[test]
    fn searches_are_checked_field_by_field() {
        let raw = read_search(Some("q=100%25&theme=dementia&statement=w3&page=2"));
        let q = raw.parse(10).expect("valid");
        assert_eq!(q.text.as_deref(), Some("100%"));
        assert_eq!((q.theme, q.statement.map(|s| s.code()), q.page), (Some(Theme::Dementia), Some("W3"), 2));
        let bad = read_search(Some("theme=gardening&statement=S99&page=0")).parse(10).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.field).collect();
        assert!(fields.contains(&"theme") && fields.contains(&"statement") && fields.contains(&"page"));
        assert_eq!(read_search(None).parse(10).unwrap(), PracticeQuery { per_page: 10, ..Default::default() });
    }
}
