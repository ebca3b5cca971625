//! Demo complaints: a handful about the demo provider's first location, one at
//! each point of the lifecycle (one overdue, one escalated after closing), dated
//! back from today so that the dashboard shows deadlines met, due and missed.
//! Their follow links are not usable: the demo keeps no secret for them.

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, ComplaintStep, EscalatedTo, NewComplaintDetails, Outcome, ReceivedBy,
    Relationship, deadlines,
};
use candour_domain::working_days::add_working_days;
use candour_domain::{Email, LocationId, UserId};
use candour_store::{NewComplaint, Store, StoreError};
use chrono::{NaiveDate, NaiveTime, TimeDelta};

struct Demo {
    /// Working days before today it was received.
    age: u32,
    channel: ReceivedBy,
    relationship: Relationship,
    name: &'static str,
    what: &'static str,
    wants: &'static str,
    /// The steps taken, each with the working days after receipt it was taken.
    steps: &'static [(u32, DemoStep)],
}

#[derive(Clone, Copy)]
enum DemoStep {
    Acknowledge,
    Investigate,
    Agree(u32),
    Respond(&'static str),
    Close(Outcome, &'static str),
    Escalate(EscalatedTo),
}

const DEMOS: [Demo; 6] = [
    Demo {
        age: 7,
        channel: ReceivedBy::Phone,
        relationship: Relationship::Family,
        name: "Margaret Example",
        what: "My father's evening medication has been given more than an hour late on several nights this month.",
        wants: "An explanation, and for the evening round to be on time.",
        steps: &[],
    },
    Demo {
        age: 2,
        channel: ReceivedBy::Online,
        relationship: Relationship::Person,
        name: "Dev Example",
        what: "Staff keep moving my things when they clean my room and I cannot find my glasses.",
        wants: "Please ask before moving my belongings.",
        steps: &[(1, DemoStep::Acknowledge)],
    },
    Demo {
        age: 12,
        channel: ReceivedBy::Letter,
        relationship: Relationship::Advocate,
        name: "Sam Example",
        what: "The person I advocate for was not offered a choice of meals for two weeks after the menu changed.",
        wants: "A review of how choices are offered to people who need support to make them.",
        steps: &[(2, DemoStep::Acknowledge), (3, DemoStep::Investigate), (4, DemoStep::Agree(30))],
    },
    Demo {
        age: 25,
        channel: ReceivedBy::Email,
        relationship: Relationship::Family,
        name: "Priya Example",
        what: "Mum's hearing aid went missing during a hospital transfer and nobody told us for three days.",
        wants: "To know what happened and to be told straight away in future.",
        steps: &[
            (1, DemoStep::Acknowledge),
            (2, DemoStep::Investigate),
            (
                15,
                DemoStep::Respond(
                    "We are sorry. The hearing aid was left in the transfer bag; we have replaced it and now check \
                 belongings with families on the day of any transfer.",
                ),
            ),
        ],
    },
    Demo {
        age: 60,
        channel: ReceivedBy::InPerson,
        relationship: Relationship::Family,
        name: "Tom Example",
        what: "Visiting was cancelled at short notice twice without a reason being given.",
        wants: "Notice and a reason when visits have to change.",
        steps: &[
            (2, DemoStep::Acknowledge),
            (10, DemoStep::Respond("We should have explained: both were outbreak precautions. We now phone families.")),
            (
                14,
                DemoStep::Close(
                    Outcome::Upheld,
                    "Families are phoned on the day when visiting changes, with the reason.",
                ),
            ),
        ],
    },
    Demo {
        age: 120,
        channel: ReceivedBy::Letter,
        relationship: Relationship::Family,
        name: "Jo Example",
        what: "We were charged for a week of care after my aunt had moved to another home.",
        wants: "A refund of the week's fees.",
        steps: &[
            (3, DemoStep::Acknowledge),
            (5, DemoStep::Investigate),
            (22, DemoStep::Respond("The notice period in the contract applies; we cannot refund the week.")),
            (25, DemoStep::Close(Outcome::NotUpheld, "The notice period is now explained again when anyone moves on.")),
            (40, DemoStep::Escalate(EscalatedTo::Ombudsman)),
        ],
    },
];

/// Working days back from `today` (or forward from a date), clamped to the calendar.
fn working_days_before(today: NaiveDate, n: u32) -> NaiveDate {
    let mut day = today;
    let mut left = n;
    while left > 0 {
        day -= TimeDelta::days(1);
        if candour_domain::working_days::is_working_day(day).unwrap_or(true) {
            left -= 1;
        }
    }
    day
}

/// Adds the demo complaints about `location`, logged by `staff` where not raised
/// online. Returns how many were added.
pub async fn seed(
    store: &dyn Store,
    location: &LocationId,
    today: NaiveDate,
    staff: Option<UserId>,
) -> Result<u64, StoreError> {
    let policy = ComplaintPolicy::default();
    let mut added = 0;
    for (n, demo) in DEMOS.iter().enumerate() {
        let received_on = working_days_before(today, demo.age);
        let Ok(due) = deadlines(received_on, None, policy) else { continue };
        let online = demo.channel == ReceivedBy::Online;
        let created_at = received_on.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()).and_utc();
        let new = NewComplaint {
            location_id: location.clone(),
            details: NewComplaintDetails {
                what_happened: demo.what.to_string(),
                desired_outcome: demo.wants.to_string(),
                relationship: demo.relationship,
                contact: ComplaintContact {
                    name: demo.name.to_string(),
                    email: Email::parse(&format!("complainant{}@example.com", n + 1)).ok(),
                    phone: None,
                },
                channel: demo.channel,
                received_on,
            },
            reference: format!("DEMO-{:04}", n + 1),
            // Not the hash of any secret: the demo's complaints cannot be followed.
            follow_hash: format!("demo-complaint-{location}-{n}"),
            policy,
            deadlines: due,
            logged_by: if online { None } else { staff },
            created_at,
            alert: None,
            emails: Vec::new(),
        };
        let receipt = store.add_complaint(&new).await?;
        if receipt.duplicate {
            continue;
        }
        added += 1;
        for (after, step) in demo.steps {
            let on = add_working_days(received_on, *after).unwrap_or(received_on).min(today);
            let step = match *step {
                DemoStep::Acknowledge => ComplaintStep::Acknowledge { on },
                DemoStep::Investigate => ComplaintStep::Investigate { on },
                DemoStep::Agree(days) => ComplaintStep::AgreeResponseDate {
                    by: add_working_days(received_on, days).unwrap_or(due.respond_by),
                },
                DemoStep::Respond(text) => ComplaintStep::SendResponse { on, response: text.to_string() },
                DemoStep::Close(outcome, learned) => ComplaintStep::Close { on, outcome, learned: learned.to_string() },
                DemoStep::Escalate(to) => ComplaintStep::Escalate { to, on, reference: "LGSCO-DEMO-1".to_string() },
            };
            let at = on.and_time(NaiveTime::from_hms_opt(15, 0, 0).unwrap_or_default()).and_utc();
            store.take_complaint_step(receipt.id, &step, staff, at, &[]).await?;
        }
    }
    Ok(added)
}
