//! Demo accounts, one per role, so that each role's view can be tried at once.

use candour_accounts::Accounts;
use candour_domain::{Email, Grant, LocationId, Password, ProviderId, Role};
use candour_store::{LocationQuery, NewUser, Store, search_all};

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "demo-password-1234";

pub struct DemoUser {
    pub email: String,
    pub role: String,
}

/// Creates the demo accounts (once) and returns their sign-ins. Scopes are drawn
/// from the register: the provider with the most locations, its first location,
/// and that location's local authority.
pub async fn ensure(store: &dyn Store, accounts: &Accounts) -> anyhow::Result<Vec<DemoUser>> {
    let (provider, location, local_authority) = demo_tenant(store).await?;
    let accounts_wanted: [(&str, Role, Vec<String>, String); 7] = [
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
    ];
    let password = Password::parse(DEMO_PASSWORD)?;
    let mut users = Vec::new();
    for (name, role, scopes, description) in accounts_wanted {
        let email = Email::parse(&format!("{name}@demo.candour.example"))?;
        if store.sign_in_record(&email).await?.is_none() {
            let grants = Grant::for_role(role, &scopes)?;
            let user =
                store.create_user(&NewUser { email: email.clone(), name: format!("Demo {name}"), grants }).await?;
            accounts.set_password(user.id, &password).await?;
        }
        users.push(DemoUser { email: email.to_string(), role: description });
    }
    Ok(users)
}

async fn demo_tenant(store: &dyn Store) -> anyhow::Result<(ProviderId, LocationId, String)> {
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
    Ok((provider, first.id, local_authority))
}
