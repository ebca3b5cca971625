//! A demo improvement plan for the demo provider's first location: begun about
//! four months ago after findings on safe medicines and staffing, with actions
//! done (with evidence notes and files), in progress, overdue and dropped, a
//! reflection, and a published summary. Everything is synthetic and the same for
//! the same day.

use candour_domain::improvement::{
    ActionDetails, ActionStatus, FileKind, Finding, FindingKind, Reflection, check_file,
};
use candour_domain::{LocationId, UserId};
use candour_store::{FileMeta, NewEvidence, NewPlan, Publishing, StatusChange, Store, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// One demo action: its details (finding by position), its statuses (days after
/// the plan began), its evidence notes (text, public) and an optional file.
struct DemoAction {
    finding: usize,
    statement: &'static str,
    description: &'static str,
    owner: &'static str,
    due_after_days: i64,
    public: bool,
    notes: &'static [(&'static str, bool)],
    file: Option<(&'static str, &'static [u8])>,
    statuses: &'static [(ActionStatus, i64, &'static str)],
}

const AUDIT_CSV: &[u8] =
    b"week,charts_checked,gaps_found,gaps_closed_same_day\n1,38,6,4\n2,38,3,3\n3,39,1,1\n4,39,0,0\n";
const ROTA_PDF: &[u8] = b"%PDF-1.4\n% Synthetic demo document: evening medicines rota, two staff per round.\n%%EOF\n";

const ACTIONS: [DemoAction; 5] = [
    DemoAction {
        finding: 0,
        statement: "S8",
        description: "Two staff check every evening medicines round and sign the chart together",
        owner: "Deputy manager",
        due_after_days: 30,
        public: true,
        notes: &[
            ("Four weeks of checks: gaps fell from 6 in the first week to none in the fourth.", true),
            ("Night team briefed individually; two staff needed extra supervision.", false),
        ],
        file: Some(("medicines-audit-weeks-1-4.csv", AUDIT_CSV)),
        statuses: &[(ActionStatus::InProgress, 3, ""), (ActionStatus::Done, 33, "")],
    },
    DemoAction {
        finding: 0,
        statement: "S8",
        description: "Medicines training refreshed for every member of the night team",
        owner: "Registered manager",
        due_after_days: 60,
        public: true,
        notes: &[("All 14 night staff completed the refresher and a competency check.", true)],
        file: Some(("evening-rota.pdf", ROTA_PDF)),
        statuses: &[(ActionStatus::InProgress, 10, ""), (ActionStatus::Done, 58, "")],
    },
    DemoAction {
        finding: 1,
        statement: "S6",
        description: "Fill two night vacancies with permanent staff and cut agency shifts by half",
        owner: "Operations director",
        due_after_days: 90,
        public: true,
        notes: &[("One post filled in month two; interviews for the second are booked.", true)],
        file: None,
        statuses: &[(ActionStatus::InProgress, 14, "")],
    },
    DemoAction {
        finding: 2,
        statement: "W7",
        description: "Ask families at each monthly meeting what has changed since the plan began",
        owner: "Registered manager",
        due_after_days: 150,
        public: false,
        notes: &[],
        file: None,
        statuses: &[],
    },
    DemoAction {
        finding: 1,
        statement: "S6",
        description: "Pilot an agency staff induction booklet",
        owner: "Deputy manager",
        due_after_days: 45,
        public: false,
        notes: &[],
        file: None,
        statuses: &[(
            ActionStatus::Dropped,
            40,
            "Replaced by the provider-wide induction for all new and agency staff",
        )],
    },
];

const REFLECTION: [(&str, &str); 6] = [
    ("reaction", "We were disappointed but not surprised: the night team had told us medicines rounds were rushed."),
    ("approach", "The deputy manager led the medicines work and met the night team every week."),
    ("support", "We asked the local authority's quality team for a visit; their pharmacist reviewed our charts."),
    ("obstacles", "Agency cover at night made two-person rounds hard in the first weeks."),
    (
        "involvement",
        "Families were told about the findings at the residents' meeting and asked what worried them most.",
    ),
    ("lessons", "Check the evening round as closely as the morning one; ask the night team first."),
];

/// Writes the demo plan for `location`, by `by`, dated back from `today`.
pub async fn load_improvement(
    store: &dyn Store,
    location: &LocationId,
    by: UserId,
    today: NaiveDate,
) -> StoreResult<i64> {
    let began = today - Duration::days(120);
    let at = |days: i64| -> DateTime<Utc> {
        (began + Duration::days(days)).and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN)).and_utc()
    };
    let plan = store
        .create_plan(&NewPlan {
            location_id: location.clone(),
            title: "After our inspection: safe medicines and staffing".into(),
            started_on: began,
            findings: vec![
                Finding {
                    kind: FindingKind::Statement,
                    reference: "S8".into(),
                    text: "Safe: Medicines optimisation, scored 2 at the last inspection".into(),
                },
                Finding {
                    kind: FindingKind::Statement,
                    reference: "S6".into(),
                    text: "Safe: Safe and effective staffing, scored 2 at the last inspection".into(),
                },
                Finding {
                    kind: FindingKind::Complaint,
                    reference: "DEMO-0042".into(),
                    text: "Upheld: evening medicines given late on three nights".into(),
                },
            ],
            created_by: by,
            created_at: at(0),
        })
        .await?;
    let mut public_actions = Vec::new();
    let mut public_notes = Vec::new();
    for demo in &ACTIONS {
        let details = ActionDetails {
            finding_id: plan.findings[demo.finding].id,
            statement: demo.statement.into(),
            description: demo.description.into(),
            owner: demo.owner.into(),
            due_on: began + Duration::days(demo.due_after_days),
        };
        let action = store.add_action(plan.id, &details, by, at(1)).await?;
        if demo.public {
            public_actions.push(action.id);
        }
        for (i, (note, public)) in demo.notes.iter().enumerate() {
            let evidence = NewEvidence { note: (*note).into(), file: None, added_by: by, added_at: at(20 + i as i64) };
            let item = store.add_evidence(plan.id, action.id, &evidence).await?;
            if *public {
                public_notes.push(item.id);
            }
        }
        if let Some((name, bytes)) = demo.file
            && let Ok(checked) = check_file(name, bytes)
        {
            let meta = FileMeta { name: checked.name, kind: checked.kind, size: checked.size, sha256: checked.sha256 };
            debug_assert!(matches!(meta.kind, FileKind::Csv | FileKind::Pdf));
            let evidence =
                NewEvidence { note: String::new(), file: Some((meta, bytes.to_vec())), added_by: by, added_at: at(25) };
            store.add_evidence(plan.id, action.id, &evidence).await?;
        }
        for (status, day, reason) in demo.statuses {
            let reason = (!reason.is_empty()).then(|| reason.to_string());
            store
                .set_action_status(plan.id, action.id, &StatusChange { status: *status, reason, by, at: at(*day) })
                .await?;
        }
    }
    let mut reflection = Reflection::default();
    for (code, text) in REFLECTION {
        reflection.0.insert(code.into(), text.into());
    }
    store.save_reflection(plan.id, &reflection, at(100)).await?;
    let publishing = Publishing {
        summary: "Our last inspection found that evening medicines were not always given safely and that we relied \
                  too much on agency staff at night. This is what we have done since, and what is still to do."
            .into(),
        actions: public_actions,
        evidence: public_notes,
        by,
        at: at(101),
    };
    store.publish_plan(plan.id, &publishing).await?;
    Ok(plan.id)
}
