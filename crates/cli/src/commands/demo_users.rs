//! Demo accounts, one per role, so that each role's view can be tried at once, and
//! the disabled account that signs the demo's synthetic past.

use candour_app::accounts::Accounts;
use candour_domain::{Email, Grant, LocationId, Password, ProviderId, Role, UserId};
use candour_store::{LocationQuery, NewUser, Store, UserUpdate, search_all};

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "demo-password-1234";

/// Nobody signs in as the past: see [`history_account`].
const HISTORY_EMAIL: &str = "history@demo.candour.example";

pub struct DemoUser {
    pub id: UserId,
    pub email: String,
    pub role: String,
}

/// What the demo accounts cover: the provider with the most locations, its first
/// location with a local authority, and that authority.
pub struct DemoTenant {
    pub provider: ProviderId,
    pub location: LocationId,
    pub local_authority: String,
}

pub struct DemoAccounts {
    pub tenant: DemoTenant,
    pub users: Vec<DemoUser>,
    /// The demo provider's administrator, who wrote its past replies.
    pub provider_admin: UserId,
    /// The expert by experience who visits the demo location.
    pub expert: UserId,
}

/// Creates whichever demo accounts do not exist yet, without passwords (see
/// [`ensure`]), and returns them all.
pub async fn create(store: &dyn Store) -> anyhow::Result<DemoAccounts> {
    let tenant = demo_tenant(store).await?;
    let (provider, location, local_authority) = (&tenant.provider, &tenant.location, &tenant.local_authority);
    let accounts_wanted: [(&str, Role, Vec<String>, String); 8] = [
        ("admin", Role::Admin, vec![], "System administrator".into()),
        ("inspector", Role::Inspector, vec![], "Inspector (all of England)".into()),
        (
            "commissioner",
            Role::Commissioner,
            vec![local_authority.clone()],
            format!("Commissioner ({local_authority})"),
        ),
        ("provider", Role::ProviderAdmin, vec![provider.to_string()], format!("Provider administrator ({provider})")),
        ("manager", Role::Manager, vec![location.to_string()], format!("Registered manager ({location})")),
        ("staff", Role::Staff, vec![location.to_string()], format!("Staff ({location})")),
        ("moderator", Role::Moderator, vec![], "Moderator".into()),
        ("expert", Role::Expert, vec![location.to_string()], format!("Expert by experience ({location})")),
    ];
    let mut users = Vec::new();
    let (mut provider_admin, mut expert) = (None, None);
    for (name, role, scopes, description) in accounts_wanted {
        let email = Email::parse(&format!("{name}@demo.candour.example"))?;
        let id = existing_or_new(store, &email, &format!("Demo {name}"), Grant::for_role(role, &scopes)?).await?;
        match role {
            Role::ProviderAdmin => provider_admin = Some(id),
            Role::Expert => expert = Some(id),
            _ => {}
        }
        users.push(DemoUser { id, email: email.to_string(), role: description });
    }
    let provider_admin = provider_admin.expect("the wanted accounts include a provider administrator");
    let expert = expert.expect("the wanted accounts include an expert by experience");
    Ok(DemoAccounts { tenant, users, provider_admin, expert })
}

/// The disabled account that moderated the demo's past feedback and wrote the
/// replies of every provider but the demo provider.
pub async fn history_account(store: &dyn Store) -> anyhow::Result<UserId> {
    let email = Email::parse(HISTORY_EMAIL)?;
    let grants = Grant::for_role(Role::Moderator, &[])?;
    let id = existing_or_new(store, &email, "Demo history (the synthetic past; cannot sign in)", grants).await?;
    store.update_user(id, &UserUpdate { disabled: Some(true), ..UserUpdate::default() }).await?;
    Ok(id)
}

/// Creates the demo accounts (once), gives those without a password the demo
/// password, and returns their sign-ins.
pub async fn ensure(store: &dyn Store, accounts: &Accounts) -> anyhow::Result<Vec<DemoUser>> {
    let demo = create(store).await?;
    let password = Password::parse(DEMO_PASSWORD)?;
    for user in &demo.users {
        if !store.user(user.id).await?.has_password {
            accounts.set_password(user.id, &password).await?;
        }
    }
    Ok(demo.users)
}

async fn existing_or_new(store: &dyn Store, email: &Email, name: &str, grants: Vec<Grant>) -> anyhow::Result<UserId> {
    Ok(match store.sign_in_record(email).await? {
        Some(record) => record.user.id,
        None => store.create_user(&NewUser { email: email.clone(), name: name.to_string(), grants }).await?.id,
    })
}

async fn demo_tenant(store: &dyn Store) -> anyhow::Result<DemoTenant> {
    let mut counts: std::collections::HashMap<ProviderId, u32> = std::collections::HashMap::new();
    for l in search_all(store, &LocationQuery::default()).await? {
        *counts.entry(l.provider_id).or_default() += 1;
    }
    let provider = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(p, _)| p)
        .ok_or_else(|| anyhow::anyhow!("the register is empty: there is nothing for demo accounts to cover"))?;
    let first = search_all(store, &LocationQuery { provider: Some(provider.clone()), ..LocationQuery::default() })
        .await?
        .into_iter()
        .find(|l| l.local_authority.is_some())
        .ok_or_else(|| anyhow::anyhow!("the demo provider has no location with a local authority"))?;
    let local_authority = first.local_authority.clone().unwrap_or_default();
    Ok(DemoTenant { provider, location: first.id, local_authority })
}
