//! What tables a database has, read from its own catalogue, and reading and
//! writing their rows as [`Value`]s.

use std::collections::BTreeSet;
use std::str::FromStr;

use anyhow::Context;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, ConnectOptions, Row, TypeInfo, ValueRef};

use crate::Database;
use crate::value::{Kind, Value};

/// The migrations' own bookkeeping: each side keeps its own.
const BOOKKEEPING: &str = "_sqlx_migrations";

/// A connection pool to one side of a copy.
pub enum Side {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The tables this one's foreign keys refer to.
    pub references: BTreeSet<String>,
    /// The integer primary key that numbers new rows (a SQLite rowid alias, a PostgreSQL identity).
    pub numbered_by: Option<String>,
}

pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// PostgreSQL's type name, for reading it in a form [`Value`] holds.
    pg_type: String,
}

impl Side {
    /// A raw pool on a database whose schema the store has already brought up to date.
    pub async fn connect(db: &Database) -> anyhow::Result<Side> {
        Ok(match db {
            Database::Sqlite(path) => {
                // Reading whole tables is slow by design: no warnings about slow statements.
                let options = SqliteConnectOptions::new().filename(path).foreign_keys(true).disable_statement_logging();
                Side::Sqlite(SqlitePoolOptions::new().max_connections(1).connect_with(options).await?)
            }
            Database::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.disable_statement_logging();
                Side::Postgres(PgPoolOptions::new().max_connections(2).connect_with(options).await?)
            }
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Side::Postgres(_))
    }

    pub async fn close(&self) {
        match self {
            Side::Sqlite(pool) => pool.close().await,
            Side::Postgres(pool) => pool.close().await,
        }
    }

