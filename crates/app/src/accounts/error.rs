use candour_store::StoreError;
use thiserror::Error;

/// Why an account operation did not happen, in words a person can act on.
#[derive(Debug, Error)]
pub enum AccountError {
    /// Refused by the access policy (and audited).
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// No such account or token, or one the caller may not see.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// The caller may see the account but not make this change.
    #[error("{0}")]
    Forbidden(String),
    /// Every failure of an invitation or reset link gives this one answer.
    #[error("This link has expired or has already been used")]
    LinkExpired,
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AccountError::NotFound,
            StoreError::Conflict(message) => AccountError::Conflict(message),
            StoreError::Invalid(message) => AccountError::Invalid(message),
            other => AccountError::Store(other),
        }
    }
}

/// Why signing in failed. `Refused` is one answer for every reason (unknown
/// email, wrong password, no password yet, disabled, locked), so that it tells
/// nobody whether an account exists.
#[derive(Debug, Error)]
pub enum SignInError {
    #[error("The email address or password is not right. After several wrong tries, signing in pauses for a while.")]
    Refused,
    #[error(transparent)]
    Failed(#[from] AccountError),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        SignInError::Failed(e.into())
    }
}

impl crate::AreaError for AccountError {
    fn failure(&self) -> crate::Failure<'_> {
        use crate::Failure;
        match self {
            AccountError::Denied(denied) => denied.failure(),
            AccountError::NotFound | AccountError::LinkExpired => Failure::NotFound,
            AccountError::Conflict(message) | AccountError::Invalid(message) => Failure::Refused(message),
            AccountError::Forbidden(_) => Failure::Forbidden,
            AccountError::Internal(_) | AccountError::Store(_) => Failure::Internal,
        }
    }
}
