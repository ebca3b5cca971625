#!/usr/bin/env python3
"""The monitoring recompute's per-service aggregates and funnel z-scores, done again in DuckDB SQL.

A side-by-side for `candour recompute`: over the same SQLite database, DuckDB computes
per location and calendar month the voice tallies the engine keeps (crates/engine/src/monitoring/
input.rs), then for the 3 months ending with the latest month in the data two indicators per
location, each compared with its peer group (service type + size band, England) by funnel
z-scores allowing for over-dispersion (fair-comparison.md §2-3, crates/engine/src/stats/):

  positive_overall  x = "very good"/"good" overall answers, n = overall answers but "don't know",
                    from people, family and advocates;
  agency_share      x = agency hours, n = hours worked, from the provider returns.

No network: the rows are read with Python's sqlite3 and handed to DuckDB as CSV files in a
temporary folder (DuckDB's sqlite extension would download itself), and extension autoloading
is switched off.

Usage (a virtual environment with DuckDB; not needed by the tests):

  python3 -m venv /tmp/duckdb-venv && /tmp/duckdb-venv/bin/pip install duckdb
  /tmp/duckdb-venv/bin/python bench/duckdb_compare.py /tmp/bench/nat.db --csv /tmp/bench/duckdb.csv
  /tmp/duckdb-venv/bin/python bench/duckdb_compare.py --self-test

Options: --month YYYY-MM ends the window at another month (the latest month in the data may be
the current one, still partly empty: the national demo's feedback runs to today); --rust-command "CMD" also runs
CMD (e.g. "target/release/candour recompute --db /tmp/bench/nat.db"), times it and reports
rust_seconds and the ratio duckdb/rust. Timings are printed as JSON: the load (export from
SQLite, then read into DuckDB), the monthly aggregate SQL, the window and z-score SQL, and
the total. The CSV has one row per location and indicator with any data in the window:
indicator, peer_group, location_id, x, n, p, theta0, tau2, z, z_adj (z and z_adj empty below
the minimum n, where the engine shows no comparison).

Definitions that the Rust side must share to compare row by row: responses with status
'rejected' are left out; a story is a response with a non-empty story (whoever gave it) and is
critical at criticality >= 3; the month of a response is the UTC calendar month of received_at;
a location's service type is the first of its service_kinds codes (they are stored in the
engine's order, nursing homes first), 'other' when it has none.
"""

import argparse
import csv
import json
import math
import random
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

MIGRATIONS = Path(__file__).resolve().parent.parent / "crates" / "store-sqlite" / "migrations"

# The questions asked of people, family and advocates (candour_domain::voice::OUTCOME_QUESTIONS).
PERSON_QUESTIONS = ["choice", "safe", "dignity", "listened", "matters", "in_touch", "reliable", "information"]
PEOPLE = ("person", "family", "advocate")
CRITICAL = 3


@dataclass(frozen=True)
class Policy:
    """The engine's defaults (MonitoringPolicy, DispersionOptions with min_n = MIN_RESPONSES_SHOWN)."""

    window_months: int = 3
    min_n: int = 5
    trim: float = 0.1
    min_services: int = 10
    default_tau2: float = 0.0


# What is read from SQLite: the columns the recompute needs, with their DuckDB types. The
# story itself is not needed, only whether there is one.
QUESTION_COLUMNS = [f"q_{q}" for q in PERSON_QUESTIONS]
EXPORTS = {
    "feedback": (
        "SELECT location_id, received_at, respondent, overall, status, criticality, story <> '' AS has_story, "
        + ", ".join(QUESTION_COLUMNS)
        + ", q_speak_up FROM feedback",
        {
            "location_id": "VARCHAR",
            "received_at": "VARCHAR",
            "respondent": "VARCHAR",
            "overall": "VARCHAR",
            "status": "VARCHAR",
            "criticality": "TINYINT",
            "has_story": "BOOLEAN",
            **{c: "TINYINT" for c in QUESTION_COLUMNS},
            "q_speak_up": "TINYINT",
        },
    ),
    "provider_returns": (
        "SELECT location_id, month, agency_hours, hours_worked FROM provider_returns",
        {"location_id": "VARCHAR", "month": "VARCHAR", "agency_hours": "BIGINT", "hours_worked": "BIGINT"},
    ),
    "locations": (
        "SELECT id, beds, service_kinds FROM locations",
        {"id": "VARCHAR", "beds": "INTEGER", "service_kinds": "VARCHAR"},
    ),
}


