//! Provider returns: a location's monthly figures, sent by those who may send
//! them (the provider's administrators and the location's registered manager)
//! through the web form, an uploaded CSV file or the API, or imported on the
//! server from the command line. Every way in is checked the same way, fills the
//! complaint figures the location's complaint log already counts, and keeps a
//! batch whole or not at all.

mod api;
mod error;
mod model;
mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use candour_domain::returns::template::{self, Problem};
use candour_domain::returns::{Month, MonthlyReturn, RawReturn};
use candour_domain::{Action, LocationId, UserId};
use candour_store::{
    AccountStore, ComplaintLog, LocationDetail, Locations, MonitoringStore, RegisterStore, ReturnBatch, ReturnCounts,
    ReturnRecord, ReturnSource, ReturnsStore, Store, StoreError,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Actor, Denied, Gate, describe};

pub use api::ApiMonths;
pub use error::ReturnsError;
pub use model::{
    FileRefusal, FormContext, FormSaved, MonthForm, Overview, Prefilled, RefusedFile, ServerFile, UploadedFile,
};
pub use rules::{CARRIED_OVER, MISSING_WINDOW, last_complete_month, location_resource, missing_months};

use rules::fill_from_log;

/// Provider returns. Cheap to clone.
#[derive(Clone)]
pub struct Returns {
    returns: Arc<dyn ReturnsStore>,
    register: Arc<dyn RegisterStore>,
    /// The names of the accounts that sent returns.
    accounts: Arc<dyn AccountStore>,
    /// The complaint logs, which count complaint figures a return may leave out.
    logs: Arc<dyn MonitoringStore + Send + Sync>,
    gate: Gate,
}

impl Returns {
    pub fn new(store: Arc<dyn Store>, gate: Gate) -> Self {
        Self { returns: store.clone(), register: store.clone(), accounts: store.clone(), logs: store, gate }
    }

    /// A location's returns page: the months sent and those missing. The read is audited.
    pub async fn overview(&self, actor: &Actor, raw_id: &str, today: NaiveDate) -> Result<Overview, ReturnsError> {
        let detail = self.readable(actor, raw_id).await?;
        self.overview_of(detail, today).await
    }

    /// The CSV template for a location, with a row for each month missing from
    /// the last year, oldest first. The read is audited.
    pub async fn template(
        &self,
        actor: &Actor,
        raw_id: &str,
        today: NaiveDate,
    ) -> Result<(LocationId, String), ReturnsError> {
        let detail = self.readable(actor, raw_id).await?;
        let id = detail.location.id;
        let sent = self.all_returns(&id, today).await?;
        let mut months = missing_months(&sent, today);
        months.reverse();
        let text = template::blank(&id, &months);
        Ok((id, text))
    }

    /// The form for one month: `asked`, or the last complete month when none is
    /// asked for; with the figures sent for it, or those that carry over into a
    /// new month. The read is audited.
    pub async fn month_form(
        &self,
        actor: &Actor,
        raw_id: &str,
        asked: Option<&str>,
        today: NaiveDate,
    ) -> Result<MonthForm, ReturnsError> {
        let detail = self.readable(actor, raw_id).await?;
        let month = match asked.filter(|m| !m.trim().is_empty()) {
            Some(text) => Month::parse(text).ok().filter(|m| *m <= Month::of(today)).ok_or_else(|| {
                ReturnsError::Refused("Ask for a month that has begun, written YYYY-MM, like 2026-01".to_string())
            })?,
            None => last_complete_month(today),
        };
        let context = self.form_context(detail, Some(month), today).await?;
        let (figures, prefilled) = match &context.sent {
            Some(record) => (record.figures.to_raw(), None),
            None => self.carried_over(&context.detail, month).await?,
        };
        Ok(MonthForm { context, figures, prefilled })
    }

