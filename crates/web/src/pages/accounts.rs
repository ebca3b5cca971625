//! Accounts: signing in and out (`/sign-in`, `/sign-out`), the emailed links
//! (`/password-reset…`, `/invitations/…`), a person's own account and API tokens
//! (`/account…`), and administration (`/admin/users…`, `/admin/audit`,
//! `/admin/outbox`). The rules are the application's, in [`candour_app::accounts`].

pub mod account;
pub mod admin;
pub mod links;
pub mod sign_in;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::security::rate_limit::{RateLimiter, limit_posts};
use crate::state::AppState;

/// Every account page; the forms that guess at secrets are limited per client.
pub fn routes(limiter: RateLimiter) -> Router<AppState> {
    let limited = from_fn_with_state(limiter, limit_posts);
    Router::new()
        .route("/sign-in", get(sign_in::form).post(sign_in::submit).layer(limited.clone()))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/password-reset", get(links::reset_form).post(links::reset_request).layer(limited.clone()))
        .route("/account/password", post(account::change_password).layer(limited))
        .route("/password-reset/{secret}", get(links::new_password_form).post(links::new_password))
        .route("/invitations/{secret}", get(links::invitation_form).post(links::accept_invitation))
        .route("/account", get(account::show))
        .route("/account/emails", post(account::choose_emails))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/invite", get(admin::invite_form).post(admin::invite))
        .route("/admin/users/{id}", get(admin::user).post(admin::update_roles))
        .route("/admin/users/{id}/status", post(admin::set_status))
        .route("/admin/users/{id}/invitation", post(admin::resend_invitation))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/outbox", get(admin::outbox))
}
