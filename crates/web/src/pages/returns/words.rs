//! What the returns pages say and link to, shared by the page, the form and
//! the upload.

use std::collections::HashMap;

use candour_app::returns::location_resource;
use candour_domain::returns::Month;
use candour_domain::{LocationId, Principal, UserId};
use candour_store::{LocationDetail, ReturnCounts, ReturnRecord, ReturnSource};

use crate::auth::SignedIn;
use crate::pages::chrome::{Chrome, Crumb};

pub fn returns_href(id: &LocationId) -> String {
    format!("/manage/locations/{id}/returns")
}

pub fn new_href(id: &LocationId, month: Option<Month>) -> String {
    match month {
        Some(m) => format!("{}/new?month={m}", returns_href(id)),
        None => format!("{}/new", returns_href(id)),
    }
}

/// Where the caller goes after a return or a file was saved, with its notice.
pub fn saved_href(id: &LocationId, counts: ReturnCounts, month: Option<Month>) -> String {
    match month {
        Some(month) => {
            let outcome = match counts {
                ReturnCounts { added: 1.., .. } => "saved",
                ReturnCounts { replaced: 1.., .. } => "replaced",
                _ => "unchanged",
            };
            format!("{}?month={month}&outcome={outcome}", returns_href(id))
        }
        None => {
            let ReturnCounts { added, replaced, unchanged } = counts;
            format!("{}?added={added}&replaced={replaced}&unchanged={unchanged}", returns_href(id))
        }
    }
}

/// "3 Nov 2026 by Jane Smith, web form": when, who and how a return came.
pub fn sent_text(r: &ReturnRecord, senders: &HashMap<UserId, String>) -> String {
    let when = r.sent_at.format("%-d %b %Y");
    let Some(name) = r.sent_by.and_then(|id| senders.get(&id)) else {
        return format!("{when}, imported on the server");
    };
    let how = match r.source {
        ReturnSource::Form => "web form",
        ReturnSource::Csv => "CSV file",
        ReturnSource::Api => "API",
    };
    format!("{when} by {name}, {how}")
}

/// Manage › the location › `here`.
pub fn location_chrome(who: &SignedIn, detail: &LocationDetail, here: &str) -> Chrome {
    let l = &detail.location;
    Chrome::with(
        who,
        vec![Crumb::new("Manage", "/manage"), Crumb::new(l.name.clone(), format!("/manage/locations/{}", l.id))],
        here,
    )
}

/// The returns page's link, for those who may send the location's returns.
pub fn returns_link(p: &Principal, detail: &LocationDetail) -> Option<String> {
    candour_domain::authorize(p, candour_domain::Action::Write, location_resource(detail))
        .is_allowed()
        .then(|| returns_href(&detail.location.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::returns::MonthlyReturn;
    use chrono::NaiveDate;

    fn month(at: &str) -> Month {
        Month::parse(at).unwrap()
    }

    fn record(at: &str, source: ReturnSource, sent_by: Option<UserId>) -> ReturnRecord {
        let mut raw = candour_domain::returns::RawReturn::default();
        for (field, _) in candour_domain::returns::FIELDS {
            raw.set(field, "0");
        }
        (raw.month, raw.registered_manager, raw.manager_changed) = (at.into(), "yes".into(), "no".into());
        let figures = MonthlyReturn::parse(&raw, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()).unwrap();
        let sent_at = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap().and_hms_opt(10, 5, 0).unwrap().and_utc();
        ReturnRecord { location_id: LocationId::parse("1-1").unwrap(), figures, sent_by, sent_at, source }
    }

    #[test]
    fn redirects_carry_what_was_saved() {
        let id = LocationId::parse("1-1").unwrap();
        let one = |added, replaced, unchanged| ReturnCounts { added, replaced, unchanged };
        let to = |counts| saved_href(&id, counts, Some(month("2026-10")));
        assert_eq!(to(one(1, 0, 0)), "/manage/locations/1-1/returns?month=2026-10&outcome=saved");
        assert_eq!(to(one(0, 1, 0)), "/manage/locations/1-1/returns?month=2026-10&outcome=replaced");
        assert_eq!(to(one(0, 0, 1)), "/manage/locations/1-1/returns?month=2026-10&outcome=unchanged");
        assert_eq!(saved_href(&id, one(2, 1, 0), None), "/manage/locations/1-1/returns?added=2&replaced=1&unchanged=0");
    }

    #[test]
    fn senders_are_named_with_how_they_sent() {
        let user = UserId(7);
        let names = HashMap::from([(user, "Jane Smith".to_string())]);
        assert_eq!(
            sent_text(&record("2026-10", ReturnSource::Form, Some(user)), &names),
            "3 Nov 2026 by Jane Smith, web form"
        );
        assert_eq!(
            sent_text(&record("2026-10", ReturnSource::Csv, None), &names),
            "3 Nov 2026, imported on the server"
        );
    }
}
