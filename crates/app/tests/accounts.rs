//! The account rules against a real SQLite store, with a clock the tests move.

mod common;

use common::{now, open_store};

use std::sync::Arc;

use chrono::Duration;
use tempfile::TempDir;

use candour_app::accounts::{AccountError, AccountPolicy, Accounts, Clock, ManualClock, SignInError, SignedIn};
use candour_domain::{Email, Grant, Location, LocationId, Password, Principal, Provider, ProviderId, Role, Scope};
use candour_store::{AccountStore, AuditQuery, ImportPlan, RegisterStore, Store, User, UserUpdate};
use candour_store_sqlite::SqliteStore;

const PASSWORD: &str = "correct horse battery staple";

struct Harness {
    accounts: Accounts,
    store: Arc<SqliteStore>,
    clock: Arc<ManualClock>,
    dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let clock = Arc::new(ManualClock::new(now()));
    let policy = AccountPolicy { public_url: "https://candour.example.org".into(), ..Default::default() };
    let accounts = Accounts::with_clock(Arc::clone(&store) as Arc<dyn Store>, policy, Arc::clone(&clock) as _);
    Harness { accounts, store, clock, dir }
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("valid email")
}

fn password(text: &str) -> Password {
    Password::parse(text).expect("valid password")
}

fn inspector() -> Vec<Grant> {
    vec![Grant { role: Role::Inspector, scope: Scope::All }]
}

/// The secret at the end of an emailed link.
fn link_secret(link: &str) -> &str {
    link.rsplit('/').next().expect("a link has a last part")
}

impl Harness {
    /// An account with a password, invited by the command line.
    async fn user(&self, address: &str, grants: Vec<Grant>) -> User {
        let invitation = self.accounts.invite(None, email(address), "Jo Bloggs", grants, None).await.expect("invite");
        self.accounts.set_password(invitation.user.id, &password(PASSWORD)).await.expect("set password");
        self.accounts.user(invitation.user.id).await.expect("user")
    }

    async fn sign_in(&self, address: &str, pass: &str) -> Result<SignedIn, SignInError> {
        self.accounts.sign_in(address, pass, Some("192.0.2.7")).await
    }

    async fn session(&self, signed_in: &SignedIn) -> Option<Principal> {
        self.accounts.session(signed_in.session_secret.expose()).await.expect("session lookup")
    }

    async fn audit_details(&self) -> Vec<String> {
        let log = self.store.audit_log(&AuditQuery { per_page: 200, ..Default::default() }).await.expect("audit log");
        log.items.iter().map(|e| format!("{} {} {}", e.action, e.resource, e.detail.as_deref().unwrap_or(""))).collect()
    }

    /// Everything the database holds on disk, as text, to search for secrets.
    fn database_bytes(&self) -> String {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).expect("list database files") {
            all.extend(std::fs::read(entry.expect("database file").path()).expect("read database file"));
        }
        String::from_utf8_lossy(&all).into_owned()
    }
}

#[tokio::test]
async fn signing_in_opens_a_session_with_the_users_roles() {
    let h = harness().await;
    let user = h.user("jo@example.org", inspector()).await;
    let signed_in = h.sign_in(" Jo@Example.org ", PASSWORD).await.expect("sign in");
    assert_eq!((signed_in.principal.user_id, &signed_in.principal.grants), (user.id, &inspector()));
    assert_eq!(signed_in.expires_at, h.clock.now() + h.accounts.policy().session_max);
    assert_eq!(h.session(&signed_in).await, Some(signed_in.principal.clone()));
    let user = h.accounts.user(user.id).await.expect("user");
    assert_eq!(user.last_sign_in_at, Some(h.clock.now()));
    assert!(h.audit_details().await.iter().any(|d| d.starts_with(&format!("sign_in user:{}", user.id))));
    assert_eq!(h.accounts.session("not-a-session").await.expect("lookup"), None);
}

