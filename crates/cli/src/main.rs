//! `candour`: the one binary. Each subcommand lives in `commands/`.

mod commands;
mod progress;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Candour: an open system for quality in adult social care in England.
#[derive(Parser)]
#[command(name = "candour", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives. Shared by every command that opens the register.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// The database: a SQLite file (created if missing), or a PostgreSQL database as
    /// postgres://user:password@host:port/name (its schema is created if missing).
    // Kept as given and parsed when opened, so that no message repeats a password;
    // for the same reason the help does not show the variable's value.
    #[arg(long, env = "CANDOUR_DB", default_value = "candour.db", value_name = "PATH|URL", hide_env_values = true)]
    pub db: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server: public pages, the JSON API and /healthz.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "CANDOUR_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Seed the small demo register into an empty database first, and create a
        /// demo account for each role.
        #[arg(long)]
        demo: bool,
        /// The address people reach Candour at (for links in emails, the CSRF origin
        /// check, and Secure cookies when https). Defaults to http:// and the listen address.
        #[arg(long, env = "CANDOUR_PUBLIC_URL")]
        public_url: Option<String>,
        /// Take each client's address from X-Forwarded-For (for rate limits and the
        /// audit log). Set only behind a proxy that writes that header itself.
        #[arg(long, env = "CANDOUR_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// Do not run the live monitor: monitoring pages answer that monitoring is
        /// not ready (for benchmarks and public-only sites).
        #[arg(long)]
        no_monitor: bool,
        /// A read replica of the PostgreSQL database (repeatable; comma-separated in
        /// the variable): public pages, API reads and the monitor's loads read there,
        /// while whoever has just written reads the primary until a replica catches up.
        #[arg(
            long = "db-read",
            env = "CANDOUR_DB_READ",
            value_name = "URL",
            value_delimiter = ',',
            hide_env_values = true
        )]
        db_read: Vec<String>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        monitoring: MonitoringArgs,
        #[command(flatten)]
        complaints: ComplaintArgs,
        /// Working hours (09:00 to 17:00 on working days) a safeguarding alert may stay
        /// unacknowledged before it is escalated to the inspectors and the administrators,
        /// and again after each such period.
        #[arg(
            long,
            env = "CANDOUR_ALERT_ESCALATION_HOURS",
            default_value_t = 4,
            value_name = "HOURS",
            value_parser = clap::value_parser!(u32).range(1..=40)
        )]
        alert_escalation_hours: u32,
    },
    /// Fill the database with a synthetic, deterministic demo register and two years of feedback.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// How much data: `small` (about 300 locations) or `national` (about 30,000).
        #[arg(long, value_enum, default_value_t = Scale::Small)]
        scale: Scale,
        /// The random seed: the same seed always gives the same register and feedback.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where people will reach Candour, for the links in the demo's safeguarding alert emails.
        #[arg(long, env = "CANDOUR_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Import the regulator's published register files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export the register in the regulator's file formats.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Bring the register up to date from the regulator's API.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Send email from the outbox.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Rate an assessment given as JSON (a file, or - for standard input) and print
    /// the ratings with their working as JSON.
    Rate {
        /// The assessment JSON file, or - to read standard input.
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
    },
    /// The statistics of fair comparison, on figures given as CSV.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Recompute every service's monitoring indicators, flags and watchlist band from the
    /// database and print a summary with timings as JSON. A service whose stored data
    /// cannot be read is left out and listed under "not_computed"; the others are still
    /// computed (and written to --csv), and the command exits non-zero.
    Recompute {
        #[command(flatten)]
        db: DbArgs,
        /// The day to compute for (its month is the last month of every window); today if not given.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<candour_domain::PlausibleDate>,
        /// Also write the watchlist as CSV to this file.
        #[arg(long, value_name = "PATH")]
        csv: Option<PathBuf>,
        #[command(flatten)]
        monitoring: MonitoringArgs,
    },
    /// Copy a whole deployment into an empty database: SQLite to PostgreSQL, back, or
    /// to another SQLite file. Brings both schemas up to date first, then checks every
    /// table's row count and checksum on both sides and prints them.
    Copy {
        /// The database to copy from: a SQLite file or a postgres:// URL.
        #[arg(long, value_name = "PATH|URL")]
        from: String,
        /// The empty database to copy into: a SQLite file (created if missing) or a postgres:// URL.
        #[arg(long, value_name = "PATH|URL")]
        to: String,
    },
    /// Write a consistent snapshot of a SQLite database to FILE, safely while the
    /// server runs. (PostgreSQL: use pg_dump.)
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to write; it must not exist yet.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore a SQLite database from a backup FILE, once the backup proves whole
    /// and Candour's. (PostgreSQL: use pg_restore.)
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to restore from.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace the database if it exists. Stop the server first.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
pub enum StatsCommand {
    /// Compare services' proportions (x positive answers of n): funnel z-scores allowing for
    /// real variation between services, flags, and estimates shrunk towards the peers.
    /// CSV with the header id,x,n in; JSON out.
    Proportions(ProportionsArgs),
}

