use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use candour_app::voice::{Voice, VoiceConfig, new_submission_key};
use candour_cqc::Progress as _;
use candour_demo::{ReturnsPlan, VoiceAuthors, VoicePlan};
use candour_domain::Email;
use candour_domain::voice::{Channel, Level, Overall, Progress, RawFeedback, Respondent};
use candour_store::{ContactScope, ImportCounts, Store};
use chrono::{DateTime, TimeDelta, Utc};

use super::demo_users::{self, DemoTenant};
use crate::progress::Bar;
use crate::{DbArgs, Scale};

/// Responses loaded per transaction: large enough to load quickly, small enough
/// to keep memory bounded at national scale.
const FEEDBACK_BATCH: usize = 50_000;

pub async fn run(db: &DbArgs, scale: Scale, seed: u64, public_url: &str) -> anyhow::Result<()> {
    let database = db.database()?;
    let opened = super::open_store(db).await?;
    if !opened.is_empty().await? {
        anyhow::bail!(
            "{database} already holds a register; the demo is only added to an empty database (choose another --db)"
        );
    }
    let store: Arc<dyn Store> = opened.store();
    let started = Instant::now();
    let seeded = seed_demo(&store, scale, seed, public_url).await.with_context(|| {
        let start_again = if database.is_postgres() { "empty" } else { "delete" };
        format!("the demo is incomplete: {start_again} {database} and run the command again")
    })?;
    opened.analyze().await.context("cannot refresh the database's statistics")?;
    println!(
        "Demo register written to {} in {:.1} s: {} locations, {} providers, {} ratings, {} feedback responses, \
         {} monthly returns.",
        database,
        started.elapsed().as_secs_f64(),
        seeded.register.added,
        seeded.register.providers_added,
        seeded.register.ratings_added,
        seeded.responses,
        seeded.returns
    );
    Ok(())
}

pub struct Seeded {
    pub register: ImportCounts,
    pub responses: u64,
    pub returns: u64,
}

/// Writes the demo register (in one transaction), the demo accounts (without
/// passwords: `serve --demo` sets them), two years of feedback up to today, the
/// monthly returns of the 24 months up to last month, and a few fresh stories for
/// the demo provider, one of which raises a safeguarding alert.
pub async fn seed_demo(store: &Arc<dyn Store>, scale: Scale, seed: u64, public_url: &str) -> anyhow::Result<Seeded> {
    let scale = match scale {
        Scale::Small => candour_demo::Scale::Small,
        Scale::National => candour_demo::Scale::National,
    };
    let plan = tokio::task::spawn_blocking(move || candour_demo::generate(scale, seed)).await?;
    store.apply_import(&plan).await?;
    let accounts = demo_users::create(store.as_ref()).await?;
    let authors = VoiceAuthors {
        history: demo_users::history_account(store.as_ref()).await?,
        demo_provider: Some((accounts.tenant.provider.clone(), accounts.provider_admin)),
    };
    let today = Utc::now().date_naive();
    let voice = VoicePlan::new(&plan, seed, today, authors);
    // The same services deteriorate and fall silent in their returns as in their feedback.
    let returns = ReturnsPlan::new(&plan, &voice, seed, today);
    let register = plan.counts;
    drop(plan.locations); // the largest part, no longer needed while feedback loads
    let responses = load_feedback(store.as_ref(), voice).await.context("cannot load the demo feedback")?;
    let returns = load_returns(store.as_ref(), returns).await.context("cannot load the demo returns")?;
    fresh_feedback(store, &accounts.tenant, public_url).await.context("cannot add the demo's fresh feedback")?;
    candour_demo::complaints::seed(store.as_ref(), &accounts.tenant.location, today, Some(accounts.provider_admin))
        .await
        .context("cannot add the demo complaints")?;
    candour_demo::load_improvement(store.as_ref(), &accounts.tenant.location, accounts.provider_admin, today)
        .await
        .context("cannot add the demo's improvement plan")?;
    candour_demo::load_policies(store.as_ref(), &accounts.tenant.provider, accounts.provider_admin, today)
        .await
        .context("cannot add the demo policies")?;
    candour_demo::load_practice(store.as_ref(), &accounts.tenant.location, Some(accounts.provider_admin), today)
        .await
        .context("cannot add the demo accounts of good practice")?;
    candour_demo::load_visits(
        store.as_ref(),
        &accounts.tenant.location,
        accounts.expert,
        accounts.provider_admin,
        today,
    )
    .await
    .context("cannot add the demo visits by experts by experience")?;
    // The demo's figures are published at once, not after the first day's batch.
    Voice::new(store.clone(), VoiceConfig::new(public_url))
        .refresh_snapshots(Utc::now())
        .await
        .context("cannot publish the demo's voice figures")?;
    Ok(Seeded { register, responses, returns })
}

