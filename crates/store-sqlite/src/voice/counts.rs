//! The voice counts kept with each write, in its transaction: a response adds its
//! contribution to its service's month (`voice_months`, through the `feedback_tally`
//! view) when written, and a progress rating that counts adds to the month it was made
//! in (`progress_tally`); moderation takes a response's old contribution, with its
//! progress ratings', away before changing its status or criticality and adds the new
//! one after; a response that comes to be published is numbered in its service's
//! count (`voice_counted`, `counted_no`).
//! Bulk loads count whole services again instead (historic.rs).

use sqlx::SqliteConnection;

use candour_store::StoreResult;

use crate::other;

const COLUMNS: &str = "responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories, \
    critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, enough_staff_sum, \
    enough_staff_sum_sq, partner_responses, partner_concerns, dignity_n, dignity_positive, safe_n, \
    safe_positive, entered, progress_n, progress_better";

/// What a write counts: a response (as `feedback_tally` counts it), the progress
/// ratings made through a response's return link, or one progress rating (as
/// `progress_tally` counts them). Each is one row per month touched, by id.
#[derive(Clone, Copy)]
enum Tally {
    Response,
    ProgressOf,
    Progress,
}

impl Tally {
    fn rows(self) -> String {
        match self {
            Tally::Response => format!("SELECT location_id, month, {COLUMNS} FROM feedback_tally WHERE id = ?"),
            Tally::Progress => format!("SELECT location_id, month, {COLUMNS} FROM progress_tally WHERE id = ?"),
            Tally::ProgressOf => {
                let sums: Vec<String> = COLUMNS.split(", ").map(|c| format!("SUM({c}) AS {c}")).collect();
                format!(
                    "SELECT location_id, month, {} FROM progress_tally WHERE feedback_id = ? GROUP BY location_id, month",
                    sums.join(", ")
                )
            }
        }
    }

    async fn add(self, conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
        let sums: Vec<String> = COLUMNS.split(", ").map(|c| format!("{c} = {c} + excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO voice_months (location_id, month, {COLUMNS}) {} \
             ON CONFLICT (location_id, month) DO UPDATE SET {}",
            self.rows(),
            sums.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(conn).await.map(drop).map_err(other)
    }

    async fn take_away(self, conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
        let less: Vec<String> = COLUMNS.split(", ").map(|c| format!("{c} = voice_months.{c} - t.{c}")).collect();
        let sql = format!(
            "UPDATE voice_months SET {} FROM ({}) AS t \
             WHERE voice_months.location_id = t.location_id AND voice_months.month = t.month",
            less.join(", "),
            self.rows()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(conn).await.map(drop).map_err(other)
    }
}

/// Adds response `id`'s contribution, and that of the progress rated through its link, to their months.
pub(crate) async fn add(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    Tally::Response.add(conn, id).await?;
    Tally::ProgressOf.add(conn, id).await
}

/// Takes response `id`'s contribution, and its progress ratings', away (before it changes).
pub(crate) async fn take_away(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    Tally::Response.take_away(conn, id).await?;
    Tally::ProgressOf.take_away(conn, id).await
}

/// Adds the progress rating at `rowid`, just written, to its month (nothing if it does not count).
pub(crate) async fn add_progress(conn: &mut SqliteConnection, rowid: i64) -> StoreResult<()> {
    Tally::Progress.add(conn, rowid).await
}

/// Everything a month counts, summed per location and month: the select that counts
/// months again from scratch, before `GROUP BY` (bulk loads, historic.rs).
pub(crate) fn recount_select() -> String {
    let sums: Vec<String> = COLUMNS
        .split(", ")
        .map(
            |c| if c.ends_with("_sum") || c.ends_with("_sum_sq") { format!("TOTAL({c})") } else { format!("SUM({c})") },
        )
        .collect();
    format!("SELECT location_id, month, {} FROM month_tally", sums.join(", "))
}

/// Numbers response `id`, just published, in its service's count.
pub(crate) async fn count_published(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO voice_counted SELECT location_id, 1 FROM feedback WHERE id = ?1 \
         ON CONFLICT (location_id) DO UPDATE SET counted = counted + 1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(other)?;
    sqlx::query(
        "UPDATE feedback SET counted_no = (SELECT c.counted FROM voice_counted c \
         WHERE c.location_id = feedback.location_id) WHERE id = ?1",
    )
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}
