use std::time::Instant;

use anyhow::Context;
use candour_cqc::{ImportOptions, Parsed, PlanRefused, Planned, SourceKind};
use candour_store::{ImportCounts, RegisterSnapshot, RegisterStore};

use crate::progress::Bar;
use crate::{ImportArgs, ImportCommand};

pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    let (kind, args) = match command {
        ImportCommand::ProviderReturns(args) => return super::returns::import(&args).await,
        ImportCommand::CqcDirectory(a) => (SourceKind::Directory, a),
        ImportCommand::CqcRatings(a) => (SourceKind::LatestRatings, a),
        ImportCommand::CqcSimple(a) => (SourceKind::SimpleDirectory, a),
        ImportCommand::CqcApi(a) => (SourceKind::Api, a),
    };
    import(kind, args).await
}

async fn import(kind: SourceKind, args: ImportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = super::open_store(&args.db).await?;
    let file = args.file.clone();
    let parsed: Parsed = tokio::task::spawn_blocking(move || kind.read(&file, &Bar::new("reading"))).await??;
    let snapshot = store.register_snapshot().await?;
    let options = ImportOptions {
        skip_invalid: args.skip_invalid,
        partial: args.partial,
        allow_deregistering: args.allow_deregistering,
    };
    let planned = candour_cqc::plan(parsed, &snapshot, &options).map_err(|refused| match refused {
        PlanRefused::InvalidRows(rejected) => anyhow::anyhow!(
            "{rejected}\nCorrect these rows, or run again with --skip-invalid to import the valid rows."
        ),
        too_many => anyhow::anyhow!("{}: {too_many}", args.file.display()),
    })?;
    if args.dry_run {
        print_dry_run(&args, &planned, &snapshot);
        return Ok(());
    }
    store
        .apply_import(&planned.plan)
        .await
        .with_context(|| format!("the import of {} was not applied; the register is unchanged", args.file.display()))?;
    for problem in &planned.problems {
        eprintln!("skipped: {problem}");
    }
    println!("Imported {} in {:.1} s.", args.file.display(), started.elapsed().as_secs_f64());
    print_counts(&planned.plan.counts);
    Ok(())
}

/// What the import would do, written nowhere: the counts, the rows it would
/// skip, and each location it would deregister.
fn print_dry_run(args: &ImportArgs, planned: &Planned, snapshot: &RegisterSnapshot) {
    for problem in &planned.problems {
        eprintln!("would skip: {problem}");
    }
    println!("Dry run of {}: nothing was written.", args.file.display());
    print_counts(&planned.plan.counts);
    for id in &planned.deregistered {
        let name = snapshot.locations.get(id).map_or("", |l| l.name.as_str());
        println!("Would deregister {id} {name}");
    }
}

pub fn print_counts(c: &ImportCounts) {
    println!(
        "Locations: {} added, {} changed, {} unchanged, {} deregistered.",
        c.added, c.changed, c.unchanged, c.deregistered
    );
    println!("Providers: {} added, {} changed.", c.providers_added, c.providers_changed);
    println!("Ratings: {} added, {} changed, {} unchanged.", c.ratings_added, c.ratings_changed, c.ratings_unchanged);
    if c.skipped_rows > 0 {
        println!("Skipped {} invalid rows (listed above).", c.skipped_rows);
    }
}
