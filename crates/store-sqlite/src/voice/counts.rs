//! The voice counts kept with each write, in its transaction: a response adds its
//! contribution to its service's month (`voice_months`, through the `feedback_tally`
//! view) when written; moderation takes the old contribution away before changing
//! its status or criticality and adds the new one after; a response that comes to
//! be published is numbered in its service's count (`voice_counted`, `counted_no`).
//! Bulk loads count whole services again instead (historic.rs).

use sqlx::SqliteConnection;

use candour_store::StoreResult;

use crate::other;

const COLUMNS: &str = "responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories, \
    critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, enough_staff_sum, \
    enough_staff_sum_sq, partner_responses, partner_concerns";

/// Adds response `id`'s contribution to its month.
pub(crate) async fn add(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    let sums: Vec<String> = COLUMNS.split(", ").map(|c| format!("{c} = {c} + excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO voice_months SELECT location_id, month, {COLUMNS} FROM feedback_tally WHERE id = ? \
         ON CONFLICT (location_id, month) DO UPDATE SET {}",
        sums.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(conn).await.map(drop).map_err(other)
}

/// Takes response `id`'s contribution away from its month (before it changes).
pub(crate) async fn take_away(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    let less: Vec<String> = COLUMNS.split(", ").map(|c| format!("{c} = voice_months.{c} - t.{c}")).collect();
    let sql = format!(
        "UPDATE voice_months SET {} FROM (SELECT * FROM feedback_tally WHERE id = ?) AS t \
         WHERE voice_months.location_id = t.location_id AND voice_months.month = t.month",
        less.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(conn).await.map(drop).map_err(other)
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
