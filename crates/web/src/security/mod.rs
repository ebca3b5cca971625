//! Protections every request passes through: client address, CSRF, rate limits,
//! control characters in what is sent, and the cookies they rely on.

pub mod client_ip;
pub mod cookies;
pub mod csrf;
pub mod rate_limit;
pub mod redact;
pub mod secret;
pub mod text;