def export_csv(db: Path, folder: Path) -> dict[str, int]:
    """Writes each table's needed columns to `folder/<table>.csv`; returns the row counts."""
    counts = {}
    source = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for table, (query, _) in EXPORTS.items():
            with open(folder / f"{table}.csv", "w", newline="") as out:
                writer = csv.writer(out)
                cursor = source.execute(query)
                counts[table] = 0
                while rows := cursor.fetchmany(50_000):
                    writer.writerows(rows)
                    counts[table] += len(rows)
    finally:
        source.close()
    return counts


def read_csv(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for table, (_, types) in EXPORTS.items():
        columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in types.items()) + "}"
        path = str(folder / f"{table}.csv").replace("'", "''")
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = false, columns = {columns}, "
            "nullstr = '', quote = '\"', escape = '\"')"
        )


def outcome_score() -> str:
    """The mean of the answered person questions: "doesn't apply" (NULL) is not imputed."""
    answered = " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in QUESTION_COLUMNS)
    total = " + ".join(f"coalesce({c}, 0)" for c in QUESTION_COLUMNS)
    return f"({total})::DOUBLE / nullif({answered}, 0)"


# Per location and month, the counts of crates/engine/src/monitoring/input.rs (VoiceMonth).
AGGREGATE_SQL = f"""
CREATE TABLE voice_month AS
SELECT location_id, substr(received_at, 1, 7) AS month,
       count(*) FILTER (WHERE people) AS responses,
       count(*) FILTER (WHERE people AND overall IN ('very_good', 'good')) AS positive,
       count(*) FILTER (WHERE people AND overall <> 'dont_know') AS rated,
       count(score) FILTER (WHERE people) AS outcome_n,
       coalesce(sum(score) FILTER (WHERE people), 0) AS outcome_sum,
       coalesce(sum(score * score) FILTER (WHERE people), 0) AS outcome_sum_sq,
       count(*) FILTER (WHERE has_story) AS stories,
       count(*) FILTER (WHERE has_story AND criticality >= {CRITICAL}) AS critical_stories,
       count(q_speak_up) FILTER (WHERE respondent = 'staff') AS speak_up_n,
       coalesce(sum(q_speak_up) FILTER (WHERE respondent = 'staff'), 0)::DOUBLE AS speak_up_sum,
       coalesce(sum(q_speak_up * q_speak_up) FILTER (WHERE respondent = 'staff'), 0)::DOUBLE AS speak_up_sum_sq
FROM (
    SELECT *, respondent IN {PEOPLE} AS people, {outcome_score()} AS score
    FROM feedback WHERE status <> 'rejected'
)
GROUP BY ALL
"""

# Each location's peer group key, as crates/engine/src/stats/peers.rs writes it.
PEER_GROUP_SQL = """
CREATE TABLE peer_groups AS
SELECT id AS location_id,
       coalesce(nullif(split_part(service_kinds, ',', 1), ''), 'other') || '/' ||
       CASE WHEN beds BETWEEN 1 AND 10 THEN 'small' WHEN beds BETWEEN 11 AND 49 THEN 'medium'
            WHEN beds >= 50 THEN 'large' ELSE 'unknown' END || '/england' AS peer_group
FROM locations
"""


def measures_sql(start: str, end: str) -> str:
    """Both indicators' (x, n) over the window, for locations with n > 0 (others have no figure)."""
    return f"""
CREATE TABLE measures AS
SELECT indicator, location_id, peer_group, least(x, n)::DOUBLE AS x, n::DOUBLE AS n
FROM (
    SELECT 'positive_overall' AS indicator, location_id, sum(positive) AS x, sum(rated) AS n
    FROM voice_month WHERE month BETWEEN '{start}' AND '{end}' GROUP BY location_id
    UNION ALL
    SELECT 'agency_share', location_id, sum(agency_hours), sum(hours_worked)
    FROM provider_returns WHERE month BETWEEN '{start}' AND '{end}' GROUP BY location_id
) JOIN peer_groups USING (location_id)
WHERE n > 0
"""