    /// Every table but the migrations' bookkeeping, by name.
    pub async fn tables(&self) -> anyhow::Result<Vec<Table>> {
        let names: Vec<String> =
            match self {
                Side::Sqlite(pool) => sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                     AND name <> ?1 ORDER BY name",
                )
                .bind(BOOKKEEPING)
                .fetch_all(pool)
                .await?,
                Side::Postgres(pool) => {
                    sqlx::query_scalar(
                        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                     AND table_type = 'BASE TABLE' AND table_name <> $1 ORDER BY table_name",
                    )
                    .bind(BOOKKEEPING)
                    .fetch_all(pool)
                    .await?
                }
            };
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            tables.push(self.table(name).await?);
        }
        Ok(tables)
    }

    async fn table(&self, name: String) -> anyhow::Result<Table> {
        match self {
            Side::Sqlite(pool) => sqlite_table(pool, name).await,
            Side::Postgres(pool) => postgres_table(pool, name).await,
        }
        .context("cannot read the schema")
    }

    pub async fn has_rows(&self, table: &str) -> anyhow::Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quoted(table));
        Ok(match self {
            Side::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
            Side::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
        })
    }

    /// Whether any row has a value (not NULL) in the column.
    pub async fn has_values(&self, table: &str, column: &str) -> anyhow::Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {} IS NOT NULL)", quoted(table), quoted(column));
        Ok(match self {
            Side::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
            Side::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
        })
    }

    pub async fn count(&self, table: &str) -> anyhow::Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
        let n: i64 = match self {
            Side::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
            Side::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await?,
        };
        Ok(n as u64)
    }

    /// Streams every row of `table`, the `columns` in order, each value converted to
    /// its column's kind in `kinds`, to `each` (unordered).
    pub async fn for_each_row(
        &self,
        table: &Table,
        columns: &[&Column],
        kinds: &[Kind],
        mut each: impl AsyncFnMut(Vec<Value>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let convert = |values: Vec<Value>| -> anyhow::Result<Vec<Value>> {
            values
                .into_iter()
                .zip(kinds)
                .zip(columns)
                .map(|((v, kind), c)| v.into_kind(*kind).map_err(|e| anyhow::anyhow!("{}.{}: {e}", table.name, c.name)))
                .collect()
        };
        match self {
            Side::Sqlite(pool) => {
                let list: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
                let sql = format!("SELECT {} FROM {}", list.join(", "), quoted(&table.name));
                let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(convert(sqlite_values(&row)?)?).await?;
                }
            }
            Side::Postgres(pool) => {
                let list: Vec<String> = columns.iter().map(|c| postgres_read(c)).collect();
                let sql = format!("SELECT {} FROM {}", list.join(", "), quoted(&table.name));
                let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(convert(postgres_values(&row, columns)?)?).await?;
                }
            }
        }
        Ok(())
    }

    /// The highest number the table's numbering has given out: its highest id, or
    /// more where rows were deleted and the numbering remembers (AUTOINCREMENT, sequences).
    pub async fn highest_number(&self, table: &Table) -> anyhow::Result<Option<i64>> {
        let Some(column) = &table.numbered_by else { return Ok(None) };
        let max = format!("SELECT MAX({}) FROM {}", quoted(column), quoted(&table.name));
        Ok(match self {
            Side::Sqlite(pool) => {
                let highest: Option<i64> = sqlx::query_scalar(AssertSqlSafe(max)).fetch_one(pool).await?;
                let remembered: Option<i64> = if sqlite_has_sequences(pool).await? {
                    sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = ?1")
                        .bind(&table.name)
                        .fetch_optional(pool)
                        .await?
                } else {
                    None
                };
                highest.max(remembered)
            }
            Side::Postgres(pool) => {
                let highest: Option<i64> = sqlx::query_scalar(AssertSqlSafe(max)).fetch_one(pool).await?;
                let remembered: Option<i64> = sqlx::query_scalar(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(quote_ident($1), $2)::regclass)",
                )
                .bind(&table.name)
                .bind(column)
                .fetch_one(pool)
                .await?;
                highest.max(remembered)
            }
        })
    }

    /// Moves the table's numbering past `highest`, so that no number is given twice.
    pub async fn continue_numbering(&self, table: &Table, highest: i64) -> anyhow::Result<()> {
        let Some(column) = &table.numbered_by else { return Ok(()) };
        match self {
            Side::Sqlite(pool) => {
                // Only AUTOINCREMENT tables remember; the others number from their highest row.
                if !sqlite_autoincrement(pool, &table.name).await? {
                    return Ok(());
                }
                let updated = sqlx::query("UPDATE sqlite_sequence SET seq = MAX(seq, ?2) WHERE name = ?1")
                    .bind(&table.name)
                    .bind(highest)
                    .execute(pool)
                    .await?;
                if updated.rows_affected() == 0 {
                    sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)")
                        .bind(&table.name)
                        .bind(highest)
                        .execute(pool)
                        .await?;
                }
            }
            Side::Postgres(pool) => {
                sqlx::query("SELECT setval(pg_get_serial_sequence(quote_ident($1), $2), $3)")
                    .bind(&table.name)
                    .bind(column)
                    .bind(highest.max(1))
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

async fn sqlite_table(pool: &SqlitePool, name: String) -> anyhow::Result<Table> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
            .bind(&name)
            .fetch_all(pool)
            .await?;
    let references = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list(?1)")
        .bind(&name)
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
    let keys: Vec<&(String, String, i64)> = rows.iter().filter(|(_, _, pk)| *pk > 0).collect();
    // A lone INTEGER PRIMARY KEY is the rowid, which numbers new rows.
    let numbered_by = match keys.as_slice() {
        [(column, declared, _)] if declared.eq_ignore_ascii_case("INTEGER") => Some(column.clone()),
        _ => None,
    };
    let columns = rows
        .into_iter()
        .map(|(name, declared, _)| Column { name, kind: sqlite_kind(&declared), pg_type: String::new() })
        .collect();
    Ok(Table { name, columns, references, numbered_by })
}

/// SQLite's type affinity rules, on the declared type.
fn sqlite_kind(declared: &str) -> Kind {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Kind::Int
    } else if declared.contains("CHAR") || declared.contains("CLOB") || declared.contains("TEXT") {
        Kind::Text
    } else if declared.contains("BLOB") || declared.is_empty() {
        if declared.is_empty() { Kind::Any } else { Kind::Bytes }
    } else if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") {
        Kind::Real
    } else {
        Kind::Any
    }
}

