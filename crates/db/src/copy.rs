//! `candour copy`: a whole deployment from one database to another (SQLite or
//! PostgreSQL, either way), table by table and column by column, then checked.
//!
//! Both sides have the same table and column names; what differs is how values
//! are stored (see [`crate::value`]). Tables are copied in an order that puts a
//! table after those its foreign keys refer to, one transaction per table. Then
//! each side's numbering continues after the copied rows, and every table's rows
//! are counted and checksummed on both sides.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, bail};
use indicatif::ProgressBar;
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite};

use crate::Database;
use crate::schema::{Column, Side, Table, quoted};
use crate::value::{Kind, Value, stamp};

/// What instances share only for the moment (rate-limit allowances, kept in the
/// database on PostgreSQL and in memory on SQLite): not part of a deployment.
const MOMENTARY: &[&str] = &["allowances"];

/// Rows sent to PostgreSQL's COPY at a time, in bytes.
const COPY_CHUNK: usize = 1 << 20;
/// SQLite's limit on bound values in one statement is 32766.
const SQLITE_VALUES: usize = 30_000;

/// One table as found on both sides after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_checksum: String,
    pub target_checksum: String,
}

impl TableReport {
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

#[derive(Debug, Clone)]
pub struct CopyReport {
    pub tables: Vec<TableReport>,
}

impl CopyReport {
    /// The tables whose rows differ between the two sides.
    pub fn differences(&self) -> Vec<&TableReport> {
        self.tables.iter().filter(|t| !t.matches()).collect()
    }

    /// The tables with their row counts and checksums on each side, as text.
    pub fn render(&self) -> String {
        let width = self.tables.iter().map(|t| t.table.len()).max().unwrap_or(5).max(5);
        let mut out = format!(
            "{:<width$}  {:>10}  {:>10}  {:<16}  {:<16}\n",
            "table", "rows from", "rows to", "checksum from", "checksum to"
        );
        for t in &self.tables {
            let verdict = if t.matches() { "" } else { "  DIFFERENT" };
            let _ = writeln!(
                out,
                "{:<width$}  {:>10}  {:>10}  {:<16}  {:<16}{verdict}",
                t.table, t.source_rows, t.target_rows, t.source_checksum, t.target_checksum
            );
        }
        out
    }
}

/// A table to copy: the target's table, the source's, and the columns both have.
struct Plan<'a> {
    target: &'a Table,
    source: &'a Table,
    /// The source's columns, in the target's order.
    source_columns: Vec<&'a Column>,
    target_columns: Vec<&'a Column>,
    kinds: Vec<Kind>,
}

/// Copies everything in `from` into `to`, which must hold no rows, and checks the
/// result. Opening each side first brings its schema up to date. Returns the
/// report of every table, which the caller shows; differences are an error of the
/// caller's (see [`CopyReport::differences`]), so that the report can be shown first.
pub async fn copy(from: &Database, to: &Database, bar: &ProgressBar) -> anyhow::Result<CopyReport> {
    if from == to {
        bail!("--from and --to are the same database ({from})");
    }
    // Opened for their migrations only.
    for db in [from, to] {
        let opened = crate::open_with(db, crate::PoolSize(2)).await.map_err(|e| crate::cannot_open(db, e))?;
        opened.close().await;
    }
    let source = Side::connect(from).await.with_context(|| format!("cannot connect to {from}"))?;
    let target = Side::connect(to).await.with_context(|| format!("cannot connect to {to}"))?;
    let result = copy_between(&source, &target, to, bar).await;
    source.close().await;
    target.close().await;
    let report = result?;
    let opened = crate::open_with(to, crate::PoolSize(2)).await.map_err(|e| crate::cannot_open(to, e))?;
    let analyzed = opened.analyze().await;
    opened.close().await;
    analyzed.with_context(|| format!("cannot refresh the statistics of {to}"))?;
    Ok(report)
}

