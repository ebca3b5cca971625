use candour_demo::*;
use candour_domain::UserId;
use chrono::NaiveDate;
#[test]
fn scratch() {
    let reg = generate(Scale::Small, 42);
    let plan = VoicePlan::new(
        &reg,
        42,
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        VoiceAuthors { history: UserId(1), demo_provider: None },
    );
    let counts: Vec<u32> = plan.services().iter().map(|s| s.responses).collect();
    let mut c = counts.clone();
    c.sort();
    println!(
        "services {} total {} min {} median {} max {}",
        c.len(),
        plan.total(),
        c[0],
        c[c.len() / 2],
        c[c.len() - 1]
    );
    let all: Vec<_> = plan.into_batches(10000).flatten().collect();
    let stories: Vec<_> = all.iter().filter(|h| !h.new.feedback.story.is_empty()).collect();
    for h in stories.iter().take(12) {
        println!(
            "---{:?} {:?} {:?}\n{}\n=> {:?}\n{:?}",
            h.new.feedback.respondent,
            h.new.feedback.overall,
            h.status,
            h.new.feedback.story,
            h.published_text,
            h.new.prescreen
        );
        for r in &h.replies {
            println!("  reply {:?} {} | {}", r.change, r.text, r.change_what);
        }
    }
    let pos = all.iter().filter(|h| h.new.feedback.overall.positive() == Some(true)).count();
    let den = all.iter().filter(|h| h.new.feedback.overall.positive().is_some()).count();
    println!("positive {:.1}%", pos as f64 * 100.0 / den as f64);
    println!("pending {}", all.iter().filter(|h| h.status == candour_store::FeedbackStatus::Pending).count());
}