/// Draws the feedback on a blocking thread while the store writes the batch before.
async fn load_feedback(store: &dyn Store, plan: VoicePlan) -> anyhow::Result<u64> {
    let total = plan.total();
    let bar = Bar::new("feedback");
    bar.start(total);
    let (sender, mut batches) = tokio::sync::mpsc::channel(2);
    let drawing = tokio::task::spawn_blocking(move || {
        for batch in plan.into_batches(FEEDBACK_BATCH) {
            if sender.blocking_send(batch).is_err() {
                break; // the loader stopped on an error, which it reports
            }
        }
    });
    while let Some(batch) = batches.recv().await {
        store.load_historic_feedback(&batch).await?;
        bar.advance(batch.len() as u64);
    }
    drawing.await?;
    bar.finish();
    Ok(total)
}

/// Saves the returns a month at a time. Drawing a month takes a fraction of the
/// time its saving does, so it is done here rather than on a thread of its own.
async fn load_returns(store: &dyn Store, plan: ReturnsPlan) -> anyhow::Result<u64> {
    let total = plan.total();
    let bar = Bar::new("returns");
    bar.start(total);
    for batch in plan.into_batches() {
        store.save_returns(&batch).await?;
        bar.advance(batch.returns.len() as u64);
    }
    bar.finish();
    Ok(total)
}

/// Names the demo provider's safeguarding lead and its local authority's team,
/// then gives its first location three stories the way a person would: one the
/// pre-screen flags as severe (raising an alert with its emails), one that
/// complains, one that praises. They wait in the moderation queue.
async fn fresh_feedback(store: &Arc<dyn Store>, tenant: &DemoTenant, public_url: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    let lead = Email::parse("safeguarding.lead@example.com")?;
    let provider = ContactScope::Provider(tenant.provider.clone());
    store.set_safeguarding_contact(&provider, Some(("Demo safeguarding lead", &lead)), None, now).await?;
    let authority = &tenant.local_authority;
    let team = Email::parse(&format!("safeguarding.{}@example.com", slug(authority)))?;
    let name = format!("{authority} adult safeguarding team");
    let scope = ContactScope::LocalAuthority(authority.clone());
    store.set_safeguarding_contact(&scope, Some((&name, &team)), None, now).await?;

    let voice = Voice::new(store.clone(), VoiceConfig::new(public_url));
    for (minutes_ago, raw) in [(180, severe()), (90, complaint()), (20, praise())] {
        let at = now - TimeDelta::minutes(minutes_ago);
        voice
            .submit(&tenant.location, &raw, Channel::Online, &new_submission_key(), None, at)
            .await
            .map_err(|e| anyhow::anyhow!("the voice service refused a demo story: {e:?}"))?;
    }
    // Stamped from midnight, so the same seed gives the same past all day.
    let midnight = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    outcome_history(&voice, tenant, midnight).await?;
    burst(&voice, tenant, midnight).await
}

