#!/usr/bin/env python3
"""Candour's monitoring computation done again in DuckDB SQL, on equal terms, and the ratio of the times.

Both sides start from the same rows already in memory and only the computation is timed:

- Candour: crates/monitor/examples/compute.rs loads the monitor's inputs (`Inputs::load`,
  untimed), then times `Snapshot::compute` RUNS times: every indicator of the catalogue
  over its windows, each compared with its peer group, the CUSUM charts, the flags and
  the watchlist. With `--dump DIR` it writes the inputs it holds (each registered
  service's facts, its months of `voice_months` counts and provider returns from the
  history start on) and the figures it computed, as CSV.
- DuckDB: those CSV files are read into DuckDB's own tables (untimed; services numbered and
  months as integers, as the engine holds services by position and months as indices), then
  the SQL below (timed, RUNS times, 2 threads) computes what `Snapshot::compute` does:
  * the 20 indicators of crates/engine/src/monitoring/catalogue.rs, each over its windows:
    eight 3-month windows (two 12-month windows for turnover; the current month alone for
    the policy read rate), with the same measures (sums, the latest return's completion,
    rates per bed-month, means from counts, sums and sums of squares);
  * each compared with its peer group (first service kind + size band, England) as
    crates/engine/src/monitoring/compare.rs does: θ0 pooled over the services with n >= the
    minimum, s for proportions, rates and means, φ from winsorised z-scores (10th and 90th
    percentiles), τ² (default below 10 services), z^D and the 95 % and 99.8 % limits;
  * the z-score CUSUM and its mirror over the windows (k = 0.5, h = 4, reset after a
    signal), the status of each indicator;
  * the flags of crates/engine/src/monitoring/flags.rs (severe safeguarding alert, closed
    culture, no registered manager, manager changes, data silence, few complaints,
    overdue complaints) and the watchlist's counts, score and band (watchlist.rs), in
    watchlist order.
  Not done in SQL: the reasons' sentences and the data behind each (text formatting); the
  engine does them inside `Snapshot::compute`, which cannot be split without changing it.

The script then checks DuckDB's figures against the engine's, per indicator for the latest
window (max abs difference of n, value, θ0, τ², z^D and limits; mismatches of status and
CUSUM signal) and per service (risk and elevated counts, score, band, flags), checks the
rows against the SQLite database (read-only: returns, service-months and responses from the
history start, registered services), and prints everything as JSON with the ratio DuckDB SQL
median / Candour compute median. The returns carry the complaint log's figures where the
monitor put them, when it loaded (a service keeping its complaints in Candour).

--self-test checks the SQL without Rust: fair-comparison.md's worked vector (θ0, τ², raw and
adjusted z for % positive and agency share), every window's z^D in two random peer groups
against a plain-Python recomputation, the CUSUM signals against a plain loop over the same
z-scores, and one service per flag with the band it lifts the service to.

Usage (a virtual environment with DuckDB; not needed by the tests). The example opens the
database with the store, which brings its schema up to date: give it a copy.

  python3 -m venv /tmp/duckdb-venv && /tmp/duckdb-venv/bin/pip install duckdb
  cargo build --release -p candour-monitor --example compute
  cp /work/benchdata/nat.db /tmp/nat-copy.db
  /tmp/duckdb-venv/bin/python bench/duckdb_compare.py /tmp/nat-copy.db \\
      --example target/release/examples/compute --runs 5 --rounds 3 --csv /tmp/duckdb-figures.csv
  /tmp/duckdb-venv/bin/python bench/duckdb_compare.py --self-test

Options: --today YYYY-MM-DD computes for another day (default: today, UTC; its month is the
last month of every window); --runs N times each side N times per round (default 5); --rounds R
repeats that R times, the sides taking turns (default 1; the medians are over every run); --threads N
(default 2); --csv PATH writes DuckDB's figures for the latest window; --keep DIR keeps
the example's CSV files there. No network: extension autoloading is switched off.
"""

import argparse
import json
import math
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

Z_95 = 1.959964
Z_998 = 3.090232


@dataclass(frozen=True)
class Policy:
    """MonitoringPolicy::default() (crates/engine/src/monitoring/mod.rs)."""

    window_months: int = 3
    history_months: int = 24
    min_n: int = 5
    trim: float = 0.1
    min_services: int = 10
    default_tau2: float = 0.0
    cusum_k: float = 0.5
    cusum_h: float = 4.0
    silence_months: int = 3
    manager_changes: int = 2
    manager_months: int = 24
    alert_days: int = 30
    complaint_overdue_days: int = 10
    cuts: tuple = (0.5, 0.3, 0.2, 0.1, 0.01)
    serious_band: int = 2
    concern_band: int = 3


# ---------------------------------------------------------------------------------------------
# The inputs: DuckDB tables with the columns the monitor holds, loaded untimed.

VOICE = [
    "responses", "positive", "rated", "outcome_n", "outcome_sum", "outcome_sum_sq", "stories",
    "critical_stories", "speak_up_n", "speak_up_sum", "speak_up_sum_sq", "enough_staff_n",
    "enough_staff_sum", "enough_staff_sum_sq", "partner_responses", "partner_concerns",
]
RETURNS = [
    "headcount", "leavers", "agency_hours", "hours_worked", "vacancies", "supervision_pct", "training_pct",
    "registered_manager", "manager_changed", "people_supported", "incidents", "restraint", "seclusion",
    "segregation", "notifications", "safeguarding_referrals", "complaints_received", "complaints_upheld",
    "complaints_on_time",
]
SERVICES = {
    "location_id": "VARCHAR", "kind": "VARCHAR", "beds": "INTEGER", "specialisms": "VARCHAR",
    "last_severe_alert": "DATE", "overdue_count": "INTEGER", "overdue_oldest_due": "DATE",
    "complaint_log_since": "VARCHAR", "reads_month": "VARCHAR", "reads_confirmed": "BIGINT",
    "reads_expected": "BIGINT", "engine_peer_group": "VARCHAR",
}


def voice_type(column: str) -> str:
    return "DOUBLE" if "_sum" in column else "BIGINT"


def return_type(column: str) -> str:
    return "BOOLEAN" if column in ("registered_manager", "manager_changed") else "BIGINT"


def month_index(column: str) -> str:
    """'YYYY-MM' as months since year 0, as the engine's input.rs `index`."""
    return f"(substr({column}, 1, 4)::INTEGER * 12 + substr({column}, 6, 2)::INTEGER - 1)"