    /// Saves one month typed into the form. On problems, nothing is saved and the
    /// error carries what the form needs to show them.
    pub async fn send_form(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw: &RawReturn,
        now: DateTime<Utc>,
    ) -> Result<FormSaved, ReturnsError> {
        let detail = self.writable(actor, raw_id).await?;
        let id = detail.location.id.clone();
        let log = self.complaint_log(&id, now.date_naive()).await?;
        let mut raw = raw.clone();
        fill_from_log(&mut raw, log.as_ref());
        let figures = match MonthlyReturn::parse(&raw, now.date_naive()) {
            Ok(figures) => figures,
            Err(problems) => {
                let month = Month::parse(&raw.month).ok();
                let form = Box::new(self.form_context(detail, month, now.date_naive()).await?);
                return Err(ReturnsError::Invalid { problems, form });
            }
        };
        let month = figures.month;
        let returns = vec![(id.clone(), figures)];
        let batch = ReturnBatch { returns, sent_by: None, sent_at: now, source: ReturnSource::Form };
        let counts = self.save(Some(actor), batch, &format!("form: {month}")).await?;
        Ok(FormSaved { location: id, month, counts })
    }

    /// Saves every row of a CSV file uploaded for one location, or none: one bad
    /// row, or a row for another location, and the file is refused with every
    /// problem. `file` is what the request carried, or why it carried none.
    /// Answers the location and what the file changed.
    pub async fn upload(
        &self,
        actor: &Actor,
        raw_id: &str,
        file: Result<UploadedFile, String>,
        now: DateTime<Utc>,
    ) -> Result<(LocationId, ReturnCounts), ReturnsError> {
        let detail = self.writable(actor, raw_id).await?;
        let today = now.date_naive();
        let file = match file {
            Ok(file) => file,
            Err(message) => return Err(self.refused_file(detail, FileRefusal::NoFile(message), today).await),
        };
        let id = detail.location.id.clone();
        let log = self.complaint_log(&id, today).await?;
        let logs = |at: &LocationId, month: Month| log.as_ref().filter(|l| l.location_id == *at)?.counts(month);
        let rows = match rules::this_locations_rows(&file.bytes, &id, today, &logs) {
            Ok(rows) => rows,
            Err(problems) => {
                let refusal = FileRefusal::Problems { name: file.name, problems };
                return Err(self.refused_file(detail, refusal, today).await);
            }
        };
        let count = rows.len();
        let batch = ReturnBatch {
            returns: rows.into_iter().map(|r| (r.location, r.figures)).collect(),
            sent_by: None,
            sent_at: now,
            source: ReturnSource::Csv,
        };
        let counts = self.save(Some(actor), batch, &format!("csv: {count} month(s) from {}", file.name)).await?;
        Ok((id, counts))
    }

    /// Saves the months sent through the API, every one checked, all or none.
    pub async fn submit_api(
        &self,
        actor: &Actor,
        raw_id: &str,
        body: ApiMonths,
        now: DateTime<Utc>,
    ) -> Result<ReturnCounts, ReturnsError> {
        let detail = self.writable(actor, raw_id).await?;
        let id = detail.location.id.clone();
        let items = body.items()?;
        let log = self.complaint_log(&id, now.date_naive()).await?;
        let months = items.check(now.date_naive(), log.as_ref()).map_err(ReturnsError::Problems)?;
        let count = months.len();
        let batch = ReturnBatch {
            returns: months.into_iter().map(|m| (id.clone(), m)).collect(),
            sent_by: None,
            sent_at: now,
            source: ReturnSource::Api,
        };
        self.save(Some(actor), batch, &format!("api: {count} month(s)")).await
    }

