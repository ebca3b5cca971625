//! What a returns call answers when it does not do what was asked.

use candour_domain::returns::FieldError;
use candour_domain::returns::template::Problem;
use candour_store::StoreError;

use super::model::{FormContext, RefusedFile};
use crate::{AreaError, Denied, Failure};

#[derive(Debug, thiserror::Error)]
pub enum ReturnsError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The form's figures have problems, each against its field; nothing was saved.
    #[error("{} problem(s) to put right", .problems.len())]
    Invalid { problems: Vec<FieldError>, form: Box<FormContext> },
    /// An uploaded file that cannot be taken; nothing was saved.
    #[error("the file was refused")]
    FileRefused(Box<RefusedFile>),
    /// A file imported on the server with problems, each by line; nothing was saved.
    #[error("{} problem(s)", .0.len())]
    FileProblems(Vec<Problem>),
    /// Months sent through the API with problems, each named by its position and
    /// field (`[1].headcount`), or by field alone for a single month; nothing was saved.
    #[error("{}", problems_message(.0.len()))]
    Problems(Vec<(String, String)>),
    /// The API's body was not sent as JSON.
    #[error("Send the returns as JSON, with the header Content-Type: application/json")]
    NotJson,
    /// Refused as asked, with a message for the person.
    #[error("{0}")]
    Refused(String),
    /// Something the server reads before it can check a file could not be read.
    #[error("{what} could not be read")]
    Unread {
        what: &'static str,
        #[source]
        source: StoreError,
    },
    #[error(transparent)]
    Store(StoreError),
}

fn problems_message(count: usize) -> String {
    match count {
        1 => "The return has a problem: see fields".to_string(),
        n => format!("The return has {n} problems: see fields"),
    }
}

impl AreaError for ReturnsError {
    fn failure(&self) -> Failure<'_> {
        match self {
            ReturnsError::Denied(denied) => denied.failure(),
            ReturnsError::Invalid { .. }
            | ReturnsError::FileRefused(_)
            | ReturnsError::FileProblems(_)
            | ReturnsError::Problems(_) => Failure::Invalid,
            ReturnsError::NotJson => Failure::Refused("Send the returns as JSON"),
            ReturnsError::Refused(message) => Failure::Refused(message),
            ReturnsError::Unread { .. } => Failure::Internal,
            ReturnsError::Store(error) => error.failure(),
        }
    }
}

impl From<StoreError> for ReturnsError {
    fn from(error: StoreError) -> Self {
        ReturnsError::Store(error)
    }
}