#[derive(Args)]
pub struct ProportionsArgs {
    /// The CSV file (header id,x,n; one row per service), or - to read standard input.
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
    /// Compare with this stated standard (a fraction between 0 and 1) instead of the pooled Σx/Σn.
    #[arg(long, value_name = "FRACTION")]
    pub target: Option<f64>,
    /// Winsorise the z-scores at this fraction from each end before estimating φ (0 for none).
    #[arg(long, default_value_t = 0.1, value_name = "FRACTION")]
    pub trim: f64,
    /// Services with fewer answers get figures but no flag, and are left out of θ0, φ, τ² and the prior.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_n: u32,
    /// With fewer services than this, use --default-tau2 instead of estimating τ². Unset: estimate
    /// from any number, warning when they are fewer than 10.
    #[arg(long, value_name = "COUNT")]
    pub min_services: Option<usize>,
    /// The stated τ² used when there are too few services to estimate it.
    #[arg(long, default_value_t = 0.0, value_name = "VARIANCE")]
    pub default_tau2: f64,
}

/// The complaint clocks, in working days (weekends and England and Wales bank holidays
/// excluded). Each complaint keeps the policy it was received under.
#[derive(Args, Clone)]
pub struct ComplaintArgs {
    /// Working days a provider has to acknowledge a complaint.
    #[arg(long, env = "CANDOUR_COMPLAINT_ACKNOWLEDGE_DAYS", default_value_t = 3, value_name = "DAYS")]
    pub complaint_acknowledge_days: u32,
    /// Working days a provider has to send its response when no date was agreed with the complainant.
    #[arg(long, env = "CANDOUR_COMPLAINT_RESPOND_DAYS", default_value_t = 20, value_name = "DAYS")]
    pub complaint_respond_days: u32,
}

impl ComplaintArgs {
    pub fn policy(&self) -> anyhow::Result<candour_domain::complaints::ComplaintPolicy> {
        candour_domain::complaints::ComplaintPolicy::new(self.complaint_acknowledge_days, self.complaint_respond_days)
            .map_err(|refused| anyhow::anyhow!("the complaint settings cannot be used: {refused}"))
    }
}

/// The monitoring policy's choices that may be set; the rest are stated with every result.
#[derive(Args, Clone)]
pub struct MonitoringArgs {
    /// Below this many answers (or bed-months, staff, incidents) an indicator shows no
    /// figure and no verdict. At least 3.
    #[arg(long, env = "CANDOUR_MIN_N", default_value_t = 5, value_name = "N")]
    pub min_n: u32,
    /// The CUSUM threshold h on adjusted z-scores (k is 0.5): higher means fewer false
    /// signals and slower detection; 4 gives about one false signal in 336 windows.
    #[arg(long, env = "CANDOUR_CUSUM_H", default_value_t = 4.0, value_name = "H")]
    pub cusum_h: f64,
}