def comparison_sql(policy: Policy) -> str:
    """Normal-form funnel z and z^D per peer group (fair-comparison.md §2-3): θ0 pooled over the
    services with n >= min_n; φ from their z-scores winsorised at the trim percentiles (linear
    interpolation, as quantile_cont); τ² = (Iφ − (I − 1))/(Σw − Σw²/Σw), w = 1/s², or the
    default with fewer than min_services services."""
    min_n, trim = max(policy.min_n, 1), policy.trim
    return f"""
CREATE TABLE comparison AS
WITH pooled AS (
    SELECT indicator, peer_group,
           sum(x) FILTER (WHERE n >= {min_n}) / sum(n) FILTER (WHERE n >= {min_n}) AS theta0
    FROM measures GROUP BY ALL HAVING count(*) FILTER (WHERE n >= {min_n}) > 0
), scored AS (
    SELECT m.*, x / n AS p, theta0, sqrt(theta0 * (1 - theta0) / n) AS s
    FROM measures m LEFT JOIN pooled USING (indicator, peer_group)
), raw AS (
    SELECT *, CASE WHEN s > 0 THEN (p - theta0) / s ELSE 0 END AS z,
           coalesce(n >= {min_n} AND s > 0, false) AS counts
    FROM scored
), bounds AS (
    SELECT indicator, peer_group, count(*) AS services,
           quantile_cont(z, {trim!r}) AS lo, quantile_cont(z, {1.0 - trim!r}) AS hi,
           sum(1 / (s * s)) AS sum_w, sum(1 / (s * s * s * s)) AS sum_w2
    FROM raw WHERE counts GROUP BY ALL
), dispersion AS (
    SELECT indicator, peer_group, services, sum_w, sum_w2,
           sum(pow(least(greatest(z, lo), hi), 2)) / services AS phi
    FROM raw JOIN bounds USING (indicator, peer_group) WHERE counts
    GROUP BY indicator, peer_group, services, sum_w, sum_w2
), tau AS (
    SELECT indicator, peer_group, phi,
           CASE WHEN services < {max(policy.min_services, 2)} THEN {policy.default_tau2!r}
                WHEN services * phi <= services - 1 THEN 0
                ELSE (services * phi - (services - 1)) / (sum_w - sum_w2 / sum_w) END AS tau2
    FROM dispersion
)
SELECT indicator, peer_group, location_id, x, n, p, theta0,
       coalesce(tau2, {policy.default_tau2!r}) AS tau2,
       CASE WHEN n >= {min_n} THEN z END AS z,
       CASE WHEN n >= {min_n} THEN
           CASE WHEN sqrt(s * s + coalesce(tau2, {policy.default_tau2!r})) > 0
                THEN (p - theta0) / sqrt(s * s + coalesce(tau2, {policy.default_tau2!r})) ELSE 0 END
       END AS z_adj
FROM raw LEFT JOIN tau USING (indicator, peer_group)
"""