async fn copy_between(source: &Side, target: &Side, to: &Database, bar: &ProgressBar) -> anyhow::Result<CopyReport> {
    let source_tables = source.tables().await.context("cannot read the source's tables")?;
    let target_tables = target.tables().await.context("cannot read the target's tables")?;
    for table in &target_tables {
        if target.has_rows(&table.name).await? {
            bail!("{to} already holds rows (in table {}): copy only into an empty database", table.name);
        }
    }
    let plans = plan(source, target, &source_tables, &target_tables).await?;
    let mut total = 0;
    for p in &plans {
        total += source.count(&p.source.name).await?;
    }
    bar.set_length(total);
    for group in in_reference_order(&plans) {
        copy_group(source, target, &group, bar).await?;
    }
    for p in &plans {
        if let Some(highest) = source.highest_number(p.source).await? {
            target.continue_numbering(p.target, highest).await?;
        }
    }
    bar.set_position(0);
    bar.set_length(total * 2);
    let mut tables = Vec::new();
    for p in &plans {
        bar.set_message(format!("checking {}", p.target.name));
        let (source_rows, source_checksum) = checksum(source, p.source, &p.source_columns, &p.kinds, bar).await?;
        let (target_rows, target_checksum) = checksum(target, p.target, &p.target_columns, &p.kinds, bar).await?;
        tables.push(TableReport {
            table: p.target.name.clone(),
            source_rows,
            target_rows,
            source_checksum,
            target_checksum,
        });
    }
    bar.finish_and_clear();
    Ok(CopyReport { tables })
}

/// Matches the tables and columns by name. Refuses a source table or column with
/// data that the target has no place for; a target column the source lacks keeps
/// its default.
async fn plan<'a>(
    source: &Side,
    target: &Side,
    source_tables: &'a [Table],
    target_tables: &'a [Table],
) -> anyhow::Result<Vec<Plan<'a>>> {
    let by_name: BTreeMap<&str, &Table> = source_tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let target_names: BTreeSet<&str> = target_tables.iter().map(|t| t.name.as_str()).collect();
    for table in source_tables {
        let kept = target_names.contains(table.name.as_str()) || MOMENTARY.contains(&table.name.as_str());
        if !kept && source.has_rows(&table.name).await? {
            bail!("the target has no table {} for the source's rows", table.name);
        }
    }
    let mut plans = Vec::new();
    for target_table in target_tables.iter().filter(|t| !MOMENTARY.contains(&t.name.as_str())) {
        let Some(source_table) = by_name.get(target_table.name.as_str()) else { continue };
        let mut p = Plan {
            target: target_table,
            source: source_table,
            source_columns: vec![],
            target_columns: vec![],
            kinds: vec![],
        };
        for column in &source_table.columns {
            let Some(target_column) = target_table.columns.iter().find(|c| c.name == column.name) else {
                if source.has_values(&source_table.name, &column.name).await? {
                    bail!(
                        "the target's table {} has no column {} for the source's data",
                        target_table.name,
                        column.name
                    );
                }
                continue;
            };
            p.kinds.push(meaning(column, source.is_postgres(), target_column, target.is_postgres()));
            p.source_columns.push(column);
            p.target_columns.push(target_column);
        }
        plans.push(p);
    }
    Ok(plans)
}

/// What a column's values mean: PostgreSQL's type says it (SQLite stores times,
/// dates and booleans as text and integers); between two SQLite files, as declared.
fn meaning(source: &Column, source_is_postgres: bool, target: &Column, target_is_postgres: bool) -> Kind {
    if target_is_postgres || !source_is_postgres { target.kind } else { source.kind }
}

/// The tables in groups, each group after the groups of the tables its foreign
/// keys refer to. Tables that refer to each other in a cycle share the last group.
fn in_reference_order<'p, 'a>(plans: &'p [Plan<'a>]) -> Vec<Vec<&'p Plan<'a>>> {
    let mut waiting: Vec<&Plan> = plans.iter().collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let names: BTreeSet<&str> = plans.iter().map(|p| p.target.name.as_str()).collect();
    let mut groups = Vec::new();
    while !waiting.is_empty() {
        let ready = |p: &&Plan| {
            p.target
                .references
                .iter()
                .all(|r| *r == p.target.name || done.contains(r.as_str()) || !names.contains(r.as_str()))
        };
        let (now, later): (Vec<&Plan>, Vec<&Plan>) = waiting.into_iter().partition(ready);
        if now.is_empty() {
            groups.push(later);
            break;
        }
        done.extend(now.iter().map(|p| p.target.name.as_str()));
        groups.extend(now.into_iter().map(|p| vec![p]));
        waiting = later;
    }
    groups
}

