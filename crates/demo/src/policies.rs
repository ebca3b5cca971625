//! Demo policies for the demo provider: a library of policies, procedures and a
//! guide, one in its second version and one withdrawn, read by some of its staff.
//! A few synthetic staff accounts (invited, never signed in) at its services make
//! the read rates and the list of who has not read realistic. The same every time.

use candour_domain::policies::{PolicyDraft, PolicyKind, Version};
use candour_domain::{Email, Grant, ProviderId, Role, Scope, UserId};
use candour_store::{NewPolicyVersion, NewUser, Store, StoreError, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// (title, kind, confirm, days ago published, text, what changed) for each version.
type DemoVersion = (&'static str, PolicyKind, bool, i64, &'static str, &'static str);

const LIBRARY: [&[DemoVersion]; 5] = [
    &[
        (
            "Safeguarding adults",
            PolicyKind::Policy,
            true,
            200,
            "Everyone who works here is responsible for keeping people safe from abuse and neglect.\n\n\
             If you think someone is at risk, make them safe first, then tell the person in charge straight away. \
             Write down what you saw and heard, in the person's own words where you can.\n\n\
             The registered manager refers concerns to the local authority's safeguarding team the same day.",
            "First version.",
        ),
        (
            "Safeguarding adults",
            PolicyKind::Policy,
            true,
            25,
            "Everyone who works here is responsible for keeping people safe from abuse and neglect.\n\n\
             If you think someone is at risk, make them safe first, then tell the person in charge straight away. \
             Write down what you saw and heard, in the person's own words where you can.\n\n\
             The registered manager refers concerns to the local authority's safeguarding team the same day. \
             If the manager is not there, or the concern is about them, any member of staff may refer directly.\n\n\
             You can also speak up in confidence to our freedom to speak up guardian.",
            "Any member of staff may now refer directly; adds the freedom to speak up guardian.",
        ),
    ],
    &[(
        "Administering medicines",
        PolicyKind::Procedure,
        true,
        120,
        "Check the person, the medicine, the dose, the time and the route against the chart before giving any medicine.\n\n\
         Two members of staff check and sign for every evening round and for every controlled drug.\n\n\
         Record a refusal and the reason, and tell the senior on shift.",
        "First version.",
    )],
    &[(
        "Fire safety and evacuation",
        PolicyKind::Procedure,
        true,
        60,
        "When the alarm sounds, go to the fire panel. The senior on shift leads the evacuation.\n\n\
         Move people horizontally, away from the fire, behind the next set of fire doors. Never use the lift.\n\n\
         Each person's evacuation plan is in the red folder by the panel.",
        "First version.",
    )],
    &[(
        "Supporting people at mealtimes",
        PolicyKind::Guide,
        false,
        40,
        "Ask people where and with whom they would like to eat, and what music, if any, they would like.\n\n\
         Offer drinks at every contact. Sit beside people you help, at their eye level.",
        "First version.",
    )],
    &[(
        "Visiting during an outbreak",
        PolicyKind::Policy,
        true,
        400,
        "Visitors are welcome. During an outbreak each person may name one essential visitor.",
        "First version.",
    )],
];

/// Synthetic staff at the provider's services: (name, role, service by position).
const STAFF: [(&str, Role, usize); 6] = [
    ("Amina Okafor", Role::Staff, 0),
    ("Tom Richards", Role::Staff, 0),
    ("Grace Liu", Role::Staff, 1),
    ("Daniel Hughes", Role::Manager, 1),
    ("Priya Shah", Role::Staff, 2),
    ("Owen Jones", Role::Staff, 2),
];

fn at(today: NaiveDate, days_ago: i64) -> DateTime<Utc> {
    (today - Duration::days(days_ago)).and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()).and_utc()
}

/// Loads the library for `provider`, published by `admin`. Returns how many
/// confirmations were recorded.
pub async fn load_policies(
    store: &dyn Store,
    provider: &ProviderId,
    admin: UserId,
    today: NaiveDate,
) -> StoreResult<u64> {
    let locations: Vec<_> = store.provider(provider).await?.locations.into_iter().filter(|l| l.registered).collect();
    let mut staff = Vec::new();
    for (i, (name, role, at_service)) in STAFF.iter().enumerate() {
        let Some(location) = locations.get(at_service % locations.len().max(1)) else { break };
        let email = Email::parse(&format!("staff{}.{}@demo.candour.example", i + 1, provider.as_str()))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let grants = vec![Grant { role: *role, scope: Scope::Location(location.id.clone()) }];
        match store.create_user(&NewUser { email, name: name.to_string(), grants }).await {
            Ok(user) => staff.push(user.id),
            Err(StoreError::Conflict(_)) => return Ok(0), // loaded before
            Err(e) => return Err(e),
        }
    }
    let mut confirmations = 0;
    for (n, versions) in LIBRARY.iter().enumerate() {
        let mut id = None;
        for (title, kind, confirm, days_ago, body, changes) in versions.iter() {
            let draft = PolicyDraft {
                title: title.to_string(),
                kind: *kind,
                body: body.to_string(),
                changes: changes.to_string(),
                requires_confirmation: *confirm,
            };
            let new = NewPolicyVersion {
                provider: provider.clone(),
                policy: id,
                draft,
                published_by: Some(admin),
                published_at: at(today, *days_ago),
            };
            let kept = store.publish_policy(&new).await?;
            id = Some(kept.policy_id);
            // Most staff read each version within a fortnight; the last ones never do.
            if *confirm {
                for (i, user) in staff.iter().enumerate().take(staff.len().saturating_sub(1 + n % 3)) {
                    let read_at = at(today, (days_ago - 2 - i as i64).max(0));
                    store.confirm_policy_read(kept.policy_id, kept.version, *user, read_at).await?;
                    confirmations += 1;
                }
                if kept.version == Version::FIRST && n == 1 {
                    store.confirm_policy_read(kept.policy_id, kept.version, admin, at(today, days_ago - 1)).await?;
                    confirmations += 1;
                }
            }
        }
        if n == LIBRARY.len() - 1
            && let Some(id) = id
        {
            store.withdraw_policy(id, at(today, 300)).await?;
        }
    }
    Ok(confirmations)
}