def previous_month(month: str, back: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that will never fetch an extension."""
    return duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


def latest_month(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "SELECT max(month) FROM (SELECT month FROM voice_month UNION ALL SELECT month FROM provider_returns)"
    ).fetchone()
    if row[0] is None:
        sys.exit("the database has neither feedback nor provider returns: nothing to compare")
    return row[0]


def run(db: Path, policy: Policy, month: str | None) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """Loads, aggregates and compares; returns the connection (holding `comparison`) and the timings."""
    con = connect()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="duckdb-compare-") as folder:
        rows = export_csv(db, Path(folder))
        exported = time.perf_counter()
        read_csv(con, Path(folder))
    loaded = time.perf_counter()
    con.execute(AGGREGATE_SQL)
    con.execute(PEER_GROUP_SQL)
    aggregated = time.perf_counter()
    end = month or latest_month(con)
    start = previous_month(end, policy.window_months - 1)
    con.execute(measures_sql(start, end))
    con.execute(comparison_sql(policy))
    compared = time.perf_counter()
    timings = {
        "duckdb_version": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "window": [start, end],
        "rows": rows,
        "load_seconds": round(loaded - started, 3),
        "export_seconds": round(exported - started, 3),
        "read_seconds": round(loaded - exported, 3),
        "aggregate_seconds": round(aggregated - loaded, 3),
        "zscore_seconds": round(compared - aggregated, 3),
        "total_seconds": round(compared - started, 3),
        "sql_seconds": round(compared - loaded, 3),
    }
    return con, timings


def write_results(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    target = str(path).replace("'", "''")
    con.execute(
        "COPY (SELECT indicator, peer_group, location_id, x::BIGINT AS x, n::BIGINT AS n, p, theta0, tau2, z, z_adj "
        f"FROM comparison ORDER BY indicator, location_id) TO '{target}' (HEADER, DELIMITER ',')"
    )
    return con.execute("SELECT count(*) FROM comparison").fetchone()[0]


def time_rust(command: str) -> float:
    started = time.perf_counter()
    finished = subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL)
    if finished.returncode != 0:
        sys.exit(f"the Rust command failed with exit code {finished.returncode}: {command}")
    return round(time.perf_counter() - started, 3)


# ---------------------------------------------------------------------------------------------
# --self-test: a small database made with the real migrations, checked against hand-worked
# tallies, fair-comparison.md's worked vector and an independent plain-Python recomputation.

SEVEN = [(19, 20), (30, 50), (4, 10), (170, 200), (25, 45), (10, 10), (2, 3)]
SEVEN_Z = [1.92, -2.84, -2.77, 2.71, -3.40, 1.73, -0.42]
# The notes print −1.68 for 4/10; the formula gives −1.6749 (as the engine's own test says).
SEVEN_Z_ADJ = [0.91, -0.91, -1.67, 0.45, -1.15, 1.05, -0.34]
END = "2026-06"
STAMP = "2026-01-01T00:00:00.000000Z"


class Synthetic:
    """Writes rows into a fresh database with the project's schema."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        for migration in sorted(MIGRATIONS.glob("*.sql")):
            self.db.executescript(migration.read_text())
        self.db.execute(
            "INSERT INTO providers (id, name, registration_status, updated_at) "
            "VALUES ('P1', 'Provider', 'registered', ?)",
            (STAMP,),
        )
        self.responses = 0

    def location(self, location_id: str, kinds: str, beds: int | None) -> None:
        self.db.execute(
            "INSERT INTO locations (id, provider_id, name, care_home, beds, service_types, specialisms, "
            "regulated_activities, relationships, service_kinds, registration_status, updated_at) "
            "VALUES (?, 'P1', ?, 0, ?, '[]', '[]', '[]', '[]', ?, 'registered', ?)",
            (location_id, location_id, beds, kinds, STAMP),
        )

    def response(self, location, month, respondent="person", overall="good", answers=None, **extra) -> None:
        """One response; `answers` maps question codes to levels, `extra` sets other columns."""
        self.responses += 1
        columns = {
            "location_id": location,
            "key_hash": f"key-{self.responses}",
            "reference": f"REF-{self.responses}",
            "received_at": f"{month}-15T12:00:00.000000Z",
            "respondent": respondent,
            "channel": "online",
            "overall": overall,
            "story": "",
            "anonymous": 1,
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "prescreen_words": "[]",
            "status": "published",
            **{f"q_{code}": level for code, level in (answers or {}).items()},
            **extra,
        }
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        self.db.execute(f"INSERT INTO feedback ({names}) VALUES ({marks})", list(columns.values()))

    def counts(self, location: str, x: int, n: int, month: str = END) -> None:
        """x positive of n rated answers in `month`."""
        for i in range(n):
            self.response(location, month, overall="very_good" if i < x else "poor")

    def hours(self, location: str, month: str, agency: int, worked: int) -> None:
        self.db.execute(
            "INSERT INTO provider_returns (location_id, month, headcount, leavers, agency_hours, hours_worked, "
            "vacancies, supervision_pct, training_pct, registered_manager, manager_changed, people_supported, "
            "incidents, restraint, seclusion, segregation, notifications, safeguarding_referrals, "
            "complaints_received, complaints_upheld, complaints_on_time, sent_at, source) "
            "VALUES (?, ?, 10, 0, ?, ?, 0, 100, 100, 1, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?, 'csv')",
            (location, month, agency, worked, STAMP),
        )

    def close(self) -> None:
        self.db.commit()
        self.db.close()


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
    for (x, n), si, zi in zip(counts, s, z):
        spread = math.sqrt(si * si + tau2)
        rows.append((zi, (x / n - theta0) / spread if spread > 0 else 0.0) if n >= min_n else (None, None))
    return theta0, tau2, rows


def check(condition: bool, what: str, failures: list[str]) -> None:
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def write_test_db(db: Path) -> dict[str, list[tuple[str, int, int]]]:
    """The worked vector, one location tallied by hand and random peer groups; returns the
    random groups' (location, x, n) in the window."""
    data = Synthetic(db)
    # The worked vector as % positive overall and as agency hours, one peer group each.
    for i, (x, n) in enumerate(SEVEN):
        data.location(f"S{i}", "care_home", 20)
        data.counts(f"S{i}", x, n)
        data.hours(f"S{i}", END, x, n)
    # A location whose every kind of response is tallied its own way.
    data.location("T", "care_home_nursing,homecare", None)
    tally = [
        ("person", "very_good", {"choice": 3, "safe": 2, "dignity": None}, {"story": "Kind staff."}),
        ("family", "good", {"choice": 1}, {"story": "Rushed.", "criticality": 3}),
        ("advocate", "dont_know", {}, {"story": "Worrying.", "criticality": 2}),
        ("person", "poor", {"safe": 0, "listened": 1, "information": 2}, {}),
        ("staff", "good", {"speak_up": 2}, {"story": "Short-staffed.", "criticality": 5}),
        ("staff", "poor", {"speak_up": 3}, {}),
        ("partner", "very_good", {}, {}),
        ("person", "very_good", {"choice": 3}, {"status": "rejected", "story": "x", "criticality": 5}),
        ("person", "very_good", {"choice": 3}, {"status": "pending", "story": "Waiting."}),
    ]
    for respondent, overall, answers, extra in tally:
        data.response("T", END, respondent, overall, answers, **extra)
    data.response("T", "2026-03", "person", "poor", {"safe": 0})  # before the window: not counted in it
    data.response("T", "2026-04", "person", "good", {"safe": 3})  # the window's first month
    # Two peer groups of services with their own rates, trimmed as the engine does; some below
    # min_n, and a group of 6 services, too few to estimate τ² from.
    rng = random.Random(7)
    groups: dict[str, list[tuple[str, int, int]]] = {"care_home/large/england": [], "homecare/unknown/england": []}
    for i in range(40):
        location, (kinds, beds) = f"R{i:02}", ("care_home", 60) if i < 34 else ("homecare", None)
        n, rate = rng.choice([2, 4, 5, 8, 15, 30, 60, 120]), rng.uniform(0.4, 0.97)
        x = sum(rng.random() < rate for _ in range(n))
        data.location(location, kinds, beds)
        groups[f"{kinds}/{'large' if beds else 'unknown'}/england"].append((location, x, n))
        for k in range(n):  # spread over the window's three months
            data.response(location, previous_month(END, k % 3), overall="very_good" if k < x else "poor")
    data.close()
    return groups


def check_tallies(con: duckdb.DuckDBPyConnection, failures: list[str]) -> None:
    month = con.execute(
        "SELECT responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories, critical_stories, "
        "speak_up_n, speak_up_sum, speak_up_sum_sq FROM voice_month WHERE location_id = 'T' AND month = ?",
        (END,),
    ).fetchone()
    # Scores: person (3+2)/2 = 2.5, family 1, person (0+1+2)/3 = 1, pending person 3; the advocate
    # answered nothing. Stories: person, family, advocate, staff and the pending one, not the rejected.
    expected = (5, 3, 4, 4, 7.5, 6.25 + 1 + 1 + 9, 5, 2, 2, 5.0, 13.0)
    check(month == expected, f"voice tallies of one month: {month} == {expected}", failures)
    window = con.execute(
        "SELECT x, n, peer_group FROM measures WHERE location_id = 'T' AND indicator = 'positive_overall'"
    ).fetchone()
    check(window == (4.0, 5.0, "care_home_nursing/unknown/england"), f"window and peer group: {window}", failures)


def check_worked_vector(con: duckdb.DuckDBPyConnection, failures: list[str]) -> None:
    for indicator in ("positive_overall", "agency_share"):
        rows = con.execute(
            "SELECT z, z_adj, theta0, tau2 FROM comparison WHERE indicator = ? AND location_id LIKE 'S%' "
            "ORDER BY location_id",
            (indicator,),
        ).fetchall()
        z = [round(r[0], 2) for r in rows]
        z_adj = [round(r[1], 2) for r in rows]
        check(round(rows[0][2], 4) == 0.7692, f"{indicator}: θ0 = {rows[0][2]:.4f}", failures)
        check(round(rows[0][3], 5) == 0.03085, f"{indicator}: τ² = {rows[0][3]:.5f}", failures)
        check(z == SEVEN_Z, f"{indicator}: raw z {z}", failures)
        check(z_adj == SEVEN_Z_ADJ, f"{indicator}: adjusted z {z_adj}", failures)


def near(found: float | None, wanted: float | None) -> bool:
    if found is None or wanted is None:
        return found is None and wanted is None
    return math.isclose(found, wanted, rel_tol=1e-9, abs_tol=1e-12)


def check_trimmed(con: duckdb.DuckDBPyConnection, groups: dict, policy: Policy, failures: list[str]) -> None:
    for group, members in groups.items():
        theta0, tau2, expected = reference_comparison([(x, n) for _, x, n in members], policy)
        found = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT location_id, z, z_adj, theta0, tau2 FROM comparison "
                "WHERE indicator = 'positive_overall' AND peer_group = ?",
                (group,),
            ).fetchall()
        }
        same = len(found) == len(members) and all(
            near(found[location][0], want_z) and near(found[location][1], want_adj)
            and near(found[location][2], theta0) and near(found[location][3], tau2)
            for (location, _, _), (want_z, want_adj) in zip(members, expected)
        )
        what = f"{group}: {len(members)} services trimmed as recomputed in Python (θ0 {theta0:.4f}, τ² {tau2:.5f})"
        check(same, what, failures)
    shown = con.execute(f"SELECT count(*) FROM comparison WHERE n < {policy.min_n} AND z IS NOT NULL").fetchone()[0]
    check(shown == 0, "no comparison below the minimum n", failures)