def read_csv(path: Path, columns: dict[str, str]) -> str:
    spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
    where = str(path).replace("'", "''")
    return f"read_csv('{where}', header = false, auto_detect = false, delim = ',', columns = {spec}, nullstr = '', quote = '\"', escape = '\"')"


def load_dump(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The example's CSV files into DuckDB tables; months as indices, as the engine holds them."""
    con.execute(
        f"CREATE TABLE services AS SELECT (row_number() OVER (ORDER BY location_id))::INTEGER AS sid, *, "
        f"{month_index('reads_month')} AS reads_m FROM {read_csv(folder / 'services.csv', SERVICES)}"
    )
    voice = {"location_id": "VARCHAR", "month": "VARCHAR", **{c: voice_type(c) for c in VOICE}}
    con.execute(
        f"CREATE TABLE voice_months AS SELECT s.sid AS location_id, {month_index('month')} AS m, "
        f"v.* EXCLUDE (location_id, month) FROM {read_csv(folder / 'voice_months.csv', voice)} v "
        "JOIN services s USING (location_id) ORDER BY s.sid, m"
    )
    returns = {"location_id": "VARCHAR", "month": "VARCHAR", **{c: return_type(c) for c in RETURNS}}
    con.execute(
        f"CREATE TABLE provider_returns AS SELECT s.sid AS location_id, {month_index('month')} AS m, "
        f"r.* EXCLUDE (location_id, month) FROM {read_csv(folder / 'provider_returns.csv', returns)} r "
        "JOIN services s USING (location_id) ORDER BY s.sid, m"
    )


# ---------------------------------------------------------------------------------------------
# The computation, in SQL. `E` is the month computed (an index), `T` the day.

# (code, statistic, bad side, span) in catalogue order; span: window, year, latest, current.
CATALOGUE = [
    ("positive_overall", "proportion", "low", "window"),
    ("outcome_score", "mean", "low", "window"),
    ("feedback_volume", "rate", "low", "window"),
    ("critical_stories", "proportion", "high", "window"),
    ("staff_speak_up", "mean", "low", "window"),
    ("staff_sufficiency", "mean", "low", "window"),
    ("partner_concerns", "proportion", "high", "window"),
    ("staff_turnover", "rate", "high", "year"),
    ("agency_share", "proportion", "high", "window"),
    ("supervision", "proportion", "low", "latest"),
    ("training", "proportion", "low", "latest"),
    ("restrictive_practice", "rate", "high", "window"),
    ("incidents", "rate", "both", "window"),
    ("notifications_per_incident", "rate", "low", "window"),
    ("safeguarding_referrals", "rate", "both", "window"),
    ("complaints", "rate", "both", "window"),
    ("complaints_upheld", "proportion", "high", "window"),
    ("complaints_on_time", "proportion", "low", "window"),
    ("vacancy_rate", "proportion", "high", "window"),
    ("policy_read_rate", "proportion", "low", "current"),
]

# Each indicator's measure from the window sums: (a, b, c) = (x, n, -) for proportions,
# (events, exposure, -) for rates, (sum, n, sum of squares) for means.
MEASURES = {
    "positive_overall": ("w.positive", "w.rated", "NULL"),
    "outcome_score": ("w.outcome_sum", "w.outcome_n", "w.outcome_sum_sq"),
    "feedback_volume": ("w.responses", "w.bed_months", "NULL"),
    "critical_stories": ("w.critical_stories", "w.stories", "NULL"),
    "staff_speak_up": ("w.speak_up_sum", "w.speak_up_n", "w.speak_up_sum_sq"),
    "staff_sufficiency": ("w.enough_staff_sum", "w.enough_staff_n", "w.enough_staff_sum_sq"),
    "partner_concerns": ("w.partner_concerns", "w.partner_responses", "NULL"),
    "agency_share": ("w.agency_hours", "w.hours_worked", "NULL"),
    "supervision": ("round(w.latest_supervision::DOUBLE * w.latest_headcount / 100.0)", "w.latest_headcount", "NULL"),
    "training": ("round(w.latest_training::DOUBLE * w.latest_headcount / 100.0)", "w.latest_headcount", "NULL"),
    "restrictive_practice": ("w.restrictive", "w.bed_months", "NULL"),
    "incidents": ("w.incidents", "w.bed_months", "NULL"),
    "notifications_per_incident": ("w.notifications", "w.incidents", "NULL"),
    "safeguarding_referrals": ("w.safeguarding_referrals", "w.bed_months", "NULL"),
    "complaints": ("w.complaints_received", "w.bed_months", "NULL"),
    "complaints_upheld": ("w.complaints_upheld", "w.complaints_received", "NULL"),
    "complaints_on_time": ("w.complaints_on_time", "w.complaints_received", "NULL"),
    "vacancy_rate": ("w.vacancies", "w.posts", "NULL"),
}

DEPENDENT = ["learning disab", "autis", "dementia", "mental health", "brain injur"]


def catalogue_sql() -> str:
    rows = ", ".join(f"({i}, '{code}', '{stat}', '{bad}')" for i, (code, stat, bad, _) in enumerate(CATALOGUE))
    return f"CREATE TEMP TABLE catalogue AS SELECT * FROM (VALUES {rows}) t(position, indicator, statistic, bad)"


def pipeline(policy: Policy, end: int, today: str) -> list[tuple[str, str]]:
    """The statements, in order, each named for the timings."""
    p, min_n = policy, max(policy.min_n, 1)
    steps, year_steps = max(p.history_months // p.window_months, 1), max(p.history_months // 12, 1)
    window_start = end - steps * p.window_months  # exclusive
    dependent = " OR ".join(f"lower(specialisms) LIKE '%{d}%'" for d in DEPENDENT)
    statistic = {code: stat for code, stat, _, _ in CATALOGUE}
    position = {code: i for i, (code, _, _, _) in enumerate(CATALOGUE)}
    window_measures = "\n    UNION ALL ".join(
        f"SELECT {position[code]} AS indicator, '{statistic[code]}' AS statistic, w.location_id, w.back, "
        f"{a}::DOUBLE AS a, {b}::DOUBLE AS b, {c}::DOUBLE AS c FROM w"
        for code, (a, b, c) in MEASURES.items()
    )
    return [
        ("peers", f"""
CREATE TEMP TABLE peers AS
SELECT *, (dense_rank() OVER (ORDER BY peer_key))::INTEGER AS peer_group
FROM (
    SELECT sid AS location_id,
           kind || '/' || CASE WHEN beds BETWEEN 1 AND 10 THEN 'small' WHEN beds BETWEEN 11 AND 49 THEN 'medium'
                               WHEN beds >= 50 THEN 'large' ELSE 'unknown' END || '/england' AS peer_key,
           coalesce({dependent}, false) AS dependent,
           last_severe_alert, overdue_count, overdue_oldest_due, reads_m, reads_confirmed, reads_expected
    FROM services
)"""),
        # The sums of each 3-month window, back = 0 the latest; the latest return's completion.
        ("window sums", f"""
CREATE TEMP TABLE w AS
WITH v AS (
    SELECT location_id, ({end} - m) // {p.window_months} AS back, {", ".join(f"sum({c}) AS {c}" for c in VOICE)}
    FROM voice_months WHERE m <= {end} AND m > {window_start} GROUP BY ALL
), r AS (
    SELECT location_id, ({end} - m) // {p.window_months} AS back,
           sum(people_supported) AS bed_months, sum(agency_hours) AS agency_hours, sum(hours_worked) AS hours_worked,
           sum(restraint + seclusion + segregation) AS restrictive, sum(incidents) AS incidents,
           sum(notifications) AS notifications, sum(safeguarding_referrals) AS safeguarding_referrals,
           sum(complaints_received) AS complaints_received, sum(complaints_upheld) AS complaints_upheld,
           sum(complaints_on_time) AS complaints_on_time, sum(vacancies) AS vacancies,
           sum(headcount + vacancies) AS posts,
           arg_max(supervision_pct, m) AS latest_supervision, arg_max(training_pct, m) AS latest_training,
           arg_max(headcount, m) AS latest_headcount, arg_max(registered_manager, m) AS latest_manager
    FROM provider_returns WHERE m <= {end} AND m > {window_start} GROUP BY ALL
)
SELECT coalesce(v.location_id, r.location_id) AS location_id, coalesce(v.back, r.back) AS back,
       v.* EXCLUDE (location_id, back), r.* EXCLUDE (location_id, back)
FROM v FULL JOIN r ON v.location_id = r.location_id AND v.back = r.back"""),
        # Every indicator's measure at every window; none where n() would be 0.
        ("measures", f"""
CREATE TEMP TABLE measures AS
WITH raw AS (
    {window_measures}
    UNION ALL
    SELECT {position['staff_turnover']}, 'rate', location_id, ({end} - m) // 12, sum(leavers), sum(headcount) / 12.0, NULL
    FROM provider_returns WHERE m <= {end} AND m > {end - year_steps * 12} GROUP BY location_id, ({end} - m) // 12
    UNION ALL
    SELECT {position['policy_read_rate']}, 'proportion', location_id, 0, reads_confirmed, reads_expected, NULL
    FROM peers WHERE reads_m = {end}
)
SELECT indicator, statistic, location_id, back, peer_group,
       CASE WHEN statistic = 'proportion' THEN least(a, b) ELSE coalesce(a, 0) END AS a, b, c,
       CASE WHEN statistic = 'rate' THEN floor(b) ELSE b END AS n
FROM raw JOIN peers USING (location_id)
WHERE (CASE WHEN statistic = 'rate' THEN floor(b) ELSE b END) > 0"""),
        # θ0 and, for means, σ: per indicator, window and peer group, over those with enough data.
        ("pooled", f"""
CREATE TEMP TABLE pooled AS
SELECT indicator, back, peer_group, statistic,
       sum(a) / sum(b) AS theta0,
       CASE WHEN sum(b) - count(*) > 0
            THEN sqrt(sum(greatest(c - a * a / b, 0)) / (sum(b) - count(*))) ELSE 0 END AS sigma
FROM measures WHERE n >= {min_n} GROUP BY ALL"""),
        ("scores", """
CREATE TEMP TABLE scores AS
SELECT m.indicator, m.back, m.peer_group, m.location_id, m.statistic, m.n, m.a / m.b AS y, p.theta0,
       CASE m.statistic WHEN 'proportion' THEN sqrt(p.theta0 * (1 - p.theta0) / m.b)
                        WHEN 'rate' THEN sqrt(p.theta0 / m.b)
                        ELSE p.sigma / sqrt(m.b) END AS s
FROM measures m JOIN pooled p USING (indicator, back, peer_group)"""),
        # φ from the winsorised z-scores of those that count, then τ² (fair-comparison.md §3).
        ("dispersion", f"""
CREATE TEMP TABLE dispersion AS
WITH counted AS (
    SELECT indicator, back, peer_group, (y - theta0) / s AS z, 1 / (s * s) AS w
    FROM scores WHERE n >= {min_n} AND isfinite(s) AND s > 0
), bounds AS (
    SELECT indicator, back, peer_group, count(*) AS services, sum(w) AS sum_w, sum(w * w) AS sum_w2,
           {f"quantile_cont(z, {p.trim!r})" if p.trim > 0 else "'-infinity'::DOUBLE"} AS lo,
           {f"quantile_cont(z, {1.0 - p.trim!r})" if p.trim > 0 else "'infinity'::DOUBLE"} AS hi
    FROM counted GROUP BY ALL
), phi AS (
    SELECT indicator, back, peer_group, any_value(services) AS services, any_value(sum_w) AS sum_w,
           any_value(sum_w2) AS sum_w2, avg(pow(least(greatest(z, lo), hi), 2)) AS phi
    FROM counted JOIN bounds USING (indicator, back, peer_group) GROUP BY ALL
)
SELECT indicator, back, peer_group, phi,
       CASE WHEN services < {max(p.min_services, 2)} THEN {p.default_tau2!r}
            WHEN services * phi <= services - 1 THEN 0
            ELSE (services * phi - (services - 1)) / (sum_w - sum_w2 / sum_w) END AS tau2
FROM phi"""),
        # z^D and the limits, for the services with enough data (the others get no comparison).
        ("compared", f"""
CREATE TEMP TABLE compared AS
SELECT s.indicator, s.back, s.peer_group, s.location_id, s.statistic, s.n, s.y, s.theta0, t.tau2,
       sqrt(s.s * s.s + t.tau2) AS spread,
       CASE WHEN sqrt(s.s * s.s + t.tau2) > 0 AND isfinite(sqrt(s.s * s.s + t.tau2))
            THEN (s.y - s.theta0) / sqrt(s.s * s.s + t.tau2) ELSE 0 END AS z
FROM scores s
JOIN (SELECT indicator, back, peer_group, coalesce(d.tau2, {p.default_tau2!r}) AS tau2
      FROM pooled LEFT JOIN dispersion d USING (indicator, back, peer_group)) t
  USING (indicator, back, peer_group)
WHERE s.n >= {min_n}"""),
        # The CUSUM and its mirror over the windows with a comparison, oldest first, reset
        # after a signal; whether the latest window signalled on the bad side.
        ("cusum", cusum_sql(p, steps)),
        # The latest window: every measured indicator of every service, with its status.
        ("latest", f"""
CREATE TEMP TABLE latest AS
WITH joined AS (
    SELECT m.indicator, m.location_id, m.statistic, k.bad, k.position, m.n, m.a / m.b AS value,
           c.theta0, c.tau2, c.z, c.spread,
           CASE k.bad WHEN 'low' THEN u.down WHEN 'high' THEN u.up ELSE u.up OR u.down END AS cusum_signal
    FROM measures m JOIN catalogue k ON k.position = m.indicator
    LEFT JOIN compared c ON c.indicator = m.indicator AND c.location_id = m.location_id AND c.back = 0
    LEFT JOIN cusum u ON u.indicator = m.indicator AND u.location_id = m.location_id
    WHERE m.back = 0
), limits AS (
    SELECT *, theta0 - {Z_95} * spread AS lo95, theta0 + {Z_95} * spread AS hi95,
           theta0 - {Z_998} * spread AS lo998, theta0 + {Z_998} * spread AS hi998,
           CASE bad WHEN 'low' THEN -z WHEN 'high' THEN z ELSE abs(z) END AS against
    FROM joined
)
SELECT indicator, location_id, position, n,
       CASE WHEN z IS NOT NULL THEN value END AS value, theta0, tau2, z,
       CASE WHEN z IS NULL OR statistic = 'mean' THEN lo95 ELSE greatest(lo95, 0) END AS lo95,
       CASE WHEN z IS NULL OR statistic <> 'proportion' THEN hi95 ELSE least(hi95, 1) END AS hi95,
       CASE WHEN z IS NULL OR statistic = 'mean' THEN lo998 ELSE greatest(lo998, 0) END AS lo998,
       CASE WHEN z IS NULL OR statistic <> 'proportion' THEN hi998 ELSE least(hi998, 1) END AS hi998,
       coalesce(z IS NOT NULL AND cusum_signal, false) AS cusum_signal,
       CASE WHEN z IS NULL THEN 'not_enough_data'
            WHEN against >= {Z_998} THEN 'elevated'
            WHEN against >= {Z_95} OR coalesce(cusum_signal, false) THEN 'risk'
            ELSE 'no_evidence_of_risk' END AS status
FROM limits"""),
        # The flags (flags.rs), one row per service with each as a boolean.
        ("flags", f"""
CREATE TEMP TABLE flags AS
WITH status AS (
    SELECT location_id,
           any_value(status) FILTER (WHERE indicator = {position['feedback_volume']}) AS volume,
           bool_or(status IN ('risk', 'elevated')) FILTER (WHERE indicator IN ({", ".join(
               str(position[i]) for i in ('staff_turnover', 'agency_share', 'supervision', 'training'))})) AS workforce,
           bool_or(indicator = {position['complaints']} AND z <= -{Z_95}) AS few_complaints
    FROM latest GROUP BY location_id
), heard AS (
    SELECT location_id, min(m) AS first, max(m) FILTER (WHERE responses > 0) AS heard
    FROM voice_months WHERE m <= {end} GROUP BY location_id
), managers AS (
    SELECT location_id, count(*) FILTER (WHERE manager_changed) AS changes
    FROM provider_returns WHERE m <= {end} AND m > {end - p.manager_months} GROUP BY location_id
), restrictive AS (
    SELECT location_id, max(a / b) FILTER (WHERE back = 0) > max(a / b) FILTER (WHERE back = 1) AS rising
    FROM measures WHERE indicator = {position['restrictive_practice']} AND back <= 1 GROUP BY location_id
), silence AS (
    SELECT p.location_id, p.dependent, p.last_severe_alert, p.overdue_count, p.overdue_oldest_due,
           s.volume, s.workforce, s.few_complaints,
           h.first IS NOT NULL AND (
               (CASE WHEN h.heard IS NULL THEN {end} - h.first + 1 ELSE {end} - h.heard END) >= {p.silence_months}
               OR s.volume = 'elevated') AS silent
    FROM peers p LEFT JOIN status s USING (location_id) LEFT JOIN heard h USING (location_id)
)
SELECT s.location_id,
       coalesce(DATE '{today}' - s.last_severe_alert BETWEEN 0 AND {p.alert_days}, false) AS severe_safeguarding_alert,
       coalesce(s.dependent AND (s.silent OR s.volume IN ('risk', 'elevated')) AND s.workforce AND r.rising, false)
           AS closed_culture,
       coalesce(NOT w.latest_manager, false) AS no_registered_manager,
       coalesce(g.changes >= {p.manager_changes}, false) AS manager_changes,
       coalesce(s.silent, false) AS data_silence,
       coalesce(s.few_complaints, false) AS few_complaints,
       coalesce(DATE '{today}' - s.overdue_oldest_due > {p.complaint_overdue_days}, false) AS overdue_complaints
FROM silence s LEFT JOIN restrictive r USING (location_id) LEFT JOIN managers g USING (location_id)
LEFT JOIN (SELECT location_id, latest_manager FROM w WHERE back = 0 AND latest_manager IS NOT NULL) w
  USING (location_id)"""),
        # The watchlist (watchlist.rs): score, its band, the band lifted by the flags; in order.
        ("watchlist", f"""
CREATE TEMP TABLE watchlist AS
WITH counts AS (
    SELECT location_id, count(*) FILTER (WHERE status = 'risk') AS risk,
           count(*) FILTER (WHERE status = 'elevated') AS elevated,
           count(*) FILTER (WHERE status <> 'not_enough_data') AS with_data
    FROM latest GROUP BY location_id
), scored AS (
    SELECT f.*, coalesce(c.risk, 0) AS risk, coalesce(c.elevated, 0) AS elevated,
           coalesce(c.with_data, 0) AS with_data,
           CASE WHEN c.with_data > 0 THEN (c.risk + 2 * c.elevated) / (2 * c.with_data) END AS score
    FROM flags f LEFT JOIN counts c USING (location_id)
), banded AS (
    SELECT *, CASE WHEN score IS NULL THEN 6 {" ".join(f"WHEN score >= {cut!r} THEN {i + 1}" for i, cut in enumerate(p.cuts))}
                   ELSE 6 END AS score_band
    FROM scored
)
SELECT location_id, risk, elevated, with_data, score, score_band,
       least(score_band,
             CASE WHEN severe_safeguarding_alert OR closed_culture THEN 1 ELSE 6 END,
             CASE WHEN no_registered_manager THEN {p.serious_band} ELSE 6 END,
             CASE WHEN manager_changes OR data_silence OR few_complaints OR overdue_complaints
                  THEN {p.concern_band} ELSE 6 END) AS band,
       concat_ws('|', {", ".join(f"CASE WHEN {f} THEN '{f}' END" for f in sorted(FLAGS))}) AS flags
FROM banded ORDER BY band, coalesce(score, 0) DESC"""),
    ]


def cusum_sql(p: Policy, steps: int) -> str:
    """The chart and its mirror, one window after another (oldest first) as nested projections:
    a window without a comparison leaves them as they were; each is reset after a signal. Only
    whether the latest window signalled is kept."""
    k, h = p.cusum_k, p.cusum_h
    windows = ", ".join(f"any_value(z) FILTER (WHERE back = {b}) AS z{b}" for b in range(steps))
    rows = f"SELECT indicator, location_id, {windows}, 0.0 AS up, 0.0 AS down FROM compared GROUP BY ALL " \
           "HAVING count(*) FILTER (WHERE back = 0) > 0"

    def moved(chart: str, sign: str, b: int) -> str:
        step = f"greatest({chart} {sign} z{b} - {k!r}, 0)"
        return f"CASE WHEN z{b} IS NULL THEN {chart} WHEN {step} >= {h!r} THEN 0 ELSE {step} END"

    for b in range(steps - 1, 0, -1):
        rows = f"SELECT * REPLACE ({moved('up', '+', b)} AS up, {moved('down', '-', b)} AS down) FROM ({rows})"
    return f"""
CREATE TEMP TABLE cusum AS
SELECT indicator, location_id, greatest(up + z0 - {k!r}, 0) >= {h!r} AS up,
       greatest(down - z0 - {k!r}, 0) >= {h!r} AS down
FROM ({rows})"""


FLAGS = ["severe_safeguarding_alert", "closed_culture", "no_registered_manager", "manager_changes",
         "data_silence", "few_complaints", "overdue_complaints"]
TABLES = ["peers", "w", "measures", "pooled", "scores", "dispersion", "compared", "cusum", "latest", "flags",
          "watchlist"]


def connect(threads: int) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that will never fetch an extension."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"SET threads = {threads}")
    con.execute(catalogue_sql())
    return con


def compute(con: duckdb.DuckDBPyConnection, policy: Policy, end: int, today: str) -> dict[str, float]:
    """Runs the pipeline once (its tables dropped first, untimed); returns each step's seconds and the total."""
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    timings, started = {}, time.perf_counter()
    for name, sql in pipeline(policy, end, today):
        step = time.perf_counter()
        con.execute(sql)
        timings[name] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    name_views(con)
    return timings


def name_views(con: duckdb.DuckDBPyConnection) -> None:
    """Views of the results with the services' IDs and the indicators' codes, for the checks (untimed)."""
    for table, peer in (("latest", ""), ("scores", "p.peer_key AS peer_group, "), ("compared", "p.peer_key AS peer_group, ")):
        con.execute(
            f"CREATE OR REPLACE VIEW {table}_named AS SELECT k.indicator, s.location_id, {peer}"
            f"t.* EXCLUDE (indicator, location_id{', peer_group' if peer else ''}) FROM {table} t "
            "JOIN catalogue k ON k.position = t.indicator JOIN services s ON s.sid = t.location_id "
            "JOIN peers p ON p.location_id = t.location_id"
        )
    con.execute(
        "CREATE OR REPLACE VIEW watchlist_named AS SELECT s.location_id, t.* EXCLUDE (location_id) "
        "FROM watchlist t JOIN services s ON s.sid = t.location_id"
    )


def month_of(text: str) -> int:
    return int(text[:4]) * 12 + int(text[5:7]) - 1


# ---------------------------------------------------------------------------------------------
# The checks against the engine's own figures.

FIGURES = {
    "location_id": "VARCHAR", "indicator": "VARCHAR", "n": "BIGINT", "value": "DOUBLE", "theta0": "DOUBLE",
    "tau2": "DOUBLE", "z": "DOUBLE", "lo95": "DOUBLE", "hi95": "DOUBLE", "lo998": "DOUBLE", "hi998": "DOUBLE",
    "cusum_signal": "BOOLEAN", "status": "VARCHAR",
}
WATCHLIST = {
    "location_id": "VARCHAR", "risk": "BIGINT", "elevated": "BIGINT", "with_data": "BIGINT", "score": "DOUBLE",
    "score_band": "INTEGER", "band": "INTEGER", "flags": "VARCHAR",
}


def agreement(con: duckdb.DuckDBPyConnection, folder: Path) -> dict:
    """Per indicator: rows compared, max abs differences and mismatches; per service: the watchlist."""
    con.execute(f"CREATE OR REPLACE TABLE engine_figures AS SELECT * FROM {read_csv(folder / 'figures.csv', FIGURES)}")
    con.execute(
        f"CREATE OR REPLACE TABLE engine_watchlist AS SELECT * FROM {read_csv(folder / 'watchlist.csv', WATCHLIST)}"
    )

    def diff(column: str) -> str:
        return (f"coalesce(max(abs(e.{column} - d.{column})), 0) AS {column}, "
                f"count(*) FILTER (WHERE (e.{column} IS NULL) <> (d.{column} IS NULL)) AS {column}_presence")

    rows = con.execute(f"""
        SELECT k.indicator, count(*) AS rows, count(d.location_id) AS measured,
               count(*) FILTER (WHERE e.n <> coalesce(d.n, 0)) AS n_mismatch,
               {", ".join(diff(c) for c in ("value", "theta0", "tau2", "z", "lo95", "hi95", "lo998", "hi998"))},
               count(*) FILTER (WHERE e.status <> coalesce(d.status, 'not_enough_data')) AS status_mismatch,
               count(*) FILTER (WHERE e.cusum_signal <> coalesce(d.cusum_signal, false)) AS cusum_mismatch,
               count(*) FILTER (WHERE e.cusum_signal) AS cusum_signals,
               count(*) FILTER (WHERE e.status = 'risk') AS risk, count(*) FILTER (WHERE e.status = 'elevated') AS elevated
        FROM engine_figures e JOIN catalogue k USING (indicator)
        LEFT JOIN latest_named d USING (indicator, location_id)
        GROUP BY k.indicator, k.position ORDER BY k.position""").fetchall()
    names = [d[0] for d in con.description]
    per_indicator = {row[0]: dict(zip(names[1:], row[1:])) for row in rows}
    unmatched = con.execute(
        "SELECT count(*) FROM latest_named d ANTI JOIN engine_figures e USING (indicator, location_id)"
    ).fetchone()[0]
    watch = con.execute("""
        SELECT count(*) AS services, count(d.location_id) AS matched,
               count(*) FILTER (WHERE e.risk <> d.risk OR e.elevated <> d.elevated OR e.with_data <> d.with_data)
                   AS count_mismatch,
               coalesce(max(abs(e.score - d.score)), 0) AS score_max_abs_diff,
               count(*) FILTER (WHERE e.score_band <> d.score_band) AS score_band_mismatch,
               count(*) FILTER (WHERE e.band <> d.band) AS band_mismatch,
               count(*) FILTER (WHERE coalesce(e.flags, '') <> coalesce(d.flags, '')) AS flags_mismatch,
               count(*) FILTER (WHERE e.flags <> '') AS services_with_flags
        FROM engine_watchlist e LEFT JOIN watchlist_named d USING (location_id)""").fetchone()
    watch = dict(zip([d[0] for d in con.description], watch))
    bands = con.execute(
        "SELECT list(n ORDER BY band) FROM (SELECT band, count(*) AS n FROM watchlist GROUP BY band)"
    ).fetchone()[0]
    flag_counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {f})" for f in FLAGS) + " FROM flags"
    ).fetchone()
    peer_groups = con.execute(
        "SELECT count(*) FROM peers p JOIN services s ON s.sid = p.location_id WHERE peer_key <> engine_peer_group"
    ).fetchone()[0]
    return {
        "per_indicator": per_indicator,
        "duckdb_rows_not_in_engine": unmatched,
        "peer_group_mismatch": peer_groups,
        "watchlist": watch,
        "duckdb_bands_1_to_6": bands,
        "duckdb_flags": dict(zip(FLAGS, flag_counts)),
    }