async fn sqlite_has_sequences(pool: &SqlitePool) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')")
        .fetch_one(pool)
        .await?)
}

async fn sqlite_autoincrement(pool: &SqlitePool, table: &str) -> anyhow::Result<bool> {
    let sql: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1")
        .bind(table)
        .fetch_optional(pool)
        .await?;
    Ok(sql.is_some_and(|sql| sql.to_ascii_uppercase().contains("AUTOINCREMENT")))
}

async fn postgres_table(pool: &PgPool, name: String) -> anyhow::Result<Table> {
    let rows: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, (is_identity = 'YES' OR COALESCE(column_default LIKE 'nextval(%', FALSE)) \
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
         AND is_generated = 'NEVER' ORDER BY ordinal_position",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let references = sqlx::query_scalar(
        "SELECT DISTINCT c.relname::text FROM pg_constraint f JOIN pg_class c ON c.oid = f.confrelid \
         WHERE f.contype = 'f' AND f.conrelid = to_regclass(quote_ident($1))",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let numbered_by = rows.iter().find(|(_, _, numbered)| *numbered).map(|(column, _, _)| column.clone());
    let columns =
        rows.into_iter().map(|(name, pg_type, _)| Column { name, kind: postgres_kind(&pg_type), pg_type }).collect();
    Ok(Table { name, columns, references, numbered_by })
}

fn postgres_kind(pg_type: &str) -> Kind {
    match pg_type {
        "smallint" | "integer" | "bigint" => Kind::Int,
        "real" | "double precision" => Kind::Real,
        "boolean" => Kind::Bool,
        "bytea" => Kind::Bytes,
        "date" => Kind::Date,
        "timestamp with time zone" | "timestamp without time zone" => Kind::Timestamp,
        _ => Kind::Text,
    }
}

/// The select expression that reads a PostgreSQL column as a type [`Value`] holds.
fn postgres_read(column: &Column) -> String {
    let name = quoted(&column.name);
    match (column.kind, column.pg_type.as_str()) {
        (Kind::Int, _) => format!("{name}::bigint"),
        (Kind::Real, _) => format!("{name}::float8"),
        (Kind::Timestamp, "timestamp without time zone") => format!("{name} AT TIME ZONE 'UTC'"),
        (Kind::Bool | Kind::Bytes | Kind::Date | Kind::Timestamp, _) => name,
        (Kind::Text | Kind::Any, _) => format!("{name}::text"),
    }
}

fn postgres_values(row: &PgRow, columns: &[&Column]) -> anyhow::Result<Vec<Value>> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let value = match column.kind {
            Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
            Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Value::Real),
            Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
            Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
            Kind::Date => row.try_get::<Option<chrono::NaiveDate>, _>(i)?.map(Value::Date),
            Kind::Timestamp => row.try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(i)?.map(Value::Timestamp),
            Kind::Text | Kind::Any => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(values)
}

/// SQLite values as they are stored (each value has its own storage class).
fn sqlite_values(row: &SqliteRow) -> anyhow::Result<Vec<Value>> {
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            values.push(Value::Null);
            continue;
        }
        let class = raw.type_info().name().to_string();
        values.push(match class.as_str() {
            "INTEGER" => Value::Int(row.try_get_unchecked(i)?),
            "REAL" => Value::Real(row.try_get_unchecked(i)?),
            "BLOB" => Value::Bytes(row.try_get_unchecked(i)?),
            _ => Value::Text(row.try_get_unchecked(i)?),
        });
    }
    Ok(values)
}

/// An identifier quoted for either dialect.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
