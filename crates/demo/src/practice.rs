//! Demo accounts of good practice: published accounts at the demo provider's first
//! service and at a few other services, so that the public search has something to
//! find under several themes and statements, and one draft still being written.

use candour_domain::practice::{PracticeDraft, QualityStatement, Theme};
use candour_domain::{LocationId, UserId};
use candour_store::{LocationQuery, NewPractice, Store, StoreResult};
use chrono::{Duration, NaiveDate, NaiveTime};

/// (title, theme, statements, summary, what we did, why, what changed, advice, published).
type DemoAccount = (
    &'static str,
    Theme,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const ACCOUNTS: [DemoAccount; 6] = [
    (
        "Quieter, slower mealtimes",
        Theme::Nutrition,
        &["E4", "R1"],
        "Smaller tables, music people chose and no rush: people eat more and enjoy it.",
        "We replaced two long tables with six small ones, asked each person what music they like at meals, and moved the medicines round away from lunchtime.",
        "People told us the dining room was loud and rushed, and weights were falling for several people living with dementia.",
        "Over three months, eight of the eleven people whose weight was falling put weight back on. People stay at the table longer and talk more.",
        "Ask people first and try one meal a day before changing them all. Keep the medicines round out of mealtimes.",
        true,
    ),
    (
        "Families on the evening handover",
        Theme::Involving,
        &["R4", "W6"],
        "Families who wish to can join a short evening call about their relative's day.",
        "We set up a ten-minute call at six o'clock, on the phone or video, with the senior on shift.",
        "Families told us they only heard from us when something went wrong.",
        "Complaints about communication fell from five in six months to one. Families now tell us things we did not know, like what used to calm their mother.",
        "Keep it short and at the same time every day. Write down what families tell you in the care plan.",
        true,
    ),
    (
        "Life story work in the first week",
        Theme::Dementia,
        &["C2", "R1"],
        "Every new resident has a life story book started with them and their family in their first week.",
        "Key workers sit with the person and their family in the first week, with photos, to start a life story book.",
        "Staff did not know enough about new residents to comfort them when they were distressed.",
        "Distress in the first month has fallen, and staff use the books to start conversations every day.",
        "Start with the photos people bring. Do not make it a form to fill in.",
        true,
    ),
    (
        "Learning from every complaint, monthly",
        Theme::Complaints,
        &["W7", "R4"],
        "A monthly half hour in which the whole team reads last month's complaints and what changed.",
        "We share each complaint, anonymised, with what we found and what we changed, at a monthly team meeting.",
        "The same kind of complaint kept coming back because only managers saw them.",
        "Repeat complaints about missed calls have stopped since the care workers themselves changed the rota.",
        "Share what changed, not only what went wrong, and thank the person who complained.",
        true,
    ),
    (
        "Reducing as-needed sedation",
        Theme::RestrictivePractice,
        &["S8", "S4"],
        "Reviewing every as-needed sedative with the GP and pharmacist halved their use in six months.",
        "A monthly review of every as-needed medicine with the GP and the pharmacist, and a calm-down plan for each person.",
        "We were giving as-needed sedation more often than any of us was comfortable with.",
        "Use halved in six months, with fewer falls.",
        "Write down what works for each person before reaching for medicine.",
        true,
    ),
    (
        "Digital care notes on a phone",
        Theme::Technology,
        &["W5"],
        "Moving care notes to phones so that nothing is written up at the end of the shift.",
        "We are piloting care notes on phones on one floor.",
        "Notes were written at the end of the shift from memory.",
        "Early days: notes are more detailed and timely.",
        "Involve the night staff from the start.",
        false,
    ),
];

fn statements(codes: &[&str]) -> Vec<QualityStatement> {
    let mut list: Vec<QualityStatement> = codes.iter().filter_map(|c| QualityStatement::parse(c).ok()).collect();
    list.sort();
    list
}

/// Loads the accounts: the first two and the draft at `home` (the demo provider's
/// service), the others at the first few services of the register. Returns how many
/// were published.
pub async fn load_practice(
    store: &dyn Store,
    home: &LocationId,
    author: Option<UserId>,
    today: NaiveDate,
) -> StoreResult<u64> {
    let others: Vec<LocationId> = store
        .search_locations(&LocationQuery::default())
        .await?
        .items
        .into_iter()
        .map(|l| l.id)
        .filter(|id| id != home)
        .take(3)
        .collect();
    let mut published = 0;
    for (i, (title, theme, codes, summary, did, why, difference, advice, publish)) in ACCOUNTS.iter().enumerate() {
        let location = match i {
            0 | 1 | 5 => home.clone(),
            n => match others.get(n - 2) {
                Some(id) => id.clone(),
                None => home.clone(),
            },
        };
        let days_ago = 90 - 12 * i as i64;
        let at = (today - Duration::days(days_ago))
            .and_time(NaiveTime::from_hms_opt(11, 0, 0).unwrap_or_default())
            .and_utc();
        let draft = PracticeDraft {
            title: title.to_string(),
            summary: summary.to_string(),
            what_we_did: did.to_string(),
            why: why.to_string(),
            difference: difference.to_string(),
            advice: advice.to_string(),
            theme: *theme,
            statements: statements(codes),
        };
        let by = if location == *home { author } else { None };
        let id = store.create_practice(&NewPractice { location, draft, by, at }).await?;
        if *publish {
            store.set_practice_published(id, true, at + Duration::days(2)).await?;
            published += 1;
        }
    }
    Ok(published)
}