    /// Checks a file of returns imported on the server by its operator (the
    /// command line): every row checked, and every location in the register.
    /// Nothing is written; [`Returns::save_on_server`] keeps what this accepts.
    pub async fn check_server_file(&self, bytes: &[u8], today: NaiveDate) -> Result<ServerFile, ReturnsError> {
        // Complaint figures a location's complaint log counts may be left blank.
        let logs: HashMap<LocationId, ComplaintLog> = self
            .logs
            .complaint_logs(Locations::All, ComplaintLog::ever(), today)
            .await
            .map_err(|source| ReturnsError::Unread { what: "the complaint logs", source })?
            .rows
            .into_iter()
            .map(|log| (log.location_id.clone(), log))
            .collect();
        let counted = |id: &LocationId, month: Month| logs.get(id).and_then(|log| log.counts(month));
        let (rows, mut problems) = template::read(bytes, today, &counted);
        problems.extend(self.unknown_locations(&rows).await?);
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(ReturnsError::FileProblems(problems));
        }
        Ok(ServerFile { rows })
    }

    /// Keeps a checked file imported on the server, all of it or none. No account
    /// sends it: it is kept as imported on the server, with no sender, and, as
    /// any change made by the server's operator, not in the audit log.
    pub async fn save_on_server(&self, file: ServerFile, now: DateTime<Utc>) -> Result<ReturnCounts, StoreError> {
        let batch = ReturnBatch {
            returns: file.rows.into_iter().map(|r| (r.location, r.figures)).collect(),
            sent_by: None,
            sent_at: now,
            source: ReturnSource::Csv,
        };
        self.returns.save_returns(&batch).await
    }

    // ---- the steps every way in shares ----

    /// The location, when the actor may send its returns; anyone else gets the
    /// same answer as for a location that does not exist.
    async fn writable(&self, actor: &Actor, raw_id: &str) -> Result<LocationDetail, ReturnsError> {
        let id = LocationId::parse(raw_id).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await.map_err(|e| match e {
            StoreError::NotFound => ReturnsError::Denied(Denied::NotFound),
            other => ReturnsError::Store(other),
        })?;
        self.gate.require(actor, Action::Write, location_resource(&detail)).await?;
        Ok(detail)
    }

    /// [`Returns::writable`], with the read of its returns audited.
    async fn readable(&self, actor: &Actor, raw_id: &str) -> Result<LocationDetail, ReturnsError> {
        let detail = self.writable(actor, raw_id).await?;
        let resource = describe(location_resource(&detail));
        self.gate.record(actor, "read", &resource, Some("returns")).await.map_err(|_| Denied::Unaudited)?;
        Ok(detail)
    }

    /// Keeps a batch sent by `actor`, or by the server's operator when `None`, and
    /// audits what a person sent.
    async fn save(
        &self,
        actor: Option<&Actor>,
        mut batch: ReturnBatch,
        detail: &str,
    ) -> Result<ReturnCounts, ReturnsError> {
        batch.sent_by = actor.map(|a| a.principal.user_id);
        let location = batch.returns.first().map(|(id, _)| id.clone());
        let counts = self.returns.save_returns(&batch).await?;
        if let (Some(actor), Some(id)) = (actor, location) {
            let resource = format!("location:{id}");
            self.gate.record(actor, "returns", &resource, Some(detail)).await.map_err(|_| Denied::Unaudited)?;
        }
        Ok(counts)
    }

    async fn overview_of(&self, detail: LocationDetail, today: NaiveDate) -> Result<Overview, ReturnsError> {
        let sent = self.all_returns(&detail.location.id, today).await?;
        let senders = self.senders(&sent).await?;
        let missing = missing_months(&sent, today);
        Ok(Overview { detail, sent, senders, missing })
    }

    async fn refused_file(&self, detail: LocationDetail, refusal: FileRefusal, today: NaiveDate) -> ReturnsError {
        match self.overview_of(detail, today).await {
            Ok(overview) => ReturnsError::FileRefused(Box::new(RefusedFile { overview, refusal })),
            Err(error) => error,
        }
    }

    async fn form_context(
        &self,
        detail: LocationDetail,
        month: Option<Month>,
        today: NaiveDate,
    ) -> Result<FormContext, ReturnsError> {
        let id = &detail.location.id;
        let sent = match month {
            Some(m) => self.returns.returns_of(id, m, m).await?.into_iter().next(),
            None => None,
        };
        let senders = self.senders(sent.as_slice()).await?;
        let log = self.complaint_log(id, today).await?;
        let logged = month.and_then(|m| log.as_ref()?.counts(m));
        Ok(FormContext { detail, month, sent, senders, logged })
    }

    /// A new month's form: what carries over from the last return before it, or,
    /// before any return, whether the register says a registered manager is in post.
    async fn carried_over(
        &self,
        detail: &LocationDetail,
        month: Month,
    ) -> Result<(RawReturn, Option<Prefilled>), ReturnsError> {
        let mut raw = RawReturn { month: month.to_string(), ..RawReturn::default() };
        let Some(before) = month.previous() else { return Ok((raw, None)) };
        let from = (1..24).try_fold(before, |m, _| m.previous()).unwrap_or(before);
        let earlier = self.returns.returns_of(&detail.location.id, from, before).await?;
        if let Some(last) = earlier.last() {
            let figures = last.figures.to_raw();
            for (field, value) in figures.values() {
                if CARRIED_OVER.contains(&field) {
                    raw.set(field, value);
                }
            }
            return Ok((raw, Some(Prefilled::LastReturn(last.figures.month))));
        }
        match detail.location.registered_manager {
            Some(in_post) => {
                raw.set("registered_manager", if in_post { "yes" } else { "no" });
                Ok((raw, Some(Prefilled::Register)))
            }
            None => Ok((raw, None)),
        }
    }

    /// Every return the location has sent, oldest first.
    async fn all_returns(&self, id: &LocationId, today: NaiveDate) -> Result<Vec<ReturnRecord>, ReturnsError> {
        let first = Month::new(1000, 1).map_err(|_| StoreError::Invalid("the first month".into()))?;
        Ok(self.returns.returns_of(id, first, Month::of(today)).await?)
    }

    /// The names of the accounts that sent these returns.
    async fn senders(&self, sent: &[ReturnRecord]) -> Result<HashMap<UserId, String>, ReturnsError> {
        let mut names = HashMap::new();
        for id in sent.iter().filter_map(|r| r.sent_by) {
            if names.contains_key(&id) {
                continue;
            }
            let name = match self.accounts.user(id).await {
                Ok(user) => user.name,
                Err(StoreError::NotFound) => format!("account {id}, since removed"),
                Err(err) => return Err(err.into()),
            };
            names.insert(id, name);
        }
        Ok(names)
    }

    /// The location's complaint log, if it has logged a complaint: from that
    /// month on it counts the complaint figures a return would otherwise give.
    async fn complaint_log(&self, id: &LocationId, today: NaiveDate) -> Result<Option<ComplaintLog>, ReturnsError> {
        let logs = self.logs.complaint_logs(Locations::one(id), ComplaintLog::ever(), today).await?;
        Ok(logs.rows.into_iter().find(|log| log.location_id == *id))
    }

    /// Rows naming a location that is not in the register, each named.
    async fn unknown_locations(&self, rows: &[template::Row]) -> Result<Vec<Problem>, ReturnsError> {
        let mut known: HashMap<&LocationId, bool> = HashMap::new();
        let mut problems = Vec::new();
        for row in rows {
            if !known.contains_key(&row.location) {
                let found = match self.register.location(&row.location).await {
                    Ok(_) => true,
                    Err(StoreError::NotFound) => false,
                    Err(source) => return Err(ReturnsError::Unread { what: "the register", source }),
                };
                known.insert(&row.location, found);
            }
            if !known[&row.location] {
                let reason = format!("there is no location with ID {} in the register", row.location);
                problems.push(Problem::new(row.line, Some(template::LOCATION_COLUMN), reason));
            }
        }
        Ok(problems)
    }
}