#[tokio::test]
async fn every_refusal_gives_the_same_answer() {
    let h = harness().await;
    h.user("jo@example.org", inspector()).await;
    let disabled = h.user("al@example.org", inspector()).await;
    h.store
        .update_user(disabled.id, &UserUpdate { disabled: Some(true), ..Default::default() })
        .await
        .expect("disable");
    h.accounts.invite(None, email("new@example.org"), "New Person", inspector(), None).await.expect("invite");

    let attempts = [
        ("nobody@example.org", PASSWORD),
        ("jo@example.org", "the wrong password entirely"),
        ("al@example.org", PASSWORD),
        ("new@example.org", PASSWORD),
        ("not an email", PASSWORD),
    ];
    let mut answers = Vec::new();
    for (address, pass) in attempts {
        let err = h.sign_in(address, pass).await.expect_err(address);
        assert!(matches!(err, SignInError::Refused), "{address}: {err:?}");
        answers.push(err.to_string());
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "one message for every refusal: {answers:?}");

    let log = h.audit_details().await;
    assert!(log.iter().any(|d| d == "sign_in_failed user:unknown no such account; email tried: nobody@example.org"));
    assert!(log.iter().any(|d| d.ends_with("wrong password; email tried: jo@example.org")), "{log:?}");
    assert!(log.iter().any(|d| d.ends_with("account disabled; email tried: al@example.org")), "{log:?}");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_the_period() {
    let h = harness().await;
    let user = h.user("jo@example.org", inspector()).await;
    for _ in 0..5 {
        assert!(h.sign_in("jo@example.org", "not the password at all").await.is_err());
    }
    let locked = h.sign_in("jo@example.org", PASSWORD).await;
    assert!(matches!(locked, Err(SignInError::Refused)), "the right password is refused while locked");
    h.clock.advance(Duration::minutes(14));
    assert!(h.sign_in("jo@example.org", PASSWORD).await.is_err(), "still locked after 14 minutes");
    assert!(h.audit_details().await.iter().any(|d| d.contains("account locked")));

    h.clock.advance(Duration::minutes(1));
    h.sign_in("jo@example.org", PASSWORD).await.expect("unlocked after 15 minutes");
    let record = h.store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!((record.failed_attempts, record.locked_until), (0, None), "success resets the count");

    for _ in 0..4 {
        assert!(h.sign_in("jo@example.org", "not the password at all").await.is_err());
    }
    h.sign_in("jo@example.org", PASSWORD).await.expect("four failures do not lock");
}

#[tokio::test]
async fn each_sign_in_makes_a_new_session_and_sign_out_ends_only_that_one() {
    let h = harness().await;
    h.user("jo@example.org", inspector()).await;
    let first = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in");
    let second = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in again");
    assert_ne!(first.session_secret.expose(), second.session_secret.expose());
    assert!(first.session_secret.expose().len() >= 43, "32 random bytes");

    h.accounts.sign_out(first.session_secret.expose(), None).await.expect("sign out");
    assert_eq!(h.session(&first).await, None, "the old secret stops working");
    assert!(h.session(&second).await.is_some());
    h.accounts.sign_out(first.session_secret.expose(), None).await.expect("signing out twice is harmless");
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_the_maximum_however_busy() {
    let h = harness().await;
    h.user("jo@example.org", inspector()).await;
    let idle = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in");
    let busy = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in");
    // Used every 20 minutes, a session outlives the 30-minute idle limit...
    for _ in 0..3 {
        h.clock.advance(Duration::minutes(20));
        assert!(h.session(&busy).await.is_some(), "kept alive by use");
    }
    assert_eq!(h.session(&idle).await, None, "unused for an hour");
    // ...but not the 12-hour maximum from sign-in (11 hours 40 minutes so far).
    for _ in 0..32 {
        h.clock.advance(Duration::minutes(20));
        assert!(h.session(&busy).await.is_some());
    }
    h.clock.advance(Duration::minutes(20));
    assert_eq!(h.session(&busy).await, None, "12 hours after sign-in");
}

#[tokio::test]
async fn an_invitation_works_once_and_signs_the_person_in() {
    let h = harness().await;
    let grants = vec![Grant { role: Role::Commissioner, scope: Scope::LocalAuthority("Leeds".into()) }];
    let invitation =
        h.accounts.invite(None, email("new@example.org"), " Sam Patel ", grants.clone(), None).await.expect("invite");
    assert_eq!((invitation.user.name.as_str(), invitation.user.has_password), ("Sam Patel", false));
    let link = invitation.link.expose();
    assert!(link.starts_with("https://candour.example.org/invitations/"), "{link}");

    let outbox = h.store.outbox(10).await.expect("outbox");
    assert_eq!((outbox.len(), outbox[0].to.as_str()), (1, "new@example.org"));
    assert!(outbox[0].body.contains(link) && outbox[0].body.contains("7 days"), "{}", outbox[0].body);
    assert!(outbox[0].body.contains("Commissioner"));

    let secret = link_secret(link);
    let wrong_kind = h.accounts.reset_password(secret, &password(PASSWORD), None).await;
    assert!(matches!(wrong_kind, Err(AccountError::LinkExpired)), "an invitation is not a reset link");
    let signed_in = h.accounts.accept_invitation(secret, &password(PASSWORD), None).await.expect("accept");
    assert_eq!(signed_in.principal.grants, grants);
    assert!(h.session(&signed_in).await.is_some());
    let again = h.accounts.accept_invitation(secret, &password("another long password"), None).await;
    let err = again.expect_err("second use");
    assert_eq!(err.to_string(), "This link has expired or has already been used");
    h.sign_in("new@example.org", PASSWORD).await.expect("the first password stands");

    let conflict = h.accounts.invite(None, email("NEW@example.org"), "Sam", grants, None).await;
    assert!(matches!(conflict, Err(AccountError::Conflict(_))), "{conflict:?}");
}

#[tokio::test]
async fn an_invitation_expires_and_can_be_sent_again() {
    let h = harness().await;
    let invitation = h.accounts.invite(None, email("new@example.org"), "Sam", inspector(), None).await.expect("invite");
    h.clock.advance(Duration::days(7));
    let late = h.accounts.accept_invitation(link_secret(invitation.link.expose()), &password(PASSWORD), None).await;
    assert!(matches!(late, Err(AccountError::LinkExpired)), "{late:?}");

    let again = h.accounts.resend_invitation(None, invitation.user.id, None).await.expect("resend");
    assert_ne!(again.link.expose(), invitation.link.expose());
    h.accounts.accept_invitation(link_secret(again.link.expose()), &password(PASSWORD), None).await.expect("accept");
    let accepted = h.accounts.resend_invitation(None, invitation.user.id, None).await;
    assert!(matches!(accepted, Err(AccountError::Invalid(_))), "{accepted:?}");
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_lifts_a_lockout() {
    let h = harness().await;
    h.user("jo@example.org", inspector()).await;
    let session = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in");
    for _ in 0..5 {
        assert!(h.sign_in("jo@example.org", "not the password at all").await.is_err());
    }
    let before = h.store.outbox(10).await.expect("outbox").len();
    h.accounts.request_password_reset("JO@example.org", Some("192.0.2.7")).await.expect("request");
    let outbox = h.store.outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), before + 1);
    assert!(outbox[0].body.contains("1 hour"));
    let link = outbox[0].body.lines().find(|l| l.starts_with("https://")).expect("a link in the email");
    assert!(link.starts_with("https://candour.example.org/password-reset/"), "{link}");

    let new_password = "a brand new long password";
    h.accounts.reset_password(link_secret(link), &password(new_password), None).await.expect("reset");
    assert_eq!(h.session(&session).await, None, "sessions end with the old password");
    assert!(h.sign_in("jo@example.org", PASSWORD).await.is_err(), "the old password no longer works");
    h.sign_in("jo@example.org", new_password).await.expect("the new password works at once, lockout lifted");
    let reused = h.accounts.reset_password(link_secret(link), &password(PASSWORD), None).await;
    assert!(matches!(reused, Err(AccountError::LinkExpired)));
}

#[tokio::test]
async fn using_the_newer_reset_link_ends_the_older_link_and_every_token() {
    let h = harness().await;
    let user = h.user("jo@example.org", inspector()).await;
    let jo = candour_app::accounts::principal(&user);
    let (_, token) = h.accounts.create_api_token(&jo, "Nightly export", None).await.expect("create token");
    let mut links = Vec::new();
    for _ in 0..2 {
        h.accounts.request_password_reset("jo@example.org", None).await.expect("request");
        let body = h.store.outbox(1).await.expect("outbox").remove(0).body;
        links.push(body.lines().find(|l| l.starts_with("https://")).expect("a link").to_string());
    }
    let (older, newer) = (link_secret(&links[0]), link_secret(&links[1]));
    h.accounts.reset_password(newer, &password("a brand new long password"), None).await.expect("reset");
    let stale = h.accounts.reset_password(older, &password("the attacker's long password"), None).await;
    assert!(matches!(stale, Err(AccountError::LinkExpired)), "{stale:?}");
    h.sign_in("jo@example.org", "a brand new long password").await.expect("the newer password stands");
    let after = h.accounts.api_principal(token.expose()).await.expect("token lookup");
    assert_eq!(after, None, "a new password revokes the API tokens made with the old one");
}

#[tokio::test]
async fn reset_links_expire_and_tell_nobody_which_addresses_exist() {
    let h = harness().await;
    let disabled = h.user("al@example.org", inspector()).await;
    h.store
        .update_user(disabled.id, &UserUpdate { disabled: Some(true), ..Default::default() })
        .await
        .expect("disable");
    let queued = h.store.outbox(10).await.expect("outbox").len();
    for address in ["nobody@example.org", "al@example.org", "not an address"] {
        h.accounts.request_password_reset(address, None).await.expect("always Ok");
    }
    assert_eq!(h.store.outbox(10).await.expect("outbox").len(), queued, "no email for unknown or disabled accounts");

    h.user("jo@example.org", inspector()).await;
    h.accounts.request_password_reset("jo@example.org", None).await.expect("request");
    let body = h.store.outbox(1).await.expect("outbox").remove(0).body;
    let link = body.lines().find(|l| l.starts_with("https://")).expect("a link").to_string();
    h.clock.advance(Duration::hours(1));
    let late = h.accounts.reset_password(link_secret(&link), &password(PASSWORD), None).await;
    assert!(matches!(late, Err(AccountError::LinkExpired)), "{late:?}");
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let h = harness().await;
    let user = h.user("jo@example.org", inspector()).await;
    let jo = candour_app::accounts::principal(&user);
    let (token, secret) = h.accounts.create_api_token(&jo, " Nightly export ", None).await.expect("create");
    let shown = secret.expose();
    assert!(shown.starts_with("cand_") && shown.len() == 5 + 43, "{shown}");
    assert_eq!((token.name.as_str(), token.prefix.as_str()), ("Nightly export", &shown[..12]));

    // The store knows the token only by its hash.
    assert!(h.store.use_api_token(shown, h.clock.now()).await.expect("lookup").is_none());
    assert!(!h.database_bytes().contains(shown), "the secret is nowhere on disk");

    assert_eq!(h.accounts.api_principal(shown).await.expect("lookup"), Some(jo.clone()));
    assert_eq!(h.accounts.api_tokens(&jo).await.expect("list")[0].last_used_at, Some(h.clock.now()));
    assert_eq!(h.accounts.api_principal("cand_guessed").await.expect("lookup"), None);
    assert_eq!(h.accounts.api_principal("no prefix").await.expect("lookup"), None);

    let al = candour_app::accounts::principal(&h.user("al@example.org", inspector()).await);
    let theirs = h.accounts.revoke_api_token(&al, token.id, None).await;
    assert!(matches!(theirs, Err(AccountError::NotFound)), "{theirs:?}");
    h.accounts.revoke_api_token(&jo, token.id, None).await.expect("revoke");
    assert_eq!(h.accounts.api_principal(shown).await.expect("lookup"), None, "revoked");
    let blank = h.accounts.create_api_token(&jo, "  ", None).await;
    assert!(matches!(blank, Err(AccountError::Invalid(_))), "{blank:?}");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_use_sessions_or_tokens() {
    let h = harness().await;
    let admin = candour_app::accounts::principal(
        &h.user("ada@example.org", vec![Grant { role: Role::Admin, scope: Scope::All }]).await,
    );
    let user = h.user("jo@example.org", inspector()).await;
    let session = h.sign_in("jo@example.org", PASSWORD).await.expect("sign in");
    let (_, token) = h.accounts.create_api_token(&session.principal, "Sync", None).await.expect("token");

    let disable = UserUpdate { disabled: Some(true), ..Default::default() };
    let updated = h.accounts.update_user(&admin, user.id, disable.clone(), None).await.expect("disable");
    assert!(updated.disabled);
    assert_eq!(h.session(&session).await, None);
    assert_eq!(h.accounts.api_principal(token.expose()).await.expect("lookup"), None);
    assert!(matches!(h.sign_in("jo@example.org", PASSWORD).await, Err(SignInError::Refused)));

    let enable = UserUpdate { disabled: Some(false), ..Default::default() };
    h.accounts.update_user(&admin, user.id, enable, None).await.expect("enable");
    assert_eq!(h.session(&session).await, None, "disabling ended the session for good");
    assert!(h.accounts.api_principal(token.expose()).await.expect("lookup").is_some(), "tokens resume");
    h.sign_in("jo@example.org", PASSWORD).await.expect("signs in again");

    let herself = h.accounts.update_user(&admin, admin.user_id, disable, None).await;
    assert!(matches!(herself, Err(AccountError::Forbidden(_))), "{herself:?}");
    let log = h.audit_details().await;
    assert!(log.iter().any(|d| d == &format!("update_user user:{} disabled", user.id)), "{log:?}");
}

#[tokio::test]
async fn passwords_and_secrets_never_show_in_debug_output_audit_or_storage() {
    let h = harness().await;
    let invitation =
        h.accounts.invite(None, email("jo@example.org"), "Jo", inspector(), Some("192.0.2.7")).await.expect("invite");
    let invitation_debug = format!("{invitation:?}");
    let link_secret_text = link_secret(invitation.link.expose()).to_string();
    assert!(!invitation_debug.contains(&link_secret_text), "{invitation_debug}");
    let signed_in = h.accounts.accept_invitation(&link_secret_text, &password(PASSWORD), None).await.expect("accept");
    let (token, api_secret) = h.accounts.create_api_token(&signed_in.principal, "Sync", None).await.expect("token");
    assert!(h.sign_in("jo@example.org", "a wrong password tried here").await.is_err());

    let secrets = [PASSWORD, "a wrong password tried here", signed_in.session_secret.expose(), api_secret.expose()];
    let debug = format!("{signed_in:?} {token:?} {api_secret:?} {api_secret}");
    let audit = h.audit_details().await.join("\n");
    let disk = h.database_bytes();
    for secret in secrets {
        assert!(!debug.contains(secret), "Debug output shows a secret: {debug}");
        assert!(!audit.contains(secret), "the audit log shows a secret: {audit}");
        assert!(!disk.contains(secret), "a secret is stored in clear");
    }
    assert!(!audit.contains(&link_secret_text), "the audit log shows a link");
}

/// Two providers, each with one location, for the rules on who manages whom.
async fn two_providers(h: &Harness) -> (ProviderId, LocationId, LocationId) {
    let (ours, theirs) = (ProviderId::parse("1-1").expect("id"), ProviderId::parse("1-2").expect("id"));
    let (home, elsewhere) = (LocationId::parse("1-100").expect("id"), LocationId::parse("1-200").expect("id"));
    let plan = ImportPlan {
        providers: vec![
            Provider::new(ours.clone(), "Brightwater Care Ltd"),
            Provider::new(theirs.clone(), "Meadowview Ltd"),
        ],
        locations: vec![
            Location::new(home.clone(), ours.clone(), "Willowbrook House"),
            Location::new(elsewhere.clone(), theirs, "Amber Lodge"),
        ],
        ..Default::default()
    };
    h.store.apply_import(&plan).await.expect("import");
    (ours, home, elsewhere)
}

#[tokio::test]
async fn provider_administrators_manage_only_their_own_services_staff() {
    let h = harness().await;
    let (ours, home, elsewhere) = two_providers(&h).await;
    let boss = candour_app::accounts::principal(
        &h.user("boss@example.org", vec![Grant { role: Role::ProviderAdmin, scope: Scope::Provider(ours) }]).await,
    );
    let staff_at = |id: &LocationId| vec![Grant { role: Role::Staff, scope: Scope::Location(id.clone()) }];

    let ours_invite = h.accounts.invite(Some(&boss), email("carer@example.org"), "Carer", staff_at(&home), None).await;
    let carer = ours_invite.expect("staff at our own location").user;
    let outbox = h.store.outbox(1).await.expect("outbox");
    assert!(outbox[0].body.contains("boss@example.org has invited you"), "{}", outbox[0].body);

    let beyond = h.accounts.invite(Some(&boss), email("x@example.org"), "X", staff_at(&elsewhere), None).await;
    assert!(matches!(beyond, Err(AccountError::Forbidden(_))), "{beyond:?}");
    let national = h.accounts.invite(Some(&boss), email("y@example.org"), "Y", inspector(), None).await;
    assert!(matches!(national, Err(AccountError::Forbidden(_))), "{national:?}");

    let stranger = h.user("stranger@example.org", staff_at(&elsewhere)).await;
    let rename = UserUpdate { name: Some("Renamed".into()), ..Default::default() };
    let hidden = h.accounts.update_user(&boss, stranger.id, rename.clone(), None).await;
    assert!(matches!(hidden, Err(AccountError::NotFound)), "another provider's staff are not found: {hidden:?}");
    let promote = UserUpdate { grants: Some(staff_at(&elsewhere)), ..Default::default() };
    let moved = h.accounts.update_user(&boss, carer.id, promote, None).await;
    assert!(matches!(moved, Err(AccountError::Forbidden(_))), "{moved:?}");
    h.accounts.update_user(&boss, carer.id, rename, None).await.expect("rename own staff");

    let managed: Vec<String> =
        h.accounts.users_managed_by(&boss).await.expect("users").into_iter().map(|u| u.email.to_string()).collect();
    assert_eq!(managed, ["boss@example.org", "carer@example.org"]);
    assert_eq!(h.accounts.users().await.expect("users").len(), 3);
}

#[tokio::test]
async fn invitations_need_a_name_and_fitting_roles() {
    let h = harness().await;
    let no_name = h.accounts.invite(None, email("a@example.org"), "  ", inspector(), None).await;
    assert!(matches!(no_name, Err(AccountError::Invalid(_))), "{no_name:?}");
    let no_role = h.accounts.invite(None, email("a@example.org"), "A", vec![], None).await;
    assert!(matches!(no_role, Err(AccountError::Invalid(_))), "{no_role:?}");
    let misfit = vec![Grant { role: Role::Commissioner, scope: Scope::All }];
    let misfit = h.accounts.invite(None, email("a@example.org"), "A", misfit, None).await;
    assert!(matches!(misfit, Err(AccountError::Invalid(_))), "{misfit:?}");
    assert!(h.accounts.users().await.expect("users").is_empty(), "nothing created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_each_counted() {
    let h = harness().await;
    let user = h.user("jo@example.org", inspector()).await;
    let guesses: Vec<_> = (0..8)
        .map(|i| {
            let accounts = h.accounts.clone();
            tokio::spawn(
                async move { accounts.sign_in("jo@example.org", &format!("wrong guess number {i}"), None).await },
            )
        })
        .collect();
    for guess in guesses {
        assert!(guess.await.expect("attempt finished").is_err());
    }
    let record = h.store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!(record.failed_attempts, 5, "counted one by one until the lock, then refused unchecked");
    assert!(record.locked_until.is_some());
}

fn actor_of(user: &User) -> candour_app::Actor {
    candour_app::Actor::new(candour_app::accounts::principal(user), Some("192.0.2.9".into()))
}

#[tokio::test]
async fn administration_is_for_administrators_and_each_read_is_audited() {
    let h = harness().await;
    let admin = h.user("admin@example.org", vec![Grant { role: Role::Admin, scope: Scope::All }]).await;
    let al = h.user("al@example.org", inspector()).await;
    let (admin_actor, al_actor) = (actor_of(&admin), actor_of(&al));

    let refused = h.accounts.users_for(&al_actor).await;
    assert!(matches!(refused, Err(AccountError::Denied(candour_app::Denied::Forbidden))), "{refused:?}");
    let refused = h.accounts.set_disabled(&al_actor, admin.id, true).await;
    assert!(matches!(refused, Err(AccountError::Denied(_))), "{refused:?}");
    assert!(!h.accounts.user(admin.id).await.expect("admin").disabled, "nothing changed");
    assert!(h.audit_details().await.iter().any(|d| d.starts_with("access_denied users ")), "the refusal is audited");

    assert_eq!(h.accounts.users_for(&admin_actor).await.expect("users").len(), 2);
    let found = h.accounts.user_for(&admin_actor, &al.id.to_string()).await.expect("al");
    assert_eq!(found.email, al.email);
    let missing = h.accounts.user_for(&admin_actor, "not-a-number").await;
    assert!(matches!(missing, Err(AccountError::NotFound)), "{missing:?}");
    h.accounts.audit_log_for(&admin_actor, None).await.expect("the audit log page");
    let audit = h.audit_details().await;
    for read in ["read users ", &format!("read user:{} ", al.id), "read audit_log "] {
        assert!(audit.iter().any(|d| d == read), "{read:?} is audited: {audit:?}");
    }

    h.accounts.set_disabled(&admin_actor, al.id, true).await.expect("disable");
    assert!(h.accounts.user(al.id).await.expect("al").disabled);
    let own = h.accounts.set_disabled(&admin_actor, admin.id, true).await;
    assert!(matches!(own, Err(AccountError::Forbidden(_))), "nobody disables themselves: {own:?}");
}
