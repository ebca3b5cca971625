//! Password hashing with argon2id. Hashing takes tens of milliseconds of CPU on
//! purpose, so it runs on tokio's blocking threads, never on the async ones.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::accounts::{AccountError, PasswordCost, Secret};

pub(crate) struct Hasher {
    cost: PasswordCost,
    /// A hash of a random password nobody knows, made once: checking against it
    /// when there is no real hash makes a refusal take as long as a wrong password.
    dummy: OnceLock<String>,
}

impl Hasher {
    pub(crate) fn new(cost: PasswordCost) -> Arc<Self> {
        Arc::new(Self { cost, dummy: OnceLock::new() })
    }

    fn argon2(&self) -> Result<Argon2<'static>, AccountError> {
        let PasswordCost { memory_kib, iterations, parallelism } = self.cost;
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| AccountError::Internal(format!("the password hashing settings are not valid: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    fn hash_now(&self, password: &str) -> Result<String, AccountError> {
        let hash = self
            .argon2()?
            .hash_password(password.as_bytes())
            .map_err(|e| AccountError::Internal(format!("could not hash the password: {e}")))?;
        Ok(hash.to_string())
    }

    /// Whether `password` matches `hash`; with no hash, checks against the dummy
    /// (always false) so that the answer takes the same time.
    fn verify_now(&self, password: &str, hash: Option<&str>) -> Result<bool, AccountError> {
        let hash = match hash {
            Some(hash) => hash,
            None => self.dummy()?,
        };
        // The stored hash carries its own parameters; a hash that does not parse
        // is treated as not matching rather than letting anyone in.
        Ok(Argon2::default().verify_password(password.as_bytes(), hash).is_ok())
    }

    fn dummy(&self) -> Result<&str, AccountError> {
        if let Some(hash) = self.dummy.get() {
            return Ok(hash);
        }
        let unknowable = Secret::generate("")?;
        let hash = self.hash_now(unknowable.expose())?;
        Ok(self.dummy.get_or_init(|| hash))
    }

    pub(crate) async fn hash(self: &Arc<Self>, password: &str) -> Result<String, AccountError> {
        let (hasher, password) = (Arc::clone(self), password.to_string());
        blocking(move || hasher.hash_now(&password)).await
    }

    pub(crate) async fn verify(self: &Arc<Self>, password: &str, hash: Option<&str>) -> Result<bool, AccountError> {
        let (hasher, password, hash) = (Arc::clone(self), password.to_string(), hash.map(str::to_string));
        blocking(move || hasher.verify_now(&password, hash.as_deref())).await
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AccountError::Internal(format!("password hashing stopped unexpectedly: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let hasher = Hasher::new(PasswordCost::RECOMMENDED);
        let a = hasher.hash("correct horse battery staple").await.expect("hash");
        let b = hasher.hash("correct horse battery staple").await.expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP's parameters: {a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(hasher.verify("correct horse battery staple", Some(&a)).await.expect("verify"));
        assert!(!hasher.verify("correct horse battery stapler", Some(&a)).await.expect("verify"));
        assert!(!hasher.verify("correct horse battery staple", None).await.expect("verify"));
        assert!(!hasher.verify("anything", Some("not a hash")).await.expect("verify"));
    }
}
