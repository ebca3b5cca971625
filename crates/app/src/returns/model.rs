//! What the returns calls answer: the pages' facts, and what a request carried.

use std::collections::HashMap;

use candour_domain::returns::template::{Problem, Row};
use candour_domain::returns::{LoggedComplaints, Month, RawReturn};
use candour_domain::{LocationId, UserId};
use candour_store::{LocationDetail, ReturnCounts, ReturnRecord};

/// A location's returns page: what it has sent and which months are missing.
#[derive(Debug, Clone)]
pub struct Overview {
    pub detail: LocationDetail,
    /// Every return the location has sent, oldest first.
    pub sent: Vec<ReturnRecord>,
    /// The names of the accounts that sent them.
    pub senders: HashMap<UserId, String>,
    /// The complete months of the last year with no return, latest first.
    pub missing: Vec<Month>,
}

/// What the form for one month shows besides the figures typed into it.
#[derive(Debug, Clone)]
pub struct FormContext {
    pub detail: LocationDetail,
    /// The month the form is for, when it names one.
    pub month: Option<Month>,
    /// The return already sent for the month: saving the form replaces it.
    pub sent: Option<ReturnRecord>,
    /// The name of the account that sent it.
    pub senders: HashMap<UserId, String>,
    /// The month's complaint figures, when the location's complaint log counts
    /// them: the form does not ask for them.
    pub logged: Option<LoggedComplaints>,
}

/// The form for one month as it opens.
#[derive(Debug, Clone)]
pub struct MonthForm {
    pub context: FormContext,
    /// The figures it starts with: the return sent for the month, or what
    /// carries over into a new month.
    pub figures: RawReturn,
    /// Where the figures of a new month's form come from, when some are filled in.
    pub prefilled: Option<Prefilled>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefilled {
    /// The figures that carry over, from the return for this month.
    LastReturn(Month),
    /// Whether a registered manager is in post, from the regulator's register.
    Register,
}

/// A return saved from the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSaved {
    pub location: LocationId,
    pub month: Month,
    pub counts: ReturnCounts,
}

/// A file uploaded for one location, as the request carried it.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The file's name, or a description of it when it has none.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why an uploaded file was not taken, with the page to show again.
#[derive(Debug, Clone)]
pub struct RefusedFile {
    pub overview: Overview,
    pub refusal: FileRefusal,
}

#[derive(Debug, Clone)]
pub enum FileRefusal {
    /// No file could be read from the request, with what to do.
    NoFile(String),
    /// The file's rows have problems, each by line, in line order.
    Problems { name: String, problems: Vec<Problem> },
}

/// A file imported on the server, every row checked and every location in the
/// register: ready for [`super::Returns::save_on_server`].
#[derive(Debug, Clone)]
pub struct ServerFile {
    pub(super) rows: Vec<Row>,
}

impl ServerFile {
    /// How many months the file holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
