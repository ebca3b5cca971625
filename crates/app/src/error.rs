//! What every area's error has in common: how the edges (pages, API, command line)
//! answer it. Each area keeps its own typed error; [`AreaError::failure`] says
//! which kind of answer it needs.

use candour_store::StoreError;

use crate::Denied;

/// The kinds of answer an edge gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// Not there, or not the caller's to see: one answer for both.
    NotFound,
    /// Signed in, but this account may not do this.
    Forbidden,
    /// The input has problems, listed against their fields by the area's error:
    /// a form shows them beside the fields, the API as a 422.
    Invalid,
    /// Refused as asked, with a message for the person (a 400).
    Refused(&'a str),
    /// The record has moved on (already sent, already decided), with a message (a 409).
    Conflict(&'a str),
    /// Ours, not the caller's: logged, never shown.
    Internal,
}

/// An area's typed error.
pub trait AreaError: std::error::Error {
    fn failure(&self) -> Failure<'_>;
}

impl AreaError for Denied {
    fn failure(&self) -> Failure<'_> {
        match self {
            Denied::NotFound => Failure::NotFound,
            Denied::Forbidden => Failure::Forbidden,
            Denied::Unaudited => Failure::Internal,
        }
    }
}

impl AreaError for StoreError {
    fn failure(&self) -> Failure<'_> {
        match self {
            StoreError::NotFound => Failure::NotFound,
            StoreError::Conflict(message) => Failure::Conflict(message),
            StoreError::Invalid(message) => Failure::Refused(message),
            _ => Failure::Internal,
        }
    }
}