/// Where Candour sends email. Without an SMTP server, emails wait in the outbox
/// (the /admin/outbox page) and are sent once one is configured.
#[derive(Args, Clone)]
pub struct MailArgs {
    /// The SMTP server: smtps://user:password@smtp.example.org (TLS, port 465),
    /// smtp://user:password@smtp.example.org:587?tls=starttls, or smtp://localhost:25 (a local relay).
    #[arg(long, env = "CANDOUR_SMTP_URL", value_name = "URL", requires = "mail_from")]
    pub smtp_url: Option<String>,
    /// The sender of Candour's emails, like "Candour <alerts@example.org>".
    #[arg(long, env = "CANDOUR_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send every email that is due now, once, and report (for cron, or to check the settings).
    SendDue {
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account and print a single-use invitation link to choose a password.
    Add {
        /// The person's email address: they sign in with it.
        #[arg(long)]
        email: String,
        /// The person's name, as shown to administrators.
        #[arg(long, default_value = "")]
        name: String,
        /// admin, inspector, commissioner, provider_admin, manager, staff or moderator.
        #[arg(long)]
        role: String,
        /// What the role covers: local authority names (commissioner), a provider ID
        /// (provider_admin) or location IDs (manager, staff). Repeat for several.
        #[arg(long = "scope", value_name = "ID")]
        scopes: Vec<String>,
        /// Where people reach Candour, for the link.
        #[arg(long, env = "CANDOUR_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List every account with its roles and status.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Scale {
    Small,
    National,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file to import (ODS, XLSX or CSV; JSON file or folder for cqc-api).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Import the valid rows and list the invalid ones, instead of refusing the whole file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// The file is an extract (e.g. one council's services), not the whole register:
    /// do not deregister the locations it leaves out.
    #[arg(long)]
    pub partial: bool,
    /// Allow the import to deregister up to N locations. Without it, an import that
    /// would deregister more than 5 % of the registered locations (or 10, if more)
    /// is refused, as a file cut short or filtered would.
    #[arg(long, value_name = "N")]
    pub allow_deregistering: Option<u64>,
    /// Show what the import would change, and list the locations it would
    /// deregister, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// The "care directory with filters" sheet (one row per location), ODS or CSV.
    CqcDirectory(ImportArgs),
    /// The "latest ratings" sheet (one row per location, service and key question), ODS or CSV.
    CqcRatings(ImportArgs),
    /// The 15-column simple care directory CSV.
    CqcSimple(ImportArgs),
    /// Location records as the API returns them: one object, an array, or a folder of .json files.
    CqcApi(ImportArgs),
    /// Providers' monthly returns: a CSV in the template's columns (examples/provider-returns.csv).
    ProviderReturns(ReturnsArgs),
}

#[derive(Args)]
pub struct ReturnsArgs {
    /// The CSV file: one row per location and month, with the template's header.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Write the registered locations as a "care directory with filters" CSV.
    CqcDirectory {
        /// The CSV file to write.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Fetch changed (or, the first time, all) location records from the CQC API.
    /// Reads the subscription key from CQC_API_KEY. Resumes an interrupted run.
    Cqc {
        /// Fetch changes since this UTC time (YYYY-MM-DDTHH:MM:SSZ) instead of since the last sync.
        #[arg(long, value_name = "TIMESTAMP", value_parser = commands::sync::parse_since, conflicts_with = "full")]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Fetch every location record again, not only the changes.
        #[arg(long)]
        full: bool,
        /// The API's base URL.
        #[arg(long, env = "CQC_API_URL", default_value = "https://api.service.cqc.org.uk/public/v1")]
        base_url: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    without_huge_pages();
    if let Err(message) = refuse_control_characters(std::env::args_os()) {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Text arguments obey the same rule as every other edge: no control characters,
/// which would be stored in names, emails and scopes (see [`candour_domain::check_text`]).
fn refuse_control_characters(args: impl Iterator<Item = std::ffi::OsString>) -> Result<(), String> {
    for (i, arg) in args.enumerate().skip(1) {
        let arg = arg.to_string_lossy();
        if let Err(problem) = candour_domain::check_text(&arg) {
            return Err(format!("argument {i} ({}) {problem}", arg.escape_debug()));
        }
    }
    Ok(())
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            db,
            addr,
            demo,
            public_url,
            trust_forwarded_for,
            no_monitor,
            db_read,
            mail,
            monitoring,
            complaints,
            alert_escalation_hours,
        } => {
            let escalation = candour_app::voice::EscalationPolicy { working_hours: alert_escalation_hours };
            let policies = (monitoring.policy()?, complaints.policy()?, escalation);
            let switches =
                commands::serve::Switches { trust_forwarded_for, monitor: !no_monitor, read_replicas: db_read };
            commands::serve::run(&db, addr, demo, public_url, switches, &mail, policies).await
        }
        Command::Demo { db, scale, seed, public_url } => commands::demo::run(&db, scale, seed, &public_url).await,
        Command::Import(cmd) => commands::import::run(cmd).await,
        Command::Export(ExportCommand::CqcDirectory { file, db }) => commands::export::run(&db, &file).await,
        Command::User(command) => commands::user::run(command).await,
        Command::Mail(MailCommand::SendDue { mail, db }) => commands::mail::send_due(&db, &mail).await,
        Command::Rate { file } => commands::rate::run(&file),
        Command::Stats(StatsCommand::Proportions(args)) => commands::stats::proportions(&args),
        Command::Recompute { db, today, csv, monitoring } => {
            commands::recompute::run(&db, today.map(Into::into), csv.as_deref(), &monitoring).await
        }
        Command::Sync(SyncCommand::Cqc { since, full, base_url, db }) => {
            commands::sync::run(&db, since, full, &base_url).await
        }
        Command::Copy { from, to } => commands::copy::run(&from, &to).await,
        Command::Backup { db, file } => {
            let db = db.database()?;
            let bytes = candour_db::backup(&db, &file).await?;
            println!("Backed up {db} to {} ({bytes} bytes).", file.display());
            Ok(())
        }
        Command::Restore { db, file, replace } => {
            let db = db.database()?;
            candour_db::restore(&file, &db, replace).await?;
            println!("Restored {db} from {}.", file.display());
            Ok(())
        }
    }
}

/// Turns transparent huge pages off for this process. With them, every fresh
/// region the allocator touches is zeroed 2 MiB at a time, and again after it is
/// handed back: loading the national monitoring data spent a third of its time
/// there, and `recompute` took 0.5 s longer (BENCHMARKS.md).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    // It fails only on kernels without it, which then behave as before.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CANDOUR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