def check_rows(con: duckdb.DuckDBPyConnection, db: Path, start: str, end: str) -> dict:
    """The months in DuckDB against the SQLite tables the monitor reads (read-only): every
    returned month, and every month with voice counts or a return, of registered locations."""
    source = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    registered = "location_id IN (SELECT id FROM locations WHERE registration_status = 'registered')"
    try:
        returns = source.execute(f"SELECT count(*) FROM provider_returns WHERE month >= ? AND {registered}",
                                 (start,)).fetchone()[0]
        months = source.execute(
            f"SELECT count(*) FROM (SELECT location_id, month FROM voice_months WHERE month >= ?1 AND {registered} "
            f"UNION SELECT location_id, month FROM provider_returns WHERE month >= ?1 AND {registered})",
            (start,)).fetchone()[0]
        responses = source.execute(
            f"SELECT coalesce(sum(responses), 0) FROM voice_months WHERE month >= ? AND month <= ? AND {registered}",
            (start, end)).fetchone()[0]
        registered_count = source.execute(
            "SELECT count(*) FROM locations WHERE registration_status = 'registered'").fetchone()[0]
    finally:
        source.close()
    ours = con.execute(
        "SELECT (SELECT count(*) FROM provider_returns), (SELECT count(*) FROM voice_months), "
        f"(SELECT sum(responses) FROM voice_months WHERE m <= {month_of(end)}), (SELECT count(*) FROM services)"
    ).fetchone()
    return {
        "sqlite": {"returns": returns, "months": months, "responses": responses, "registered": registered_count},
        "duckdb": {"returns": ours[0], "months": ours[1], "responses": ours[2], "services": ours[3]},
        "same": (returns, months, responses, registered_count) == tuple(ours),
    }