/// One transaction for the group's tables.
async fn copy_group(source: &Side, target: &Side, group: &[&Plan<'_>], bar: &ProgressBar) -> anyhow::Result<()> {
    match target {
        Side::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // Only deferrable constraints wait; the others are checked at the end of each COPY.
            sqlx::query("SET CONSTRAINTS ALL DEFERRED").execute(&mut *tx).await?;
            for p in group {
                bar.set_message(p.target.name.clone());
                into_postgres(source, &mut tx, p, bar)
                    .await
                    .with_context(|| format!("cannot copy {}", p.target.name))?;
            }
            tx.commit().await?;
        }
        Side::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
            for p in group {
                bar.set_message(p.target.name.clone());
                into_sqlite(source, &mut tx, p, bar).await.with_context(|| format!("cannot copy {}", p.target.name))?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

async fn into_postgres(
    source: &Side,
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    p: &Plan<'_>,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let columns: Vec<String> = p.target_columns.iter().map(|c| quoted(&c.name)).collect();
    let statement = format!("COPY {} ({}) FROM STDIN", quoted(&p.target.name), columns.join(", "));
    let mut copy_in = tx.copy_in_raw(&statement).await?;
    let mut buffer = Vec::with_capacity(COPY_CHUNK + 4096);
    let mut rows = 0;
    let sent = source
        .for_each_row(p.source, &p.source_columns, &p.kinds, async |row| {
            for (i, value) in row.iter().enumerate() {
                if i > 0 {
                    buffer.push(b'\t');
                }
                value.copy_text(&mut buffer);
            }
            buffer.push(b'\n');
            rows += 1;
            if buffer.len() >= COPY_CHUNK {
                copy_in.send(std::mem::take(&mut buffer)).await?;
                bar.inc(std::mem::take(&mut rows));
            }
            Ok(())
        })
        .await;
    if let Err(e) = sent {
        copy_in.abort("the copy stopped").await.ok();
        return Err(e);
    }
    if !buffer.is_empty() {
        copy_in.send(buffer).await?;
    }
    copy_in.finish().await?;
    bar.inc(rows);
    Ok(())
}

async fn into_sqlite(
    source: &Side,
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    p: &Plan<'_>,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let per_statement = (SQLITE_VALUES / p.target_columns.len().max(1)).clamp(1, 1000);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
    source
        .for_each_row(p.source, &p.source_columns, &p.kinds, async |row| {
            batch.push(row);
            if batch.len() == per_statement {
                insert_sqlite(tx, p, &std::mem::take(&mut batch)).await?;
                bar.inc(per_statement as u64);
            }
            Ok(())
        })
        .await?;
    if !batch.is_empty() {
        insert_sqlite(tx, p, &batch).await?;
        bar.inc(batch.len() as u64);
    }
    Ok(())
}

async fn insert_sqlite(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    p: &Plan<'_>,
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    let columns: Vec<String> = p.target_columns.iter().map(|c| quoted(&c.name)).collect();
    let mut insert =
        QueryBuilder::<Sqlite>::new(format!("INSERT INTO {} ({}) ", quoted(&p.target.name), columns.join(", ")));
    insert.push_values(rows, |mut values, row| {
        for value in row {
            match value {
                Value::Null => values.push_bind(None::<i64>),
                Value::Int(i) => values.push_bind(*i),
                Value::Bool(b) => values.push_bind(i64::from(*b)),
                Value::Real(r) => values.push_bind(*r),
                Value::Text(s) => values.push_bind(s.clone()),
                Value::Bytes(b) => values.push_bind(b.clone()),
                Value::Date(d) => values.push_bind(d.format("%Y-%m-%d").to_string()),
                Value::Timestamp(t) => values.push_bind(stamp(*t)),
            };
        }
    });
    insert.build().execute(&mut **tx).await?;
    Ok(())
}

/// The table's row count and checksum: the sum (modulo 2^256) of the SHA-256 of
/// each row's canonical form, so that it does not depend on the order rows are
/// read in (which differs between the two databases' collations).
async fn checksum(
    side: &Side,
    table: &Table,
    columns: &[&Column],
    kinds: &[Kind],
    bar: &ProgressBar,
) -> anyhow::Result<(u64, String)> {
    let mut sum = [0u64; 4];
    let mut rows = 0u64;
    let mut canonical = Vec::new();
    side.for_each_row(table, columns, kinds, async |row| {
        canonical.clear();
        for value in &row {
            value.canonical(&mut canonical);
        }
        add(&mut sum, &Sha256::digest(&canonical));
        rows += 1;
        if rows.is_multiple_of(10_000) {
            bar.inc(10_000);
        }
        Ok(())
    })
    .await
    .with_context(|| format!("cannot read {}", table.name))?;
    bar.inc(rows % 10_000);
    let hex: String = sum.iter().rev().map(|lane| format!("{lane:016x}")).collect();
    Ok((rows, hex[..16].to_string()))
}

/// `sum += digest`, both as 256-bit little-endian numbers.
fn add(sum: &mut [u64; 4], digest: &[u8]) {
    let mut carry = false;
    for (i, lane) in sum.iter_mut().enumerate() {
        let part = u64::from_le_bytes(digest[i * 8..i * 8 + 8].try_into().expect("eight bytes"));
        let (s1, c1) = lane.overflowing_add(part);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *lane = s2;
        carry = c1 || c2;
    }
}
