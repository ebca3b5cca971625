//! Random secrets (session cookies, link tokens, API tokens) and the hashes that
//! stand for them in the store.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

use crate::accounts::AccountError;

/// The start of every API token, so that one is recognisable when it leaks
/// (secret scanners, logs) and told apart from a session cookie.
pub const API_TOKEN_PREFIX: &str = "cand_";

/// How many characters of an API token are kept in clear to tell tokens apart.
pub const API_TOKEN_SHOWN_CHARS: usize = 12;

/// A secret given to a person once (a cookie value, a link, an API token).
/// Debug and Display never show it; [`Secret::expose`] does, deliberately.
pub struct Secret(String);

impl Secret {
    /// 32 random bytes as URL-safe base64 (43 characters) after `prefix`.
    pub(crate) fn generate(prefix: &str) -> Result<Self, AccountError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| AccountError::Internal(format!("the system's random number source failed: {e}")))?;
        Ok(Self(format!("{prefix}{}", Base64UrlUnpadded::encode_string(&bytes))))
    }

    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What the store keeps for a secret: its SHA-256, in hex. The secrets are long
/// and random, so a fast hash suffices (no salt or stretching needed), and a
/// lookup by hash compares nothing secret.
pub(crate) fn token_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_never_printed() {
        let a = Secret::generate(API_TOKEN_PREFIX).expect("random");
        let b = Secret::generate(API_TOKEN_PREFIX).expect("random");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), API_TOKEN_PREFIX.len() + 43);
        assert!(
            a.expose()[API_TOKEN_PREFIX.len()..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(format!("{a:?} {a}"), "Secret(redacted) [redacted]");
    }

    #[test]
    fn hashes_are_sha256_in_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
