//! What the policy pages and the API both give: who has read what, as CSV, and a
//! reader's roles in words.

use axum::response::Response;
use candour_app::policies::{ReadsRow, Tenancy};
use candour_domain::Scope;
use candour_store::Reader;

use crate::download::{csv_file, spreadsheet_safe};
use crate::error::WebError;

/// "Staff (Rose Court), Registered manager (Oak Lodge)": the person's roles at the provider.
pub(crate) fn roles_text(r: &Reader) -> String {
    r.grants
        .iter()
        .map(|g| match &g.scope {
            Scope::Location(l) => format!("{} ({l})", g.role.name()),
            _ => g.role.name().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who has read what, as a CSV download: one row per person and policy in force that
/// asks for confirmation, with the date they confirmed its current version (blank: not yet).
pub(crate) fn reads_csv(tenancy: &Tenancy, rows: &[ReadsRow]) -> Result<Response, WebError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["policy_id", "title", "kind", "version", "published_on", "name", "email", "roles", "read_on"];
    out.write_record(header).map_err(|_| WebError::Internal)?;
    for ReadsRow { policy: p, readers } in rows {
        for r in readers {
            let read_on = r.confirmed_at.map(|at| at.date_naive().to_string()).unwrap_or_default();
            let row = [
                p.id.to_string(),
                p.title.clone(),
                p.kind.code().to_string(),
                p.version.to_string(),
                p.published_at.date_naive().to_string(),
                r.name.clone(),
                r.email.to_string(),
                roles_text(r),
                read_on,
            ];
            out.write_record(row.iter().map(|cell| spreadsheet_safe(cell))).map_err(|_| WebError::Internal)?;
        }
    }
    let bytes = out.into_inner().map_err(|_| WebError::Internal)?;
    let csv = String::from_utf8(bytes).map_err(|_| WebError::Internal)?;
    csv_file(&format!("policy-reads-{}.csv", tenancy.id), csv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::{Email, Grant, LocationId, ProviderId, Role};

    #[test]
    fn roles_name_their_location() {
        let location = LocationId::parse("1-10").unwrap();
        let reader = Reader {
            user_id: candour_domain::UserId(1),
            name: "Sam".into(),
            email: Email::parse("sam@example.org").unwrap(),
            grants: vec![
                Grant { role: Role::Staff, scope: Scope::Location(location) },
                Grant { role: Role::ProviderAdmin, scope: Scope::Provider(ProviderId::parse("1-1").unwrap()) },
            ],
            has_password: true,
            confirmed_at: None,
        };
        assert_eq!(roles_text(&reader), "Staff (1-10), Provider administrator");
    }
}
