use std::time::Instant;

use anyhow::Context;
use candour_app::register::{ImportReview, RegisterError};
use candour_cqc::{ImportOptions, PlanRefused, SourceKind};
use candour_store::ImportCounts;

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
    let register = super::open_app(&args.db).await?.register;
    let options = ImportOptions {
        skip_invalid: args.skip_invalid,
        partial: args.partial,
        allow_deregistering: args.allow_deregistering,
    };
    let review = match register.review_import(kind, &args.file, &options, Bar::new("reading")).await {
        Ok(review) => review,
        Err(RegisterError::Refused(PlanRefused::InvalidRows(rejected))) => {
            anyhow::bail!("{rejected}\nCorrect these rows, or run again with --skip-invalid to import the valid rows.")
        }
        Err(RegisterError::Refused(too_many)) => anyhow::bail!("{}: {too_many}", args.file.display()),
        Err(other) => return Err(other.into()),
    };
    if args.dry_run {
        print_dry_run(&args, &review);
        return Ok(());
    }
    register
        .apply_import(&review)
        .await
        .with_context(|| format!("the import of {} was not applied; the register is unchanged", args.file.display()))?;
    for problem in &review.planned.problems {
        eprintln!("skipped: {problem}");
    }
    println!("Imported {} in {:.1} s.", args.file.display(), started.elapsed().as_secs_f64());
    print_counts(&review.planned.plan.counts);
    Ok(())
}

/// What the import would do, written nowhere: the counts, the rows it would
/// skip, and each location it would deregister.
fn print_dry_run(args: &ImportArgs, review: &ImportReview) {
    for problem in &review.planned.problems {
        eprintln!("would skip: {problem}");
    }
    println!("Dry run of {}: nothing was written.", args.file.display());
    print_counts(&review.planned.plan.counts);
    for (id, name) in &review.deregistering {
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