def write_results(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    target = str(path).replace("'", "''")
    con.execute(
        "COPY (SELECT indicator, location_id, n, value, theta0, tau2, z, cusum_signal, status FROM latest_named "
        f"ORDER BY position, location_id) TO '{target}' (HEADER, DELIMITER ',')"
    )
    return con.execute("SELECT count(*) FROM latest").fetchone()[0]


def run_example(example: Path, db: Path, runs: int, today: str, folder: Path | None) -> dict:
    command = [str(example), str(db), str(runs), "--today", today, *(["--dump", str(folder)] if folder else [])]
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if finished.returncode != 0:
        sys.exit(f"the example failed with exit code {finished.returncode}: {' '.join(command)}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def compare(args: argparse.Namespace) -> dict:
    """Rounds of RUNS timed computations on each side, the engine first: on a shared machine the
    load changes, so the sides take turns rather than one running after the other."""
    policy = Policy()
    with tempfile.TemporaryDirectory(prefix="duckdb-compare-") as temporary:
        folder = args.keep or Path(temporary)
        rust = run_example(args.example, args.db, args.runs, args.today, folder)
        con = connect(args.threads)
        started = time.perf_counter()
        load_dump(con, folder)
        load_seconds = time.perf_counter() - started
        end = month_of(rust["month"])
        rust_times, runs, rounds = list(rust["compute_seconds"]), [], []
        for round_ in range(args.rounds):
            if round_ > 0:
                rust = run_example(args.example, args.db, args.runs, args.today, None)
                rust_times += rust["compute_seconds"]
            these = [compute(con, policy, end, args.today) for _ in range(args.runs)]
            runs += these
            duck = statistics.median(r["total"] for r in these)
            rounds.append({"duckdb_median": round(duck, 4), "candour_median": rust["compute_median_seconds"],
                           "ratio": round(duck / rust["compute_median_seconds"], 2)})
        report_rows = check_rows(con, args.db, rust["from"], rust["month"])
        checks = agreement(con, folder)
        if args.csv:
            checks["csv_rows"] = write_results(con, args.csv)
    totals, rust_times = sorted(r["total"] for r in runs), sorted(rust_times)
    median, rust_median = statistics.median(totals), statistics.median(rust_times)
    steps = {name: round(statistics.median(r[name] for r in runs), 4) for name in runs[0] if name != "total"}
    return {
        "duckdb_version": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "month": rust["month"], "from": rust["from"], "today": args.today,
        "services": rust["services"],
        "rows": report_rows,
        "duckdb_load_seconds_untimed": round(load_seconds, 3),
        "candour_load_seconds_untimed": rust["load_seconds"],
        "duckdb_sql_seconds": [round(t, 4) for t in totals],
        "duckdb_sql_median_seconds": round(median, 4),
        "duckdb_sql_min_seconds": round(totals[0], 4),
        "duckdb_steps_median_seconds": steps,
        "candour_compute_seconds": rust_times,
        "candour_compute_median_seconds": round(rust_median, 4),
        "candour_compute_min_seconds": rust_times[0],
        "rounds": rounds,
        "ratio_duckdb_to_candour": round(median / rust_median, 2),
        "ratio_of_minimums": round(totals[0] / rust_times[0], 2),
        "agreement": checks,
    }


# ---------------------------------------------------------------------------------------------
# --self-test: inputs written in the example's CSV format, checked against fair-comparison.md's
# worked vector, an independent plain-Python recomputation of the comparisons and of the CUSUM
# charts, and hand-worked flags and bands.

SEVEN = [(19, 20), (30, 50), (4, 10), (170, 200), (25, 45), (10, 10), (2, 3)]
SEVEN_Z = [1.92, -2.84, -2.77, 2.71, -3.40, 1.73, -0.42]
# The notes print −1.68 for 4/10; the formula gives −1.6749 (as the engine's own test says).
SEVEN_Z_ADJ = [0.91, -0.91, -1.67, 0.45, -1.15, 1.05, -0.34]
END = "2026-06"
TODAY = "2026-06-20"


def previous_month(month: str, back: int) -> str:
    index = month_of(month) - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class Synthetic:
    """Rows in the example's CSV format; every month with a return also has a voice row (maybe
    zeros), as the monitor holds them."""

    def __init__(self):
        self.services, self.voice, self.returns = [], {}, {}

    def location(self, location_id: str, kind: str, beds: int | None, specialisms: str = "", **side) -> None:
        columns = {"last_severe_alert": "", "overdue_count": "", "overdue_oldest_due": "", "complaint_log_since": "",
                   "reads_month": "", "reads_confirmed": "", "reads_expected": "", **side}
        self.services.append([location_id, kind, "" if beds is None else beds, specialisms, *columns.values(), ""])

    def voice_month(self, location: str, month: str, **counts) -> None:
        row = self.voice.setdefault((location, month), dict.fromkeys(VOICE, 0))
        for name, value in counts.items():
            row[name] += value

    def counts(self, location: str, x: int, n: int, month: str = END) -> None:
        self.voice_month(location, month, responses=n, positive=x, rated=n)

    def return_(self, location: str, month: str, **figures) -> None:
        row = {"headcount": 10, "leavers": 0, "agency_hours": 0, "hours_worked": 100, "vacancies": 0,
               "supervision_pct": 100, "training_pct": 100, "registered_manager": "true", "manager_changed": "false",
               "people_supported": 10, **dict.fromkeys(RETURNS[10:], 0), **figures}
        self.returns[(location, month)] = row
        self.voice_month(location, month)

    def write(self, folder: Path) -> None:
        def lines(rows):
            return "".join(",".join(str(v) for v in row) + "\n" for row in rows)
        (folder / "services.csv").write_text(lines(self.services))
        (folder / "voice_months.csv").write_text(lines([*key, *row.values()] for key, row in sorted(self.voice.items())))
        (folder / "provider_returns.csv").write_text(
            lines([*key, *row.values()] for key, row in sorted(self.returns.items())))


def reference_comparison(counts: list[tuple[int, int]], policy: Policy) -> tuple[float, float, list]:
    """fair-comparison.md §2-3 in plain Python, written from the notes (as stats/dispersion.rs)."""
    min_n = max(policy.min_n, 1)
    used = [(x, n) for x, n in counts if n >= min_n]
    theta0 = sum(x for x, _ in used) / sum(n for _, n in used)
    s = [math.sqrt(theta0 * (1 - theta0) / n) for _, n in counts]
    z = [(x / n - theta0) / si if si > 0 else 0.0 for (x, n), si in zip(counts, s)]
    kept = [i for i, (_, n) in enumerate(counts) if n >= min_n and s[i] > 0]
    zs = sorted(z[i] for i in kept)

    def percentile(q: float) -> float:
        rank = (len(zs) - 1) * q
        below = math.floor(rank)
        above = min(below + 1, len(zs) - 1)
        return zs[below] + (rank - below) * (zs[above] - zs[below])

    lo, hi = (percentile(policy.trim), percentile(1 - policy.trim)) if policy.trim > 0 else (-math.inf, math.inf)
    services = len(kept)
    phi = sum(min(max(z[i], lo), hi) ** 2 for i in kept) / services
    w = [1 / s[i] ** 2 for i in kept]
    if services < max(policy.min_services, 2):
        tau2 = policy.default_tau2
    elif services * phi <= services - 1:
        tau2 = 0.0
    else:
        tau2 = (services * phi - (services - 1)) / (sum(w) - sum(v * v for v in w) / sum(w))
    rows = []
    for (x, n), si in zip(counts, s):
        spread = math.sqrt(si * si + tau2)
        rows.append(((x / n - theta0) / spread if spread > 0 else 0.0) if n >= min_n else None)
    return theta0, tau2, rows


def check(condition: bool, what: str, failures: list[str]) -> None:
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def near(found: float | None, wanted: float | None) -> bool:
    if found is None or wanted is None:
        return found is None and wanted is None
    return math.isclose(found, wanted, rel_tol=1e-9, abs_tol=1e-12)


def self_test_con(data: Synthetic, policy: Policy) -> duckdb.DuckDBPyConnection:
    con = connect(2)
    with tempfile.TemporaryDirectory(prefix="duckdb-compare-test-") as folder:
        data.write(Path(folder))
        load_dump(con, Path(folder))
    compute(con, policy, month_of(END), TODAY)
    return con


def check_worked_vector(failures: list[str]) -> None:
    data = Synthetic()
    for i, (x, n) in enumerate(SEVEN):  # % positive from voice, agency share from a return
        data.location(f"S{i}", "care_home", 20)
        data.counts(f"S{i}", x, n)
        data.return_(f"S{i}", END, agency_hours=x, hours_worked=n)
    con = self_test_con(data, Policy(min_n=1, trim=0.0, min_services=2))  # the notes' vector is untrimmed
    for indicator in ("positive_overall", "agency_share"):
        rows = con.execute(
            "SELECT (s.y - s.theta0) / s.s, l.z, l.theta0, l.tau2 FROM latest_named l "
            "JOIN scores_named s ON s.indicator = l.indicator AND s.location_id = l.location_id AND s.back = 0 "
            "WHERE l.indicator = ? ORDER BY l.location_id", (indicator,)).fetchall()
        z = [round(r[0], 2) for r in rows]
        z_adj = [round(r[1], 2) for r in rows]
        check(round(rows[0][2], 4) == 0.7692, f"{indicator}: θ0 = {rows[0][2]:.4f}", failures)
        check(round(rows[0][3], 5) == 0.03085, f"{indicator}: τ² = {rows[0][3]:.5f}", failures)
        check(z == SEVEN_Z, f"{indicator}: raw z {z}", failures)
        check(z_adj == SEVEN_Z_ADJ, f"{indicator}: adjusted z {z_adj}", failures)


def cusum_reference(zs: list[float | None], policy: Policy) -> tuple[bool, bool]:
    """The engine's ZCusum over the windows with a comparison; the latest window's (up, down) signal."""
    up = down = 0.0
    signal = (False, False)
    for z in zs:
        if z is None:
            signal = (False, False)
            continue
        up, down = max(0.0, up + z - policy.cusum_k), max(0.0, down - z - policy.cusum_k)
        signal = (up >= policy.cusum_h, down >= policy.cusum_h)
        up, down = (0.0 if signal[0] else up), (0.0 if signal[1] else down)
    return signal


def check_groups_and_cusum(failures: list[str]) -> None:
    """Two peer groups of services with their own rates over 24 months, some drifting down, some
    below the minimum n, a group of 6 (too few for τ²); comparisons recomputed in Python at
    every window, and each chart run in Python over the SQL's own z-scores."""
    rng, policy = random.Random(7), Policy()
    data, members = Synthetic(), {}
    for i in range(40):
        location, (kind, beds) = f"R{i:02}", ("care_home", 60) if i < 34 else ("homecare", None)
        data.location(location, kind, beds)
        size, rate, drift = rng.choice([1, 2, 3, 5, 10, 20, 40]), rng.uniform(0.4, 0.97), rng.choice([0, 0, 0.03])
        for back in range(24):
            month = previous_month(END, back)
            n = rng.randint(0, size)
            p = max(0.05, rate - drift * (24 - back))
            x = sum(rng.random() < p for _ in range(n))
            if n:
                data.counts(location, x, n, month)
            members.setdefault((f"{kind}/{'large' if beds else 'unknown'}/england", 23 - back // 3), []).append(
                (location, x, n))
    con = self_test_con(data, policy)
    same_comparisons, checked = True, 0
    for (group, step), rows in members.items():
        totals = {}
        for location, x, n in rows:
            sx, sn = totals.get(location, (0, 0))
            totals[location] = (sx + x, sn + n)
        measured = [(loc, x, n) for loc, (x, n) in sorted(totals.items()) if n > 0]
        back = 7 - (step - 16) if step >= 16 else None
        if back is None or not any(n >= policy.min_n for _, _, n in measured):
            continue
        theta0, tau2, expected = reference_comparison([(x, n) for _, x, n in measured], policy)
        found = dict(con.execute(
            "SELECT location_id, z FROM compared_named WHERE indicator = 'positive_overall' AND back = ? AND peer_group = ?",
            (back, group)).fetchall())
        for (location, _, n), want in zip(measured, expected):
            same_comparisons &= near(found.get(location), want)
            checked += want is not None
    check(same_comparisons and checked > 100, f"z^D of {checked} services and windows in both peer groups, as "
          "recomputed in Python", failures)
    zs = con.execute(
        "SELECT location_id, list(z ORDER BY back DESC), list(back ORDER BY back DESC) FROM compared_named "
        "WHERE indicator = 'positive_overall' GROUP BY location_id").fetchall()
    signals = dict(con.execute(
        "SELECT location_id, cusum_signal FROM latest_named WHERE indicator = 'positive_overall'").fetchall())
    same, fired = True, 0
    for location, z, backs in zs:
        by_back = dict(zip(backs, z))
        down = cusum_reference([by_back.get(b) for b in range(7, -1, -1)], policy)[1]
        fired += down
        same &= signals.get(location, False) == down
    check(same and fired > 0, f"CUSUM signals as a plain loop over the same z-scores ({fired} services signal)", failures)


def check_flags(failures: list[str]) -> None:
    """One service per flag, each with returns for 24 months, among quiet peers."""
    data = Synthetic()
    months = [previous_month(END, back) for back in range(24)]
    cases = {
        "A": ({"last_severe_alert": "2026-06-10"}, {}, "severe_safeguarding_alert"),
        "B": ({}, {0: {"registered_manager": "false"}}, "no_registered_manager"),
        "C": ({}, {5: {"manager_changed": "true"}, 9: {"manager_changed": "true"}}, "manager_changes"),
        "D": ({"overdue_count": 1, "overdue_oldest_due": "2026-06-01"}, {}, "overdue_complaints"),
        "E": ({}, {}, "data_silence"),
    }
    for location, (side, returns, _) in cases.items():
        data.location(location, "homecare", None, **side)
        for back, month in enumerate(months):
            data.return_(location, month, **returns.get(back, {}))
            if location != "E" or back >= 3:
                data.counts(location, 8, 10, month)
    con = self_test_con(data, Policy())
    found = dict(con.execute("SELECT location_id, flags FROM watchlist_named").fetchall())
    bands = dict(con.execute("SELECT location_id, band FROM watchlist_named").fetchall())
    for location, (_, _, flag) in cases.items():
        check(found[location] == flag, f"{location}: flags {found[location]!r}, expected {flag!r}", failures)
    expected_bands = {"A": 1, "B": 2, "C": 3, "D": 3, "E": 3}
    check(bands == expected_bands, f"bands lifted by the flags: {bands}", failures)


def self_test() -> int:
    failures: list[str] = []
    check_worked_vector(failures)
    check_groups_and_cusum(failures)
    check_flags(failures)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", type=Path, help="a copy of the SQLite database (e.g. a national demo)")
    parser.add_argument("--example", type=Path, help="the built example: target/release/examples/compute")
    parser.add_argument("--runs", type=int, default=5, help="timed runs on each side (default 5)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of runs, the sides taking turns (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads (default 2)")
    parser.add_argument("--today", default=datetime.now(timezone.utc).date().isoformat(), help="YYYY-MM-DD")
    parser.add_argument("--csv", type=Path, help="write DuckDB's figures for the latest window here")
    parser.add_argument("--keep", type=Path, help="keep the example's CSV files in this folder")
    parser.add_argument("--self-test", action="store_true", help="check the SQL on small synthetic inputs")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if args.db is None or args.example is None:
        parser.error("give the database copy and --example, or --self-test")
    if not args.db.is_file():
        parser.error(f"{args.db}: no such database file")
    try:
        date.fromisoformat(args.today)
    except ValueError:
        parser.error(f"--today {args.today}: expected YYYY-MM-DD")
    print(json.dumps(compare(args), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
