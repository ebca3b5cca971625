//! `candour user`: accounts from the command line, e.g. the first administrator.

use std::sync::Arc;

use anyhow::Context;
use candour_app::accounts::{AccountPolicy, Accounts};
use candour_domain::{Email, Grant, Role, describe_grants};
use candour_store::{Store, User};

use crate::UserCommand;

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, name, role, scopes, public_url, db } => {
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            let grants = Grant::for_role(role, &scopes)?;
            let name = if name.trim().is_empty() { email.as_str().to_string() } else { name };
            let store: Arc<dyn Store> = super::open_store(&db).await?.store();
            let policy = AccountPolicy { public_url, ..AccountPolicy::default() };
            let accounts = Accounts::new(store, policy);
            let invitation = accounts.invite(None, email, &name, grants, None).await.context("cannot add the user")?;
            println!("Added {} as {}.", invitation.user.email, describe_grants(&invitation.user.grants));
            println!("They choose a password at this single-use link (valid for 7 days):");
            println!("{}", invitation.link.expose());
            Ok(())
        }
        UserCommand::List { db } => {
            let store = super::open_store(&db).await?.store();
            let users = store.users().await?;
            if users.is_empty() {
                println!("No accounts yet. Add one with: candour user add --email E --role admin");
            }
            for user in users {
                println!("{:>4}  {:<40}  {:<9}  {}", user.id, user.email, status(&user), describe_grants(&user.grants));
            }
            Ok(())
        }
    }
}

fn status(user: &User) -> &'static str {
    match (user.disabled, user.has_password) {
        (true, _) => "disabled",
        (false, false) => "invited",
        (false, true) => "active",
    }
}
