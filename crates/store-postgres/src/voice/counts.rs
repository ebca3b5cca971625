//! The voice counts kept with each write, in its transaction: responses add their
//! contribution to their service's month (`voice_months`, through the
//! `feedback_tally` view) when written, and progress ratings that count add to the
//! month they were made in; moderation takes the old contribution (with that of the
//! progress rated through the response's link) away before changing a status or
//! criticality and adds the new one after;
//! responses that come to be published are numbered in their service's count
//! (`voice_counted`, `counted_no`).
//!
//! Several instances write at once, so every change is an increment made by the
//! database (`n = n + excluded.n`), never a value read and written back. Each
//! statement takes its row locks in (location, month) order, so that two
//! transactions counting the same services wait for each other rather than deadlock.

use std::sync::LazyLock;

use sqlx::PgConnection;

/// The counts kept per location and month, in the order of [`candour_domain::voice_month::VoiceMonth`].
pub(crate) const COLUMNS: [&str; 23] = [
    "responses",
    "positive",
    "rated",
    "outcome_n",
    "outcome_sum",
    "outcome_sum_sq",
    "stories",
    "critical_stories",
    "speak_up_n",
    "speak_up_sum",
    "speak_up_sum_sq",
    "enough_staff_n",
    "enough_staff_sum",
    "enough_staff_sum_sq",
    "partner_responses",
    "partner_concerns",
    "dignity_n",
    "dignity_positive",
    "safe_n",
    "safe_positive",
    "entered",
    "progress_n",
    "progress_better",
];

/// The counts a progress rating adds to, in the month it was made.
const PROGRESS: [&str; 2] = ["progress_n", "progress_better"];

/// The contributions of `$1` (an array of response IDs) in `view`, summed per month:
/// `feedback_tally` for the responses themselves, `progress_tally` for the progress
/// rated through their links.
fn tally(view: &str, key: &str, columns: &[&str]) -> String {
    let sums: Vec<String> = columns.iter().map(|c| format!("SUM({c}) AS {c}")).collect();
    format!(
        "SELECT location_id, month, {} FROM {view} WHERE {key} = ANY($1) GROUP BY location_id, month",
        sums.join(", ")
    )
}

fn add_sql(tally: String, columns: &[&str]) -> String {
    let more: Vec<String> = columns.iter().map(|c| format!("{c} = voice_months.{c} + excluded.{c}")).collect();
    format!(
        "INSERT INTO voice_months (location_id, month, {}) {tally} ORDER BY location_id, month \
         ON CONFLICT (location_id, month) DO UPDATE SET {}",
        columns.join(", "),
        more.join(", ")
    )
}

fn take_away_sql(tally: String, columns: &[&str]) -> String {
    let less: Vec<String> = columns.iter().map(|c| format!("{c} = voice_months.{c} - t.{c}")).collect();
    format!(
        "UPDATE voice_months SET {} FROM ({tally} ORDER BY location_id, month) AS t \
         WHERE voice_months.location_id = t.location_id AND voice_months.month = t.month",
        less.join(", ")
    )
}

static ADD: LazyLock<String> = LazyLock::new(|| add_sql(tally("feedback_tally", "id", &COLUMNS), &COLUMNS));
static TAKE_AWAY: LazyLock<String> = LazyLock::new(|| take_away_sql(tally("feedback_tally", "id", &COLUMNS), &COLUMNS));
static ADD_PROGRESS: LazyLock<String> =
    LazyLock::new(|| add_sql(tally("progress_tally", "feedback_id", &PROGRESS), &PROGRESS));
static TAKE_AWAY_PROGRESS: LazyLock<String> =
    LazyLock::new(|| take_away_sql(tally("progress_tally", "feedback_id", &PROGRESS), &PROGRESS));

/// Adds the contribution of responses `ids` to their months.
pub(crate) async fn add(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(ADD.as_str()).bind(ids).execute(conn).await.map(drop)
}

/// Adds the counted progress ratings made through the links of responses `ids` to their months.
pub(crate) async fn add_progress_of(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(ADD_PROGRESS.as_str()).bind(ids).execute(conn).await.map(drop)
}

/// Takes the contribution of responses `ids`, and of the progress rated through their
/// links, away from their months (before they change).
pub(crate) async fn take_away(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(TAKE_AWAY.as_str()).bind(ids).execute(&mut *conn).await?;
    sqlx::query(TAKE_AWAY_PROGRESS.as_str()).bind(ids).execute(conn).await.map(drop)
}

/// Numbers the published ones among responses `ids` in their services' counts,
/// after those already counted: the count of each service goes up by its number
/// of them in one increment, whose row lock keeps the numbers of concurrent
/// writers apart until they commit.
pub(crate) async fn count_published(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "WITH published AS ( \
             SELECT id, location_id, \
                 ROW_NUMBER() OVER (PARTITION BY location_id ORDER BY COALESCE(moderated_at, received_at), id) AS n, \
                 COUNT(*) OVER (PARTITION BY location_id) AS k \
             FROM feedback WHERE id = ANY($1) AND status = 'published'), \
         counted AS ( \
             INSERT INTO voice_counted (location_id, counted) \
             SELECT location_id, MAX(k) FROM published GROUP BY location_id ORDER BY location_id \
             ON CONFLICT (location_id) DO UPDATE SET counted = voice_counted.counted + excluded.counted \
             RETURNING location_id, counted) \
         UPDATE feedback f SET counted_no = c.counted - p.k + p.n \
         FROM published p JOIN counted c ON c.location_id = p.location_id WHERE f.id = p.id",
    )
    .bind(ids)
    .execute(conn)
    .await
    .map(drop)
}
