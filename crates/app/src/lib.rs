//! The application layer. Every action Candour offers is one call on one area's
//! service; the HTML pages, the JSON API and the command line are thin adapters
//! over the same call. A call takes the [`Actor`] and the raw input, and owns the
//! whole action: parsing into domain types, loading, the one access decision
//! ([`Gate::require`]), the audit entry, the write, and (in the store, in the
//! same transaction) the change journal's entry that monitoring and the directory
//! follow. Each area answers with a typed error of its own ([`AreaError`]).
//!
//! Each service depends only on the store traits it uses; the full
//! [`candour_store::Store`] is the bundle built at start-up, in [`App::new`] with the
//! [`Settings`] the services need.

pub mod access;
pub mod accounts;
pub mod assessments;
pub mod complaints;
pub mod error;
pub mod improvement;
pub mod moderation;
pub mod monitoring;
pub mod notices;
pub mod open_data;
pub mod policies;
pub mod practice;
pub mod register;
pub mod returns;
pub mod visits;
pub mod voice;
pub mod workspaces;

use std::sync::Arc;

use candour_store::Store;

pub use access::{Actor, Denied, Gate, describe};
pub use error::{AreaError, Failure};
use moderation::Moderation;
use voice::{Voice, VoiceConfig};

use accounts::{AccountPolicy, Accounts};
use candour_domain::complaints::ComplaintPolicy;
use complaints::{ComplaintSettings, Complaints};
use improvement::Improvement;
use workspaces::Workspaces;

/// Every area's service, built once at start-up from the store. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub gate: Gate,
    /// Signing in, sessions, links, API tokens and the administration of accounts.
    pub accounts: Accounts,
    pub assessments: assessments::Assessments,
    pub complaints: Complaints,
    pub improvement: Improvement,
    pub policies: policies::Policies,
    pub practice: practice::Practice,
    /// Visits by experts by experience.
    pub visits: visits::Visits,
    /// The files anyone may download in bulk.
    pub open_data: open_data::OpenData,
    /// People's voice: feedback, the private return link, replies.
    pub voice: Voice,
    /// The moderation queue, reply checks, safeguarding alerts and contacts.
    pub moderation: Moderation,
    /// Who gets which emails, unsubscribing, and the daily digests.
    pub notices: notices::Notices,
    pub register: register::Register,
    pub returns: returns::Returns,
    pub workspaces: Workspaces,
}

/// What the services are told at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Links in emails (alerts, complaints, invitations) start with this, like
    /// `https://candour.example`.
    pub public_url: String,
    /// Passwords, sessions, lockouts and links.
    pub accounts: AccountPolicy,
    /// The working days a complaint is acknowledged and answered within.
    pub complaints: ComplaintPolicy,
}

impl Settings {
    /// The default policies, with emails linking to `public_url`.
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into(),
            accounts: AccountPolicy::default(),
            complaints: ComplaintPolicy::default(),
        }
    }
}

impl App {
    pub fn new(store: Arc<dyn Store>, settings: &Settings) -> Self {
        let gate = Gate::new(store.clone());
        let practice = practice::Practice::new(store.clone(), store.clone(), gate.clone());
        let visits = visits::Visits::new(store.clone(), store.clone(), gate.clone());
        let open_data = open_data::OpenData::new(store.clone());
        let complaint_settings =
            ComplaintSettings { policy: settings.complaints, public_url: settings.public_url.clone() };
        let notices = notices::Notices::new(store.clone(), settings.public_url.clone());
        let assessments = assessments::Assessments::new(store.clone(), gate.clone(), notices.clone());
        let improvement = Improvement::new(store.clone(), gate.clone(), notices.clone());
        let policies = policies::Policies::new(store.clone(), gate.clone(), notices.clone());
        let complaints = Complaints::new(store.clone(), gate.clone(), complaint_settings, notices.clone());
        let voice = Voice::new(store.clone(), VoiceConfig::new(settings.public_url.clone()));
        let moderation = Moderation::new(store.clone(), voice.clone());
        let register = register::Register::new(store.clone());
        let returns = returns::Returns::new(store.clone(), gate.clone());
        let workspaces = Workspaces::new(store.clone(), gate.clone());
        let accounts = Accounts::new(store, settings.accounts.clone());
        Self {
            gate,
            accounts,
            assessments,
            complaints,
            improvement,
            policies,
            practice,
            visits,
            open_data,
            voice,
            moderation,
            notices,
            register,
            returns,
            workspaces,
        }
    }
}