/// Thirty glowing answers on one day four months ago, far beyond the demo service's
/// usual few a month: held out of its people's rating until a moderator decides.
async fn burst(voice: &Voice, tenant: &DemoTenant, now: DateTime<Utc>) -> anyhow::Result<()> {
    let at = now - TimeDelta::days(120);
    let raw = person(Respondent::Family, Overall::VeryGood, Level::JustAsIWant);
    for _ in 0..30 {
        voice
            .submit(&tenant.location, &raw, Channel::Online, &new_submission_key(), None, at)
            .await
            .map_err(|e| anyhow::anyhow!("the voice service refused a demo answer: {e:?}"))?;
    }
    Ok(())
}

/// The return link of a demo person who has followed two things that matter to them
/// for most of a year: `serve --demo` prints it.
pub const DEMO_RETURN_KEY: &str = "demo-person-following-their-outcomes";

/// A person who named two outcomes ten months ago and has said how they are going
/// every eight weeks since.
async fn outcome_history(voice: &Voice, tenant: &DemoTenant, now: DateTime<Utc>) -> anyhow::Result<()> {
    let refused = |e| anyhow::anyhow!("the voice service refused the demo outcome history: {e:?}");
    let raw = RawFeedback {
        personal_outcomes: vec!["Walk to the shop on my own".into(), "See my grandchildren every week".into()],
        ..person(Respondent::Person, Overall::Good, Level::GoodEnough)
    };
    let sent = now - TimeDelta::days(300);
    voice.submit(&tenant.location, &raw, Channel::Online, DEMO_RETURN_KEY, None, sent).await.map_err(refused)?;
    let outcomes = voice.own_feedback(DEMO_RETURN_KEY).await.map_err(refused)?.personal_outcomes;
    let (walk, family) = (outcomes[0].id, outcomes[1].id);
    let walking = [Progress::Worse, Progress::Same, Progress::Same, Progress::Better, Progress::Better];
    let seeing = [Progress::Same, Progress::Better, Progress::Worse, Progress::Same, Progress::Better];
    for (k, (w, f)) in walking.into_iter().zip(seeing).enumerate() {
        let at = sent + TimeDelta::weeks(8 * (k as i64 + 1));
        voice.rate_progress(DEMO_RETURN_KEY, walk, w, at).await.map_err(refused)?;
        voice.rate_progress(DEMO_RETURN_KEY, family, f, at).await.map_err(refused)?;
    }
    Ok(())
}

fn slug(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}

fn person(respondent: Respondent, overall: Overall, level: Level) -> RawFeedback {
    RawFeedback {
        respondent: respondent.code().into(),
        overall: overall.code().into(),
        answers: respondent.questions().iter().map(|q| (q.code.to_string(), level.code().to_string())).collect(),
        ..RawFeedback::default()
    }
}

fn severe() -> RawFeedback {
    RawFeedback {
        story: "When I visited Dad on Sunday he had a large bruise on his arm that nobody could explain. He told me \
                one of the night carers hit him when he asked for help. He is scared of staff now and does not want \
                to be left on his own."
            .into(),
        contact_name: "Vessa K.".into(),
        contact_email: "vessa.k@example.com".into(),
        ..person(Respondent::Family, Overall::VeryPoor, Level::NotAtAll)
    }
}

fn complaint() -> RawFeedback {
    RawFeedback {
        story: "Staff have been rude to me twice this week when I asked for help, and on Tuesday I waited hours for \
                my lunch."
            .into(),
        personal_outcomes: vec!["Make my own breakfast".into()],
        ..person(Respondent::Person, Overall::Poor, Level::SomeNotEnough)
    }
}

fn praise() -> RawFeedback {
    RawFeedback {
        helper: "staff".into(),
        story: "I like it when staff help me out to the garden. They know I like my tea strong.".into(),
        personal_outcomes: vec!["Go to church on Sundays".into()],
        ..person(Respondent::Person, Overall::VeryGood, Level::JustAsIWant)
    }
}