def self_test() -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="duckdb-compare-test-") as folder:
        db = Path(folder) / "test.db"
        groups = write_test_db(db)
        con, _ = run(db, Policy(min_n=1, trim=0.0, min_services=2), END)  # the notes' vector is untrimmed
        check_tallies(con, failures)
        check_worked_vector(con, failures)
        engine = Policy()
        con, _ = run(db, engine, END)
        check_trimmed(con, groups, engine, failures)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", type=Path, help="the SQLite database (e.g. a national demo)")
    parser.add_argument("--csv", type=Path, help="write the per-location results here")
    parser.add_argument("--month", help="the window's last month, YYYY-MM (default: the latest in the data)")
    parser.add_argument("--rust-command", help="a command to time alongside, e.g. the Rust recompute")
    parser.add_argument("--self-test", action="store_true", help="check the SQL on a small synthetic database")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if args.db is None:
        parser.error("give the SQLite database, or --self-test")
    if not args.db.is_file():
        parser.error(f"{args.db}: no such database file")
    if args.month is not None and not (
        len(args.month) == 7 and args.month[4] == "-" and args.month[:4].isdigit() and args.month[5:].isdigit()
        and 1 <= int(args.month[5:]) <= 12
    ):
        parser.error(f"--month {args.month}: expected YYYY-MM")
    try:
        con, report = run(args.db, Policy(), args.month)
    except sqlite3.Error as error:
        sys.exit(f"{args.db}: not a Candour database this script can read ({error})")
    if args.csv:
        report["csv_rows"] = write_results(con, args.csv)
    if args.rust_command:
        report["rust_seconds"] = time_rust(args.rust_command)
        report["ratio_duckdb_to_rust"] = round(report["total_seconds"] / report["rust_seconds"], 3)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
